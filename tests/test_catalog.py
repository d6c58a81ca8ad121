"""Every exercise in the course is proven: reference passes, each known mistake fails and is
diagnosed as itself, the starter fails, cases are deterministic (see dlcheck/validate.py)."""

from __future__ import annotations

import pytest

from dlcheck.catalog import Course
from dlcheck.validate import validate
from tests.conftest import REPO

EXERCISE_IDS = [p.stem for p in Course(REPO).spec_paths()]

CORE_EXERCISES = {
    "conv_shape": "code", "conv_transpose_shape": "code", "rnn_bptt": "code", "kl_gaussian": "code",
    "vae_elbo": "code", "ddpm_sampling": "code", "implicit_surface_grad": "code",
    "conv_shape_formula": "symbolic", "kl_gaussian_1d": "symbolic", "gan_optimal_discriminator": "symbolic",
    "ddpm_posterior_mean": "symbolic", "sigmoid_derivative": "symbolic", "implicit_diff_circle": "symbolic",
}


def test_the_catalog_covers_every_chapter_with_both_kinds(course):
    from dlcheck.chapters import CHAPTERS

    specs = course.specs
    per_chapter = {chapter: [s for s in specs if s.chapter == chapter] for chapter in CHAPTERS}
    thin = {chapter: len(found) for chapter, found in per_chapter.items() if len(found) < 2}
    assert not thin, f"chapters with fewer than two exercises: {thin}"
    assert len(specs) >= 45
    kinds = {s.kind for s in specs}
    assert kinds == {"code", "symbolic"}
    assert sum(s.kind == "symbolic" for s in specs) >= 10


def test_the_core_exercises_exist_with_their_kinds(course):
    kinds = {spec.id: spec.kind for spec in course.specs}
    assert {i: kinds.get(i) for i in CORE_EXERCISES} == CORE_EXERCISES


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_exercise_is_proven(course, grader, exercise_id):
    spec = course.get(exercise_id)
    report = validate(course, spec, grader)
    failed = [f"{c.name}: {c.detail}" for c in report.checks if not c.ok]
    assert not failed, "\n".join(failed)
    assert len(spec.mistakes) >= 2, "every exercise lists at least two known mistakes"
    assert len(spec.hints) >= 2, "every exercise has at least two hints"
