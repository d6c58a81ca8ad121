"""The attack course: small exercises ("slots") for attacks to be graded in, written afresh per run.

Batching several attacks into one `dlcheck grade --all` run keeps tests/security inside its time
budget (every run pays for one torch import), so the course has several interchangeable exercises
per return type, all with the entry point `solve`, short limits and no known mistakes. An attack
written for a slot kind works in any slot of that kind. `halve_*` is the fixture course's `halve`
(n // 2), so an attack that finds tests/fixtures/course/solutions/halve.py can use it too.

Every reference carries REFERENCE_MARKER on its first line: checks.py asserts it never appears in
anything dlcheck prints. The course is written into each run's own directory (owned by the test
uid in non-root configurations, as a student's or CI runner's checkout would be), so an attack that
does change it cannot affect another test.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

REFERENCE_MARKER = f"dlcheck-reference-marker: attack-course-{uuid.uuid4()}"
CASE_SECONDS, TOTAL_SECONDS, MEMORY_MB = 1.5, 2.0, 256

KINDS = {
    # kind: (signature, returns, argument generators, dims, edge case args, reference body)
    "halve": ("solve(n: int) -> int", "int", {"n": {"int": [0, 100000]}}, {}, {"n": {"value": 7}},
              "return n // 2"),
    "mean": ("solve(x: Tensor) -> float", "float", {"x": {"randn": ["N"]}}, {"N": [2, 6]},
             {"x": {"tensor": [1.0, 2.0, 4.0]}}, "return float(x.mean())"),
    "scale": ("solve(x: Tensor) -> Tensor", "tensor", {"x": {"randn": ["N"]}}, {"N": [2, 6]},
              {"x": {"tensor": [1.0, -2.0]}}, "return 2 * x"),
}
SLOTS = {f"{kind}_{letter}": kind for kind, letters in (("halve", "abcdefghi"), ("mean", "abcd"), ("scale", "abcdef"))
         for letter in letters}
# A slot with room for a slow but correct submission (the victim of a concurrent attacker).
SLOW_SLOT, SLOW_CASE_SECONDS, SLOW_TOTAL_SECONDS = "slow_scale", 2.0, 9.0


def _spec(exercise_id: str, kind: str, case_seconds: float, total_seconds: float) -> str:
    signature, returns, args, dims, edge, _ = KINDS[kind]
    return json.dumps({  # JSON is valid YAML, and leaves no doubt about quoting
        "id": exercise_id, "title": f"Attack slot {exercise_id}", "chapter": "ml-basics", "kind": "code",
        "points": 1, "statement": f"`{signature}`", "hints": ["Read the statement."],
        "starter": "def solve(*args):\n    raise NotImplementedError\n", "entry_point": "solve",
        "signature": signature, "returns": returns,
        "limits": {"case_seconds": case_seconds, "total_seconds": total_seconds, "memory_mb": MEMORY_MB},
        "cases": {"seed": sum(map(ord, exercise_id)), "random": 3, "hidden": 3, "dims": dims, "args": args,
                  "edge": [{"name": "edge", "args": edge}]},
    }, indent=1)


def slot_kind(exercise_id: str) -> str:
    return "scale" if exercise_id == SLOW_SLOT else SLOTS[exercise_id]


def write_course(root: Path) -> Path:
    (root / "exercises").mkdir(parents=True)
    (root / "solutions").mkdir()
    # A course has callable factories here; the job message names this file, so attacks can find the course.
    (root / "exercises" / "fixtures.py").write_text('"""No callables in the attack course."""\n')
    slots = {**{s: (k, CASE_SECONDS, TOTAL_SECONDS) for s, k in SLOTS.items()},
             SLOW_SLOT: ("scale", SLOW_CASE_SECONDS, SLOW_TOTAL_SECONDS)}
    for exercise_id, (kind, case_seconds, total_seconds) in slots.items():
        (root / "exercises" / f"{exercise_id}.yaml").write_text(_spec(exercise_id, kind, case_seconds, total_seconds))
        (root / "solutions" / f"{exercise_id}.py").write_text(
            f"# {REFERENCE_MARKER} ({exercise_id})\ndef solve({', '.join(KINDS[kind][2])}):\n"
            f"    {KINDS[kind][5]}\n")
    return root
