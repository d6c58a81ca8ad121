"""Gradescope's autograder `results.json` (gradescope-autograders.readthedocs.io, "Autograder
Specifications"): one test per exercise with its score, max_score, status, name, Markdown output
and visibility; the top level has the score, the execution time and an overview.

The assignment's `visibility` of hidden cases takes effect here, the one platform that can withhold
a test from students: an exercise with hidden cases gets two tests, its public cases (always
visible) and its hidden ones, with Gradescope's visibility for them (public -> visible, hidden ->
hidden, after_due_date -> after_due_date). Nothing that is shown says how the hidden cases fared
when they are withheld: not the public test's output, not the overview. Their values are never
shown (the result document has none).
"""

from __future__ import annotations

import re

from .. import strict_json
from .document import hidden_tests, points, public_tests, results, title, total_seconds, untrusted, visibility
from .feedback import (HIDDEN_HINT, MARKS, case_line, clean, diagnosis_text, failure_text, number,
                       output_excerpt, summary_line, warnings_text, weak_sandbox_note)

GRADESCOPE_VISIBILITY = {"public": "visible", "hidden": "hidden", "after_due_date": "after_due_date"}
WITHHELD = {"hidden": "The hidden cases' results are not shown to students.",
            "after_due_date": "The hidden cases' results are shown after the due date."}


def render(document: dict) -> str:
    found = results(document)
    shown_to = GRADESCOPE_VISIBILITY[visibility(document)]
    tests = [entry for result in found for entry in _tests(result, shown_to)]
    withholding = shown_to != "visible" and any(hidden_tests(r) for r in found)
    return strict_json.dumps({
        "score": round(sum(r["score"] for r in found), 2),
        "execution_time": total_seconds(found),
        "output": _overview(document, found, withholding),
        "output_format": "md",
        "test_output_format": "md",
        "visibility": "visible",
        "stdout_visibility": "hidden",  # the autograder's log is for the instructor
        "tests": tests,
    }, indent=2) + "\n"


def _tests(result: dict, shown_to: str) -> list[dict]:
    """One test for the exercise, or two when it has hidden cases: public and hidden."""
    hidden = hidden_tests(result)
    if not hidden:
        return [_test(result["exercise"], result["score"], result["max_score"], result["status"] == "pass",
                      _whole_output(result), "visible")]
    public = public_tests(result)
    public_fails = any(t["status"] != "pass" for t in public)
    hidden_fails = any(t["status"] != "pass" for t in hidden)
    return [
        _test(f"{result['exercise']}: public cases", *points(public), not public_fails,
              _public_output(result, public, public_fails, withheld=shown_to != "visible"), "visible"),
        _test(f"{result['exercise']}: hidden cases", *points(hidden), not hidden_fails,
              _hidden_output(result, hidden, hidden_fails, public_fails), shown_to),
    ]


def _test(name: str, score: float, max_score: float, passed: bool, output: str, shown_to: str) -> dict:
    return {"name": name, "score": score, "max_score": max_score, "status": "passed" if passed else "failed",
            "output": output, "output_format": "md", "visibility": shown_to}


def _whole_output(result: dict) -> str:
    """An exercise without hidden cases (symbolic, missing, or stopped before any case)."""
    parts = [_headline(result["status"], result["score"], result["max_score"], _case_count(result["tests"]))]
    if result["status"] != "pass" and (not result.get("failure") or result["kind"] == "symbolic"):
        parts.append(fenced(clean(result["message"])))  # a missing file, a syntax error, a rule, a symbolic verdict
    parts += _symbolic_parts(result) + _failure_parts(result, include_diagnosis=True)
    if len(result["tests"]) > 1:
        parts.append("**Cases**\n\n" + fenced("\n".join(case_line(t) for t in result["tests"])))
    return "\n\n".join(parts + _printed(result, result["status"] != "pass"))


def _public_output(result: dict, public: list[dict], fails: bool, withheld: bool) -> str:
    """Only what the public cases show: the diagnosis and first failing case only when a public case
    fails (either would otherwise tell that a hidden one does). While hidden cases are withheld, the
    diagnosis does not count cases either (its count covers the hidden ones)."""
    earned, possible = points(public)
    parts = [_headline("fail" if fails else "pass", earned, possible, _case_count(public, "public "))]
    if fails:
        if result.get("diagnosis"):
            parts.append(_diagnosis_md(result["diagnosis"], counted=not withheld))
        parts += _failure_parts(result, include_diagnosis=False)
    parts.append("**Public cases**\n\n" + fenced("\n".join(case_line(t) for t in public)))
    return "\n\n".join(parts + _printed(result, fails))  # by the public verdict: the exercise's would tell


def _hidden_output(result: dict, hidden: list[dict], fails: bool, public_fails: bool) -> str:
    earned, possible = points(hidden)
    parts = [_headline("fail" if fails else "pass", earned, possible, _case_count(hidden, "hidden "))]
    if fails and not public_fails:
        parts.append(md_text("Every public case passes, but a hidden one does not. " + HIDDEN_HINT))
        if result.get("diagnosis"):
            parts.append(_diagnosis_md(result["diagnosis"]))
    parts.append("**Hidden cases** (pass or fail, never their values)\n\n"
                 + fenced("\n".join(case_line(t) for t in hidden)))
    return "\n\n".join(parts)


def _headline(status: str, earned: float, possible: float, cases: str) -> str:
    return f"**{MARKS[status]} {status}** · {number(earned)}/{number(possible)} points{cases}"


def _case_count(tests: list[dict], kind: str = "") -> str:
    if len(tests) < 2:
        return ""
    return f" · {sum(t['status'] == 'pass' for t in tests)} of {len(tests)} {kind}cases pass"


def _failure_parts(result: dict, include_diagnosis: bool) -> list[str]:
    parts = []
    if include_diagnosis and result.get("diagnosis"):
        parts.append(_diagnosis_md(result["diagnosis"]))
    failure = result.get("failure")
    if failure and not failure.get("hidden"):
        parts.append("**First failing case**\n\n" + fenced(failure_text(failure, result.get("submission"))))
    elif failure:  # all public cases pass: only the hidden case's name and a reason without values
        parts.append("**A hidden case fails**\n\n" + fenced(failure_text(failure, result.get("submission"))))
    return parts


def _diagnosis_md(diagnosis: dict, counted: bool = True) -> str:
    if not counted:  # what diagnosis.py observed names how many cases matched, the hidden ones included
        looks_like = f"Your results look like what the known mistake '{diagnosis['id']}' gives."
        diagnosis = {**diagnosis, "observed": looks_like}
    heading, body = diagnosis_text(diagnosis).split("\n", 1)
    return f"**{md_text(heading)}**\n\n{md_text(body)}"


def _symbolic_parts(result: dict) -> list[str]:
    if result["kind"] != "symbolic" or not result.get("read_as"):
        return []
    return ["**I read your answer as:**\n\n" + fenced(clean(result["read_as"]))]


def _printed(result: dict, shown: bool) -> list[str]:
    if not shown or not (result.get("output") or "").strip():
        return []
    return ["**Your code printed (first lines)**\n\n" + fenced(output_excerpt(result["output"]))]


def _overview(document: dict, found: list[dict], withholding: bool) -> str:
    """The top-level output. While hidden cases are withheld it says how many exercises were graded,
    not how many pass (which would tell how the hidden cases fared)."""
    if withholding:
        headline = f"**{md_text(title(document))}**: {len(found)} exercise(s) graded. {WITHHELD[visibility(document)]}"
    else:
        headline = f"**{md_text(title(document))}**: {md_text(summary_line(found))}"
    parts = [headline]
    warnings = document.get("warnings") or []
    if warnings:
        parts.append("**Files not graded**\n\n" + fenced(warnings_text(warnings)))
    weak = weak_sandbox_note(untrusted(found))
    if weak:
        parts.append(f"**{md_text(weak)}**")
    return "\n\n".join(parts)


# ------------------------------------------------------------ Markdown

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~])")


def md_text(text: str) -> str:
    """Text as a Markdown paragraph shows it literally (course text has σ²_q, E_q[…], * …)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def fenced(text: str) -> str:
    """A code block no content can close early: its fence is longer than any run of backticks inside."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"
