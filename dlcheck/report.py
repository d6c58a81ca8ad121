"""Rich text rendering of exercises, hints, listings and grade results."""

from __future__ import annotations

from rich.console import Console, Group
from rich.text import Text

from typing import TYPE_CHECKING

from .chapters import CHAPTERS
from .terminal_text import printable
from .status import ERROR, FAIL, MISSING, PASS, SKIPPED

if TYPE_CHECKING:
    from .results import Failure, GradeResult

STATUS_STYLE = {PASS: ("✓", "bold green"), FAIL: ("✗", "bold red"), ERROR: ("!", "bold yellow"),
                SKIPPED: ("·", "dim"), MISSING: ("∅", "bold red")}
from .loop_view import PROGRESS_STYLE, render_list  # noqa: F401 - `list`'s view lives in loop_view

# What each mark of the case strip stands for, as _judge_case assigns the statuses (dlcheck/grading.py).
CASE_MEANING = {PASS: "pass", FAIL: "wrong", ERROR: "error (raised, timed out or crashed)", SKIPPED: "not run"}


def render_exercise(console: Console, spec, submission_hint: str) -> None:
    from rich.markdown import Markdown  # heavy (markdown-it); only `show` needs it

    console.print(Text(f"{spec.title}", style="bold") + Text(f"  ({spec.id} · {CHAPTERS[spec.chapter]} · "
                                                              f"{spec.kind} · {spec.points} points)", style="dim"))
    console.print(Markdown(spec.statement))
    if spec.kind == "code":
        console.print(Text("Signature: ", style="bold") + Text(spec.signature, style="cyan"))
        console.print(Text("Arguments: ", style="bold") + Text(_argument_rule(spec.modifies)))
        for rule in spec.rules:
            console.print(Text("Rule: ", style="bold yellow") + Text(f"{rule.message} (forbidden: "
                                                                      f"{', '.join(rule.forbid)})"))
    else:
        names = ", ".join(_symbol_help(name, sym) for name, sym in spec.symbols.items())
        console.print(Text("Symbols: ", style="bold") + Text(names))
        if spec.functions:
            console.print(Text("Functions: ", style="bold") + Text(", ".join(f"{n}(·)" for n in spec.functions)))
    console.print(Text(submission_hint, style="dim"))


def _argument_rule(modifies: list[str]) -> str:
    """The rule the worker enforces after every call (dlcheck.input_guard), as the student reads it."""
    exempt = f", except {', '.join(f'`{name}`' for name in modifies)}, which it updates in place" if modifies else ""
    return (f"your function must leave the tensors it is given as they were{exempt} (values, dtype, shape, "
            f"requires_grad, .grad, and the entries of a dict or list).")


def _symbol_help(name: str, symbol) -> str:
    aliases = f" or {', '.join(symbol.latex)}" if symbol.latex else ""
    return f"{name}{aliases} [{symbol.domain.replace('_', ' ')}]"


def render_hint(console: Console, spec, shown: int) -> None:
    for number in range(1, shown + 1):
        style = "bold" if number == shown else "dim"
        console.print(Text(f"Hint {number}/{len(spec.hints)}: ", style=style) + Text(spec.hints[number - 1]))
    if shown == len(spec.hints):
        console.print(Text("That was the last hint.", style="dim"))


def render_grade(console: Console, result: GradeResult, verbose: bool = False) -> None:
    mark, style = STATUS_STYLE[result.status]
    passed = sum(t.status == PASS for t in result.tests)
    header = Text(f"{mark} {result.exercise}: {result.status.upper()}", style=style)
    header.append(f"   {result.score:g}/{result.max_score:g} points", style="bold")
    if result.kind == "code" and result.tests:
        header.append(f" · {passed}/{len(result.tests)} cases", style="dim")
    console.print(header)
    if result.submission and result.submission != "--answer":
        console.print(Text(printable(f"graded {result.submission}"), style="dim"))  # which file, wherever you are
    from .sandbox_words import sandbox_line

    sandboxed = sandbox_line(result.sandbox_layers, result.trusted, verbose)
    if sandboxed:
        console.print(Text(sandboxed, style="dim" if result.trusted is not False else "yellow"))
    for note in result.notes:
        console.print(Text(printable(note), style="cyan"))
    if result.diagnosis:
        console.print(_diagnosis_panel(result.diagnosis))
    if result.kind == "symbolic":
        _render_symbolic(console, result)
    elif result.failure is not None:
        console.print(_failure_panel(result.failure, result.submission or "your file"))
    elif result.status != PASS:
        console.print(Text(printable(result.message), style=style))
    if result.status != PASS and result.output.strip():
        console.print(Text("Your code printed (first lines):", style="dim"))
        console.print(Text(printable(_first_lines(result.output, 12)), style="dim"))
    if result.kind == "code" and len(result.tests) > 1:
        console.print(_tests_line(result))
        console.print(_case_legend())


def _diagnosis_panel(diagnosis: dict):
    """What was observed (outputs that match a known mistake's), then the mistake's explanation: a
    match of outputs makes the misconception likely, not certain, and the report says so."""
    from rich.panel import Panel  # not needed by `dlcheck list`

    body = Text(printable(diagnosis["observed"]) + " So this is most likely what happened:\n", style="dim")
    body.append(printable(diagnosis["message"]))
    return Panel(body, title=f"Matches a known mistake: {diagnosis['id']}", title_align="left",
                 border_style="magenta")


def _render_symbolic(console: Console, result: GradeResult) -> None:
    if result.read_as:
        console.print(Text("I read your answer as:", style="bold"))
        console.print(Text(printable(_indent(result.read_as, "    "))))
    style = STATUS_STYLE[result.status][1]
    console.print(Text(printable(result.message), style=style if result.status != PASS else ""))
    if result.status == FAIL and result.method == "numeric":  # a pass's message already says what it rests on
        console.print(Text("(checked numerically at sample points)", style="dim"))


def _failure_panel(failure: Failure, submission: str):
    from rich.panel import Panel

    if failure.hidden:
        body = Text(printable(f"{failure.case}: {failure.summary}\n"))
        body.append("Every public case passes, but a hidden one does not. Hidden cases are drawn like the "
                    "random ones, from a seed you cannot know, and their values are not shown: test your code "
                    "on inputs of your own (other sizes, signs, edge values).", style="dim")
        return Panel(body, title="a hidden case fails", title_align="left", border_style="red")

    from .display import show as show_value, show_pair

    def show(value, indent):
        return printable(show_value(value, indent))

    parts: list = [Text("case: ", style="bold") + Text(printable(failure.case))]  # in the body: titles get cut short
    if failure.inputs:
        parts.append(Text("inputs:", style="bold"))
        for name, value in failure.inputs.items():
            parts.append(Text(f"  {name} = {show(value, '    ')}"))
    if failure.error is not None:
        parts.append(_exception_text(failure.error, submission))
    elif failure.got is not None or failure.mismatches:
        expected, got = (printable(text) for text in show_pair(failure.expected, failure.got, "    "))
        parts.append(Text("expected: ", style="bold green") + Text(expected))
        got_line = Text("got:      ", style="bold red") + Text(got)
        if not failure.mismatches and failure.arguments:  # what failed is not the output
            got_line.append("  (right)", style="green")
        parts.append(got_line)
        for m in failure.mismatches[:8]:
            line = Text("where:    ", style="bold")
            line.append(printable(f"{m.path}: ") if m.path else "", style="bold")
            line.append(printable(m.message))
            if m.tolerance:
                line.append(f"  (allowed |diff| ≤ {m.tolerance['atol']:g} + {m.tolerance['rtol']:g}·|expected|)",
                            style="dim")
            parts.append(line)
    if failure.arguments:
        parts.append(Text("arguments: ", style="bold red") + Text(printable(failure.arguments)))
    if failure.stopped:  # a timeout, a crash, a sandbox limit: there is no output to show, only why
        parts.append(Text(printable(failure.stopped), style="bold yellow"))
    return Panel(Group(*parts), title="first failing case", title_align="left", border_style="red")


def _exception_text(error: dict, submission: str) -> Text:
    text = Text()
    if error.get("frames"):
        text.append("Traceback (your code only):\n", style="bold")
        for frame in error["frames"]:
            cell = f"{frame['cell']}, " if frame.get("cell") else ""  # a notebook's cell (notebook.py)
            text.append(printable(f"  {submission}, {cell}line {frame['line']}, in {frame['function']}\n"))
            if frame.get("code"):
                text.append(printable(f"    {frame['code'].strip()}") + "\n", style="cyan")
    text.append(printable(f"{error['type']}: {error['message']}"), style="bold red")
    return text


def _tests_line(result: GradeResult) -> Text:
    line = Text("cases: ", style="dim")
    for hidden in (False, True):
        tests = [t for t in result.tests if t.hidden == hidden]
        if hidden and tests:
            line.append("  hidden: ", style="dim")
        for test in tests:
            mark, style = STATUS_STYLE.get(test.status, ("?", ""))
            line.append(mark, style=style)
    return line


def _case_legend() -> Text:
    legend = Text()
    for status, meaning in CASE_MEANING.items():
        mark, style = STATUS_STYLE[status]
        legend.append("  " if legend else "").append(mark, style=style).append(f" {meaning}", style="dim")
    return legend


def render_summary(console: Console, results: list[GradeResult], title: str = "dlcheck grade --all") -> None:
    from rich.table import Table  # only the --all summary is a table; `dlcheck list` stays light

    table = Table(title=printable(title), title_justify="left", header_style="bold")
    for column in ("exercise", "status", "score", "message"):
        table.add_column(column, overflow="fold")
    for r in results:
        mark, style = STATUS_STYLE[r.status]
        table.add_row(r.exercise, Text(f"{mark} {r.status}", style=style), f"{r.score:g}/{r.max_score:g}",
                      printable((f"[{r.diagnosis['id']}] " if r.diagnosis else "") + _first_lines(r.message, 2)))
    console.print(table)
    total = sum(r.score for r in results)
    maximum = sum(r.max_score for r in results)
    passed = sum(r.status == PASS for r in results)
    missing = sum(r.status == MISSING for r in results)
    console.print(f"{passed}/{len(results)} exercises pass · {total:g}/{maximum:g} points"
                  + (f" · {missing} missing" if missing else ""))


def render_warnings(console: Console, warnings: list[dict]) -> None:
    """Workspace files nothing graded (a misspelt name, an exercise not due), so none is lost unnoticed."""
    for warning in warnings:
        console.print(Text("warning: ", style="bold yellow") + Text(printable(warning["message"])))


def _first_lines(text: str, count: int) -> str:
    lines = text.strip().splitlines()
    return "\n".join(lines[:count]) + ("\n…" if len(lines) > count else "")


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def render_validation(console: Console, reports: list) -> None:
    for report in reports:
        mark, style = STATUS_STYLE[PASS if report.ok else FAIL]
        console.print(Text(f"{mark} {report.exercise}", style=style) +
                      Text(f"  {sum(c.ok for c in report.checks)}/{len(report.checks)} checks", style="dim"))
        for check in report.checks:
            if not check.ok:
                console.print(Text(f"    ✗ {check.name}: {check.detail}", style="red"))
    bad = [r.exercise for r in reports if not r.ok]
    console.print(f"{len(reports) - len(bad)}/{len(reports)} exercises proven."
                  + (f" Failing: {', '.join(bad)}" if bad else ""))


def render_mutations(console: Console, reports: list, target: float) -> None:
    """`dlcheck validate --mutants`: per exercise the counts and score, every survivor as a diff."""
    for report in reports:
        if report.skipped:
            console.print(Text(f"· {report.exercise}", style="dim") + Text(f"  mutants: skipped ({report.skipped})",
                                                                          style="dim"))
            continue
        mark, style = STATUS_STYLE[PASS if report.ok else FAIL]
        if report.problem:
            console.print(Text(f"{mark} {report.exercise}  mutants: ", style=style) +
                          Text(f"could not run: {report.problem}", style="red"))
            continue
        console.print(Text(f"{mark} {report.exercise}", style=style) + Text(
            f"  mutants {report.mutants} · killed {report.killed} · equivalent {report.equivalent} · "
            f"score {report.score:.1%} · {len(report.survived)} survived ({report.seconds:.1f} s)", style="dim"))
        for mutant in report.survived:
            console.print(Text(f"    survived: {mutant.id}", style="yellow") + Text(f"  {mutant.description}"))
            console.print(_diff_text(mutant.diff, "      "), soft_wrap=True)
        for mutant_id in report.stale_equivalent:
            console.print(Text(f"    stale equivalent_mutants entry (matches no mutant): {mutant_id}", style="red"))
        for mutant_id in report.killed_equivalent:
            console.print(Text(f"    listed as equivalent, yet the cases kill it: {mutant_id}", style="red"))
    scored = [r for r in reports if not r.skipped]
    below = [r.exercise for r in scored if not r.ok]
    console.print(f"{len(scored) - len(below)}/{len(scored)} exercises kill at least {target:.0%} of their mutants."
                  + (f" Below it: {', '.join(below)}" if below else ""))


def _diff_text(diff: str, prefix: str) -> Text:
    text = Text()
    for line in diff.splitlines():
        style = ("green" if line.startswith("+") and not line.startswith("+++") else
                 "red" if line.startswith("-") and not line.startswith("---") else "dim")
        text.append(prefix + line + "\n", style=style)
    text.rstrip()
    return text
