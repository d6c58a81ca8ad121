"""Adversarial submissions, by attack category (docs/security.md). Each runs through the real CLI;
the `attack` fixture checks verdict, time bound, survivors, unchanged files and an idle listener."""

from __future__ import annotations

import pytest

# scaled_sum in the fixture course: 2 s per case, 8 s in total; start-up and reaping add a few seconds.
CODE_BOUND = 8 + 7
SYMBOLIC_BOUND = 8 + 7 + 5  # the exercise's budget, the client's margin, start-up


def fragment_in(outcome, *fragments: str) -> None:
    text = outcome.report["message"] + str(outcome.report.get("failure") or "")
    assert any(f in text for f in fragments), f"none of {fragments} in: {text[:600]}"


# ------------------------------------------------------------ 1. forged verdicts

def test_fake_reports_on_stdout_and_stderr_change_nothing(attack):
    outcome = attack("scaled_sum", submission="forged_fake_report", bound=CODE_BOUND)
    assert outcome.report["status"] == "fail"
    assert '"status": "pass"' in outcome.report["output"]  # kept as the student's output, nothing more


@pytest.mark.parametrize("submission, status, fragments", [
    ("forged_exit_zero", "error", ("exited with status 0",)),
    ("forged_sys_exit_at_import", "error", ("sys.exit",)),
])
def test_exiting_with_status_zero_is_an_error(attack, submission, status, fragments):
    outcome = attack("scaled_sum", submission=submission, bound=CODE_BOUND)
    assert outcome.report["status"] == status
    fragment_in(outcome, *fragments)


@pytest.mark.parametrize("submission, fragments", [
    ("forged_lying_objects", ("Liar",)),
    ("forged_object_array_and_nan", ("numpy.ndarray", "dtype object")),
])
def test_lying_return_values_fail_on_their_type(attack, submission, fragments):
    outcome = attack("scaled_sum", submission=submission, bound=CODE_BOUND)
    assert outcome.report["status"] == "fail"
    fragment_in(outcome, *fragments)


def test_monkeypatching_comparison_functions_in_the_worker_changes_nothing(attack):
    outcome = attack("scaled_sum", submission="forged_monkeypatch", bound=CODE_BOUND)
    assert outcome.report["status"] == "fail"
    assert outcome.report["diagnosis"]["id"] == "forgot_alpha"


def test_forged_protocol_messages_do_not_pass(attack):
    outcome = attack("scaled_sum", submission="forged_channel_messages", bound=CODE_BOUND)
    assert "none" not in outcome.report["isolation"]  # the claim came after the real report


# ------------------------------------------------------------ 2. reaching the answer

def test_frames_gc_and_environment_hold_no_expected_values(attack):
    outcome = attack("scaled_sum", submission="reach_frames_and_gc", bound=CODE_BOUND)
    assert outcome.report["status"] in ("fail", "error")


def test_mutating_inputs_does_not_change_expected_values(attack):
    outcome = attack("scaled_sum", submission="reach_mutate_inputs", bound=CODE_BOUND)
    assert outcome.report["status"] == "fail"


def test_payloads_that_would_run_code_when_decoded_are_inert(attack):
    outcome = attack("scaled_sum", submission="reach_code_payload", bound=CODE_BOUND)
    assert outcome.report["status"] == "fail"
    fragment_in(outcome, "expected a torch.Tensor")


# ------------------------------------------------------------ 3. exhausting resources

@pytest.mark.parametrize("submission, fragments", [
    ("resources_ignore_signals", ("Timed out",)),
    ("resources_memory_bomb", ("can't allocate memory", "MemoryError")),
    ("resources_stdout_flood", ("more than 16 MB of output",)),
    ("resources_deep_recursion", ("SIGSEGV", "RecursionError")),
    ("resources_children", ("Timed out",)),
    ("resources_threads", ("Timed out",)),
    ("resources_disk_fill", ("No space left on device",)),
])
def test_resource_exhaustion_ends_in_an_error_within_the_bound(attack, submission, fragments):
    outcome = attack("scaled_sum", submission=submission, bound=CODE_BOUND)
    assert outcome.report["status"] == "error"
    fragment_in(outcome, *fragments)


# ------------------------------------------------------------ 4. tampering and escaping

def test_writing_the_graders_files_and_the_workspace_is_refused(attack):
    outcome = attack("scaled_sum", submission="tamper_write_files", bound=CODE_BOUND)
    assert "CHANGED" not in outcome.report["message"]
    refusals = ("SandboxViolation", "PermissionError", "Read-only")
    if "mount-view" in outcome.report["isolation"]:
        # A checkout under /tmp is not in the view at all (the view's /tmp is the job's own): the
        # files cannot even be found, which refuses the write as surely.
        refusals += ("FileNotFoundError",)
    fragment_in(outcome, *refusals)


def test_files_outside_the_sandbox_cannot_be_created(attack):
    outcome = attack("scaled_sum", submission="tamper_write_elsewhere", bound=CODE_BOUND)
    assert outcome.report["status"] == "fail"


def test_network_connections_are_refused(attack):
    outcome = attack("scaled_sum", submission="tamper_network", bound=CODE_BOUND)
    assert "CONNECTED" not in outcome.report["message"]
    fragment_in(outcome, "SandboxViolation")


def test_network_from_child_processes_is_refused(attack):
    outcome = attack("scaled_sum", submission="tamper_network_subprocess", bound=CODE_BOUND)
    assert outcome.report["status"] == "fail"


def test_isolation_layers_are_reported(attack):
    outcome = attack("scaled_sum", submission="reach_mutate_inputs", bound=CODE_BOUND)
    layers = outcome.report["isolation"]
    assert "audit-hooks" in layers and "rlimits" in layers


# ------------------------------------------------------------ 5. hostile symbolic input

@pytest.mark.parametrize("answer", [
    "__import__('os').system('touch /tmp/dlcheck-pwned')",
    "p_d.__class__.__mro__",
    "9**9**9**9",
    "factorial(10**7)",
    "(" * 5000 + "p_d" + ")" * 5000,
    r"\frac{p_d}{",
    r"\left( p_d \right",
    "ｐ_ｄ／（ｐ_ｄ＋ｐ_ｍ）＋ｅｖａｌ",  # fullwidth look-alikes
    "p_d/(p_d + p_m) + exp(exp(exp(exp(10))))",
])
def test_hostile_symbolic_answers_are_refused_quickly(attack, answer):
    outcome = attack("gan_optimal_discriminator", answer=answer, bound=SYMBOLIC_BOUND)
    assert outcome.report["message"]


def test_a_megabyte_answer_file_is_refused(attack):
    outcome = attack("gan_optimal_discriminator", answer_file="p_d + " * 200_000 + "p_m", bound=SYMBOLIC_BOUND)
    assert outcome.report["status"] == "error"
