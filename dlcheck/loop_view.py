"""What the commands around the grading loop print: `list`, `start`, `reset`, `solution`.

Kept apart from report.py (the grade report). `dlcheck list` imports only this, Rich's Text and
the chapter names: plain aligned text, no Rich Table (measuring one costs ~30 ms per `list`).
"""

from __future__ import annotations

import textwrap

from rich.console import Console
from rich.text import Text

from .terminal_text import printable

PROGRESS_STYLE = {"passed": "green", "failing": "red", "error": "yellow", "started": "cyan",
                  "not started": "dim"}
BAR_WIDTH = 20
KIND_WIDTH, POINTS_WIDTH = 8, 8  # "symbolic"; "13.33/15"
STATUS_WIDTH = len("not started")
MIN_TITLE_WIDTH = 28  # narrower than this, a title goes on lines of its own under its id


def render_list(console: Console, rows: list[dict], progress: list[dict]) -> None:
    """Per chapter a heading with a progress bar, passed count and points; per exercise its id,
    title (wrapped, never cut), kind, points (scored/possible once graded) and status."""
    id_width = max((len(r["id"]) for r in rows), default=2)
    fixed = 2 + id_width + 2 + 2 + KIND_WIDTH + 2 + POINTS_WIDTH + 2 + STATUS_WIDTH
    title_width = min(60, console.width - fixed)
    by_chapter = {p["chapter"]: p for p in progress}
    out = Text()
    previous = None
    for row in rows:
        if row["chapter"] != previous:
            out.append_text(_chapter_heading(by_chapter[row["chapter"]]))
            previous = row["chapter"]
        if title_width >= MIN_TITLE_WIDTH:
            _row_with_title_column(out, row, id_width, title_width)
        else:
            _row_with_title_below(out, row, id_width, console.width)
    console.print(out, end="", soft_wrap=True)
    done = sum(r["status"] == "passed" for r in rows)
    score = sum(p["score"] for p in progress)
    points = sum(p["points"] for p in progress)
    console.print(f"{done}/{len(rows)} passed · {score:g}/{points:g} points. "
                  f"Start one with [bold]dlcheck start ID[/bold].")


def _chapter_heading(chapter: dict) -> Text:
    complete = chapter["passed"] == chapter["total"]
    filled = round(BAR_WIDTH * chapter["passed"] / chapter["total"]) if chapter["total"] else 0
    heading = Text(chapter["title"], style="bold green" if complete else "bold")
    heading.append("  ")
    heading.append("━" * filled, style="green")
    heading.append("─" * (BAR_WIDTH - filled), style="dim")
    heading.append(f"  {chapter['passed']}/{chapter['total']} passed · {chapter['score']:g}/{chapter['points']:g} "
                   f"points\n", style="green" if complete else "dim")
    return heading


def _row_with_title_column(out: Text, row: dict, id_width: int, title_width: int) -> None:
    lines = textwrap.wrap(row["title"], title_width, break_on_hyphens=False) or [""]
    out.append(f"  {row['id']:<{id_width}}  {lines[0]:<{title_width}}  ")
    _append_columns(out, row)
    for line in lines[1:]:
        out.append(f"  {'':<{id_width}}  {line}\n")


def _row_with_title_below(out: Text, row: dict, id_width: int, width: int) -> None:
    out.append(f"  {row['id']:<{id_width}}  ")
    _append_columns(out, row)
    for line in textwrap.wrap(row["title"], max(20, width - 6), break_on_hyphens=False):
        out.append(f"      {line}\n", style="dim")


def _append_columns(out: Text, row: dict) -> None:
    score = row.get("score")
    points = f"{score:g}/{row['points']:g}" if score is not None else f"{row['points']:g}"
    out.append(f"{row['kind']:<{KIND_WIDTH}}  {points:>{POINTS_WIDTH}}  ")
    out.append(f"{row['status']}\n", style=PROGRESS_STYLE.get(row["status"], ""))


def render_started(console: Console, exercise_id: str, started, reset: bool = False) -> None:
    """What `start` or `reset` did: the backups first (where the old work went), then the starter."""
    # soft_wrap: a long path is left whole for the terminal to wrap, never folded by Rich into pieces
    # that no longer paste as a path.
    for backup in started.backups:
        console.print(Text(f"Backed up your old file to {backup}.", style="dim"), soft_wrap=True)
    if not started.written:
        console.print(f"[yellow]{started.path} already exists; left it unchanged[/yellow] "
                      f"(`dlcheck reset {exercise_id}` backs it up and starts over).", soft_wrap=True)
        return
    again = "; its hints and grade are forgotten" if reset else ""
    console.print(f"Wrote [bold]{started.path}[/bold]{again}. Edit it, then run "
                  f"[bold]dlcheck grade {exercise_id}[/bold].", soft_wrap=True)


def render_solution(console: Console, spec, path) -> None:
    from rich.syntax import Syntax  # pygments: only this command needs it

    console.print(Text(f"Reference solution of {spec.id} ({path}):", style="bold"))
    text = path.read_text(encoding="utf-8")
    if spec.kind == "code":
        console.print(Syntax(text, "python", theme="ansi_dark", background_color="default"))
    else:
        console.print(Text(printable(text.strip())))
