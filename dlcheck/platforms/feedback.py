"""The plain-text pieces of feedback every platform shows, built from the result document only:
what was observed on the first failing case, the known mistake it matches, one line per case.

Student-controlled text (exception messages, printed output, values) goes through `clean`, as in
the terminal report: control characters become visible escapes, so no platform renders them.
"""

from __future__ import annotations

import re

from ..terminal_text import printable

MARKS = {"pass": "✓", "fail": "✗", "error": "!", "skipped": "·", "missing": "∅"}
HIDDEN_HINT = ("Hidden cases are drawn like the random ones, from a seed you cannot know, and their values are "
               "not shown: test your code on inputs of your own (other sizes, signs, edge values).")

# What XML 1.0 cannot hold even escaped (printable already turned the other controls into text).
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def clean(text: str | None) -> str:
    """Student-controlled text, safe to show anywhere (and to put in XML 1.0)."""
    return _NOT_XML.sub("\ufffd", printable(text or ""))


def number(value: float) -> str:
    """Points as people write them: 5, 1.67."""
    return f"{value:g}"


def case_line(test: dict) -> str:
    """One case: its mark, its name and, unless it passed, what went wrong (never a hidden value:
    a hidden case's message holds none)."""
    line = f"{MARKS.get(test['status'], '?')} {clean(test['name'])}"
    return line + (f": {clean(test['message'])}" if test["status"] != "pass" and test["message"] else "")


def diagnosis_text(diagnosis: dict) -> str:
    """The known mistake the submission behaves like: what matched, then the explanation (likely,
    not certain, and the text says so)."""
    return (f"Matches a known mistake: {diagnosis['id']}\n"
            f"{clean(diagnosis['observed'])} So this is most likely what happened:\n{clean(diagnosis['message'])}")


def failure_text(failure: dict, submission: str | None) -> str:
    """The first failing case as observed: its inputs, the expected and returned values, where they
    differ, the exception. A hidden case shows only its name and a reason holding no value."""
    if failure.get("hidden"):
        return f"{clean(failure['case'])}: {clean(failure.get('message'))}\n{HIDDEN_HINT}"
    lines = [f"case: {clean(failure['case'])}"]
    if failure.get("inputs"):
        lines.append("inputs:")
        lines += [f"  {name} = {_indented(value, '    ')}" for name, value in failure["inputs"].items()]
    if failure.get("error"):
        lines.append(exception_text(failure["error"], submission))
    else:
        if failure.get("expected") is not None:
            lines.append(f"expected: {_indented(failure['expected'], '    ')}")
        if failure.get("got") is not None:
            lines.append(f"got:      {_indented(failure['got'], '    ')}")
        lines += [f"where:    {clean(m['path'] + ': ') if m['path'] else ''}{clean(m['message'])}"
                  for m in (failure.get("mismatches") or [])[:8]]
    if failure.get("arguments"):
        lines.append(f"arguments: {clean(failure['arguments'])}")
    return "\n".join(lines)


def first_problem(result: dict) -> str | None:
    """The test whose details a report shows: the first failing case (the public one, when any
    fails), else the first test that did not pass."""
    if result.get("failure"):
        return result["failure"]["case"]
    return next((t["name"] for t in result["tests"] if t["status"] != "pass"), None)


def details(result: dict) -> list[str]:
    """What was observed at the first problem: the known mistake it matches, the case's inputs and
    values (a public case), how a symbolic answer was read."""
    parts = [diagnosis_text(result["diagnosis"])] if result.get("diagnosis") else []
    failure = result.get("failure")
    if failure and not failure.get("hidden"):  # a hidden case's text is its test message, shown anyway
        parts.append(failure_text(failure, result.get("submission")))
    if result["kind"] == "symbolic" and result.get("read_as"):
        parts.append(f"I read your answer as:\n{clean(result['read_as'])}")
    return parts


def exception_text(error: dict, submission: str | None) -> str:
    """An exception with its traceback trimmed to the student's own file, as the terminal shows it."""
    lines = []
    if error.get("frames"):
        lines.append("Traceback (your code only):")
        for frame in error["frames"]:
            lines.append(f"  {clean(submission or 'your file')}, line {frame['line']}, in {clean(frame['function'])}")
            if frame.get("code"):
                lines.append(f"    {clean(frame['code'].strip())}")
    lines.append(f"{clean(error['type'])}: {clean(error['message'])}")
    return "\n".join(lines)


def _indented(text: str, indent: str) -> str:
    return clean(text).replace("\n", "\n" + indent)


def summary_line(found: list[dict]) -> str:
    """"2 of 3 exercises pass · 6.67/15 points · 1 missing"."""
    passed = sum(r["status"] == "pass" for r in found)
    missing = sum(r["status"] == "missing" for r in found)
    score = round(sum(r["score"] for r in found), 2)
    possible = round(sum(r["max_score"] for r in found), 2)
    line = f"{passed} of {len(found)} exercises pass · {number(score)}/{number(possible)} points"
    return line + (f" · {missing} missing" if missing else "")


def warnings_text(warnings: list[dict]) -> str:
    """Workspace files nothing graded, each with its did-you-mean."""
    return "\n".join(f"warning: {clean(w['message'])}" for w in warnings)


def weak_sandbox_note(exercises: list[str]) -> str:
    """Said wherever results graded with --allow-weak-sandbox appear: such a grade cannot count."""
    if not exercises:
        return ""
    return (f"Warning: graded with --allow-weak-sandbox. This machine's sandbox could not hide the course or "
            f"filter system calls, so these results are not trustworthy ({', '.join(exercises)}: "
            f"\"trusted\": false); docs/security.md.")


def output_excerpt(output: str, max_lines: int = 12) -> str:
    """The first lines the submission printed."""
    lines = clean(output).splitlines()
    more = [f"… ({len(lines) - max_lines} more lines)"] if len(lines) > max_lines else []
    return "\n".join(lines[:max_lines] + more)


def truncate(text: str, limit: int, marker: str) -> str:
    """`text` cut to at most `limit` characters, the marker included, when it is longer."""
    if len(text) <= limit:
        return text
    return text[: max(limit - len(marker), 0)] + marker
