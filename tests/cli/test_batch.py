"""`dlcheck batch` through the real CLI on a small class built from real files: folders, zips, a git
repository, a submission wrapped in a folder, broken and hostile entries. The fixture course's
scaled_sum and halve are the assignment."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import FIXTURE_COURSE, REPO, run_cli

SUBMISSIONS = REPO / "tests" / "fixtures" / "submissions"
SOLUTIONS = FIXTURE_COURSE / "solutions"
ASSIGNMENT = "name: Week 1\nexercises:\n  - scaled_sum\n  - id: halve\n    points: 5\n"


def env_for(tmp_path: Path, **extra: str) -> dict:
    return {"DLCHECK_COURSE": str(FIXTURE_COURSE), "DLCHECK_SECRET": "test-secret", "COLUMNS": "120",
            "XDG_CACHE_HOME": str(tmp_path / "cache"), **extra}


def put(folder: Path, name: str, source: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, folder / name)


def git(repo: Path, *args: str) -> None:
    dates = {"GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
             "GIT_AUTHOR_NAME": "s", "GIT_AUTHOR_EMAIL": "s@x", "GIT_COMMITTER_NAME": "s",
             "GIT_COMMITTER_EMAIL": "s@x", "HOME": str(repo)}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env={**os.environ, **dates})


def build_class(root: Path) -> Path:
    """Seven students, one of each kind the batch must survive."""
    subs = root / "class"
    put(subs / "alice", "scaled_sum.py", SOLUTIONS / "scaled_sum.py")  # all correct
    put(subs / "alice", "halve.py", SOLUTIONS / "halve.py")
    put(subs / "bob", "scaled_sum.py", SUBMISSIONS / "scaled_sum_mean.py")  # a known mistake
    put(subs / "bob", "Halve.py", SOLUTIONS / "halve.py")  # misnamed
    put(subs / "carol" / "carol-week1", "scaled_sum.py", SUBMISSIONS / "scaled_sum_raises.py")  # wrapped, crashes
    put(subs / "gina", "scaled_sum.py", SUBMISSIONS / "scaled_sum_hangs.py")  # times out
    with zipfile.ZipFile(subs / "dave.zip", "w") as archive:  # a zip with hostile entries
        archive.write(SOLUTIONS / "scaled_sum.py", "scaled_sum.py")
        archive.writestr("../../escaped.py", "print('outside')\n")
        link = zipfile.ZipInfo("halve.py")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, str(SOLUTIONS / "halve.py"))
    (subs / "eve.zip").write_bytes(b"this is not a zip")  # unreadable
    frank = subs / "frank"  # a git repository: its HEAD is graded, not the working tree
    put(frank, "scaled_sum.py", SOLUTIONS / "scaled_sum.py")
    (frank / ".gitattributes").write_text("*.py filter=evil\n")
    git(frank, "init", "-q")
    git(frank, "add", ".")
    git(frank, "commit", "-q", "-m", "week 1")
    (frank / "scaled_sum.py").write_text("def scaled_sum(x, alpha):\n    return x\n")  # after the deadline
    with open(frank / ".git" / "config", "a") as config:  # what a hostile repository could configure
        config.write(f"[filter \"evil\"]\n\tsmudge = touch {root / 'pwned'}\n\tclean = cat\n")
    (root / "week1.yaml").write_text(ASSIGNMENT)
    return subs


def batch(tmp_path: Path, subs: Path, *extra: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return run_cli("batch", str(subs), "--assignment", str(tmp_path / "week1.yaml"), "--out", str(tmp_path / "out"),
                   *extra, cwd=tmp_path, env=env_for(tmp_path), timeout=timeout)


def gradebook(out: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO((out / "gradebook.csv").read_text())))


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """Graded once; the tests that change the class (reruns) come after those that read it."""
    tmp_path = tmp_path_factory.mktemp("batch")
    subs = build_class(tmp_path)
    done = batch(tmp_path, subs, "--jobs", "2")
    return tmp_path, subs, done


def results_of(out: Path, student: str) -> dict:
    document = json.loads((out / "students" / student / "results.json").read_text())
    return {r["exercise"]: r for r in document["results"]} | {"_doc": document}


def test_the_gradebook_has_a_points_row_and_every_student(graded_class):
    tmp_path, _, done = graded_class
    assert done.returncode == 0, done.stdout + done.stderr
    rows = gradebook(tmp_path / "out")
    assert list(rows[0]) == ["student", "scaled_sum", "halve", "total", "max", "percent", "status"]
    assert rows[0]["student"] == "points possible" and rows[0]["halve"] == "5" and rows[0]["max"] == "10"
    by_id = {row["student"]: row for row in rows[1:]}
    assert sorted(by_id) == ["alice", "bob", "carol", "dave", "eve", "frank", "gina"]
    assert by_id["alice"]["total"] == "10" and by_id["alice"]["percent"] == "100"
    assert by_id["eve"]["status"] == "error" and by_id["eve"]["total"] == "0"
    assert all(by_id[s]["status"] == "graded" for s in by_id if s != "eve")
    assert by_id["frank"]["scaled_sum"] == "5", "the commit is graded, not the edited working tree"


def test_each_student_gets_verdicts_that_name_what_happened(graded_class):
    tmp_path, _, _ = graded_class
    out = tmp_path / "out"
    bob = results_of(out, "bob")
    assert bob["scaled_sum"]["status"] == "fail" and bob["scaled_sum"]["diagnosis"]["id"] == "mean_instead_of_sum"
    assert bob["halve"]["status"] == "missing"
    assert [w["did_you_mean"] for w in bob["_doc"]["warnings"]] == ["halve.py"]
    assert results_of(out, "carol")["scaled_sum"]["status"] == "error"  # found inside its wrapper folder
    gina = results_of(out, "gina")["scaled_sum"]
    assert gina["status"] == "error" and "time" in gina["message"].lower()
    dave = results_of(out, "dave")
    assert dave["scaled_sum"]["status"] == "pass"
    assert dave["halve"]["status"] == "error" and "symbolic link" in dave["halve"]["message"]
    assert "not a readable zip" in (out / "students" / "eve" / "feedback.txt").read_text()
    assert not (out / "students" / "eve" / "results.json").exists()


def test_nothing_a_submission_holds_runs_or_lands_outside(graded_class):
    tmp_path, _, _ = graded_class
    assert not (tmp_path / "pwned").exists(), "git ran a filter the repository configured"
    assert not list(tmp_path.rglob("escaped.py")), "a zip entry was written to disk"


def test_results_follow_the_published_schema_and_feedback_is_the_text_report(graded_class):
    tmp_path, _, _ = graded_class
    schema = json.loads(run_cli("schema", cwd=tmp_path).stdout)
    validator = jsonschema.Draft202012Validator(schema)
    for folder in (tmp_path / "out" / "students").iterdir():
        if (folder / "results.json").exists():
            document = json.loads((folder / "results.json").read_text())
            validator.validate(document)
            assert document["student"] == folder.name
            assert document["assignment"]["name"] == "Week 1"
    feedback = (tmp_path / "out" / "students" / "bob" / "feedback.txt").read_text()
    assert "Week 1 · bob" in feedback and "mean_instead_of_sum" in feedback and "Did you mean halve.py?" in feedback
    manifest = json.loads((tmp_path / "out" / "batch.json").read_text())
    assert manifest["schema"] == "dlcheck.batch/1"
    assert [e["id"] for e in manifest["assignment"]["exercises"]] == ["scaled_sum", "halve"]
    assert {s["id"]: s["status"] for s in manifest["students"]}["eve"] == "error"


def test_the_class_report_names_the_misconception_and_links_feedback(graded_class):
    tmp_path, _, _ = graded_class
    page = (tmp_path / "out" / "report.html").read_text()
    assert "mean_instead_of_sum" in page and "Week 1" in page
    assert 'href="students/bob/feedback.txt"' in page
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', page), "the report must load nothing from the network"


def test_a_rerun_grades_only_what_changed(graded_class):
    tmp_path, subs, _ = graded_class
    again = batch(tmp_path, subs)
    assert again.returncode == 0, again.stderr
    assert "graded 0 submission-exercises" in again.stdout and "reused 12 unchanged" in again.stdout
    before = gradebook(tmp_path / "out")
    shutil.copy(SOLUTIONS / "scaled_sum.py", subs / "bob" / "scaled_sum.py")  # bob fixes his mistake
    fixed = batch(tmp_path, subs)
    assert "graded 1 submission-exercises" in fixed.stdout, fixed.stdout
    after = {row["student"]: row for row in gradebook(tmp_path / "out")}
    assert after["bob"]["scaled_sum"] == "5"
    assert [r for r in before if r["student"] != "bob"] == [r for r in after.values() if r["student"] != "bob"]


def test_student_and_exercise_regrade_regardless_of_changes(graded_class):
    tmp_path, subs, _ = graded_class
    one = batch(tmp_path, subs, "--student", "alice")
    assert "graded 2 submission-exercises" in one.stdout, one.stdout
    column = batch(tmp_path, subs, "--exercise", "halve")
    assert "graded 6 submission-exercises" in column.stdout, column.stdout  # every readable student, eve's zip is not
    unknown = batch(tmp_path, subs, "--student", "alicia")
    assert unknown.returncode == 2 and "Did you mean: alice?" in unknown.stdout + unknown.stderr


def test_ctrl_c_leaves_a_consistent_directory_that_a_rerun_completes(tmp_path):
    subs = tmp_path / "class"
    slow = (SUBMISSIONS / "scaled_sum_slow_but_correct.py").read_text().replace("CPU_SECONDS = 0.4", "CPU_SECONDS = 0.1")
    for index in range(5):  # each takes about a second: 9 cases of 0.1 s of CPU time
        (subs / f"s{index}").mkdir(parents=True)
        (subs / f"s{index}" / "scaled_sum.py").write_text(slow)
        put(subs / f"s{index}", "halve.py", SOLUTIONS / "halve.py")
    (tmp_path / "week1.yaml").write_text(ASSIGNMENT)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "dlcheck", "batch", str(subs), "--assignment", str(tmp_path / "week1.yaml"),
               "--out", str(out), "--jobs", "1"]
    process = subprocess.Popen(command, cwd=tmp_path, env={**os.environ, **env_for(tmp_path)},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(out.glob("students/*/state.json")) and time.monotonic() < deadline:
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stdout + stderr
    assert "Interrupted" in stderr and "Traceback" not in stderr
    rows = {row["student"]: row for row in gradebook(out)}
    assert len(rows) == 6 and "incomplete" in {row["status"] for row in rows.values()}, rows
    for folder in (out / "students").iterdir():  # each student complete, or not there at all
        assert (folder / "state.json").exists() == (folder / "results.json").exists() == (folder / "feedback.txt").exists()
    finished = subprocess.run(command, cwd=tmp_path, env={**os.environ, **env_for(tmp_path)},
                              capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert "reused" in finished.stdout and "reused 0 " not in finished.stdout
    fresh = subprocess.run(command[:-4] + ["--out", str(tmp_path / "fresh"), "--jobs", "2"], cwd=tmp_path,
                           env={**os.environ, **env_for(tmp_path)}, capture_output=True, text=True, timeout=300)
    assert fresh.returncode == 0, fresh.stderr
    assert gradebook(out) == gradebook(tmp_path / "fresh")


def test_dask_local_cluster_gives_the_same_gradebook(graded_class):
    pytest.importorskip("distributed", reason="Dask is in the test extra: pip install -e '.[test]'")
    tmp_path, subs, _ = graded_class
    local = batch(tmp_path, subs, "--exercise", "scaled_sum")  # the local gradebook, as the class stands now
    assert local.returncode == 0, local.stderr
    done = run_cli("batch", str(subs), "--assignment", str(tmp_path / "week1.yaml"), "--out", str(tmp_path / "dask"),
                   "--dask", "local", "--jobs", "2", cwd=tmp_path, env=env_for(tmp_path), timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert gradebook(tmp_path / "dask") == gradebook(tmp_path / "out")
    manifest = json.loads((tmp_path / "dask" / "batch.json").read_text())
    assert manifest["backend"] == "dask local"
    # Two workers, two code exercises (scaled_sum, halve): each reference computed once, by one worker
    assert manifest["references_computed"] == 2
    # the local rerun regraded only scaled_sum
    assert json.loads((tmp_path / "out" / "batch.json").read_text())["references_computed"] == 1



def test_the_fixture_class_grades_as_expected_student_by_student(fixture_class, tmp_path):
    """good, bad, crashing (a timeout too), hostile, missing, empty, misnamed, a zip and a git
    repository: each student's results as tests/fixtures/class/expected.json says, in one batch."""
    from tests.class_check import mismatches

    out = tmp_path / "out"
    secret = "fixture-class-secret-that-must-not-leak"
    done = run_cli("batch", str(fixture_class), "--assignment", str(fixture_class / "assignment.yaml"),
                   "--out", str(out), cwd=tmp_path, env=env_for(tmp_path, DLCHECK_SECRET=secret), timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    expected = json.loads((fixture_class / "expected.json").read_text())["students"]
    problems = {student: mismatches(json.loads((out / "students" / student / "results.json").read_text()),
                                    entry, exact=True) for student, entry in expected.items()}
    assert not {s: p for s, p in problems.items() if p}, problems
    assert sorted(row["student"] for row in gradebook(out)[1:]) == sorted(expected)
    everything = "".join(p.read_text(errors="replace") for p in out.rglob("*") if p.is_file() and p.name != ".secret")
    assert secret not in everything and "Traceback" not in done.stderr
