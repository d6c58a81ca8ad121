"""The spinner `dlcheck grade` shows on stderr while it grades, for a person at a terminal.

A submission that loops runs until its time limit (seconds, for some exercises): without a sign
of life the student cannot tell a slow grade from a hung dlcheck. The spinner is for people only:
it appears only when stderr is a terminal and the report is text, so JSON, a platform's format
and piped output carry no byte of it; it is transient, so nothing is left behind when it stops.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console

Task = Callable[[], Any]


def spinner_wanted(text_report: bool) -> bool:
    """`dlcheck grade`'s rule: a text report, and a person watching stderr."""
    return text_report and _is_terminal(sys.stderr)


@contextmanager
def grading_status(exercise_ids: list[str], enabled: bool, console: Console | None = None
                   ) -> Iterator[Callable[[Task], Task]]:
    """Yields `counted(task)`: the task, wrapped to advance the count when it is done. With more than
    one exercise the line counts them ("grading 3/12 exercises"); with one it names it. The line goes
    to `console` (default: stderr)."""
    if not enabled:
        yield lambda task: task
        return
    total = len(exercise_ids)
    label = f"grading {exercise_ids[0]}" if total == 1 else "grading"
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    counter = "{task.completed}/{task.total} exercises" if total > 1 else ""
    progress = Progress(SpinnerColumn(), TextColumn(f"{{task.description}} {counter}"), TimeElapsedColumn(),
                        console=console or Console(stderr=True), transient=True,
                        # stdout may be a pipe while stderr is a terminal: never capture what goes to stdout.
                        redirect_stdout=False, redirect_stderr=True)
    with progress:
        task_id = progress.add_task(label, total=total)

        def counted(task: Task) -> Task:
            def run() -> Any:
                try:
                    return task()
                finally:
                    progress.advance(task_id)
            return run

        yield counted


def _is_terminal(stream: Any) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # replaced or closed
        return False
