"""`dlcheck gradescope build ASSIGNMENT OUT.zip` through the real CLI, and the zip's run_autograder
run for real (bash) against a temporary directory laid out like Gradescope's /autograder, with
dlcheck already installed (setup.sh, which installs it on Gradescope, is only checked with bash -n).
run_autograder must always leave a results.json that Gradescope accepts (its schema: the one in
tests/fixtures/schemas), whatever stops the grading.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.cli.test_platforms import ASSIGNMENT, GRADESCOPE, SECRET, SUBMISSIONS
from tests.conftest import FIXTURE_COURSE, REPO, run_cli
from tests.security.configurations import BY_NAME, launch_command, why_unavailable


def build(tmp_path: Path, *options: str, visibility: str = "hidden", course: Path = FIXTURE_COURSE,
          exit_code: int = 0) -> subprocess.CompletedProcess:
    (tmp_path / "week1.yaml").write_text(ASSIGNMENT.format(visibility=visibility))
    done = run_cli("gradescope", "build", "week1.yaml", "autograder.zip", "--course", str(course), *options,
                   cwd=tmp_path, env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert done.returncode == exit_code, (done.stdout, done.stderr[-1500:])
    return done


def autograder(tmp_path: Path, submission: dict[str, str], *options: str, within: str = "") -> Path:
    """/autograder as Gradescope lays it out: source/ (the zip, unpacked), submission/ (the files)."""
    build(tmp_path, *options)
    root = tmp_path / "autograder"
    with zipfile.ZipFile(tmp_path / "autograder.zip") as archive:
        archive.extractall(root / "source")
    for name in ("run_autograder", "setup.sh"):  # extractall drops the mode bits the zip holds
        (root / "source" / name).chmod(0o755)
    folder = root / "submission" / within
    folder.mkdir(parents=True)
    for exercise_id, fixture in submission.items():
        shutil.copy(SUBMISSIONS / f"{fixture}.py", folder / f"{exercise_id}.py")
    return root


def run_autograder(root: Path, python: str = sys.executable, path: str | None = None,
                   config: str | None = None) -> dict:
    env = {"PATH": path or os.environ["PATH"], "HOME": str(root), "PYTHONPATH": str(REPO),
           "DLCHECK_AUTOGRADER_ROOT": str(root), "DLCHECK_AUTOGRADER_PYTHON": python,
           "XDG_CACHE_HOME": str(root / "cache")}
    command = [shutil.which("bash"), str(root / "source" / "run_autograder")]
    if config is not None:
        command = launch_command(BY_NAME[config], command)
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr[-2000:])
    results = json.loads((root / "results" / "results.json").read_text())
    GRADESCOPE.validate(results)
    return results


def test_the_zip_holds_what_gradescope_runs_at_its_root(tmp_path):
    done = build(tmp_path)
    assert "3 exercise(s): scaled_sum, halve, square_grad" in done.stdout
    path = tmp_path / "autograder.zip"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds the references and the secret
    with zipfile.ZipFile(path) as archive:
        modes = {info.filename: (info.external_attr >> 16) & 0o777 for info in archive.infolist()}
        setup = archive.read("setup.sh").decode()
        runner = archive.read("run_autograder").decode()
        secret = archive.read("dlcheck-secret").decode()
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755 and modes["dlcheck-secret"] == 0o600
    for name in ("assignment/week1.yaml", "dlcheck-src/pyproject.toml", "dlcheck-src/README.md",
                 "dlcheck-src/dlcheck/cli.py", "dlcheck-src/dlcheck/platforms/gradescope.py",
                 "course/exercises/scaled_sum.yaml", "course/exercises/fixtures.py",
                 "course/solutions/scaled_sum.py", "course/solutions/scaled_sum_mistakes.py"):
        assert modes.get(name) == 0o644, name
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in modes)
    assert len(secret) == 64 and "@@" not in setup + runner
    assert re.search(r"^ASSIGNMENT=assignment/week1\.yaml$", runner, re.M)
    assert re.search(r"^SANDBOX_OPTION= +#", runner, re.M)  # empty: no --allow-weak-sandbox
    assert '--index-url "$TORCH_INDEX" "torch==2.13.0"' in setup and "https://download.pytorch.org/whl/cpu" in setup
    for name, text in (("setup.sh", setup), ("run_autograder", runner)):
        script = tmp_path / name
        script.write_text(text)
        checked = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert checked.returncode == 0, (name, checked.stderr)


def test_run_autograder_grades_the_submission_with_the_assignments_visibility(tmp_path):
    root = autograder(tmp_path, {"scaled_sum": "scaled_sum_mean", "halve": "halve_numpy_int"})
    results = run_autograder(root)
    tests = {t["name"]: t for t in results["tests"]}
    assert tests["scaled_sum: hidden cases"]["visibility"] == "hidden" and tests["halve: hidden cases"]["status"] \
        == "passed"
    assert tests["square_grad"]["status"] == "failed" and "No submission" in tests["square_grad"]["output"]
    assert "mean\\_instead\\_of\\_sum" in tests["scaled_sum: public cases"]["output"]
    assert results["score"] == round(sum(t["score"] for t in results["tests"]), 2) and results["score"] >= 6.0
    assert results["execution_time"] > 0


def test_a_checkouts_dlcheck_work_folder_is_the_workspace_and_the_secret_fixes_hidden_cases(tmp_path):
    root = autograder(tmp_path, {"scaled_sum": "scaled_sum_mean"}, within="dlcheck-work")
    first, again = run_autograder(root), run_autograder(root)  # a regrade: the same hidden cases
    assert first["tests"][0]["name"] == "scaled_sum: public cases"
    assert [t["output"] for t in first["tests"]] == [t["output"] for t in again["tests"]]
    assert (root / "source" / "dlcheck-secret").read_text() != SECRET


def test_a_usage_error_still_leaves_a_results_json_that_says_what_happened(tmp_path):
    root = autograder(tmp_path, {"scaled_sum": "scaled_sum_ok"})
    (root / "source" / "assignment" / "week1.yaml").write_text("exercises: [no_such_exercise]\n")
    results = run_autograder(root)
    assert results["score"] == 0.0 and results["tests"] == []
    assert "set up wrongly" in results["output"] and "No exercise 'no_such_exercise'" in results["output"]


def test_a_dlcheck_that_cannot_start_still_leaves_a_results_json(tmp_path):
    root = autograder(tmp_path, {"scaled_sum": "scaled_sum_ok"})
    gone = run_autograder(root, python=str(tmp_path / "no-such-python"))  # the fallback runs with python3
    assert gone["score"] == 0.0 and "could not run dlcheck (exit status 127)" in gone["output"]
    bare = tmp_path / "bin"  # no Python at all on PATH: the fixed document
    bare.mkdir()
    for tool in ("mkdir", "rm", "cat", "mktemp"):
        (bare / tool).symlink_to(shutil.which(tool))
    nothing = run_autograder(root, python=str(tmp_path / "no-such-python"), path=str(bare))
    assert nothing["score"] == 0.0 and "exit status 127" in nothing["output"]


@pytest.mark.parametrize("config, allow, says", [
    ("root-no-unshare", False, None),  # Docker's seccomp profile, as on Gradescope: Landlock makes it trusted
    ("root-no-unshare-no-landlock", False, "cannot sandbox submissions well enough"),
    ("root-no-unshare-no-landlock", True, "graded with --allow-weak-sandbox"),
])
def test_the_sandbox_on_a_gradescope_like_container(tmp_path, config, allow, says):
    reason = why_unavailable(BY_NAME[config])
    if reason:
        pytest.skip(f"cannot simulate {config} here: {reason}")
    options = ("--allow-weak-sandbox",) if allow else ()
    root = autograder(tmp_path, {"scaled_sum": "scaled_sum_ok", "halve": "halve_numpy_int"}, *options)
    results = run_autograder(root, config=config)
    if says is None:
        assert results["score"] == 11.0 and "allow-weak-sandbox" not in results["output"]
    elif allow:  # graded, and every place a student looks says the grade is weak
        assert results["score"] == 11.0 and says in results["output"]
    else:  # refused (exit 4): nothing graded, and the results say why
        assert results["score"] == 0.0 and results["tests"] == [] and says in results["output"]
        assert "--allow-weak-sandbox" in results["output"]  # dlcheck's own message names the way out


def test_a_course_without_references_or_a_bad_assignment_is_refused_at_build_time(tmp_path):
    students = tmp_path / "students-copy"
    shutil.copytree(FIXTURE_COURSE / "exercises", students / "exercises")
    (students / "solutions").mkdir()
    done = build(tmp_path, course=students, exit_code=2)
    assert "reference solution is missing" in done.stderr and "solutions/scaled_sum.py" in done.stderr
    assert "--course DIR, with solutions/" in done.stderr
    (tmp_path / "bad.yaml").write_text("exercises: [scaled_sun]\n")
    bad = run_cli("gradescope", "build", "bad.yaml", "out.zip", "--course", str(FIXTURE_COURSE), cwd=tmp_path)
    assert bad.returncode == 2 and "Did you mean: scaled_sum?" in bad.stderr
    assert not (tmp_path / "out.zip").exists()
