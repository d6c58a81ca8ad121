"""The warm symbolic checker: one server (one sympy import) per run, one forked child per answer.

Most tests run the real server; some replace its judge once it is warm (symbolic_helpers.
server_judging_with) to make a child report what it sees, spin, or blow up, with the real imports,
limits and protocol around it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from dlcheck.sandbox import child_environment
from dlcheck.sandbox.usage import children_of
from dlcheck.symbolic import client
from dlcheck.symbolic.client import SymbolicChecker
from dlcheck.symbolic.worker import MEMORY_BYTES, OPEN_FILES

from symbolic_helpers import REPO, free_xy_request, reference_of, request_for, server_judging_with, spec_of

SPINS = "-x/y + floor(x^(x^(x^x))/10^9)"  # seconds of real sympy work before its own budget ends it
# The child reports, in its reply's message, what it sees: the real verdict follows.
REPORTING_JUDGE = """
import os, resource
reply = real_judge(request, deadline)
seen = {"pid": os.getpid(), "ppid": os.getppid(), "sympy_imports": len(SYMPY_IMPORTS),
        "fds": sorted(int(fd) for fd in os.listdir("/proc/self/fd")), "env": sorted(os.environ),
        "limits": [resource.getrlimit(k)[0] for k in (resource.RLIMIT_AS, resource.RLIMIT_CPU,
                                                      resource.RLIMIT_NOFILE, resource.RLIMIT_FSIZE)]}
return dict(reply, message=json.dumps(seen))
"""
COUNTS_SYMPY_IMPORTS = """
import json, sys
SYMPY_IMPORTS = []
sys.addaudithook(lambda event, args: SYMPY_IMPORTS.append(args) if event == "import" and args[0] == "sympy" else None)
"""


def _reference(exercise: str) -> dict:
    return request_for(exercise, reference_of(exercise))


def _first_mistake(exercise: str) -> tuple[dict, str]:
    mistake = spec_of(exercise).mistakes[0]
    return request_for(exercise, mistake.expr), mistake.id


def _wait_for_children(pid: int, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not children_of(pid):
        assert time.monotonic() < deadline, "the server never forked a child"
        time.sleep(0.01)


def test_one_server_judges_many_answers_after_one_sympy_import(monkeypatch):
    monkeypatch.setattr(client, "SERVER", server_judging_with(REPORTING_JUDGE, preamble=COUNTS_SYMPY_IMPORTS))
    exercises = ["kl_gaussian_1d", "conv_shape_formula", "sigmoid_derivative", "implicit_diff_circle"] * 2
    with SymbolicChecker() as checker:
        replies = [checker.check(_reference(exercise), timeout=10) for exercise in exercises]
        server = checker.server_pid
    assert [r["status"] for r in replies] == ["pass"] * len(exercises)
    seen = [json.loads(r["message"]) for r in replies]
    assert {s["ppid"] for s in seen} == {server}  # every child is a fork of the one server
    assert len({s["pid"] for s in seen}) == len(seen)  # a fresh child per answer
    # The audit hook counts real imports of sympy (not lookups in sys.modules), in the server and,
    # inherited by the fork, in each child: one, before the first answer.
    assert {s["sympy_imports"] for s in seen} == {1}


def test_the_real_server_keeps_its_pid_across_answers():
    with SymbolicChecker() as checker:
        assert checker.server_pid is None  # nothing starts before the first answer
        first = checker.check(_reference("gan_optimal_discriminator"), timeout=10)
        server = checker.server_pid
        mistake, mistake_id = _first_mistake("gan_optimal_discriminator")
        second = checker.check(mistake, timeout=10)
        assert checker.server_pid == server
    assert first["status"] == "pass"
    assert second["status"] == "fail" and second["diagnosis"] == mistake_id
    assert checker.server_pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(server, 0)  # close() stopped it


def test_a_child_gets_the_workers_limits_a_minimal_environment_and_no_other_socket(monkeypatch):
    monkeypatch.setattr(client, "SERVER", server_judging_with(REPORTING_JUDGE, preamble=COUNTS_SYMPY_IMPORTS))
    monkeypatch.setenv("DLCHECK_SECRET", "not for the child")
    with SymbolicChecker() as checker, ThreadPoolExecutor(max_workers=1) as pool:
        checker.check(_reference("implicit_diff_circle"), timeout=10)  # the server is warm
        busy = pool.submit(checker.check, dict(free_xy_request(SPINS), budget_seconds=3), 5)
        _wait_for_children(checker.server_pid)  # another request's socket is open now
        reply = checker.check(dict(_reference("implicit_diff_circle"), budget_seconds=8), timeout=10)
        busy.result()
    seen = json.loads(reply["message"])
    assert seen["limits"] == [MEMORY_BYTES, 8 + 5, OPEN_FILES, 0]
    assert seen["env"] == sorted(child_environment())
    assert seen["fds"] == [0, 1, 2, 3, 4]  # /dev/null thrice, its own socket, and listdir's own


def test_a_timeout_kills_only_that_child_and_the_next_answer_is_quick():
    with SymbolicChecker() as checker:
        checker.check(_reference("implicit_diff_circle"), timeout=10)
        server = checker.server_pid
        started = time.monotonic()
        reply = checker.check(free_xy_request(SPINS), timeout=0.5)
        elapsed = time.monotonic() - started
        assert reply["status"] == "error" and "ran out of time (0.5 s)" in reply["message"]
        assert elapsed < 0.5 + client.MARGIN + 1.0
        assert children_of(server) == []  # killed and reaped
        started = time.monotonic()
        after = checker.check(_reference("implicit_diff_circle"), timeout=10)
        assert after["status"] == "pass" and time.monotonic() - started < 3
        assert checker.server_pid == server


def test_an_answer_that_spins_does_not_delay_a_concurrent_one():
    with SymbolicChecker() as checker, ThreadPoolExecutor(max_workers=1) as pool:
        checker.check(_reference("implicit_diff_circle"), timeout=10)
        spinning = pool.submit(checker.check, free_xy_request(SPINS), 3)
        _wait_for_children(checker.server_pid)
        started = time.monotonic()
        reply = checker.check(_reference("kl_gaussian_1d"), timeout=10)
        elapsed = time.monotonic() - started
        assert not spinning.done()
        assert reply["status"] == "pass" and elapsed < 2
        assert spinning.result()["status"] == "error"


HOG = """
import os, signal
if request["answer"] == "allocate":
    bytearray(3 << 30)  # more than the child's whole address space
if request["answer"] == "oom-killed":
    os.kill(os.getpid(), signal.SIGKILL)  # what the kernel's OOM killer would do
return real_judge(request, deadline)
"""


@pytest.mark.parametrize("answer, words", [("allocate", "ran out of memory"),
                                           ("oom-killed", "ran out of time or memory")])
def test_a_child_out_of_memory_is_an_error_and_the_server_lives(monkeypatch, answer, words):
    monkeypatch.setattr(client, "SERVER", server_judging_with(HOG))
    with SymbolicChecker() as checker:
        checker.check(_reference("implicit_diff_circle"), timeout=10)
        server = checker.server_pid
        reply = checker.check(free_xy_request(answer), timeout=10)
        assert reply["status"] == "error" and words in reply["message"], reply["message"]
        assert checker.check(_reference("implicit_diff_circle"), timeout=10)["status"] == "pass"
        assert checker.server_pid == server


def test_a_server_killed_from_outside_fails_the_answer_in_flight_and_the_next_one_gets_a_new_server():
    with SymbolicChecker() as checker, ThreadPoolExecutor(max_workers=1) as pool:
        checker.check(_reference("implicit_diff_circle"), timeout=10)
        server = checker.server_pid
        in_flight = pool.submit(checker.check, free_xy_request(SPINS), 20)
        _wait_for_children(server)
        started = time.monotonic()
        os.kill(server, signal.SIGKILL)
        reply = in_flight.result()
        assert reply["status"] == "error" and "crashed" in reply["message"], reply["message"]
        assert time.monotonic() - started < 5  # its child died with the server: no wait for its timeout
        after = checker.check(_reference("implicit_diff_circle"), timeout=10)
        assert after["status"] == "pass"
        assert checker.server_pid not in (None, server)


def test_a_server_that_died_between_answers_is_replaced_without_an_error():
    with SymbolicChecker() as checker:
        checker.check(_reference("implicit_diff_circle"), timeout=10)
        server = checker.server_pid
        os.kill(server, signal.SIGKILL)
        reply = checker.check(_reference("implicit_diff_circle"), timeout=10)
        assert reply["status"] == "pass", reply["message"]
        assert checker.server_pid not in (None, server)


def test_four_threads_get_the_right_verdicts():
    jobs = []
    for exercise in ("kl_gaussian_1d", "conv_shape_formula", "ddpm_posterior_mean", "sigmoid_derivative",
                     "implicit_diff_circle", "gan_optimal_discriminator"):
        jobs.append((_reference(exercise), "pass", None))
        for mistake in spec_of(exercise).mistakes[:2]:
            jobs.append((request_for(exercise, mistake.expr), "fail", mistake.id))
    jobs.append((free_xy_request("x +"), "error", None))
    with SymbolicChecker() as checker, ThreadPoolExecutor(max_workers=4) as pool:
        replies = list(pool.map(lambda job: checker.check(job[0], timeout=15), jobs))
        server = checker.server_pid
        assert checker.check(_reference("kl_gaussian_1d"), timeout=10)["status"] == "pass"
        assert checker.server_pid == server  # all of them, one server
    assert [(r["status"], r["diagnosis"]) for r in replies] == [(status, d) for _, status, d in jobs]


def test_the_grading_process_never_imports_sympy(tmp_path):
    answer = tmp_path / "kl_gaussian_1d.txt"
    answer.write_text(reference_of("kl_gaussian_1d") + "\n")
    code = f"""
import json, os, sys
from pathlib import Path
from dlcheck.catalog import Course
from dlcheck.grading import Grader
from dlcheck.submission import read_submission
course = Course(Path({str(REPO)!r}))
with Grader(course) as grader:
    result = grader.grade(course.get("kl_gaussian_1d"), read_submission(Path({str(answer)!r}), None))
    server = grader.symbolic.server_pid
try:
    os.kill(server, 0)
    stopped = False
except ProcessLookupError:
    stopped = True
print(json.dumps({{"status": result.status, "sympy": sorted(m for m in sys.modules if m.split(".")[0] in ("sympy", "mpmath")),
                  "server": server, "stopped": stopped}}))
"""
    done = subprocess.run([sys.executable, "-P", "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    seen = json.loads(done.stdout)
    assert seen["status"] == "pass"
    assert seen["sympy"] == []
    assert seen["server"] and seen["stopped"]  # the grader's checker had a server, and close() ended it
