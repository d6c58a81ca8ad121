"""The commands around the student's loop, through the real CLI on real files: reset and its backups,
solution after a pass, list (points, chapter bars, wrapping, chapter names), --version, saving a
case to debug it, the workspace found from anywhere inside it, drafts, a committable workspace."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from itertools import takewhile
from pathlib import Path

import pytest

from dlcheck import __version__
from tests.conftest import FIXTURE_COURSE, REPO, SUBMISSIONS, put, run_cli



@pytest.fixture
def env(tmp_path):
    return {"DLCHECK_COURSE": str(FIXTURE_COURSE), "DLCHECK_WORKSPACE": str(tmp_path / "ws"),
            "COLUMNS": "120", "XDG_CACHE_HOME": str(tmp_path / "cache")}


@pytest.fixture
def own_course(tmp_path):
    """A copy of the fixture course this test may change (course.yaml, drafts)."""
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def dlcheck(tmp_path, env, *args, cwd=None):
    return run_cli(*args, cwd=cwd or tmp_path, env=env)


def without_workspace_env(env: dict, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """The CLI with no --workspace and no $DLCHECK_WORKSPACE: it has to find the workspace itself."""
    full = {k: v for k, v in {**os.environ, **env}.items() if k != "DLCHECK_WORKSPACE"}
    return subprocess.run([sys.executable, "-m", "dlcheck", *args], cwd=cwd, env=full, capture_output=True,
                          text=True, timeout=120)


def state(tmp_path) -> dict:
    return json.loads((tmp_path / "ws" / ".dlcheck" / "state.json").read_text())


def flat(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------------ reset and start --force

def test_reset_backs_up_the_file_writes_the_starter_and_forgets_hints_and_grade(tmp_path, env):
    target = put(tmp_path, "scaled_sum", "scaled_sum_mean")
    mine = target.read_text()
    assert dlcheck(tmp_path, env, "grade", "scaled_sum").returncode == 1
    assert dlcheck(tmp_path, env, "hint", "scaled_sum").returncode == 0
    assert "scaled_sum" in state(tmp_path)["results"] and state(tmp_path)["hints"]["scaled_sum"] == 1

    first = dlcheck(tmp_path, env, "reset", "scaled_sum")
    assert first.returncode == 0, first.stderr
    backups = sorted((tmp_path / "ws" / ".dlcheck" / "backups").iterdir())
    assert len(backups) == 1 and re.fullmatch(r"scaled_sum\.\d{8}-\d{6}\.py", backups[0].name)
    assert backups[0].read_text() == mine
    assert str(backups[0]) in flat(first.stdout)
    assert "raise NotImplementedError" in target.read_text()
    assert "scaled_sum" not in state(tmp_path)["results"] and "scaled_sum" not in state(tmp_path)["hints"]
    listed = json.loads(dlcheck(tmp_path, env, "list", "--format", "json").stdout)["exercises"]
    assert next(r for r in listed if r["id"] == "scaled_sum")["status"] == "started"

    # Two resets in the same second: the second backup is a new file, the first is kept as it was.
    target.write_text("# second attempt\n")
    assert dlcheck(tmp_path, env, "reset", "scaled_sum").returncode == 0
    target.write_text("# third attempt\n")
    assert dlcheck(tmp_path, env, "reset", "scaled_sum").returncode == 0
    contents = sorted(p.read_text() for p in (tmp_path / "ws" / ".dlcheck" / "backups").iterdir())
    assert contents == sorted([mine, "# second attempt\n", "# third attempt\n"])


def test_start_force_backs_up_before_overwriting(tmp_path, env):
    target = put(tmp_path, "halve", "halve_float")
    mine = target.read_text()
    done = dlcheck(tmp_path, env, "start", "halve", "--force")
    assert done.returncode == 0
    [backup] = (tmp_path / "ws" / ".dlcheck" / "backups").iterdir()
    assert backup.read_text() == mine and "raise NotImplementedError" in target.read_text()
    assert "Backed up" in done.stdout


def test_reset_refuses_a_link_and_changes_nothing(tmp_path, env):
    (tmp_path / "ws").mkdir()
    elsewhere = tmp_path / "precious.py"
    elsewhere.write_text("# not the student's workspace file\n")
    link = tmp_path / "ws" / "scaled_sum.py"
    link.symlink_to(elsewhere)
    done = dlcheck(tmp_path, env, "reset", "scaled_sum")
    assert done.returncode == 2 and "symbolic link" in done.stderr
    assert link.is_symlink() and elsewhere.read_text() == "# not the student's workspace file\n"
    assert not (tmp_path / "ws" / ".dlcheck" / "backups").exists() or not any(
        (tmp_path / "ws" / ".dlcheck" / "backups").iterdir())


def test_reset_refuses_a_linked_backup_directory(tmp_path, env):
    put(tmp_path, "scaled_sum", "scaled_sum_mean")
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "ws" / ".dlcheck").mkdir()
    (tmp_path / "ws" / ".dlcheck" / "backups").symlink_to(outside)
    done = dlcheck(tmp_path, env, "reset", "scaled_sum")
    assert done.returncode == 2 and "backups" in done.stderr
    assert list(outside.iterdir()) == []
    assert "mean" in (tmp_path / "ws" / "scaled_sum.py").read_text()  # not replaced: nothing was backed up


# ------------------------------------------------------------------ solution

def test_solution_is_refused_by_default(tmp_path, env):
    put(tmp_path, "scaled_sum", "scaled_sum_ok")
    assert dlcheck(tmp_path, env, "grade", "scaled_sum").returncode == 0
    done = dlcheck(tmp_path, env, "solution", "scaled_sum")
    assert done.returncode == 2 and "does not show solutions" in done.stderr
    assert "course.yaml" in done.stderr and "show_solutions_after_pass" in done.stderr
    assert "alpha * x.sum" not in done.stdout


def test_solution_is_shown_only_after_a_recorded_pass(tmp_path, env, own_course):
    (own_course / "course.yaml").write_text("show_solutions_after_pass: true\n")
    env = {**env, "DLCHECK_COURSE": str(own_course)}
    before = dlcheck(tmp_path, env, "solution", "scaled_sum")
    assert before.returncode == 2 and "not been graded yet" in before.stderr
    put(tmp_path, "scaled_sum", "scaled_sum_mean")
    assert dlcheck(tmp_path, env, "grade", "scaled_sum").returncode == 1
    failing = dlcheck(tmp_path, env, "solution", "scaled_sum")
    assert failing.returncode == 2 and "'fail'" in failing.stderr and "alpha * x.sum" not in failing.stdout
    put(tmp_path, "scaled_sum", "scaled_sum_ok")
    assert dlcheck(tmp_path, env, "grade", "scaled_sum").returncode == 0
    shown = dlcheck(tmp_path, env, "solution", "scaled_sum")
    assert shown.returncode == 0, shown.stderr
    assert "return alpha * x.sum(dim=-1)" in shown.stdout and "Reference solution of scaled_sum" in shown.stdout


def test_solution_is_refused_where_the_copy_has_no_solutions(tmp_path, env, own_course):
    (own_course / "course.yaml").write_text("show_solutions_after_pass: true\n")
    env = {**env, "DLCHECK_COURSE": str(own_course)}
    put(tmp_path, "scaled_sum", "scaled_sum_ok")
    assert dlcheck(tmp_path, env, "grade", "scaled_sum").returncode == 0
    (own_course / "solutions" / "scaled_sum.py").unlink()  # a student's copy: exercises/ only
    done = dlcheck(tmp_path, env, "solution", "scaled_sum")
    assert done.returncode == 2 and "no reference for 'scaled_sum'" in done.stderr


def test_a_malformed_course_yaml_names_the_file_and_the_field(tmp_path, env, own_course):
    (own_course / "course.yaml").write_text("show_solution_after_pass: true\n")
    done = dlcheck(tmp_path, {**env, "DLCHECK_COURSE": str(own_course)}, "solution", "scaled_sum")
    assert done.returncode == 2
    assert str(own_course / "course.yaml") in done.stderr and "show_solution_after_pass" in done.stderr
    (own_course / "course.yaml").write_text("show_solutions_after_pass: sometimes\n")
    typed = dlcheck(tmp_path, {**env, "DLCHECK_COURSE": str(own_course)}, "solution", "scaled_sum")
    assert typed.returncode == 2 and "show_solutions_after_pass" in typed.stderr and "bool" in typed.stderr


# ------------------------------------------------------------------ list and --version

def test_list_at_80_columns_shows_every_title_whole(tmp_path, env):
    env = {**env, "DLCHECK_COURSE": str(REPO), "COLUMNS": "80"}
    rows = json.loads(dlcheck(tmp_path, env, "list", "--format", "json").stdout)["exercises"]
    text = dlcheck(tmp_path, env, "list").stdout
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= 80
    words = flat(text)
    for row in rows:
        assert flat(row["title"]) in words, row["title"]  # wrapped onto lines of its own, never cut
    wide = dlcheck(tmp_path, {**env, "COLUMNS": "140"}, "list").stdout
    assert "…" not in wide
    lines = wide.splitlines()
    column = 2 + max(len(row["id"]) for row in rows) + 2  # where the title column starts
    for row in rows:
        at = next(i for i, line in enumerate(lines) if line.startswith(f"  {row['id']} "))
        title = [lines[at][column:].split("  ")[0]]  # the title, then the kind, points and status columns
        title += [line.strip() for line in takewhile(lambda line: line.startswith(" " * column), lines[at + 1:])]
        assert flat(" ".join(title)) == flat(row["title"])


def test_list_shows_points_and_a_progress_bar_per_chapter(tmp_path, env):
    put(tmp_path, "scaled_sum", "scaled_sum_ok")
    put(tmp_path, "square_grad", "square_grad_backward")  # breaks the no-autograd rule: 0 points
    put(tmp_path, "halve", "halve_float")
    assert dlcheck(tmp_path, env, "grade", "--all").returncode == 1
    text = dlcheck(tmp_path, env, "list").stdout
    ml = next(line for line in text.splitlines() if line.startswith("ML basics"))
    assert "━" * 10 + "─" * 10 in ml and "1/2 passed" in ml
    scaled = next(line for line in text.splitlines() if line.strip().startswith("scaled_sum"))
    assert re.search(r"\b5/5\s+passed", scaled)
    halve = next(line for line in text.splitlines() if line.strip().startswith("halve"))
    score = state(tmp_path)["results"]["halve"]["score"]
    assert re.search(rf"\b{score:g}/2\s+failing", halve)
    assert re.search(r"apply_model\s+.*\b10\s+not started", text)  # not graded: the points possible
    listing = json.loads(dlcheck(tmp_path, env, "list", "--format", "json").stdout)
    chapters = {c["chapter"]: c for c in listing["chapters"]}
    assert chapters["ml-basics"]["points"] == 5 + 4 and chapters["ml-basics"]["score"] == 5
    assert next(r for r in listing["exercises"] if r["id"] == "apply_model")["score"] is None


def test_list_chapter_names_ignore_case_and_suggest_on_a_typo(tmp_path, env):
    env = {**env, "DLCHECK_COURSE": str(REPO)}
    for name in ("VAE", "vae", "Normalizing Flows", "ML-Basics"):
        done = dlcheck(tmp_path, env, "list", "--chapter", name, "--format", "json")
        assert done.returncode == 0, (name, done.stderr)
        assert len({r["chapter"] for r in json.loads(done.stdout)["exercises"]}) == 1
    typo = dlcheck(tmp_path, env, "list", "--chapter", "difusion")
    assert typo.returncode == 2 and "Did you mean 'diffusion'?" in typo.stderr


def test_version(tmp_path, env):
    done = dlcheck(tmp_path, env, "--version")
    assert done.returncode == 0 and done.stdout == f"dlcheck {__version__}\n"


# ------------------------------------------------------------------ --save-case

def test_save_case_writes_the_first_failing_public_case_as_the_grader_drew_it(tmp_path, env, fixture_grader,
                                                                             fixture_course):
    import torch

    put(tmp_path, "scaled_sum", "scaled_sum_mean")
    done = dlcheck(tmp_path, env, "grade", "scaled_sum", "--save-case", "debug")
    assert done.returncode == 1, done.stderr  # the grade's own exit code
    first_failing = re.search(r"case: (.+?)\s*│", done.stdout).group(1)  # the report's first failing case
    assert f"('{first_failing}')" in done.stdout and "run_case.py" in done.stdout
    saved = torch.load(tmp_path / "debug" / "case.pt", weights_only=True)
    cases = [c for c in fixture_grader.reference_cases(fixture_course.get("scaled_sum")) if not c.hidden]
    case = next(c for c in cases if c.name == first_failing)
    assert saved["function"] == "scaled_sum" and list(saved["args"]) == ["x", "alpha"]
    assert torch.equal(saved["args"]["x"], torch.from_numpy(case.inputs["x"].array.copy()))
    assert saved["args"]["alpha"] == case.inputs["alpha"]
    assert torch.equal(saved["expected"], torch.from_numpy(case.expected.array.copy()))
    ran = subprocess.run([sys.executable, str(tmp_path / "debug" / "run_case.py")], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    got = saved["args"]["alpha"] * saved["args"]["x"].mean(dim=-1)  # what scaled_sum_mean computes
    torch.set_printoptions(precision=6)  # as run_case.py prints
    try:
        assert f"got:      {got!r}" in ran.stdout and f"expected: {saved['expected']!r}" in ran.stdout
    finally:
        torch.set_printoptions(profile="default")


def test_save_case_n_and_a_callable_argument(tmp_path, env):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "apply_model.py").write_text("def apply_model(model, x):\n    return model(x, 3)\n")
    done = dlcheck(tmp_path, env, "grade", "apply_model", "--case", "2", "--save-case", "d")
    assert done.returncode == 1 and "Saved public case 2/2 ('random #2')" in flat(done.stdout)
    ran = subprocess.run([sys.executable, "d/run_case.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    values = re.findall(r"tensor\(\[([^\]]+)\]", ran.stdout)  # x, got, expected
    x, got, expected = ([float(v) for v in group.split(",")] for group in values)
    assert got == pytest.approx([3 / 2 * e for e in expected], rel=1e-3)  # t = 3 where the reference passes t = 2
    other = tmp_path / "fixed.py"
    other.write_text("def apply_model(model, x):\n    return model(x, 2)\n")
    again = subprocess.run([sys.executable, "d/run_case.py", str(other)], cwd=tmp_path, capture_output=True,
                           text=True, timeout=120)
    _, got, expected = re.findall(r"tensor\(\[([^\]]+)\]", again.stdout)
    assert got == expected


def test_hidden_cases_are_never_saved(tmp_path, env):
    put(tmp_path, "halve", "halve_hardcoded")  # every public case passes, hidden ones fail
    done = dlcheck(tmp_path, env, "grade", "halve", "--save-case", "d")
    assert done.returncode == 2 and "hidden" in done.stderr and "never saved" in done.stderr
    assert "✗ halve: FAIL" in done.stdout  # the report came first
    assert not (tmp_path / "d").exists()
    beyond = dlcheck(tmp_path, env, "grade", "halve", "--case", "3", "--save-case", "d")
    assert beyond.returncode == 2 and "has 2 public cases" in beyond.stderr and not (tmp_path / "d").exists()


def test_save_case_usage_errors(tmp_path, env):
    put(tmp_path, "scaled_sum", "scaled_sum_ok")
    alone = dlcheck(tmp_path, env, "grade", "scaled_sum", "--case", "1")
    assert alone.returncode == 2 and "--save-case" in alone.stderr
    passing = dlcheck(tmp_path, env, "grade", "scaled_sum", "--save-case", "d")
    assert passing.returncode == 2 and "every case passes" in passing.stderr and not (tmp_path / "d").exists()
    everything = dlcheck(tmp_path, env, "grade", "--all", "--save-case", "d")
    assert everything.returncode == 2 and not (tmp_path / "d").exists()


# ------------------------------------------------------------------ finding the workspace

def test_the_workspace_is_found_from_anywhere_inside_it(tmp_path, env):
    project = tmp_path / "project"
    (project / "dlcheck-work" / "notes").mkdir(parents=True)
    (project / "src").mkdir()
    from_notes = without_workspace_env(env, project / "dlcheck-work" / "notes", "start", "scaled_sum")
    assert from_notes.returncode == 0 and (project / "dlcheck-work" / "scaled_sum.py").is_file()
    assert not (project / "dlcheck-work" / "notes" / "dlcheck-work").exists()
    from_src = without_workspace_env(env, project / "src", "start", "halve")
    assert from_src.returncode == 0 and (project / "dlcheck-work" / "halve.py").is_file()

    shutil.copy(SUBMISSIONS / "scaled_sum_mean.py", project / "dlcheck-work" / "scaled_sum.py")
    graded = without_workspace_env(env, project / "dlcheck-work" / "notes", "grade", "scaled_sum")
    assert graded.returncode == 1
    assert f"graded {project / 'dlcheck-work' / 'scaled_sum.py'}" in flat(graded.stdout)

    # Any directory holding dlcheck's .dlcheck/ is a workspace too; the explicit settings still win.
    mine = tmp_path / "elsewhere" / "my work"
    (mine / ".dlcheck").mkdir(parents=True)
    (mine / "deep").mkdir()
    assert without_workspace_env(env, mine / "deep", "start", "halve").returncode == 0
    assert (mine / "halve.py").is_file()
    explicit = without_workspace_env(env, mine / "deep", "start", "halve", "--workspace", str(tmp_path / "x"))
    assert explicit.returncode == 0 and (tmp_path / "x" / "halve.py").is_file()
    assert dlcheck(tmp_path, env, "start", "halve", cwd=mine / "deep").returncode == 0
    assert (tmp_path / "ws" / "halve.py").is_file()  # $DLCHECK_WORKSPACE


def test_without_a_workspace_around_start_creates_dlcheck_work_here(tmp_path, env):
    here = tmp_path / "fresh"
    here.mkdir()
    done = without_workspace_env(env, here, "start", "halve")
    assert done.returncode == 0 and (here / "dlcheck-work" / "halve.py").is_file()
    assert "dlcheck-work/halve.py" in done.stdout


# ------------------------------------------------------------------ drafts

def test_drafts_are_hidden_from_students_but_validate_sees_them(tmp_path, env, own_course):
    env = {**env, "DLCHECK_COURSE": str(own_course)}
    assert dlcheck(tmp_path, env, "new", "unfinished", "--kind", "code", "--chapter", "cnn").returncode == 0
    spec = (own_course / "exercises" / "halve.yaml").read_text().replace("id: halve", "id: halve_draft")
    (own_course / "exercises" / "halve_draft.yaml").write_text(spec + "draft: true\n")
    shutil.copy(own_course / "solutions" / "halve.py", own_course / "solutions" / "halve_draft.py")
    shutil.copy(own_course / "solutions" / "halve_mistakes.py", own_course / "solutions" / "halve_draft_mistakes.py")

    listed = dlcheck(tmp_path, env, "list")
    assert "halve " in listed.stdout and "unfinished" not in listed.stdout and "halve_draft" not in listed.stdout
    ids = {r["id"] for r in json.loads(dlcheck(tmp_path, env, "list", "--format", "json").stdout)["exercises"]}
    assert ids == {"scaled_sum", "square_grad", "halve", "apply_model"}

    put(tmp_path, "halve", "halve_float")
    shutil.copy(SUBMISSIONS / "halve_float.py", tmp_path / "ws" / "halve_draft.py")
    graded = dlcheck(tmp_path, env, "grade", "--all", "--format", "json", "--allow-weak-sandbox")
    assert [r["exercise"] for r in json.loads(graded.stdout)["results"]] == ["halve"]

    proven = dlcheck(tmp_path, env, "validate", "halve_draft", "unfinished", "--no-examples")
    assert "✓ halve_draft" in proven.stdout and "✗ unfinished" in proven.stdout
    one = dlcheck(tmp_path, env, "grade", "halve_draft")  # by its id, an instructor can still grade it
    assert "halve_draft" in one.stdout


# ------------------------------------------------------------------ a committable workspace (GitHub Classroom)

def git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)


@pytest.mark.parametrize("with_repo_gitignore", [True, False])
def test_the_workspace_commits_without_dlchecks_state(tmp_path, env, with_repo_gitignore):
    repo = tmp_path / "classroom"
    repo.mkdir()
    git(repo, "init", "-q")
    if with_repo_gitignore:
        shutil.copy(REPO / ".gitignore", repo / ".gitignore")
    work = repo / "dlcheck-work"
    env = {**env, "DLCHECK_WORKSPACE": str(work)}
    assert dlcheck(tmp_path, env, "start", "scaled_sum").returncode == 0
    assert dlcheck(tmp_path, env, "hint", "scaled_sum").returncode == 0
    (work / "scaled_sum.py").write_text("# my attempt\n")
    assert dlcheck(tmp_path, env, "reset", "scaled_sum").returncode == 0  # a backup in .dlcheck/backups/
    assert (work / ".dlcheck" / "state.json").is_file() and any((work / ".dlcheck" / "backups").iterdir())
    git(repo, "add", "dlcheck-work")
    staged = git(repo, "diff", "--cached", "--name-only").stdout.split()
    assert staged == ["dlcheck-work/scaled_sum.py"]
