"""Attack classes 7, 8 and 9: what reaches the text report, the grader's environment, and modules
that `python -m dlcheck` would import from the current directory.

Contract: the text report strips control characters from student text; the worker gets a minimal
environment, so no secret of the grader's reaches any output; `python -m dlcheck` does not put the
cwd on sys.path.
"""

from __future__ import annotations

import pytest

from tests.security import scenarios
from tests.security.checks import assert_contained, control_characters
from tests.security.configurations import ROOT_NS
from tests.security.matrix import EVERYWHERE, batch_configs, configs


# ------------------------------------------------------------ class 7: terminal control sequences

def assert_clean_text_report(outcome, header: str) -> None:
    assert_contained(outcome, [scenarios.ANSI], expect_results=False)
    assert outcome.returncode == 1, f"exit {outcome.returncode}: {outcome.stderr[-800:]}"
    assert header in outcome.stdout, outcome.stdout[:600]
    assert control_characters(outcome.stdout) == [], (
        f"control characters {control_characters(outcome.stdout)} reach the report: {outcome.stdout[:1200]!r}")
    assert "\x1b" not in outcome.stderr, f"ESC on stderr: {outcome.stderr[:400]!r}"


@pytest.mark.parametrize("config", configs([ROOT_NS]),
    indirect=True)
def test_control_sequences_never_reach_the_report(runs, config):
    outcome = runs.get(config, "single_slot_attacks", "ansi_single")
    assert_clean_text_report(outcome, f"{scenarios.ANSI}: ERROR")
    assert outcome.stdout.splitlines()[0].startswith(f"! {scenarios.ANSI}: ERROR"), "the real header comes first"


@pytest.mark.parametrize("config", configs([ROOT_NS]),
    indirect=True)
def test_control_sequences_never_reach_the_summary(runs, config):
    assert_clean_text_report(runs.get(config, "single_slot_attacks", "ansi_summary"), "0/2 exercises pass")


# ------------------------------------------------------------ class 8: the grader's secrets

@pytest.mark.parametrize("config", batch_configs(scenarios.ENVIRONMENT_SECRETS), indirect=True)
def test_the_graders_secrets_never_reach_any_output(runs, config):
    assert_contained(runs.get(config, "worker_batch"), [scenarios.ENVIRONMENT_SECRETS])


# ------------------------------------------------------------ class 9: modules in the cwd

@pytest.mark.parametrize("config", configs(EVERYWHERE), indirect=True)
@pytest.mark.parametrize("module", ["typer", "rich"])
def test_modules_in_the_cwd_are_never_imported(runs, config, module):
    outcome, marker = runs.get(config, f"{module}_in_cwd")
    assert not marker.exists(), f"{module}.py in the cwd was imported by python -m dlcheck"
    assert_contained(outcome, [], expect_results=False)
    assert outcome.returncode == 0, f"dlcheck list failed: {outcome.stderr[-600:]}"
