"""Parametrizing a test over configurations.

    @pytest.mark.parametrize("config", configs(TRUSTED), indirect=True)

A test that cannot pass yet in some configuration while a fix lands is marked there with
`pytest.param(..., marks=pytest.mark.xfail(strict=True, reason=...))`, so the fix forces its removal.
"""

from __future__ import annotations

import pytest

from tests.security.configurations import ALL, Configuration

TRUSTED = [c for c in ALL if c.trusted]
UNTRUSTED = [c for c in ALL if not c.trusted]
EVERYWHERE = ALL


def configs(among: list[Configuration]) -> list:
    return [pytest.param(c.name, id=c.name) for c in among]


def in_batch(slot: str) -> list[Configuration]:
    """The configurations whose worker batch holds the attack in `slot` (scenarios.UNTRUSTED_BATCH)."""
    from tests.security.scenarios import UNTRUSTED_BATCH

    return [c for c in ALL if c.trusted or slot in UNTRUSTED_BATCH]


def batch_configs(slot: str) -> list:
    """For a test of the worker batch's attack in `slot`: the configurations where it runs."""
    return configs(in_batch(slot))
