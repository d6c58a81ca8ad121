"""An exercise's examples (solutions/<id>_examples.yaml): submissions with the grade each must
get, compared with the grade it got.

Used by `dlcheck validate` and by tests/test_examples.py, so an exercise is proven by its YAML.
"""

from __future__ import annotations

from .results import GradeResult
from .spec import Example

MESSAGE_EXCERPT = 300


def example_text(example: Example) -> str:
    """The submission: a code exercise's whole file, or a symbolic exercise's answer."""
    return example.code if example.code is not None else example.answer or ""


def example_problems(example: Example, result: GradeResult) -> list[str]:
    """How the result differs from what the example says (empty when it holds)."""
    problems = []
    if result.status != example.status:
        problems.append(f"status {result.status}, expected {example.status}")
    named = result.diagnosis["id"] if result.diagnosis else None
    if named != example.diagnosis:
        problems.append(f"diagnosed as {_mistake(named)}, expected {_mistake(example.diagnosis)}")
    missing = [fragment for fragment in example.fragments if fragment not in result.message]
    if missing:
        problems.append(f"the message lacks {' and '.join(repr(f) for f in missing)}")
    if problems:
        problems.append(f"message: {result.message[:MESSAGE_EXCERPT]}")
    return problems


def _mistake(mistake_id: str | None) -> str:
    return f"'{mistake_id}'" if mistake_id else "no known mistake"
