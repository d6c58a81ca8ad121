"""Every example in every spec (`examples:` in solutions/<id>_examples.yaml) grades as it says, through the
real engine: one test per example, so a failure names the exercise and the example.

These are the "this form passes", "this mistake is named", "this fails with that message" tests
of each exercise, kept as data; tests/exercises/ keeps the tests that compute an independent
oracle. `dlcheck validate ID` runs the same check (dlcheck/examples.py)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from dlcheck.catalog import Course
from dlcheck.examples import example_problems, example_text
from dlcheck.validate import grade_candidate
from tests.conftest import REPO

EXAMPLES = [(spec.id, example.name) for spec in Course(REPO).specs for example in spec.examples]


@pytest.fixture(scope="session")
def graded(grader):
    """grade(spec, example) -> GradeResult. A symbolic answer is judged in a worker process of its
    own, so an exercise's answers are judged together, two at a time, when the first is asked for."""
    results = {}

    def grade(spec, example):
        if spec.kind == "symbolic" and (spec.id, example.name) not in results:
            with ThreadPoolExecutor(max_workers=2) as pool:
                texts = [example_text(e) for e in spec.examples]
                judged = pool.map(lambda text: grade_candidate(grader, spec, text), texts)
                results.update({(spec.id, e.name): result for e, result in zip(spec.examples, judged)})
        if spec.kind == "symbolic":
            return results.pop((spec.id, example.name))
        return grade_candidate(grader, spec, example_text(example))

    return grade


@pytest.mark.parametrize("exercise_id, example_name", EXAMPLES, ids=[f"{e}: {n}" for e, n in EXAMPLES])
def test_example_grades_as_the_spec_says(course, graded, exercise_id, example_name):
    spec = course.get(exercise_id)
    example = next(e for e in spec.examples if e.name == example_name)
    problems = example_problems(example, graded(spec, example))
    assert not problems, "\n".join(problems)


def test_every_exercise_has_examples(course):
    assert [spec.id for spec in course.specs if not spec.examples] == []
