"""Reading a dlcheck.result/1 document the way every platform needs it: its results, the
assignment's visibility of hidden cases, and which results never reached a case."""

from __future__ import annotations

# Tests a code or symbolic result can have that stand for the whole submission rather than a case
# (dlcheck/grading.py): the file could not be read ("load"), parsed ("syntax"), imported or lacks
# the function ("import"), dlcheck failed ("grading"), or a symbolic file holds no answer ("answer").
SUBMISSION_CHECKS = ("load", "syntax", "import", "grading", "answer")


def results(document: dict) -> list[dict]:
    """Every result, in order: a SummaryDocument's `results`, or the ExerciseDocument itself."""
    if "results" in document:
        return list(document["results"])
    return [document]


def is_summary(document: dict) -> bool:
    return "results" in document


def visibility(document: dict) -> str:
    """public | hidden | after_due_date: the assignment's say over hidden cases (public without one)."""
    assignment = document.get("assignment") or {}
    return assignment.get("visibility") or "public"


def title(document: dict) -> str:
    """What the whole run is called: the assignment's name, else its file, else the exercise."""
    assignment = document.get("assignment") or {}
    if assignment.get("name"):
        return assignment["name"]
    if assignment.get("file"):
        return assignment["file"].rsplit("/", 1)[-1]
    found = results(document)
    return found[0]["exercise"] if len(found) == 1 else "dlcheck"


def ran_no_case(result: dict) -> bool:
    """True when nothing was checked case by case: a missing file, or a submission that stopped at a
    check standing for all of it (syntax, load, import, grading, answer)."""
    if result["status"] == "missing":
        return True
    return result["status"] == "error" and all(t["name"] in SUBMISSION_CHECKS for t in result["tests"])


def public_tests(result: dict) -> list[dict]:
    return [t for t in result["tests"] if not t["hidden"]]


def hidden_tests(result: dict) -> list[dict]:
    return [t for t in result["tests"] if t["hidden"]]


def points(tests: list[dict]) -> tuple[float, float]:
    """(earned, possible) over `tests`, to the cent: each test's share adds up to the exercise's."""
    return round(sum(t["points"] for t in tests), 2), round(sum(t["max_points"] for t in tests), 2)


def untrusted(found: list[dict]) -> list[str]:
    """The exercises graded by a sandbox that cannot make a verdict trustworthy (--allow-weak-sandbox)."""
    # An internal error also says trusted: false (there is no verdict at all); it is not a weak sandbox.
    return [r["exercise"] for r in found if not r["sandbox"]["trusted"] and not r["internal_error"]]


def total_seconds(found: list[dict]) -> float:
    return round(sum(r.get("seconds") or 0.0 for r in found), 3)
