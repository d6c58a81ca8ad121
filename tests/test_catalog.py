"""Every exercise in the course is proven by the real `dlcheck validate` (run once, through the CLI):
reference passes, each known mistake fails and is diagnosed as itself, the starter fails, cases
are deterministic (see dlcheck/validate.py)."""

from __future__ import annotations

import json

import pytest

from dlcheck.catalog import Course
from tests.conftest import REPO, run_cli

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


@pytest.fixture(scope="module")
def validation(tmp_path_factory) -> dict[str, dict]:
    """`dlcheck validate --format json` on the whole catalog, by exercise id. The spec examples are
    graded once, in tests/test_examples.py (one test per example), not a second time here."""
    tmp = tmp_path_factory.mktemp("validate")
    done = run_cli("validate", "--no-examples", "--format", "json", cwd=tmp, timeout=1800,
                   env={"DLCHECK_COURSE": str(REPO), "XDG_CACHE_HOME": str(tmp / "cache")})
    report = json.loads(done.stdout)
    assert done.returncode == (0 if report["ok"] else 1)
    return {entry["exercise"]: entry for entry in report["exercises"]}


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_exercise_is_proven(course, validation, exercise_id):
    failed = [f"{c['name']}: {c['detail']}" for c in validation[exercise_id]["checks"] if not c["ok"]]
    assert not failed, "\n".join(failed)
    spec = course.get(exercise_id)
    assert len(spec.mistakes) >= 2, "every exercise lists at least two known mistakes"
    assert len(spec.hints) >= 2, "every exercise has at least two hints"
