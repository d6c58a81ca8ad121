"""`dlcheck grade ID --save-case DIR [--case N]`: one public case, saved for the student's own tools.

Writes DIR/case.pt (torch.save of the case's inputs, and the expected output) and DIR/run_case.py,
a short script that loads them and calls the student's function from their file, in their own
Python: no sandbox, no limits, so print, pdb and an IDE all work. The case is the first failing
public case, or public case N (1-based, in the order of the report's `cases:` strip).

What is saved comes from the grader's case generation: the arguments exactly as the reference
process drew them (dlcheck/cases.py) and sent them to the sandboxed worker, and the reference's
output. Nothing of the student's run is read back, and the grading process runs no student code
and imports no torch: a separate process of dlcheck's own (case_writer.py) turns the encoded case
into torch objects. Hidden cases are never saved: they say pass or fail only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from .errors import GraderFault, UsageError
from .messages import ArrayNode, DictNode, ListNode, TensorNode, TupleNode
from .status import PASS
from .wire import ArrayData, CallableRef, TensorData

CASE_FILE, SCRIPT_FILE = "case.pt", "run_case.py"
WRITER = [sys.executable, "-P", "-m", "dlcheck.case_writer"]
WRITER_SECONDS = 120  # it imports torch, on a machine that may be busy grading


@dataclass
class SavedCase:
    number: int  # 1-based among the public cases
    public: int  # how many public cases there are
    name: str
    directory: Path
    has_expected: bool


def choose_case(spec, result, cases: list, number: int | None) -> int:
    """The index (into `cases`) of the case to save; UsageError saying why none can be."""
    public = [i for i, case in enumerate(cases) if not case.hidden]
    never_hidden = "hidden cases say pass or fail only and are never saved"
    if number is not None:
        if not 1 <= number <= len(public):
            raise UsageError(f"--case {number}: '{spec.id}' has {len(public)} public cases (1 to {len(public)}); "
                             f"{never_hidden}.")
        return public[number - 1]
    ran = len(result.tests) == len(cases) and all(t.name == c.name for t, c in zip(result.tests, cases))
    if not ran:
        raise UsageError(f"Nothing saved: your file did not get as far as a case ({result.message.splitlines()[0]}). "
                         f"Fix that first, or save the case of your choice with --case N.")
    failing = [i for i in public if result.tests[i].status != PASS]
    if failing:
        return failing[0]
    if any(t.status != PASS for t in result.tests):
        raise UsageError(f"Nothing saved: every public case passes and the failing one is hidden; {never_hidden}. "
                         f"Test your function on inputs of your own, or save a public case with --case N.")
    raise UsageError("Nothing saved: every case passes. Save a case anyway with --case N.")


def save_case(spec, result, cases: list, submission: Path, number: int | None, directory: Path,
              fixtures: Path | None) -> SavedCase:
    index = choose_case(spec, result, cases, number)
    case = cases[index]
    if case.hidden:  # choose_case only returns public ones; this is the guarantee, checked here too
        raise GraderFault("refusing to save a hidden case")
    expected = _node_or_none(case.expected)
    payload = msgspec.msgpack.encode({"function": spec.entry_point, "args": case.args, "expected": expected})
    data = _written_by_writer(payload)
    if os.path.lexists(directory) and not directory.is_dir():
        raise UsageError(f"--save-case {directory}: not a directory.")
    directory.mkdir(parents=True, exist_ok=True)
    from .atomic_write import write_atomically

    public = [c for c in cases if not c.hidden]
    saved = SavedCase(public.index(case) + 1, len(public), case.name, directory, expected is not None)
    write_atomically(directory / CASE_FILE, data)
    write_atomically(directory / SCRIPT_FILE, run_case_script(spec, saved, submission,
                                                              fixtures if _has_callable(case.inputs) else None))
    return saved


def _written_by_writer(payload: bytes) -> bytes:
    """case.pt's bytes, from dlcheck's writer process (torch is imported there, not here)."""
    env = {k: v for k, v in os.environ.items() if k != "DLCHECK_SECRET"}  # it needs no secret
    try:
        done = subprocess.run(WRITER, input=payload, capture_output=True, timeout=WRITER_SECONDS, env=env,
                              cwd=tempfile.gettempdir())
    except subprocess.TimeoutExpired:
        raise GraderFault(f"writing the case took more than {WRITER_SECONDS} s") from None
    if done.returncode != 0:
        raise GraderFault(f"writing the case failed: {done.stderr.decode(errors='replace')[-1500:]}")
    return done.stdout


def _node_or_none(value: Any) -> Any:
    """The expected output (grader-side data) as wire nodes again, for the writer; None for a value
    that has no torch form here (a NumPy scalar, an unsupported marker): the report shows it."""
    try:
        return _node(value)
    except TypeError:
        return None


def _node(value: Any) -> Any:
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) in (TensorData, ArrayData):
        kind = ArrayNode if type(value) is ArrayData else TensorNode
        return kind(value.dtype, list(value.shape), memoryview(value.array.tobytes()))
    if type(value) is list:
        return ListNode([_node(v) for v in value])
    if type(value) is tuple:
        return TupleNode([_node(v) for v in value])
    if type(value) is dict and all(type(k) in (str, int) for k in value):
        return DictNode(list(value), [_node(v) for v in value.values()])
    raise TypeError(type(value).__name__)


def _has_callable(inputs: dict) -> bool:
    def walk(value: Any) -> bool:
        if isinstance(value, CallableRef):
            return True
        if isinstance(value, (list, tuple)):
            return any(walk(v) for v in value)
        if isinstance(value, dict):
            return any(walk(v) for v in value.values())
        return False

    return walk(inputs)


def run_case_script(spec, saved: SavedCase, submission: Path, fixtures: Path | None) -> str:
    return SCRIPT.format(number=saved.number, public=saved.public, exercise=spec.id, case=saved.name,
                         submission=str(submission.resolve()),
                         fixtures=str(fixtures) if fixtures else None)


SCRIPT = '''"""A public case of a dlcheck exercise (CASE below), saved by `dlcheck grade --save-case`.

Calls your function on that case's inputs in your own Python (no sandbox, no time limit), so that
print(), breakpoint() or your IDE's debugger work:

    python run_case.py            # your file, as graded (SUBMISSION below)
    python run_case.py OTHER.py   # another version of it
"""

import importlib.util
import sys
from pathlib import Path

import torch

EXERCISE, CASE = {exercise!r}, {case!r}  # public case {number} of {public}
HERE = Path(__file__).resolve().parent
SUBMISSION = Path(sys.argv[1]) if len(sys.argv) > 1 else Path({submission!r})
FIXTURES = {fixtures!r}  # the course's exercises/fixtures.py, which builds a callable argument


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rebuilt(value):
    """A callable argument (a model handed to you) is saved as its recipe; build it again."""
    if isinstance(value, dict) and "dlcheck_callable" in value:
        params = {{name: rebuilt(param) for name, param in value["params"].items()}}
        return getattr(load(FIXTURES, "fixtures"), value["dlcheck_callable"])(**params)
    return value


torch.set_printoptions(precision=6)  # as dlcheck's report shows values
saved = torch.load(HERE / "case.pt", weights_only=True)
args = {{name: rebuilt(value) for name, value in saved["args"].items()}}
function = getattr(load(SUBMISSION, "submission"), saved["function"])
print("inputs:")
for name, value in args.items():
    print(f"  {{name}} = {{value!r}}")
got = function(*args.values())
print("got:     ", repr(got))
print("expected:", repr(saved["expected"]) if saved["has_expected"] else "(see dlcheck's report)")
'''
