"""Attack classes 2 and 3: the worker reads the reference, or replays an answer key from feedback.

Contract: the worker cannot see the course, the package sources, the workspace or the cwd, and gets
a minimal environment; the reference marker never appears in any output. Each code exercise has
hidden cases whose messages reveal no expected value, and a pass needs them too.
"""

from __future__ import annotations

import re

import pytest

from tests.security import scenarios
from tests.security.checks import assert_contained
from tests.security.configurations import ROOT_NS
from tests.security.matrix import batch_configs, configs

@pytest.mark.parametrize("config", batch_configs(scenarios.REFERENCE_VIA_ENVIRONMENT), indirect=True)
def test_the_reference_is_out_of_reach_through_the_environment(runs, config):
    assert_contained(runs.get(config, "worker_batch"), [scenarios.REFERENCE_VIA_ENVIRONMENT])


@pytest.mark.parametrize("config", batch_configs(scenarios.REFERENCE_VIA_PACKAGE_PATH),
    indirect=True)
def test_the_reference_is_out_of_reach_through_the_package_path(runs, config):
    assert_contained(runs.get(config, "worker_batch"), [scenarios.REFERENCE_VIA_PACKAGE_PATH])


@pytest.mark.parametrize("config", batch_configs(scenarios.REFERENCE_VIA_PROC), indirect=True)
def test_the_reference_is_out_of_reach_through_proc(runs, config):
    assert_contained(runs.get(config, "worker_batch"), [scenarios.REFERENCE_VIA_PROC])


@pytest.mark.parametrize("config", batch_configs(scenarios.REFERENCE_VIA_JOB_MESSAGE), indirect=True)
def test_the_reference_is_out_of_reach_through_the_job_message(runs, config):
    assert_contained(runs.get(config, "worker_batch"), [scenarios.REFERENCE_VIA_JOB_MESSAGE])


@pytest.mark.parametrize("config", batch_configs(scenarios.VISIBILITY_PROBE), indirect=True)
def test_the_worker_sees_neither_course_nor_sources_nor_workspace_nor_cwd(runs, config):
    results = assert_contained(runs.get(config, "worker_batch"), [scenarios.VISIBILITY_PROBE])
    if results:
        message = results[scenarios.VISIBILITY_PROBE]["message"]
        assert "hidden" in message or "empty" in message or "VISIBLE" in message, f"the probe did not run: {message}"
        assert "VISIBLE" not in message, message


# ------------------------------------------------------------ class 3: the answer key

@pytest.mark.parametrize("config", batch_configs(scenarios.ANSWER_KEY), indirect=True)
def test_an_answer_key_from_feedback_does_not_pass(runs, config):
    assert scenarios.answer_key(runs), "the feedback run produced no key at all"
    assert_contained(runs.get(config, "worker_batch"), [scenarios.ANSWER_KEY])


@pytest.mark.parametrize("config", configs([ROOT_NS]), indirect=True)
def test_hidden_cases_reveal_no_expected_values(runs, config):
    outcome = runs.get(config, "single_slot_attacks", "answer_key_feedback")
    result = assert_contained(outcome, [scenarios.ANSWER_KEY])[scenarios.ANSWER_KEY]
    tests = result["tests"]
    hidden = [t for t in tests if t.get("hidden") is True]
    assert hidden, f"no case is hidden: {[t['name'] for t in tests]}"
    assert len(hidden) < len(tests), "no case is public"
    telling = [t for t in hidden if re.search(r"expected\W{0,3}[-+(\[\d]", t.get("message", ""))]
    assert telling == [], f"hidden cases show expected values: {telling}"
    failure = result.get("failure") or {}
    if failure.get("case") in {t["name"] for t in hidden}:
        shown = {k: failure.get(k) for k in ("inputs", "expected", "got") if failure.get(k)}
        assert shown == {}, f"the failure panel of a hidden case shows {shown}"
