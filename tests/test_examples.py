"""Every example in every spec (`examples:` in exercises/<id>.yaml) grades as it says, through the
real engine: one test per example, so a failure names the exercise and the example.

These are the "this form passes", "this mistake is named", "this fails with that message" tests
of each exercise, kept as data; tests/exercises/ keeps the tests that compute an independent
oracle. `dlcheck validate ID` runs the same check (dlcheck/examples.py)."""

from __future__ import annotations

import pytest

from dlcheck.catalog import Course
from dlcheck.examples import example_problems, example_text
from dlcheck.validate import grade_candidate
from tests.conftest import REPO

EXAMPLES = [(spec.id, example.name) for spec in Course(REPO).specs for example in spec.examples]


@pytest.mark.parametrize("exercise_id, example_name", EXAMPLES, ids=[f"{e}: {n}" for e, n in EXAMPLES])
def test_example_grades_as_the_spec_says(course, grader, exercise_id, example_name):
    spec = course.get(exercise_id)
    example = next(e for e in spec.examples if e.name == example_name)
    problems = example_problems(example, grade_candidate(grader, spec, example_text(example)))
    assert not problems, "\n".join(problems)


def test_the_catalog_has_examples_of_both_kinds(course):
    kinds = {spec.kind for spec in course.specs if spec.examples}
    assert kinds == {"code", "symbolic"}
