"""dlcheck in Jupyter: `import dlcheck; dlcheck.check("kl_gaussian")` in a notebook cell.

The function is graded from its source text, never from the live object: the kernel's input
history (what the student ran, In[1], In[2] …) gives the latest definition of the exercise's
function and of each name it uses (notebook.history_submission), and that text goes the normal
way, to a Grader and its sandbox, as `dlcheck grade` sends a file. Nothing the notebook defined is
called, pickled or inspected here. The report comes back as an object that Jupyter shows as HTML
(the Rich report of the terminal, exported), and as text anywhere else.

A check in the student's own kernel is practice: that process runs their code, so its verdict can
never be a grade that counts (`dlcheck grade ID --file homework.ipynb` in CI is). A weak sandbox
only warns, as a practice run of `dlcheck grade` does. Course and workspace are found as the CLI
finds them (DLCHECK_COURSE, DLCHECK_WORKSPACE, ./dlcheck-work); the result is recorded there.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from .catalog import Course, find_course
from .errors import UsageError
from .results import GradeResult
from .status import PASS
from .workspace import Workspace

HTML_WIDTH = 100  # columns of the report in a cell, as in a wide terminal
_HTML_FORMAT = ("<pre style=\"font-family: Menlo, 'DejaVu Sans Mono', Consolas, 'Courier New', monospace; "
                "line-height: 1.3; color: {foreground}; background-color: {background}; padding: 0.6em; "
                "white-space: pre; overflow-x: auto\">{code}</pre>")


@dataclass
class CheckReport:
    """What dlcheck.check returns: Jupyter renders it as the report (`_repr_html_`)."""

    result: GradeResult
    warnings: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.result.status == PASS

    @property
    def status(self) -> str:
        return self.result.status

    @property
    def score(self) -> float:
        return self.result.score

    def _render(self, color: bool):
        from rich.console import Console

        # force_jupyter=False: in a kernel Rich would display the report itself instead of recording it.
        console = Console(file=io.StringIO(), record=True, width=HTML_WIDTH, highlight=False, force_jupyter=False,
                          force_terminal=color, no_color=not color, color_system="truecolor" if color else None)
        from rich.text import Text

        from .report import render_grade

        for warning in self.warnings:
            console.print(Text(warning, style="yellow"))
        render_grade(console, self.result)
        return console

    def text(self) -> str:
        return self._render(color=False).export_text()

    def _repr_html_(self) -> str:
        # Rich escapes every character of the text (a student's exception message cannot add markup).
        return self._render(color=True).export_html(inline_styles=True, code_format=_HTML_FORMAT)

    def __repr__(self) -> str:
        return self.text().rstrip("\n")


def check(exercise_id: str, *, answer: str | None = None, course: str | os.PathLike | None = None,
          workspace: str | os.PathLike | None = None) -> CheckReport:
    """Grade exercise `exercise_id` from this notebook: a code exercise from the function the
    notebook's cells define (as last run), a symbolic one from `answer`."""
    the_course = find_course(Path(course) if course is not None else None)
    spec = the_course.get(exercise_id)
    ws = Workspace.locate(Path(workspace) if workspace is not None else None)
    _refuse_workspace_inside_the_course(ws, the_course)
    warnings: list[str] = []
    if spec.kind == "symbolic":
        result = _grade(the_course, spec, _answer_submission(spec, answer), warnings)
    else:
        result = _grade_function(the_course, spec, answer, warnings)
    if not result.internal_error:
        ws.record_result(result.exercise, result.status, result.score, result.max_score)
    return CheckReport(result, warnings)


def _answer_submission(spec, answer: str | None):
    from .submission import Submission

    if answer is None:
        raise UsageError(f"'{spec.id}' is a symbolic exercise: give your answer, "
                         f"dlcheck.check({spec.id!r}, answer=r\"…\").")
    return Submission(answer, "answer", "")


def _grade_function(course: Course, spec, answer: str | None, warnings: list[str]) -> GradeResult:
    """The entry point's latest definition in the kernel's history, and what it uses, graded."""
    from .grading import rejected_result
    from .notebook import history_submission

    if answer is not None:
        raise UsageError(f"'{spec.id}' is a code exercise: define {spec.entry_point} in a cell, run it, then call "
                         f"dlcheck.check({spec.id!r}) without answer=.")
    shell = _shell()
    name = _notebook_name(shell)
    submission = history_submission(_history(shell), name, spec.entry_point)
    if submission is None:
        return rejected_result(spec, name, f"No cell run in this kernel defines {spec.entry_point}: write "
                                           f"`def {spec.entry_point}(…)` in a cell, run that cell, then call "
                                           f"dlcheck.check({spec.id!r}) again.")
    return _grade(course, spec, submission, warnings)


def _grade(course: Course, spec, submission, warnings: list[str]) -> GradeResult:
    from .grading import Grader, graded_or_internal

    def warned_and_graded() -> GradeResult:
        if spec.kind == "code":
            problems = grader.enforce_trust(False, False, what_counts="")  # practice: never counts
            if problems:
                from .sandbox.host import current

                warnings.append(current().summary(problems))  # the one line `grade` and `watch` print
        return grader.grade(spec, submission)

    with Grader(course) as grader:
        return graded_or_internal(spec, warned_and_graded)


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:
        get_ipython = None
    shell = get_ipython() if get_ipython is not None else None
    if shell is None:
        raise UsageError("dlcheck.check grades a function defined in a Jupyter notebook (an IPython kernel). "
                         "In a terminal, run `dlcheck grade ID --file homework.ipynb` or `dlcheck grade ID`.")
    return shell


def _history(shell) -> list[str]:
    """The kernel's inputs as typed (In[n] is input_hist_raw[n]), so line numbers are the cell's own;
    `In`/`_ih` hold them after IPython's rewriting of magics, the fallback."""
    raw = getattr(getattr(shell, "history_manager", None), "input_hist_raw", None)
    if raw:
        return [entry if isinstance(entry, str) else "" for entry in raw]
    return [entry if isinstance(entry, str) else "" for entry in shell.user_ns.get("_ih") or shell.user_ns.get("In", [])]


def _notebook_name(shell) -> str:
    """The notebook's file name where the front end says it (Jupyter Server's JPY_SESSION_NAME,
    VS Code's __vsc_ipynb_file__); else "this notebook"."""
    path = os.environ.get("JPY_SESSION_NAME") or shell.user_ns.get("__vsc_ipynb_file__")
    if isinstance(path, str) and path.endswith(".ipynb"):
        return Path(path).name
    return "this notebook"


def _refuse_workspace_inside_the_course(ws: Workspace, course: Course) -> None:
    from .cli import _refuse_workspace_inside_the_course as refuse

    refuse(ws, course)
