"""Exercism's test-runner interface, version 3 (exercism/docs building/tooling/test-runners/interface.md).

`status` is pass (every test passed), fail (at least one failed or errored) or error (no test ran:
a syntax error, a file that cannot be read or imported, a missing function, a missing file; the
top-level `message` then says why). Tests come in the order dlcheck runs the cases, which is the
order the spec lists them (public cases, then hidden ones): Exercism shows the first failure only.
Each test's `message` is there when it did not pass; `output` (what the student's code printed,
which dlcheck records for the whole run) goes with the first test that did not pass, or the first
test, cut to the 500 characters the interface allows. `test_code` is the call that failed, `f(x=…)` with
its inputs, for the first failing public case (the only one whose inputs the document shows).
The command exits 0 whenever it wrote this document (the interface requires it).
"""

from __future__ import annotations


from .. import strict_json
from .document import ran_no_case, results
from .feedback import clean, details, exception_text, first_problem, truncate

VERSION = 3
OUTPUT_LIMIT = 500
TRUNCATED = "\n… Output was truncated. Please limit to 500 chars"
# Exercism has pass, fail and error per test; a case never reached (after a timeout) did not run.
STATUS = {"pass": "pass", "fail": "fail", "error": "error", "skipped": "error"}


def render(document: dict) -> str:
    found = results(document)
    several = len(found) > 1
    if all(ran_no_case(r) for r in found):
        return _json({"version": VERSION, "status": "error", "message": _error_message(found, several)})
    tests = [test for result in found for test in _tests(result, several)]
    status = "pass" if all(t["status"] == "pass" for t in tests) else "fail"
    return _json({"version": VERSION, "status": status, "tests": tests})


def _tests(result: dict, several: bool) -> list[dict]:
    prefix = f"{result['exercise']}: " if several else ""
    if ran_no_case(result):  # one exercise of several stopped before its cases: one test says why
        tests = [{"name": f"{prefix}{result['exercise']}", "status": "error", "message": _stopped(result)}]
    else:
        tests = [_test(result, test, prefix) for test in result["tests"]]
    _attach_output(tests, result)
    return tests


def _test(result: dict, test: dict, prefix: str) -> dict:
    entry = {"name": prefix + clean(test["name"]), "status": STATUS[test["status"]]}
    if test["status"] != "pass":
        entry["message"] = _message(result, test)
    failure = result.get("failure")
    if failure and failure["case"] == test["name"] and failure.get("call"):
        entry["test_code"] = clean(failure["call"])
    return entry


def _message(result: dict, test: dict) -> str:
    """The case's message; for the first failing case also the diagnosis and what was observed."""
    parts = [clean(test["message"]) or ("not run" if test["status"] == "skipped" else test["status"])]
    return "\n\n".join(parts + (details(result) if test["name"] == first_problem(result) else []))


def _stopped(result: dict) -> str:
    """Why no case ran: the syntax error, the import that raised, the file that is missing."""
    failure = result.get("failure")
    if failure and failure.get("error"):
        return exception_text(failure["error"], result.get("submission"))
    return clean(result["message"])


def _error_message(found: list[dict], several: bool) -> str:
    if not several:
        return _stopped(found[0])
    return "\n\n".join(f"{r['exercise']}: {_stopped(r)}" for r in found)


def _attach_output(tests: list[dict], result: dict) -> None:
    """What the exercise's code printed, with its first test that did not pass (else its first)."""
    printed = clean(result.get("output"))
    if printed.strip() and tests:
        target = next((t for t in tests if t["status"] != "pass"), tests[0])
        target["output"] = truncate(printed, OUTPUT_LIMIT, TRUNCATED)


def _json(document: dict) -> str:
    return strict_json.dumps(document, indent=2) + "\n"
