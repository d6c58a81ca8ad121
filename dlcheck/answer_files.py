"""A symbolic exercise's answer file: which lines are the answer, and saving an answer given inline.

Reading. A line starting with '#' (.txt) or '%' (.tex) is a comment. The answer is the file's last
expression; non-comment lines above it are scratch: ignored, and the report names them, so a first
attempt left above the answer can neither join it (today's files were joined into one product) nor
pass unnoticed. In a .txt file an expression is one line. In a .tex file it continues on the next
line while a bracket is open (`{`, `(`, `[`, `\\left`, `\\begin`, `\\lfloor`, …) or the line ends with
an operator (`+`, `=`, `\\cdot`, …): LaTeX is often wrapped, and a wrapped expression is one answer.

Saving. `dlcheck grade ID --answer …` that passes writes the answer to the workspace file, so the
pass is kept with the work (and `grade --all` sees it). Never over a different answer without asking
(in a terminal), never through a link (student_files).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

COMMENT_MARKERS = {".txt": "#", ".tex": "%"}
# LaTeX commands that open or close a group the way a bracket does.
_OPENING_COMMANDS = ("left", "begin", "lfloor", "lceil", "langle")
_CLOSING_COMMANDS = ("right", "end", "rfloor", "rceil", "rangle")
_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
# A line ending in one of these is not finished: the expression goes on on the next line.
_TRAILING_OPERATOR = re.compile(r"(?:[-+*/^_=]|\\(?:cdot|times|div|ast|pm|mp)|\\\\)\s*$")


@dataclass(frozen=True)
class FileAnswer:
    """The answer read from a file: its text, the lines it came from, and the scratch lines above."""

    text: str
    lines: tuple[int, ...] = ()  # 1-based line numbers of the answer
    scratch: tuple[int, ...] = ()  # non-comment lines above it, ignored
    marker: str = "#"

    def notes(self, name: str) -> list[str]:
        """What the report tells the student about how the file was read (nothing when it is plain)."""
        if not self.scratch:
            return []
        were = "was" if len(self.scratch) == 1 else "were"
        return [f"Graded {_line_numbers(self.lines)} of {name} as your answer; {_line_numbers(self.scratch)} above "
                f"it {were} ignored as scratch (put scratch in '{self.marker}' comments to silence this note)."]


def answer_in_file(text: str, suffix: str) -> FileAnswer:
    """The last expression of an answer file (see the module's docstring)."""
    marker = COMMENT_MARKERS.get(suffix, "#")
    content = [(number, line.strip()) for number, line in enumerate(text.splitlines(), start=1)
               if line.strip() and not line.lstrip().startswith(marker)]
    expressions = _expressions(content, wrapped=suffix == ".tex")
    if not expressions:
        return FileAnswer("", marker=marker)
    last = expressions[-1]
    scratch = tuple(number for expression in expressions[:-1] for number, _ in expression)
    return FileAnswer(" ".join(line for _, line in last), tuple(number for number, _ in last), scratch, marker)


def _expressions(content: list[tuple[int, str]], wrapped: bool) -> list[list[tuple[int, str]]]:
    """The non-comment lines grouped into expressions: one per line, or (wrapped) joined while unfinished."""
    expressions: list[list[tuple[int, str]]] = []
    depth, unfinished = 0, False
    for number, line in content:
        if expressions and wrapped and (depth > 0 or unfinished):
            expressions[-1].append((number, line))
        else:
            expressions.append([(number, line)])
            depth = 0
        depth = max(0, depth + _bracket_balance(line))
        unfinished = bool(_TRAILING_OPERATOR.search(line))
    return expressions


def _bracket_balance(line: str) -> int:
    """Groups opened minus groups closed on a LaTeX line (`\\left(` counts once, `\\{` as a bracket)."""
    balance, position = 0, 0
    while position < len(line):
        if line[position] == "\\":
            command = _COMMAND.match(line, position)
            name = command.group(1) if command else ""
            position = command.end() if command else position + 1
            if name in _OPENING_COMMANDS or name == "{":
                balance += 1
            elif name in _CLOSING_COMMANDS or name == "}":
                balance -= 1
            if name in ("left", "right") and position < len(line) and not line[position].isalpha():
                position += 1  # its delimiter, already counted with the command
            continue
        balance += (line[position] in "{([") - (line[position] in "})]")
        position += 1
    return balance


def _line_numbers(numbers: tuple[int, ...]) -> str:
    """'line 3', 'lines 2-3', 'lines 1, 4-5'."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    text = ", ".join(f"{run[0]}-{run[-1]}" if len(run) > 1 else f"{run[0]}" for run in runs)
    return f"line {text}" if len(numbers) == 1 else f"lines {text}"


# ---------------------------------------------------------------- saving a passing --answer

@dataclass
class Saving:
    """What saving an answer did, as one line for the student."""

    message: str
    saved: bool = False


def save_answer(workspace, spec, answer: str, references_dir: Path,
                ask: Callable[[str], bool] | None) -> Saving:
    """Write a passing inline answer to the exercise's workspace file (<id>.txt unless a .tex exists).
    A different answer already there is replaced only when `ask` (a terminal) says yes."""
    from .student_files import RejectedFile, create_student_file, read_student_file
    from .submission import display_name, submission_from_bytes

    existing = workspace.existing(spec.id, spec.kind)
    if len(existing) > 1:
        return Saving(f"Not saved: both {' and '.join(display_name(p) for p in existing)} exist; delete one, "
                      f"then run this again.")
    path = existing[0] if existing else workspace.starter_path(spec.id, spec.kind)
    shown = display_name(path)
    try:
        if not existing:
            starter = spec.starter if not spec.starter or spec.starter.endswith("\n") else spec.starter + "\n"
            create_student_file(path, (starter + answer + "\n").encode("utf-8"), overwrite=False)
            return Saving(f"Saved your answer to {shown}.", saved=True)
        text = submission_from_bytes(read_student_file(path, forbidden_dir=references_dir), shown).text
        current = answer_in_file(text, path.suffix)
        if not current.text:
            new_text = text + ("" if text.endswith("\n") or not text else "\n") + answer + "\n"
        elif _same(current.text, answer):
            return Saving(f"{shown} already holds this answer.")
        elif ask is None:
            return Saving(f"Not saved: {shown} already holds another answer ({current.text}). To keep this one, "
                          f"put it on the last line of that file, or run this again in a terminal to be asked.")
        elif not ask(f"{shown} holds another answer ({current.text}). Replace it with this one?"):
            return Saving(f"Not saved: {shown} keeps its answer.")
        else:
            comments = [line for line in text.splitlines() if line.lstrip().startswith(current.marker)]
            new_text = "".join(f"{line}\n" for line in comments) + answer + "\n"
        create_student_file(path, new_text.encode("utf-8"), overwrite=True)
    except (RejectedFile, OSError) as refused:
        return Saving(f"Not saved: {refused}.")
    return Saving(f"Saved your answer to {shown}.", saved=True)


def _same(a: str, b: str) -> bool:
    return "".join(a.split()) == "".join(b.split())


def save_answer_after_pass(workspace, course, spec, answer: str, to_stderr: bool) -> None:
    """`grade ID --answer …` passed: save it and say so (on stderr when stdout holds a document).
    Asks before replacing a different answer only where someone can answer: a terminal."""
    from rich.console import Console

    console = Console(stderr=to_stderr, highlight=False)
    interactive = sys.stdin.isatty() and (sys.stderr if to_stderr else sys.stdout).isatty()

    def ask(question: str) -> bool:
        try:
            return console.input(f"{question} [y/N] ", markup=False).strip().lower() in ("y", "yes")
        except EOFError:  # Ctrl-D: no
            console.print()
            return False

    saving = save_answer(workspace, spec, answer, course.solutions_dir, ask if interactive else None)
    console.print(saving.message, style="green" if saving.saved else "yellow", markup=False, soft_wrap=True)
