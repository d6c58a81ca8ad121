"""The client side: no sympy in the grading process, and every failure becomes an error response."""

from __future__ import annotations

import json
import subprocess
import sys

from dlcheck.symbolic import client
from dlcheck.symbolic.client import SymbolicChecker, check_symbolic
from dlcheck.symbolic.protocol import RESPONSE_KEYS, checked_response

from symbolic_helpers import free_xy_request, request_for, server_judging_with


def test_importing_the_client_does_not_import_sympy():
    code = ("import sys, dlcheck.symbolic.client, dlcheck.symbolic.protocol; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sympy', 'mpmath')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_wall_clock_timeout_kills_the_worker(monkeypatch):
    monkeypatch.setattr(client, "MARGIN", 0.0)
    slow = free_xy_request("-x/y + floor(x^(x^(x^x))/10^9)")  # seconds of sympy, far more than 0.05 s
    reply = check_symbolic(slow, timeout=0.05)
    assert reply["status"] == "error" and "ran out of time (0.05 s)" in reply["message"]
    assert set(reply) == set(RESPONSE_KEYS)


def test_a_server_that_cannot_start_is_an_error(monkeypatch):
    monkeypatch.setattr(client, "SERVER", ["/nonexistent/python"])
    with SymbolicChecker() as checker:
        reply = checker.check(request_for("implicit_diff_circle", "-x/y"), timeout=5)
    assert reply["status"] == "error" and "could not start" in reply["message"]


def test_a_server_that_exits_at_once_is_an_error(monkeypatch):
    monkeypatch.setattr(client, "SERVER", [sys.executable, "-c", "print('not msgpack'); raise SystemExit(3)"])
    with SymbolicChecker() as checker:
        reply = checker.check(request_for("implicit_diff_circle", "-x/y"), timeout=5)
    assert reply["status"] == "error" and "stopped unexpectedly" in reply["message"]


def test_a_crashing_child_is_an_error(monkeypatch):
    monkeypatch.setattr(client, "SERVER", server_judging_with("import os; os._exit(3)"))
    with SymbolicChecker() as checker:
        reply = checker.check(request_for("implicit_diff_circle", "-x/y"), timeout=5)
    assert reply["status"] == "error" and "crashed (exit code 3)" in reply["message"]


def test_a_flood_of_output_is_cut_off(monkeypatch):
    flood = "return {'status': 'pass', 'message': 'x' * (2 << 20)}"
    monkeypatch.setattr(client, "SERVER", server_judging_with(flood))
    with SymbolicChecker() as checker:
        reply = checker.check(request_for("implicit_diff_circle", "-x/y"), timeout=5)
    assert reply["status"] == "error" and "too much output" in reply["message"]


def test_unserialisable_request_is_an_error():
    reply = check_symbolic({"answer": object()}, timeout=5)
    assert reply["status"] == "error" and set(reply) == set(RESPONSE_KEYS)


def test_a_request_larger_than_the_child_reads_is_an_error():
    reply = check_symbolic(dict(request_for("implicit_diff_circle", "x"), answer="x" * (5 << 20)), timeout=8)
    assert reply["status"] == "error" and "larger than 4 MiB" in reply["message"]


def test_malformed_requests_get_error_replies_from_the_worker():
    for request in ({"answer": "x"}, {"answer": 1, "reference": "x", "symbols": {"x": {}}},
                    dict(request_for("implicit_diff_circle", "x"), mistakes="nope")):
        reply = check_symbolic(request, timeout=8)
        assert reply["status"] == "error" and "malformed request" in reply["message"], reply


def test_a_broken_exercise_is_reported_as_such():
    request = dict(request_for("implicit_diff_circle", "-x/y"), reference="-x/z")
    reply = check_symbolic(request, timeout=8)
    assert reply["status"] == "error" and "misconfigured" in reply["message"]


def test_response_validation():
    good = {"status": "pass", "message": "ok", "read_as": None, "read_as_text": None,
            "method": "symbolic", "diagnosis": None, "counterexample": None, "extra": 1}
    assert checked_response(good) == {k: good[k] for k in RESPONSE_KEYS}
    for bad in (None, [], {"status": "maybe", "message": "x"}, dict(good, message=3),
                dict(good, method="magic"), dict(good, counterexample={"point": 1}),
                dict(good, read_as=["x"])):
        assert checked_response(bad) is None
    assert json.dumps(checked_response(good))


def test_worker_limits_itself_and_sympy_still_imports():
    code = ("import resource as r; from dlcheck.symbolic.worker import _limit_resources; "
            "_limit_resources(8.0); import sympy; "
            "print([r.getrlimit(k)[0] for k in (r.RLIMIT_AS, r.RLIMIT_CPU, r.RLIMIT_NOFILE, r.RLIMIT_FSIZE)])")
    out = subprocess.run([sys.executable, "-P", "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str([2 << 30, 13, 16, 0])
