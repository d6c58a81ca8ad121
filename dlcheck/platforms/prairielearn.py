"""PrairieLearn's external grader `results.json` (PrairieLearn docs/externalGrading.md, "Grading
results"; rendered by the pl-external-grader-results element).

A submission PrairieLearn should not count, "gradable": false with its `format_errors` (the
student keeps the attempt): a file that cannot be parsed (syntax error), read, or is missing, a
missing function, a symbolic file with no answer, and dlcheck's own failure (not the student's
doing). Otherwise `score` in [0, 1] (the points earned over the points possible), and one test
per case with its `points` and `max_points` (PrairieLearn shows partial credit only when every test
has both), its `message`, and for the first failing case the observed details in `output`.
An import that raises is graded (score 0), as PrairieLearn's own Python grader does.
The command exits 0 whenever it wrote this document: the grader host reads results.json only from
a container that exited 0.
"""

from __future__ import annotations


from .. import strict_json
from .document import ran_no_case, results, untrusted
from .feedback import clean, details, first_problem, output_excerpt, summary_line, weak_sandbox_note

# What the "import" check says when the file is not valid Python or lacks the function
# (dlcheck/grading.py, _import_problem and _syntax_message); an import that raised is gradable.
NOT_GRADABLE_IMPORT = ("Syntax error in ", " has no function named ")


def render(document: dict) -> str:
    found = results(document)
    problems = [problem for r in found if (problem := format_error(r))]
    prefix = len(found) > 1
    if problems:
        return _json({"gradable": False, "format_errors": problems,
                      "message": _with_weak_note("Not graded: fix what the errors above say and submit again; "
                                                 "this attempt does not count.", found)})
    earned = sum(r["score"] for r in found)
    possible = sum(r["max_score"] for r in found)
    report = {
        "gradable": True,
        "score": round(min(max(earned / possible, 0.0), 1.0), 4) if possible else 0.0,
        "message": _with_weak_note(summary_line(found) if prefix else clean(found[0]["message"]), found),
        "tests": [_test(r, t, prefix) for r in found for t in r["tests"]],
    }
    printed = "\n".join(output_excerpt(r["output"], 40) for r in found if (r.get("output") or "").strip())
    if printed:
        report["output"] = printed
    return _json(report)


def format_error(result: dict) -> str | None:
    """Why this result says nothing about the work (so PrairieLearn must not count it), or None."""
    named = f"{result['exercise']}: "
    if result.get("internal_error"):
        return named + clean(result["message"])
    if not ran_no_case(result):
        return None
    if result["status"] == "missing" or any(t["name"] != "import" for t in result["tests"]):
        return named + clean(result["message"])  # missing, load, syntax, answer
    message = result["tests"][0]["message"]
    return named + clean(message) if any(marker in message for marker in NOT_GRADABLE_IMPORT) else None


def _test(result: dict, test: dict, prefix: bool) -> dict:
    entry = {
        "name": (f"{result['exercise']}: " if prefix else "") + clean(test["name"]),
        "points": test["points"],
        "max_points": test["max_points"],
        "message": clean(test["message"]) if test["status"] != "pass" else "passed",
    }
    if test["name"] == first_problem(result) and details(result):
        entry["output"] = "\n\n".join(details(result))  # the diagnosis and what was observed there
    return entry


def _with_weak_note(message: str, found: list[dict]) -> str:
    weak = weak_sandbox_note(untrusted(found))
    return f"{message}\n\n{weak}" if weak else message


def _json(document: dict) -> str:
    return strict_json.dumps(document, indent=2) + "\n"
