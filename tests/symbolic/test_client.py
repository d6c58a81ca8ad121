"""The client side: no sympy in the grading process, and every failure becomes an error response."""

from __future__ import annotations

import json
import subprocess
import sys

from dlcheck.symbolic import client
from dlcheck.symbolic.client import check_symbolic
from dlcheck.symbolic.protocol import RESPONSE_KEYS, checked_response

from symbolic_helpers import request_for


def test_importing_the_client_does_not_import_sympy():
    code = ("import sys, dlcheck.symbolic.client, dlcheck.symbolic.protocol; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sympy', 'mpmath')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_wall_clock_timeout_kills_the_worker(monkeypatch):
    monkeypatch.setattr(client, "STARTUP_MARGIN", 0.0)
    reply = check_symbolic(request_for("implicit_diff_circle", "-x/y"), timeout=0.05)
    assert reply["status"] == "error" and "ran out of time (0.05 s)" in reply["message"]
    assert set(reply) == set(RESPONSE_KEYS)


def test_a_worker_that_cannot_start_is_an_error(monkeypatch):
    monkeypatch.setattr(client, "WORKER", ["/nonexistent/python"])
    reply = check_symbolic(request_for("implicit_diff_circle", "-x/y"), timeout=5)
    assert reply["status"] == "error" and "could not start" in reply["message"]


def test_a_crashing_worker_is_an_error(monkeypatch):
    monkeypatch.setattr(client, "WORKER", [sys.executable, "-c", "print('not json'); raise SystemExit(3)"])
    reply = check_symbolic(request_for("implicit_diff_circle", "-x/y"), timeout=5)
    assert reply["status"] == "error" and "crashed (exit code 3)" in reply["message"]


def test_a_flood_of_output_is_cut_off(monkeypatch):
    flood = "import sys\nwhile True: sys.stdout.write('x' * 65536)"
    monkeypatch.setattr(client, "WORKER", [sys.executable, "-c", flood])
    reply = check_symbolic(request_for("implicit_diff_circle", "-x/y"), timeout=5)
    assert reply["status"] == "error" and "too much output" in reply["message"]


def test_unserialisable_request_is_an_error():
    reply = check_symbolic({"answer": object()}, timeout=5)
    assert reply["status"] == "error" and set(reply) == set(RESPONSE_KEYS)


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
