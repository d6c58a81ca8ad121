"""Attack class 1: paths the student controls (the workspace, --file, dlcheck's own state files).

The contract: every student-controlled path is opened without following links. A submission that
is a symlink, not a regular file, has other hard links, or whose real path leaves the workspace
is an `error` naming why; --file inside the course is refused the same way; .dlcheck/state.tmp or
.dlcheck as a symlink never makes the grader write outside the workspace.
"""

from __future__ import annotations

import pytest

from tests.security import scenarios
from tests.security.checks import assert_contained
from tests.security.configurations import ROOT_NS
from tests.security.matrix import batch_configs, configs


PATH_PHRASES = ("symbolic link", "not a regular file", "hard link", "outside", "reference files")  # the contract's words


def assert_refused_as(result: dict, *phrases: str) -> None:
    assert result["status"] == "error", result
    assert any(p in result["message"] for p in phrases), f"none of {phrases} in {result['message'][:300]!r}"


# ------------------------------------------------------------ in the attack course, every configuration

@pytest.mark.parametrize("config", batch_configs(scenarios.WORKSPACE_SYMLINK), indirect=True)
def test_a_symlink_to_the_reference_is_not_graded(runs, config):
    outcome = runs.get(config, "worker_batch")
    results = assert_contained(outcome, [scenarios.WORKSPACE_SYMLINK])
    if results:
        assert_refused_as(results[scenarios.WORKSPACE_SYMLINK], "symbolic link")


@pytest.mark.parametrize("config", batch_configs(scenarios.WORKSPACE_HARDLINK), indirect=True)
def test_a_hard_link_to_the_reference_is_not_graded(runs, config):
    outcome = runs.get(config, "worker_batch")
    results = assert_contained(outcome, [scenarios.WORKSPACE_HARDLINK])
    if results:
        assert_refused_as(results[scenarios.WORKSPACE_HARDLINK], "hard link")


# ------------------------------------------------------------ the fixture course and the real course, as root

ROOT = [ROOT_NS]


@pytest.mark.parametrize("config", configs(ROOT),
                         indirect=True)
def test_a_symlink_into_the_fixture_course_is_not_graded(runs, config):
    results = assert_contained(runs.get(config, "path_attacks", "fixture_course_links"), ["halve"])
    assert_refused_as(results["halve"], "symbolic link")


@pytest.mark.parametrize("config", configs(ROOT),
                         indirect=True)
def test_a_hard_link_into_the_fixture_course_is_not_graded(runs, config):
    results = assert_contained(runs.get(config, "path_attacks", "fixture_course_links"), ["scaled_sum"])
    assert_refused_as(results["scaled_sum"], "hard link")


@pytest.mark.parametrize("config", configs(ROOT), indirect=True)
@pytest.mark.parametrize("slot", ["square_grad", "apply_model"], ids=["fifo", "directory"])
def test_a_submission_that_is_not_a_regular_file_is_an_error(runs, config, slot):
    results = assert_contained(runs.get(config, "path_attacks", "fixture_course_links"), [slot])
    assert_refused_as(results[slot], "not a regular file")


@pytest.mark.parametrize("config", configs(ROOT),
    indirect=True)
def test_state_tmp_planted_as_a_symlink_writes_nothing_outside(runs, config):
    outcome = runs.get(config, "path_attacks", "fixture_course_links")
    assert_contained(outcome, ["state.tmp"], expect_results=False)  # the victim file is this test's target


@pytest.mark.parametrize("config", configs(ROOT), indirect=True)
def test_a_symlink_into_the_real_course_is_not_graded(runs, config):
    results = assert_contained(runs.get(config, "path_attacks", "real_course_links"), ["conv_shape"])
    assert_refused_as(results["conv_shape"], "symbolic link")


@pytest.mark.parametrize("config", configs(ROOT), indirect=True)
def test_a_hard_link_into_the_real_course_is_not_graded(runs, config):
    results = assert_contained(runs.get(config, "path_attacks", "real_course_links"), ["kl_gaussian"])
    assert_refused_as(results["kl_gaussian"], "hard link")


@pytest.mark.parametrize("config", configs(ROOT), indirect=True)
def test_dlcheck_directory_planted_as_a_symlink_writes_nothing_outside(runs, config):
    assert_contained(runs.get(config, "path_attacks", "real_course_links"), [".dlcheck"], expect_results=False)


@pytest.mark.parametrize("config", configs(ROOT),
                         indirect=True)
def test_file_inside_the_course_is_refused(runs, config):
    results = assert_contained(runs.get(config, "path_attacks", "file_inside_course"), ["halve"])
    assert_refused_as(results["halve"], *PATH_PHRASES)


@pytest.mark.parametrize("config", configs(ROOT), indirect=True)
def test_file_through_a_symlinked_directory_is_refused(runs, config):
    results = assert_contained(runs.get(config, "path_attacks", "file_through_symlinked_directory"), ["halve"])
    assert_refused_as(results["halve"], *PATH_PHRASES)


@pytest.mark.parametrize("config", configs(ROOT), indirect=True)
def test_a_workspace_that_links_into_the_course_passes_nothing(runs, config):
    outcome = runs.get(config, "path_attacks", "workspace_is_a_symlink_into_the_course")
    # Refusing the whole workspace (a usage error: no document, or with --format json an error one)
    # is as good as refusing each file.
    if outcome.report is None or "error" in outcome.report:
        assert outcome.returncode not in (0, None), outcome.stderr[-500:]
        assert_contained(outcome, scenarios.ALL_SLOTS, expect_results=False)
        return
    assert_contained(outcome, [r["exercise"] for r in outcome.report.get("results", [])])
