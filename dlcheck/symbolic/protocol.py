"""The JSON contract between the client and the worker. Standard library only.

Request keys:
    answer          the student's text (required)
    reference       the instructor's expression, same syntax (required)
    symbols         {name: {domain, latex: [aliases], sample: [low, high]}}; `sample` restricts
                    the values a symbol takes (otherwise its whole domain is sampled)
    functions       {name: implementation}, e.g. {"sigma": "logistic"}
    derived         {name: expression}, substituted before comparing
    constraints     ["alpha_bar_t < alpha_t", …], which every sampled point satisfies
    mistakes        [{id, expr}], tried in order for a diagnosis
    budget_seconds  the worker's time budget (default 8, at most 120)
    seed            optional integer: the random sampling points come from it, so a grader that
                    passes a secret per-run seed keeps students from fitting an answer to known
                    points. Without it the default seed is used and replies are reproducible.

Response keys (always all present):
    status          "pass" | "fail" | "error"
    message         one or two sentences for the student
    read_as         sympy.pretty of the answer as it was read, or None
    read_as_text    sympy.sstr of the answer as it was read, or None
    method          "symbolic" | "numeric" | None: how the verdict was reached: "symbolic" is a
                    proof of equality; "numeric" is agreement (or a difference) observed at
                    sampled points, never a proof of equality
    diagnosis       id of the first listed mistake the answer is equivalent to, or None
    counterexample  {"point": {...}, "answer": x, "expected": y}, or None
"""

from __future__ import annotations

from typing import Any

STATUSES = ("pass", "fail", "error")
METHODS = ("symbolic", "numeric", None)
RESPONSE_KEYS = ("status", "message", "read_as", "read_as_text", "method", "diagnosis",
                 "counterexample")


def make_response(status: str, message: str, *, read_as: str | None = None,
                  read_as_text: str | None = None, method: str | None = None,
                  diagnosis: str | None = None, counterexample: dict | None = None) -> dict:
    return {"status": status, "message": message, "read_as": read_as, "read_as_text": read_as_text,
            "method": method, "diagnosis": diagnosis, "counterexample": counterexample}


def error_response(message: str) -> dict:
    return make_response("error", message)


def checked_response(data: Any) -> dict | None:
    """`data` as a well-formed response (unknown keys dropped), or None if it is not one."""
    if not isinstance(data, dict) or data.get("status") not in STATUSES:
        return None
    if not isinstance(data.get("message"), str) or data.get("method") not in METHODS:
        return None
    for key in ("read_as", "read_as_text", "diagnosis"):
        if data.get(key) is not None and not isinstance(data[key], str):
            return None
    counterexample = data.get("counterexample")
    if counterexample is not None and not (isinstance(counterexample, dict)
                                           and isinstance(counterexample.get("point"), dict)):
        return None
    return {key: data.get(key) for key in RESPONSE_KEYS}
