"""GitHub Classroom: the runner output that classroom-resources/autograding-grading-reporter reads
(the shape autograding-command-grader and its siblings produce): `{version: 1, status, max_score,
tests: [{name, status, score, message, test_code, filename, line_no, duration}]}`.

The workflow hands it to the reporter base64-encoded, in the env var `<RUNNER ID>_RESULTS`
(docs/platforms.md shows the step). What the reporter does with it, read from its source:
Classroom's grade is the sum of every test's `score` over the runners' `max_score` (so each test
needs a number), its log marks a test ✅ for "pass", prints `message` for "error", ❌ otherwise, and
the job fails when a runner's status is "fail" or "error".

So that partial credit appears: with several exercises (--all, --assignment) each exercise is one
test scored with its points (the name carries "score/max"), with one exercise each case is a test
scored with its share of the points. `duration` is in milliseconds, as the command grader writes it.
"""

from __future__ import annotations


from .. import strict_json
from .document import ran_no_case, results, untrusted
from .feedback import clean, details, first_problem, number, weak_sandbox_note

STATUS = {"pass": "pass", "fail": "fail", "error": "error", "skipped": "error", "missing": "fail"}


def render(document: dict) -> str:
    found = results(document)
    if "results" in document:
        tests = [_exercise_test(r) for r in found]
    else:
        tests = [_case_test(document, t) for t in document["tests"]]
    weak = weak_sandbox_note(untrusted(found))
    if weak and tests:
        tests[0]["message"] = f"{weak}\n\n{tests[0]['message']}".strip()
    if all(r["status"] == "pass" for r in found):
        status = "pass"
    else:
        status = "error" if all(ran_no_case(r) and r["status"] != "missing" for r in found) else "fail"
    return strict_json.dumps({"version": 1, "status": status, "max_score": round(sum(r["max_score"] for r in found), 2),
                       "tests": tests}, indent=2) + "\n"


def _exercise_test(result: dict) -> dict:
    """One exercise as one test, worth the points it earned."""
    message = clean(result["message"])
    if result["status"] != "pass":
        message = "\n\n".join([message] + details(result))
    return {
        "name": f"{result['exercise']} ({number(result['score'])}/{number(result['max_score'])})",
        "status": STATUS[result["status"]],
        "score": result["score"],
        "message": message,
        "test_code": f"dlcheck grade {result['exercise']}",
        "filename": clean(result.get("submission")),
        "line_no": _line(result),
        "duration": round((result.get("seconds") or 0.0) * 1000),
    }


def _case_test(result: dict, test: dict) -> dict:
    """One case of a single exercise, worth its share of the points."""
    first = test["name"] == first_problem(result) and test["status"] != "pass"
    message = clean(test["message"]) or ("passed" if test["status"] == "pass" else test["status"])
    return {
        "name": clean(test["name"]),
        "status": STATUS[test["status"]],
        "score": test["points"],
        "message": "\n\n".join([message] + details(result)) if first else message,
        "test_code": "",
        "filename": clean(result.get("submission")),
        "line_no": _line(result) if first else 0,
        "duration": round((test.get("seconds") or 0.0) * 1000),
    }


def _line(result: dict) -> int:
    """The line of the student's file where the first failing case raised (0: none; the reporter
    then prints no line)."""
    error = (result.get("failure") or {}).get("error") or {}
    frames = error.get("frames") or []
    return (frames[-1]["line"] or 0) if frames else 0
