"""Parametrizing a test over configurations, with the open issues marked where they are open.

    @pytest.mark.parametrize("config", configs(ALL, open_in={"root-ns": "what dlcheck still does"}),
                             indirect=True)

Each listed configuration becomes a strict xfail ("issue 7: ..."): the test must fail there today,
and once the fix lands it passes, XPASS fails the run, and the entry has to go.
"""

from __future__ import annotations

import pytest

from tests.security.configurations import ALL, Configuration

TRUSTED = [c for c in ALL if c.trusted]
UNTRUSTED = [c for c in ALL if not c.trusted]
EVERYWHERE = ALL


def configs(among: list[Configuration], open_in: dict[str, str] | None = None) -> list:
    open_in = open_in or {}
    unknown = set(open_in) - {c.name for c in among}
    assert not unknown, f"open_in names configurations this test does not run in: {unknown}"
    return [pytest.param(c.name, id=c.name, marks=[pytest.mark.xfail(strict=True, reason=f"issue 7: {open_in[c.name]}")]
                         if c.name in open_in else []) for c in among]


def in_batch(slot: str) -> list[Configuration]:
    """The configurations whose worker batch holds the attack in `slot` (scenarios.UNTRUSTED_BATCH)."""
    from tests.security.scenarios import UNTRUSTED_BATCH

    return [c for c in ALL if c.trusted or slot in UNTRUSTED_BATCH]


NO_REFUSAL = "grades in a weak sandbox instead of refusing with exit 4"


def refused_where_untrusted(open_in: dict[str, str] | None = None, among: list[Configuration] = ALL,
                            reason: str = NO_REFUSAL) -> dict[str, str]:
    """`open_in`, plus every untrusted configuration in `among`: dlcheck does not refuse there yet."""
    return {**(open_in or {}), **{c.name: reason for c in UNTRUSTED if c in among}}


def batch_configs(slot: str, open_in: dict[str, str] | None = None) -> list:
    """For a test of the worker batch's attack in `slot`: where it runs, and where it is still open."""
    among = in_batch(slot)
    return configs(among, refused_where_untrusted(open_in, among))
