"""Submissions written from the statements alone by an independent red team and judged by oracles
that do not use dlcheck (autograd, torch.distributions, finite differences, high precision): every
`ok_*` file is correct and must pass, every `bad_*` file is wrong and must not. Each file's header
says what it is and how its oracle decided (tests/fixtures/redteam/README.md has the table)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlcheck.submission import Submission

REDTEAM = Path(__file__).resolve().parent / "fixtures" / "redteam"
FIXTURES = sorted(REDTEAM.glob("*/*.py"))


@pytest.mark.parametrize("path", FIXTURES, ids=[f"{p.parent.name}/{p.stem}" for p in FIXTURES])
def test_the_red_teams_oracle_verdict_holds(path, course, grader):
    spec = course.get(path.parent.name)
    result = grader.grade(spec, Submission(path.read_text(encoding="utf-8"), f"{spec.id}.py", ".py"))
    if path.stem.startswith("ok_"):
        assert result.status == "pass", result.message
    else:
        assert path.stem.startswith("bad_"), "name red-team fixtures ok_* (correct) or bad_* (wrong)"
        assert result.status != "pass", result.message


def test_there_are_fixtures_of_both_kinds():
    stems = [p.stem for p in FIXTURES]
    assert any(s.startswith("ok_") for s in stems) and any(s.startswith("bad_") for s in stems)
