"""Jupyter notebooks as submissions: the code (or answer) to grade, cut out as text, never run here.

From an .ipynb file (read with nbformat):
- the cells tagged `dlcheck:<id>` (cell metadata tags) are the submission, whole: for a code
  exercise its code cells, for a symbolic one its markdown or raw cell, whose text is the answer;
- untagged, only the imports and top-level `def`/`class` statements (with their decorators) of
  every code cell: a training loop at top level is text dlcheck drops, not code it runs.
From a kernel's history (dlcheck.check in Jupyter, jupyter.py): the latest definition of the
function and of every name it uses (history_submission).

IPython syntax that is not Python (`%magic` and `!shell` lines) is blanked, and a `%%` cell magic
blanks its whole cell. The kept lines sit in one script at the line numbers they have in their
cells, one cell after another; a CellMap remembers where each cell starts, so the report says
"homework.ipynb, cell 4, line 3" where grading said "line 37". Nothing here imports the notebook's
code or evaluates it: cells are parsed with `ast` and copied as text to the sandbox (grading.py).
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from .student_files import RejectedFile
from .submission import Submission

if TYPE_CHECKING:
    from .results import GradeResult

TAG_PREFIX = "dlcheck:"
MAX_NOTEBOOK_BYTES = 20_000_000  # outputs (plots as base64 images) make notebooks large; the code is capped later
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
IMPORTS = (ast.Import, ast.ImportFrom)
_NEWLINE = re.compile(r"\r\n|\r|\n")  # the line ends Python counts (str.splitlines also splits on \f, \x1c …)
# IPython syntax, one line at a time: `%time f()`, `!pip install x`, `files = !ls`, `np.sum?`, `??np.sum`.
_MAGIC_LINE = re.compile(r"\s*(?:[%!]|[\w.]+\s*=\s*[%!]|\?{1,2}[\w.]+\s*$|[\w.]+\?{1,2}\s*$)")


@dataclass(frozen=True)
class CellSpan:
    first_line: int  # the cell's line 1 is this line of the script
    line_count: int
    label: str  # "cell 4" (its place in the .ipynb, from 1) or "In [7]" (a kernel's execution count)


@dataclass(frozen=True)
class CellMap:
    """Where each line of a notebook submission's script came from."""

    name: str  # the submission's display name, as grading's messages spell it
    spans: tuple[CellSpan, ...]
    skipped: tuple[str, ...] = ()  # untagged cells left out because they are not Python, with why

    def locate(self, line: int) -> tuple[str, int] | None:
        """(cell label, line in that cell) for a line of the script; a line past the end (Python
        reports an unclosed bracket at the end of the text) belongs to the last cell."""
        for span in self.spans:
            if span.first_line <= line < span.first_line + span.line_count:
                return span.label, line - span.first_line + 1
        last = self.spans[-1] if self.spans else None
        if last is not None and line >= last.first_line:
            return last.label, line - last.first_line + 1
        return None

    def relocate(self, result: GradeResult) -> None:
        """Rewrite the script's line numbers in `result` as cells and lines of the notebook (in place)."""
        pattern = re.compile(re.escape(self.name) + r"(, line | \(line )(\d+)")

        def in_cells(match: re.Match) -> str:
            where = self.locate(int(match.group(2)))
            if where is None:
                return match.group(0)
            label, line = where
            if match.group(1) == ", line ":
                return f"{self.name}, {label}, line {line}"
            return f"{self.name} ({label}, line {line}"

        result.message = pattern.sub(in_cells, result.message)
        for test in result.tests:
            test.message = pattern.sub(in_cells, test.message)
        if result.failure is not None:
            result.failure.summary = pattern.sub(in_cells, result.failure.summary)
            if result.failure.error:
                result.failure.error["frames"] = [self._frame(frame) for frame in result.failure.error.get("frames", [])]
        if self.skipped and result.status == "error":
            note = (f" (Left out of {self.name} because they are not valid Python: "
                    f"{'; '.join(self.skipped)}.)")
            result.message += note
            if result.tests:
                result.tests[0].message += note

    def _frame(self, frame: dict) -> dict:
        where = self.locate(frame["line"]) if isinstance(frame.get("line"), int) else None
        if where is None:
            return frame
        label, line = where
        return {**frame, "line": line, "cell": label}


@dataclass
class _Script:
    """Cells' kept lines, one cell after another, and where each cell starts."""

    lines: list[str] = field(default_factory=list)
    spans: list[CellSpan] = field(default_factory=list)

    def add(self, label: str, lines: list[str]) -> None:
        self.spans.append(CellSpan(len(self.lines) + 1, len(lines), label))
        self.lines.extend(lines)

    def submission(self, name: str, skipped: Iterable[str] = ()) -> Submission:
        text = "\n".join(self.lines) + "\n" if self.lines else ""
        return Submission(text, name, ".ipynb", cells=CellMap(name, tuple(self.spans), tuple(skipped)))


# ------------------------------------------------------------------ reading the .ipynb

@dataclass(frozen=True)
class Cell:
    number: int  # from 1, markdown and raw cells counted: the cell's place from the top of the notebook
    kind: str  # code | markdown | raw
    source: str
    tags: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"cell {self.number}"


def read_cells(data: bytes, name: str) -> list[Cell]:
    """The notebook's cells; RejectedFile naming the file (and the cell) when it is not a notebook."""
    import nbformat  # only when a notebook is graded

    try:
        text = data.decode("utf-8-sig")  # a byte-order mark from a Windows editor is not part of the JSON
    except UnicodeDecodeError as exc:
        raise RejectedFile(f"{name} is not a Jupyter notebook: it is not UTF-8 text (byte {exc.start})") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbformat warns about missing cell ids: harmless here
            # reader.reads + convert, not nbformat.reads: that one logs schema problems to stderr and
            # goes on. dlcheck checks the few fields it reads itself (below) and ignores the rest, as
            # Jupyter opens a notebook whose outputs do not match the schema.
            notebook = nbformat.convert(nbformat.reader.reads(text), 4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds (JSON, version, key errors) on bad input
        raise RejectedFile(f"{name} is not a valid Jupyter notebook ({type(exc).__name__}: "
                           f"{_short(str(exc))}); open it in Jupyter and save it again") from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise RejectedFile(f"{name} is not a valid Jupyter notebook: it has no list of cells")
    return [_cell(raw, number, name) for number, raw in enumerate(cells, start=1)]


def _cell(raw, number: int, name: str) -> Cell:
    where = f"{name}, cell {number}"
    if not isinstance(raw, dict) or not isinstance(raw.get("cell_type"), str):
        raise RejectedFile(f"{where} is not a valid notebook cell (it has no cell_type)")
    source = raw.get("source", "")
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        source = "".join(source)
    if not isinstance(source, str):
        raise RejectedFile(f"{where}: its source is not text")
    metadata = raw.get("metadata", {})
    tags = metadata.get("tags", []) if isinstance(metadata, dict) else None
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise RejectedFile(f"{where}: metadata.tags is not a list of strings")
    return Cell(number, raw["cell_type"], source, tuple(tag.strip() for tag in tags))


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def notebook_submission(data: bytes, name: str, exercise_id: str, kind: str) -> Submission:
    """What dlcheck grades of a notebook for one exercise (see the module's docstring)."""
    cells = read_cells(data, name)
    tag = TAG_PREFIX + exercise_id
    tagged = [cell for cell in cells if tag in cell.tags]
    if kind == "symbolic":
        return _symbolic_answer(tagged, name, tag)
    tagged_code = [cell for cell in tagged if cell.kind == "code"]
    if tagged and not tagged_code:
        raise RejectedFile(f"{name}: the cells tagged {tag} ({_labels(tagged)}) are not code cells; "
                           f"tag the code cell that defines your function")
    if tagged_code:
        return _tagged_code(tagged_code, name)
    # Untagged: every code cell, except those tagged for another exercise (they belong to it).
    others = [cell for cell in cells if cell.kind == "code" and not any(t.startswith(TAG_PREFIX) for t in cell.tags)]
    return _definitions(others, name)


def _labels(cells: list[Cell]) -> str:
    return ", ".join(cell.label for cell in cells)


def _symbolic_answer(tagged: list[Cell], name: str, tag: str) -> Submission:
    answers = [cell for cell in tagged if cell.kind in ("markdown", "raw")]
    if not answers:
        found = f" (tagged: {_labels(tagged)}, a code cell)" if tagged else ""
        raise RejectedFile(f"{name} has no markdown or raw cell tagged {tag}{found}: write your answer in a "
                           f"markdown or raw cell and add the tag {tag} to it (docs/grading.md#notebooks)")
    if len(answers) > 1:
        raise RejectedFile(f"{name} has {len(answers)} cells tagged {tag} ({_labels(answers)}); "
                           f"tag only the one that holds your answer")
    cell = answers[0]
    # The answer is one expression: line breaks in a markdown cell are spaces, as in LaTeX.
    return Submission(" ".join(cell.source.split()), f"{name}, {cell.label}", "")


def _tagged_code(cells: list[Cell], name: str) -> Submission:
    """Each tagged cell whole. A cell that does not parse ends the script there, so that grading
    reports its syntax error inside it (a bracket it leaves open would swallow the next cells)."""
    script = _Script()
    for cell in cells:
        lines = python_lines(cell.source)
        script.add(cell.label, lines)
        if _parse(lines) is None:
            break
    return script.submission(name)


def _definitions(cells: list[Cell], name: str) -> Submission:
    script, skipped = _Script(), []
    for cell in cells:
        lines = python_lines(cell.source)
        tree = _parse(lines)
        if tree is None:
            skipped.append(f"{cell.label} ({_parse_problem(lines)})")
            continue
        kept = definitions_only(lines, tree.body)
        if any(line.strip() for line in kept):
            script.add(cell.label, kept)
    return script.submission(name, skipped)


# ------------------------------------------------------------------ cell text

def python_lines(source: str) -> list[str]:
    """The cell's lines, with IPython syntax blanked; a cell that is Python already is left as it is
    (so a `%` or `!` at the start of a line inside a string is never touched)."""
    lines = _NEWLINE.split(source)
    if _parse(lines) is not None:
        return lines
    first = next((line for line in lines if line.strip()), "")
    if first.lstrip().startswith("%%"):
        return [""] * len(lines)  # a cell magic (%%time, %%bash, %%writefile): the cell is not Python
    return [_blank_magic(line) for line in lines]


def _blank_magic(line: str) -> str:
    if not _MAGIC_LINE.match(line):
        return line
    indent = line[:len(line) - len(line.lstrip())]
    # Inside a block, `pass` keeps the block a block (`for …:` then `    !echo` alone); at top level, nothing.
    return f"{indent}pass" if indent else ""


def _parse(lines: list[str]) -> ast.Module | None:
    try:
        return ast.parse("\n".join(lines))
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # ValueError: a null byte
        return None


def _parse_problem(lines: list[str]) -> str:
    try:
        ast.parse("\n".join(lines))
    except SyntaxError as exc:
        return f"line {exc.lineno}: {exc.msg}"
    except (ValueError, RecursionError, MemoryError) as exc:
        return _short(str(exc) or type(exc).__name__, 80)
    return "it parses"


def definitions_only(lines: list[str], body: list[ast.stmt], wanted: set[int] | None = None) -> list[str]:
    """The cell's lines with only its imports and top-level def/class statements (decorators
    included) kept, every other line blank: line numbers stay those of the cell. `wanted` keeps
    only the statements at those indexes of `body`."""
    kept = [""] * len(lines)
    chosen = [(index, node) for index, node in enumerate(body)
              if isinstance(node, DEFINITIONS + IMPORTS) and (wanted is None or index in wanted)]
    for _, node in chosen:
        start, end = _first_line(node), node.end_lineno or node.lineno
        if isinstance(node, IMPORTS) and any(_overlaps(node, other) for other in body if other is not node):
            # `import torch; train()`: a compound statement never shares a line, a simple one may.
            # Each import of such a line alone, rewritten on its first line (ast.unparse keeps its meaning).
            first = kept[start - 1]
            kept[start - 1] = f"{first}; {ast.unparse(node)}" if first else ast.unparse(node)
            continue
        kept[start - 1:end] = lines[start - 1:end]
    return kept


def _first_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])


def _overlaps(a: ast.stmt, b: ast.stmt) -> bool:
    return _first_line(a) <= (b.end_lineno or b.lineno) and _first_line(b) <= (a.end_lineno or a.lineno)


# ------------------------------------------------------------------ a kernel's history (dlcheck.check)

def history_submission(history: list[str], name: str, entry_point: str) -> Submission | None:
    """From a kernel's inputs (In[1], In[2] … as run), the latest definition of `entry_point` and,
    transitively, of every name it uses that a def, class or import of the history binds, each
    from its own input, in the order they ran. Only what the function needs: an old cell's helper
    or import that the function no longer uses is not graded (nor checked against the rules).
    None when no input defines `entry_point`."""
    statements = _history_statements(history)
    latest = {bound: (number, index) for number, index, node in statements for bound in _bound_names(node)}
    if entry_point not in latest:
        return None
    needed, todo = set(), [entry_point]
    nodes = {(number, index): node for number, index, node in statements}
    while todo:
        bound = todo.pop()
        where = latest.get(bound)
        if where is None or where in needed:
            continue
        needed.add(where)
        todo.extend(_used_names(nodes[where]))
    needed |= {(n, i) for n, i, node in statements if isinstance(node, ast.ImportFrom) and _is_star(node)}
    script = _Script()
    for number, source in enumerate(history):
        wanted = {index for n, index in needed if n == number}
        if wanted:
            lines = python_lines(source)
            script.add(f"In [{number}]", definitions_only(lines, _parse(lines).body, wanted))
    return script.submission(name)


def _history_statements(history: list[str]) -> list[tuple[int, int, ast.stmt]]:
    found = []
    for number, source in enumerate(history):
        tree = _parse(python_lines(source)) if isinstance(source, str) else None
        if tree is not None:
            found += [(number, index, node) for index, node in enumerate(tree.body)
                      if isinstance(node, DEFINITIONS + IMPORTS)]
    return found


def _bound_names(node: ast.stmt) -> list[str]:
    if isinstance(node, DEFINITIONS):
        return [node.name]
    if isinstance(node, ast.Import):
        return [alias.asname or alias.name.split(".")[0] for alias in node.names]
    return [alias.asname or alias.name for alias in node.names if alias.name != "*"]


def _is_star(node: ast.ImportFrom) -> bool:
    return any(alias.name == "*" for alias in node.names)


def _used_names(node: ast.stmt) -> set[str]:
    """Every name the statement reads anywhere (its body, decorators, defaults, bases): more than it
    needs where a local shadows a global, which only adds a definition the function does not use."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} if isinstance(node, DEFINITIONS) else set()
