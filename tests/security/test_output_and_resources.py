"""Attack classes 5 and 6: the job's output channel, and exhausting the grader (not the worker).

Contract: the worker's output is read from a descriptor the grader held since spawn, so replacing
the output file (a FIFO, a symlink to a reference) neither blocks the grader nor copies anything
into the report. Comparison never raises: with --all every result is printed. The grader's memory
stays modest and its time bounded whatever plain data a worker sends. A memory or output-size
error ends the run like a timeout: `error`, within the exercise's total time plus a small margin.
"""

from __future__ import annotations

import re

import pytest

from tests.security import scenarios
from tests.security.checks import assert_contained, results_by_exercise
from tests.security.configurations import ROOT_NS
from tests.security.matrix import TRUSTED, batch_configs, configs

GRADER_MEMORY_LIMIT_MB = 400  # ~60 MB of message, buffered and decoded with bounded node counts


# ------------------------------------------------------------ class 5: the output channel

@pytest.mark.parametrize("config", batch_configs(scenarios.OUTPUT_FILE_SYMLINK), indirect=True)
def test_an_output_file_replaced_by_a_symlink_copies_nothing(runs, config):
    assert_contained(runs.get(config, "worker_batch"), [scenarios.OUTPUT_FILE_SYMLINK])


@pytest.mark.parametrize("config", configs(TRUSTED), indirect=True)
@pytest.mark.prefetch("signals_and_fifo")
def test_an_output_file_replaced_by_a_fifo_does_not_block_the_grader(runs, config):
    _, fifo = runs.get(config, "signals_and_fifo")
    assert_contained(fifo, [scenarios.OUTPUT_FILE_FIFO])


# ------------------------------------------------------------ class 6: exhausting the grader

@pytest.mark.parametrize("config", configs([ROOT_NS]),
    indirect=True)
def test_a_60_mb_result_of_tiny_nodes_keeps_the_grader_small_and_quick(runs, config):
    outcome = runs.get(config, "huge_message")
    peak = outcome.peak_memory_mb
    assert peak is not None and peak < GRADER_MEMORY_LIMIT_MB, f"the grader peaked at {peak} MB (VmHWM)"
    assert_contained(outcome, [scenarios.HUGE_MESSAGE])


@pytest.mark.parametrize("config", configs([ROOT_NS]),
    indirect=True)
def test_a_huge_int_where_a_float_is_expected_fails_that_case_only(runs, config):
    outcome = runs.get(config, "single_slot_attacks", "big_int_where_float_expected")
    results = assert_contained(outcome, [*scenarios.BIG_INTS, "halve_a"])
    for slot in scenarios.BIG_INTS:
        assert results[slot]["status"] == "fail", results[slot]
    everything = results_by_exercise(outcome.report)
    assert everything["scale_a"]["status"] == "pass", "the correct neighbour must still be graded"


@pytest.mark.parametrize("config", configs([ROOT_NS]),
    indirect=True)
def test_an_internal_failure_exits_3_and_still_prints_every_result(runs, config):
    outcome = runs.get(config, "single_slot_attacks", "broken_reference")
    assert outcome.returncode == 3, f"exit {outcome.returncode}; stderr: {outcome.stderr[-800:]}"
    results = results_by_exercise(outcome.report)
    assert results.get(scenarios.BESIDE_BROKEN, {}).get("status") == "pass", outcome.stdout[:800]
    assert results.get(scenarios.BROKEN_REFERENCE, {}).get("status") == "error", outcome.stdout[:800]
    assert_contained(outcome, [scenarios.BROKEN_REFERENCE], expect_results=False)


@pytest.mark.parametrize("config", configs(TRUSTED), indirect=True)
def test_a_busy_loop_ends_on_its_cpu_time_and_a_sleep_at_the_wall_clock_backstop(runs, config):
    outcome = runs.get(config, "spin_and_sleep")
    results = assert_contained(outcome, [scenarios.SPINS, scenarios.SLEEPS])
    assert "Timed out on case" in results[scenarios.SPINS]["message"], results[scenarios.SPINS]["message"]
    assert "of CPU time). Look for an infinite loop" in results[scenarios.SPINS]["message"]
    # Only a grader that reads the sleeping worker's CPU time (its keeper's child, another uid, a
    # PID namespace) sees it use none; one that could not would count wall time and say "Timed out".
    sleeps = results[scenarios.SLEEPS]["message"]
    assert re.search(r"Stopped on case '[^']+' after \d+ s of wall time, in which your code used only 0\.[0-2] s "
                     r"of CPU time: is it waiting on input or sleeping", sleeps), sleeps


@pytest.mark.parametrize("config", configs([ROOT_NS]), indirect=True)
def test_a_memory_bomb_on_every_case_ends_within_the_total_time(runs, config):
    outcome = runs.get(config, "single_slot_attacks", "memory_every_case")  # the bound: the slot's total time plus the margin
    result = assert_contained(outcome, [scenarios.MEMORY_EVERY_CASE])[scenarios.MEMORY_EVERY_CASE]
    assert result["status"] == "error" and "memory" in result["message"].lower(), result["message"]


@pytest.mark.parametrize("config", batch_configs(scenarios.MEMORY_EVERY_CASE), indirect=True)
def test_memory_bombs_are_errors_in_every_configuration(runs, config):
    results = assert_contained(runs.get(config, "worker_batch"), [scenarios.MEMORY_EVERY_CASE])
    if results:
        message = results[scenarios.MEMORY_EVERY_CASE]["message"]
        assert results[scenarios.MEMORY_EVERY_CASE]["status"] == "error" and "memory" in message.lower(), message


@pytest.mark.parametrize("config", batch_configs(scenarios.OUTPUT_EVERY_CASE), indirect=True)
def test_an_output_bomb_on_every_case_is_an_output_size_error(runs, config):
    results = assert_contained(runs.get(config, "worker_batch"), [scenarios.OUTPUT_EVERY_CASE])
    if results:
        result = results[scenarios.OUTPUT_EVERY_CASE]
        assert result["status"] == "error" and "output" in result["message"].lower(), result["message"]
