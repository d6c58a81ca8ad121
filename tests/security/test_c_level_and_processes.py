"""Attack class 4: what C code does without raising audit events, and attacks on other processes.

Writes from torch.save / numpy.save / torch.from_file, torch's C++ sockets, rewriting a reference
that the same --all run grades later, disarming the audit hook from Python, signals to the grader,
the zygote and another grading run's processes, ptrace and process_vm_readv.
"""

from __future__ import annotations

import pytest

from tests.security import scenarios
from tests.security.checks import assert_contained
from tests.security.configurations import ROOT_NS, USER_NO_NS
from tests.security.matrix import TRUSTED, batch_configs, configs


@pytest.mark.parametrize("config", batch_configs(scenarios.C_LEVEL_FILE_WRITES), indirect=True)
def test_c_level_writes_leave_no_files(runs, config):
    assert_contained(runs.get(config, "worker_batch"), [scenarios.C_LEVEL_FILE_WRITES])


@pytest.mark.parametrize("config", batch_configs(scenarios.OVERWRITE_REFERENCE), indirect=True)
def test_a_reference_rewritten_in_c_does_not_grade_the_next_exercise(runs, config):
    assert_contained(runs.get(config, "worker_batch"), [scenarios.OVERWRITE_REFERENCE, scenarios.OVERWRITTEN])


@pytest.mark.parametrize("config", batch_configs(scenarios.AUDIT_HOOK_DISARMED), indirect=True)
def test_the_audit_hook_cannot_be_disarmed_from_python(runs, config):
    assert_contained(runs.get(config, "worker_batch"), [scenarios.AUDIT_HOOK_DISARMED, scenarios.DISARMED_VICTIM])


@pytest.mark.parametrize("config", batch_configs(scenarios.C_LEVEL_SOCKET), indirect=True)
def test_torch_cpp_sockets_reach_nothing(runs, config):
    assert_contained(runs.get(config, "worker_batch"), [scenarios.C_LEVEL_SOCKET])


@pytest.mark.parametrize("config", configs(TRUSTED), indirect=True)
@pytest.mark.prefetch("signals_and_fifo")
def test_signals_ptrace_and_memory_reads_on_the_grader_fail(runs, config):
    signals, _ = runs.get(config, "signals_and_fifo")
    result = assert_contained(signals, [scenarios.OWN_GRADER_SIGNALS])[scenarios.OWN_GRADER_SIGNALS]
    assert "DONE" not in result["message"], result["message"]


@pytest.mark.parametrize("config", configs([ROOT_NS, USER_NO_NS]), indirect=True)
@pytest.mark.prefetch("concurrent_runs")
def test_another_concurrent_run_keeps_its_verdict(runs, config):
    victim, attacker = runs.get(config, "concurrent_runs")
    assert_contained(attacker, [scenarios.CONCURRENT_ATTACKER])
    assert not victim.timed_out, f"the victim run hung: killed after {victim.bound:g} s"
    assert victim.returncode == 0 and victim.report is not None, (
        f"the victim run's correct submission got exit {victim.returncode}: "
        f"{(victim.report or {}).get('results', victim.stderr[-800:])}")
    assert victim.result(scenarios.SLOW_SLOT)["status"] == "pass"
    assert victim.survivors == [] and victim.changed == []
