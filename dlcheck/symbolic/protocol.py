"""The contract between the client and the worker: one msgpack `SymbolicRequest` on the worker's
stdin, one msgpack `SymbolicResponse` on its stdout. Needs msgspec only (no sympy).

Request fields:
    answer          the student's text (required)
    reference       the instructor's expression, same syntax (required)
    symbols         {name: {domain, latex: [aliases], sample: [low, high]}}; `sample` restricts
                    the values a symbol takes (otherwise its whole domain is sampled)
    functions       {name: implementation}, e.g. {"sigma": "logistic"}
    derived         {name: expression}, substituted before comparing
    constraints     ["alpha_bar_t < alpha_t", …], which every sampled point satisfies
    mistakes        [{id, expr, variants}], tried in order for a diagnosis: a mistake matches when
                    the answer is equal to its expr or to one of its variants (other expressions of
                    the same misconception; optional)
    budget_seconds  the worker's time budget (default 8, at most 120)
    seed            optional integer: the random sampling points come from it, so a grader that
                    passes a secret per-run seed keeps students from fitting an answer to known
                    points. Without it the default seed is used and replies are reproducible.

Response fields (always all present):
    status          "pass" | "fail" | "error"
    message         one or two sentences for the student
    read_as         sympy.pretty of the answer as it was read, or None
    read_as_text    sympy.sstr of the answer as it was read, or None
    method          "symbolic" | "numeric" | None: how the verdict was reached: "symbolic" is a
                    proof of equality; "numeric" is agreement (or a difference) observed at
                    sampled points, never a proof of equality
    diagnosis       id of the first listed mistake the answer is equivalent to, or None
    counterexample  {"point": {...}, "answer": x, "expected": y}, or None

The judge works on plain data: requests are handed to it as dicts (`as_plain_data`), and its
dict replies are checked against `SymbolicResponse` before they are sent.
"""

from __future__ import annotations

import re
from typing import Any, Literal, Union

import msgspec

STATUSES = ("pass", "fail", "error")
Number = Union[int, float]


class SymbolSpec(msgspec.Struct, frozen=True):
    # The domain's name and the sample interval are checked by the judge (symbolic.table), which
    # reports a bad one as a misconfigured exercise rather than a malformed request.
    domain: str = "real"
    latex: list[str] = []
    sample: list[Number] | None = None


class MistakeExpr(msgspec.Struct, frozen=True):
    id: str
    expr: str
    variants: list[str] = []


class SymbolicRequest(msgspec.Struct, frozen=True, kw_only=True):
    answer: str
    reference: str
    symbols: dict[str, SymbolSpec] = {}
    functions: dict[str, str] = {}
    derived: dict[str, str] = {}
    constraints: list[str] = []
    mistakes: list[MistakeExpr] = []
    budget_seconds: Number = 8.0
    seed: int | None = None


class Counterexample(msgspec.Struct, frozen=True):
    point: dict[str, Union[int, float, str]]
    answer: Union[float, str]
    expected: Union[float, str]


class SymbolicResponse(msgspec.Struct, frozen=True, kw_only=True):
    status: Literal[STATUSES]  # type: ignore[valid-type]
    message: str
    read_as: str | None = None
    read_as_text: str | None = None
    method: Literal["symbolic", "numeric"] | None = None
    diagnosis: str | None = None
    counterexample: Counterexample | None = None


RESPONSE_KEYS = SymbolicResponse.__struct_fields__
# What each request field must be, in the words a malformed request is reported with.
FIELD_EXPECTATIONS = {
    "answer": "must be a string", "reference": "must be a string", "seed": "must be an integer",
    "mistakes": "must be a list of {id, expr, variants}", "symbols": "must map names to {domain, latex, sample}",
    "functions": "must map names to implementations", "derived": "must map names to expressions",
    "constraints": "must be a list of relations", "budget_seconds": "must be a number of seconds",
}


class MalformedRequest(ValueError):
    """The worker's stdin is not a SymbolicRequest; the message names the field."""


def encode_request(request: SymbolicRequest | dict) -> bytes:
    return msgspec.msgpack.encode(request)


def decode_request(data: bytes) -> SymbolicRequest:
    try:
        return msgspec.msgpack.decode(data, type=SymbolicRequest)
    except msgspec.ValidationError as exc:
        raise MalformedRequest(_field_problem(str(exc))) from None
    except msgspec.DecodeError:
        raise MalformedRequest("it is not msgpack") from None


def _field_problem(text: str) -> str:
    """msgspec's "Expected `int | null`, got `str` - at `$.seed`" as "'seed' must be an integer"."""
    missing = re.match(r"Object missing required field `(\w+)`", text)
    at = re.search(r" - at `\$\.(\w+)", text)
    field = missing.group(1) if missing else at.group(1) if at else None
    if field is None:
        return "the request must be a map of fields"
    return f"'{field}' {FIELD_EXPECTATIONS.get(field, 'is not valid')}"


def as_plain_data(request: SymbolicRequest) -> dict:
    """The request as the dict the judge reads."""
    return msgspec.to_builtins(request)


def make_response(status: str, message: str, *, read_as: str | None = None,
                  read_as_text: str | None = None, method: str | None = None,
                  diagnosis: str | None = None, counterexample: dict | None = None) -> dict:
    return {"status": status, "message": message, "read_as": read_as, "read_as_text": read_as_text,
            "method": method, "diagnosis": diagnosis, "counterexample": counterexample}


def error_response(message: str) -> dict:
    return make_response("error", message)


def encode_response(response: dict) -> bytes:
    """A judge's reply, checked against the schema (raises msgspec.ValidationError), as msgpack."""
    return msgspec.msgpack.encode(msgspec.convert(response, SymbolicResponse))


def decode_response(data: bytes) -> dict | None:
    """The worker's stdout as a response dict with every field, or None if it is not one."""
    try:
        return msgspec.to_builtins(msgspec.msgpack.decode(data, type=SymbolicResponse))
    except msgspec.DecodeError:  # ValidationError included
        return None


def checked_response(data: Any) -> dict | None:
    """`data` (plain data) as a well-formed response (unknown keys dropped), or None if it is not one."""
    try:
        return msgspec.to_builtins(msgspec.convert(data, SymbolicResponse))
    except msgspec.ValidationError:
        return None
