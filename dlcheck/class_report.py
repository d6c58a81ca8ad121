"""`report.html` of `dlcheck batch`: one self-contained static page about a whole class.

The page needs nothing but itself: inline CSS, plots as inline SVG (dlcheck/class_plots.py), no
script, no font, no image or style from anywhere. A Content-Security-Policy forbids every fetch and
every script, so even markup that slipped through could do nothing; and nothing slips through:
every text that comes from a result (messages are partly a student's own output) or from the
manifest (student ids are folder names) is escaped, with control characters made visible.
Sections, in order: key figures, exercises that need attention, the named misconceptions (what no
other autograder tells an instructor), the score distribution, per-exercise rates, grading times,
and every student with a link to their feedback. docs/class-report.md explains how to read them.
"""

from __future__ import annotations

import html
import re
import statistics
from datetime import datetime
from pathlib import PurePosixPath
from urllib.parse import quote

from . import class_plots
from .class_stats import ClassStats, ExerciseStats, Misconception, StudentRow, class_stats
from .status import ERROR, FAIL, MISSING, PASS
from .terminal_text import printable

GLYPHS = {PASS: "✓", FAIL: "✗", ERROR: "!", MISSING: "∅"}  # as the terminal report draws them
STATUS_ORDER = (PASS, FAIL, ERROR, MISSING)
LONGEST_MESSAGE = 600  # characters of a student-produced message shown; the feedback file has it all
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def render_class_report(batch: dict, results: dict[str, dict]) -> str:
    """The whole HTML page for `batch` (a dlcheck.batch/1 manifest); `results[student_id]` is that
    student's SummaryDocument, absent for a student whose submission could not be graded at all."""
    stats = class_stats(batch, results)
    title = _assignment_title(batch["assignment"])
    sections = [_summary(stats), _attention(stats), _misconceptions(stats), _distribution(stats),
                _exercise_rates(stats), _times(stats), _students(stats)]
    return PAGE.format(title=_text(title), csp=CSP, style=STYLE, version=_text(batch.get("dlcheck_version", "")),
                       header=_header(batch, title), nav=NAV, body="\n".join(s for s in sections if s))


def _assignment_title(assignment: dict) -> str:
    return assignment.get("name") or PurePosixPath(assignment.get("file") or "assignment").stem


def _header(batch: dict, title: str) -> str:
    assignment = batch["assignment"]
    facts = [f"due {_when(assignment['due'])}" if assignment.get("due") else "no due date"]
    if batch.get("finished"):
        took = _duration(batch.get("started"), batch["finished"])
        facts.append(f"graded {_when(batch['finished'])}" + (f" (in {took})" if took else ""))
    if batch.get("jobs"):
        facts.append(f"{_text(batch['jobs'])} parallel job{'s' if batch['jobs'] != 1 else ''}")
    facts.append(f"assignment file <code>{_text(assignment.get('file', ''))}</code>")
    if batch.get("dlcheck_version"):
        facts.append(f"dlcheck {_text(batch['dlcheck_version'])}")
    return (f'<h1>{_text(title)} <span class="subtitle">class report</span></h1>\n'
            f'<p class="facts">{" · ".join(facts)}</p>')


# -- sections ------------------------------------------------------------------------------------

def _summary(stats: ClassStats) -> str:
    percents = stats.percents
    figures = [("students", str(len(stats.students))), ("graded", str(len(stats.graded))),
               ("could not be graded", str(len(stats.students) - len(stats.graded)))]
    if percents:
        figures += [("mean score", f"{statistics.fmean(percents):.0f} %"),
                    ("median score", f"{statistics.median(percents):.0f} %"),
                    ("full marks", str(sum(p >= 100 for p in percents)))]
    cards = "".join(f'<div class="figure"><dt>{label}</dt><dd>{value}</dd></div>' for label, value in figures)
    return _section("summary", "Key figures", f'<dl class="figures">{cards}</dl>')


def _attention(stats: ClassStats) -> str:
    items = [_flag(e) for e in stats.flagged]
    graded = {s.id for s in stats.graded}
    broken = [s for s in stats.students if s.id not in graded]
    if broken:
        items.append(f"<li><strong>{len(broken)} submission{'s' if len(broken) != 1 else ''} could not be graded "
                     f"at all</strong>: {', '.join(_student_link(s.id) for s in broken)} "
                     f'(their error is in the <a href="#students">student table</a>).</li>')
    if not items:
        return ""
    body = ('<p>An exercise on which most of the students who handed it in got an <em>error</em> (a crash, '
            'a timeout, a missing function) rather than a wrong answer often has a statement, starter or '
            'environment problem, not a class-wide mistake. Check these first.</p>'
            f'<ul class="flags">{"".join(items)}</ul>')
    return _section("attention", "⚠ Needs attention", body, css="attention")


def _flag(exercise: ExerciseStats) -> str:
    errors, handed_in = exercise.counts[ERROR], exercise.handed_in
    message, sharing = exercise.common_error
    internal = (f" {exercise.internal_errors} of these were dlcheck's own internal errors."
                if exercise.internal_errors else "")
    return (f'<li><strong><span class="tag error">! mostly errors</span> <code>{_text(exercise.id)}</code></strong>: '
            f"{errors} of the {handed_in} students who handed it in got an error "
            f"({100 * errors / handed_in:.0f} %).{internal} Most common error message "
            f"({sharing} student{'s' if sharing != 1 else ''}):"
            f'<blockquote class="message">{_clipped(message)}</blockquote></li>')


def _misconceptions(stats: ClassStats) -> str:
    named = [e for e in stats.exercises if e.misconceptions or e.undiagnosed]
    intro = ("<p>When a submission fails, dlcheck runs the exercise's <em>known mistakes</em> (wrong "
             "solutions written with the exercise) on the same cases. A submission whose results match a "
             "known mistake's is diagnosed as that mistake: these are the misconceptions of your class, "
             "by exercise, most frequent first. <em>Students</em> counts students, <em>share</em> is of "
             "the students graded on that exercise. The message is what each of them was told.</p>")
    if not named:
        return _section("misconceptions", "Misconceptions", intro + "<p>No submission failed in this batch, "
                        "so there is no misconception to show.</p>", css="misconceptions")
    lead = ""
    if top := _most_frequent(named):
        mistake, exercise = top
        lead = (f'<p class="lead">Most frequent: <code class="mistake">{_text(mistake.id)}</code> in '
                f'<code>{_text(exercise.id)}</code>, {_students_count(mistake.count)} '
                f"({_share(mistake.count, exercise.graded)} of those graded on it).</p>")
    tables = "\n".join(_misconception_table(e) for e in named)
    clean = [e.id for e in stats.exercises if e not in named]
    rest = (f"<p>No submission failed on: {', '.join(f'<code>{_text(i)}</code>' for i in clean)} (errors and "
            'missing files are counted <a href="#exercises">per exercise</a>).</p>' if clean else "")
    return _section("misconceptions", "Misconceptions", intro + lead + tables + rest, css="misconceptions")


def _most_frequent(exercises: list[ExerciseStats]) -> tuple[Misconception, ExerciseStats] | None:
    pairs = [(m, e) for e in exercises for m in e.misconceptions]
    return max(pairs, key=lambda pair: pair[0].count) if pairs else None


def _misconception_table(exercise: ExerciseStats) -> str:
    failed = exercise.counts[FAIL]
    rows = [f'<tr><th scope="row"><code class="mistake">{_text(m.id)}</code></th>'
            f'<td class="num">{m.count}</td><td class="num">{_share(m.count, exercise.graded)}</td>'
            f'<td class="message">{_with_code(m.message)}</td><td>{_who(m.students)}</td></tr>'
            for m in exercise.misconceptions]
    if exercise.undiagnosed:
        rows.append('<tr class="undiagnosed"><th scope="row"><em>no known mistake</em></th>'
                    f'<td class="num">{len(exercise.undiagnosed)}</td>'
                    f'<td class="num">{_share(len(exercise.undiagnosed), exercise.graded)}</td>'
                    '<td class="message">Failed, but behaves like none of the known mistakes: a new '
                    "misconception, several at once, or a slip. Their feedback files show what was "
                    f"observed.</td><td>{_who(exercise.undiagnosed)}</td></tr>")
    summary = (f"{failed} of {exercise.graded} graded students failed; "
               f"{sum(m.count for m in exercise.misconceptions)} of them with a named mistake.")
    table = _table("mistakes", f"Misconceptions in {_text(exercise.id)}",
                   ["Misconception (id)", "Students", "Share", "What it means (the message students got)", "Who"],
                   rows)
    return (f'<h3 id="mistakes-{_attr(exercise.id)}"><code>{_text(exercise.id)}</code> {_text(exercise.title)}</h3>'
            f'<p class="caption">{summary}</p>{table}')


def _who(students: tuple[str, ...]) -> str:
    names = ", ".join(_student_link(s) for s in students)
    return f'<details><summary>{_students_count(len(students))}</summary>{names}</details>'


def _distribution(stats: ClassStats) -> str:
    percents = stats.percents
    if not percents:
        return _section("distribution", "Score distribution", "<p>No student was graded.</p>")
    left_out = len(stats.students) - len(percents)
    note = (f"<p>{left_out} student{'s' if left_out != 1 else ''} who could not be graded "
            f"{'are' if left_out != 1 else 'is'} not counted here.</p>" if left_out else "")
    return _section("distribution", "Score distribution",
                    _figure(class_plots.score_histogram(percents), "Students per band of 10 % of the "
                            "assignment's points; a missing exercise scores 0.") + note)


def _exercise_rates(stats: ClassStats) -> str:
    exercises = stats.exercises
    plot = class_plots.exercise_rates([e.id for e in exercises], [e.pass_rate for e in exercises],
                                      [e.mean_percent for e in exercises])
    rows = [f'<tr><th scope="row"><code>{_text(e.id)}</code>{" " + _attention_tag() if e.mostly_errors else ""}</th>'
            f'<td>{_text(e.title)}</td><td class="num">{e.points:g}</td>'
            + "".join(f'<td class="num">{e.counts[s]}</td>' for s in STATUS_ORDER)
            + f'<td class="num">{_pct(e.pass_rate)}</td><td class="num">{_pct(e.mean_percent)}</td></tr>'
            for e in exercises]
    table = _table("exercises", "Results per exercise",
                   ["Exercise", "Title", "Points", *map(_status_label, STATUS_ORDER), "Pass rate", "Mean score"], rows)
    return _section("exercises", "Per exercise",
                    _figure(plot, "Pass rate: students who passed, of those graded (a missing exercise is not a "
                                  "pass). Mean score: as % of the exercise's points, partial credit included.") + table)


def _times(stats: ClassStats) -> str:
    exercises = stats.exercises
    timings = [e.timing for e in exercises]
    plot = class_plots.exercise_times([e.id for e in exercises], [t.median if t else None for t in timings],
                                      [t.max if t else None for t in timings])
    rows = [f'<tr><th scope="row"><code>{_text(e.id)}</code></th>'
            + (f'<td class="num">{t.median:.2f} s</td><td class="num">{t.max:.2f} s</td>'
               f"<td>{_student_link(t.slowest)}</td>" if t else '<td colspan="3">nothing ran</td>')
            + "</tr>" for e, t in zip(exercises, timings)]
    table = _table("times", "Grading time per exercise", ["Exercise", "Median", "Longest", "Longest for"], rows)
    return _section("time", "Time per exercise",
                    _figure(plot, "Wall time to grade one student's file (missing files excluded). A longest time "
                                  "near the exercise's limit is a timeout: an endless loop, or a far too slow "
                                  "solution.") + table)


def _students(stats: ClassStats) -> str:
    exercises = stats.exercises
    legend = " ".join(map(_status_label, STATUS_ORDER))
    head = [f'<code>{_text(e.id)}</code>' for e in exercises]
    rows = [_student_row(s, [e.id for e in exercises]) for s in stats.students]
    table = _table("students", "Every student", ["Student (feedback)", "Score", "%", "Status", *head, "Result"], rows)
    return _section("students", "Students",
                    f'<p class="legend">Per exercise: {legend}; the number is the score. A student\'s id '
                    f'links to the feedback they were given.</p><div class="scroll">{table}</div>')


def _student_row(student: StudentRow, exercise_ids: list[str]) -> str:
    name = (f'<a href="{_href(student.feedback)}">{_text(student.id)}</a>' if student.feedback
            else _text(student.id))
    score = (f"{student.score:g} / {student.max_score:g}" if student.score is not None
             and student.max_score is not None else "—")
    status = f'<span class="tag {"error" if student.status == "error" else "graded"}">{_text(student.status)}</span>'
    if student.status == "error" or not student.cells:
        cells = (f'<td colspan="{len(exercise_ids)}" class="message error-text">could not be graded: '
                 f"{_clipped(student.error or 'no result was written')}</td>")
    else:
        cells = "".join(_cell(student, eid) for eid in exercise_ids)
    result = f'<a href="{_href(student.results)}">json</a>' if student.results else ""
    return (f'<tr id="{_student_target(student.id)}"><th scope="row">{name}</th><td class="num">{score}</td>'
            f'<td class="num">{_pct(student.percent)}</td><td>{status}</td>{cells}<td>{result}</td></tr>')


def _cell(student: StudentRow, exercise_id: str) -> str:
    cell = student.cells.get(exercise_id)
    if cell is None:
        return '<td class="st none">—</td>'
    detail = f"{cell.status}, {cell.score:g} of {cell.max_score:g}" + (f", {cell.diagnosis}" if cell.diagnosis else "")
    return (f'<td class="st {cell.status}" title="{_attr(detail)}"><span aria-hidden="true">{GLYPHS[cell.status]}'
            f'</span><span class="sr">{_text(detail)}</span> {cell.score:g}</td>')


# -- small pieces --------------------------------------------------------------------------------

def _table(css: str, caption: str, headers: list[str], rows: list[str]) -> str:
    """A table with its column headers and a caption for screen readers; `headers` and `rows` are HTML."""
    head = "".join(f'<th scope="col">{h}</th>' for h in headers)
    return (f'<table class="{css}"><caption class="sr">{caption}</caption><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _figure(plot: str, caption: str) -> str:
    return f"<figure>{plot}<figcaption>{caption}</figcaption></figure>"


def _section(anchor: str, heading: str, body: str, css: str = "") -> str:
    return (f'<section id="{anchor}" class="{css}" aria-labelledby="{anchor}-h">'
            f'<h2 id="{anchor}-h">{heading}</h2>{body}</section>')


def _text(value) -> str:
    """Any value as HTML text: escaped, and with control characters shown as escapes."""
    return html.escape(printable(str(value)), quote=True)


_attr = _text  # attribute values are escaped the same way (quotes included)


def _with_code(message: str) -> str:
    """A spec's message, escaped, then its `code` spans set as code (escaping first keeps it inert)."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", _text(message))


def _clipped(message: str) -> str:
    clipped = message if len(message) <= LONGEST_MESSAGE else message[:LONGEST_MESSAGE] + " …"
    return _text(clipped)


def _href(path: str) -> str:
    """A link relative to the batch directory; anything else (absolute, `..`, a scheme) is not linked."""
    candidate = PurePosixPath(path)
    if candidate.is_absolute() or ".." in candidate.parts or ":" in path or "\\" in path:
        return "#students"
    return _attr(quote(path, safe="/"))


def _student_link(student_id: str) -> str:
    return f'<a href="#{_student_target(student_id)}">{_text(student_id)}</a>'


def _student_target(student_id: str) -> str:
    """The student's row id, the same text in the id and in links to it (percent-encoded)."""
    return "student-" + _attr(quote(student_id, safe=""))


def _status_label(status: str) -> str:
    return f'<span class="st {status}">{GLYPHS[status]} {status}</span>'


def _attention_tag() -> str:
    return '<a class="tag error" href="#attention">! mostly errors</a>'


def _students_count(count: int) -> str:
    return f"{count} student{'s' if count != 1 else ''}"


def _share(count: int, total: int) -> str:
    return f"{100 * count / total:.0f} %" if total else "n/a"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} %"


def _when(iso: str) -> str:
    """An ISO 8601 instant as people read it, in the zone it was written in, machine-readable too."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return _text(iso)
    offset = moment.strftime("%z")
    zone = "UTC" if offset in ("+0000", "") else f"UTC{offset[:3]}:{offset[3:]}"
    return f'<time datetime="{_attr(iso)}">{moment:%Y-%m-%d %H:%M} {zone}</time>'


def _duration(started: str | None, finished: str) -> str:
    try:
        seconds = (datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds()
    except (TypeError, ValueError):
        return ""
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{seconds:.1f} s"


NAV = ('<nav aria-label="sections"><a href="#summary">Key figures</a> <a href="#misconceptions">Misconceptions</a> '
       '<a href="#distribution">Distribution</a> <a href="#exercises">Per exercise</a> '
       '<a href="#time">Time</a> <a href="#students">Students</a></nav>')

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="dlcheck {version}">
<title>{title} · class report</title>
<style>{style}</style>
</head>
<body>
<header>
{header}
{nav}
</header>
<main>
{body}
</main>
<footer><p>Written by <code>dlcheck batch</code>. Every student's full feedback is in
<code>students/&lt;id&gt;/feedback.txt</code> beside this file; their results in <code>results.json</code>.</p></footer>
</body>
</html>
"""

# Colours are never the only signal: every status also has its glyph and its word.
STYLE = """
:root { --pass: #1a7f37; --fail: #c0262d; --error: #9a5b00; --missing: #5c6670; --ink: #1f2328;
        --muted: #57606a; --line: #d0d7de; --soft: #f6f8fa; --accent: #0b5cad; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.45;
       font: 15px/1.45 system-ui, "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif; }
header, main, footer { max-width: 1120px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 20px; border-bottom: 1px solid var(--line); }
h1 { margin: 0 0 4px; font-size: 28px; }
h1 .subtitle { font-weight: normal; color: var(--muted); font-size: 20px; }
h2 { font-size: 21px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 17px; margin: 22px 0 2px; }
.facts { color: var(--muted); margin: 0 0 8px; }
nav { display: flex; flex-wrap: wrap; gap: 14px; padding: 6px 0 12px; }
nav a, a { color: var(--accent); }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.92em; }
.figures { display: flex; flex-wrap: wrap; gap: 12px; margin: 0; }
.figure { border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 130px;
          background: var(--soft); }
.figure dt { color: var(--muted); font-size: 13px; }
.figure dd { margin: 0; font-size: 26px; font-weight: 600; }
.attention { background: #fff8e6; border: 2px solid var(--error); border-radius: 8px; padding: 2px 18px 10px;
             margin-top: 24px; }
.attention h2 { border: none; color: var(--error); }
.misconceptions { background: #f3f8ff; border: 2px solid var(--accent); border-radius: 8px; padding: 2px 18px 14px;
                  margin-top: 24px; }
.misconceptions h2 { border: none; color: var(--accent); font-size: 24px; }
.lead { font-size: 17px; }
.caption { color: var(--muted); margin: 0 0 6px; }
code.mistake { font-weight: 700; color: #6a1b9a; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; background: #fff; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
thead th { background: var(--soft); font-size: 13px; }
tbody tr:nth-child(even) { background: #fbfcfd; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.message { white-space: pre-line; overflow-wrap: anywhere; }
blockquote.message { white-space: pre-wrap; margin: 6px 0; padding: 6px 10px; background: #fff; border-left: 4px solid var(--error);
                     font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; }
tr.undiagnosed th, tr.undiagnosed td { color: var(--muted); }
details summary { cursor: pointer; color: var(--accent); white-space: nowrap; }
figure { margin: 10px 0; }
figcaption { color: var(--muted); font-size: 13px; }
svg.plot { width: 100%; height: auto; display: block; }
.scroll { overflow-x: auto; }
table.students thead code { font-size: 12px; white-space: nowrap; }
.st { white-space: nowrap; font-weight: 600; }
.st.pass { color: var(--pass); } .st.fail { color: var(--fail); }
.st.error { color: var(--error); } .st.missing { color: var(--missing); }
td.st.pass { background: #e8f5ec; } td.st.fail { background: #fdecec; }
td.st.error { background: #fff3d6; } td.st.missing { background: #eef0f2; }
.tag { display: inline-block; font-size: 12px; font-weight: 600; border-radius: 10px; padding: 0 8px;
       border: 1px solid currentColor; text-decoration: none; }
.tag.error { color: var(--error); } .tag.graded { color: var(--pass); }
.error-text { color: var(--error); }
.legend .st { margin-right: 8px; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
footer { color: var(--muted); font-size: 13px; margin-top: 32px; padding-bottom: 24px;
         border-top: 1px solid var(--line); }
"""
