"""The sandbox's verdict on itself. Trusted where the layers that make a verdict trustworthy apply
(configurations 1-4). Elsewhere, grading that counts (--format json, --all, or $CI set and not
0/false) refuses with exit 4 unless --allow-weak-sandbox is given, and a student's interactive run
warns on one line of stderr and goes on. A correct submission is graded each way
(scenarios.WEAK_VARIANTS says which variant runs in which untrusted configuration).
"""

from __future__ import annotations

import pytest

from tests.security.checks import assert_contained, results_by_exercise
from tests.security.configurations import BY_NAME
from tests.security.matrix import TRUSTED, UNTRUSTED, configs
from tests.security.scenarios import WEAK_VARIANTS

COUNTING = {"json_single", "all_text", "ci_true", "ci_1"}
INTERACTIVE = {"interactive", "ci_0", "ci_false"}


def variants(kinds: set[str]) -> list:
    return [pytest.param(config, variant, id=f"{config}-{variant}")
            for config, table in WEAK_VARIANTS.items() for variant in table if variant in kinds]


def sandbox_of(result: dict) -> dict:
    sandbox = result.get("sandbox")
    assert isinstance(sandbox, dict), f"no sandbox record in {sorted(result)}"
    assert isinstance(sandbox.get("layers"), list), sandbox
    assert all(isinstance(layer, str) for layer in sandbox["layers"]), sandbox
    # No layers only where no submission code ran at all (refused file, syntax error, rule seen in the source).
    ran = any(t["name"] not in ("load", "syntax") and not t["name"].startswith("rule ") for t in result["tests"])
    assert sandbox["layers"] or not ran, (result["exercise"], [t["name"] for t in result["tests"]], sandbox)
    return sandbox


@pytest.mark.parametrize("config", configs(TRUSTED), indirect=True)
def test_trusted_configurations_say_so_in_every_result(runs, config):
    outcome = runs.get(config, "worker_batch")
    results = results_by_exercise(outcome.report)
    assert results, f"no results: {outcome.stderr[-800:]}"
    untrusted = {ex: sandbox_of(r) for ex, r in results.items() if sandbox_of(r).get("trusted") is not True}
    assert untrusted == {}, untrusted


@pytest.mark.parametrize("config, variant", variants(COUNTING), indirect=["config"])
def test_grading_that_counts_refuses_a_weak_sandbox(runs, config, variant):
    outcome = runs.get(config, "weak_sandbox_runs", variant)
    assert outcome.refusal_expected
    assert_contained(outcome, ["halve_a"])  # a refusal, and no side effect of any kind


@pytest.mark.parametrize("config, variant", variants(INTERACTIVE), indirect=["config"])
def test_an_interactive_run_warns_once_and_grades(runs, config, variant):
    outcome = runs.get(config, "weak_sandbox_runs", variant)
    assert not outcome.refusal_expected
    assert_contained(outcome, ["halve_a"], expect_results=False)
    assert outcome.returncode == 0 and "halve_a: PASS" in outcome.stdout, (outcome.returncode, outcome.stdout[:400],
                                                                             outcome.stderr[-400:])
    # One line says what the sandbox got and what it lacks (sandbox/host.py, SpawnHost.summary).
    warnings = [line for line in outcome.stderr.splitlines() if line.startswith("sandboxed:")]
    assert len(warnings) == 1, f"expected one 'sandboxed:' line on stderr, got: {outcome.stderr[:800]!r}"
    assert "not available here: hiding the course" in warnings[0] and "a grade that counts needs them" in warnings[0]


@pytest.mark.parametrize("config", configs(UNTRUSTED), indirect=True)
def test_allow_weak_sandbox_grades_and_marks_every_result_untrusted(runs, config):
    outcome = runs.get(config, "weak_sandbox_runs", "opted_in")
    assert outcome.returncode == 0, f"exit {outcome.returncode}: {outcome.stderr[-600:]}"
    assert_contained(outcome, [], expect_results=False)
    results = results_by_exercise(outcome.report)
    assert results.get("halve_a", {}).get("status") == "pass", outcome.stdout[:600]
    assert all(sandbox_of(r)["trusted"] is False for r in results.values()), results


def test_every_untrusted_configuration_has_its_variants():
    assert set(WEAK_VARIANTS) == {c.name for c in UNTRUSTED} and all(c in BY_NAME for c in WEAK_VARIANTS)
