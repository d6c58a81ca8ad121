"""A class's students graded one by one with the real CLI and checked against its expected.json
(written by scripts/make_class.py, or tests/fixtures/class/expected.json for the fixture class)."""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
import zipfile
from pathlib import Path

from tests.conftest import run_cli


def student_workspace(class_dir: Path, entry: str, scratch: Path) -> Path:
    """The student's files as a workspace: a folder as it is (a git repository's working tree is
    HEAD's, as the generator and the fixture make them, but HEAD's tree is what counts, so it is
    exported), a zip extracted."""
    path = class_dir / entry
    if path.suffix == ".zip":
        target = scratch / path.stem
        with zipfile.ZipFile(path) as archive:
            archive.extractall(target)
        return target
    if (path / ".git").is_dir():
        target = scratch / path.name
        target.mkdir()
        tar = subprocess.run(["git", "archive", "--format=tar", "HEAD"], cwd=path, capture_output=True, check=True)
        with tarfile.open(fileobj=io.BytesIO(tar.stdout)) as archive:
            archive.extractall(target, filter="data")
        return target
    return path


def grade_student(workspace: Path, assignment: Path, course: Path, cwd: Path, env: dict | None = None):
    """(completed process, JSON document) of `dlcheck grade --assignment … --format json`."""
    done = run_cli("grade", "--assignment", str(assignment), "--format", "json", "--workspace", str(workspace),
                   cwd=cwd, env={"DLCHECK_COURSE": str(course), **(env or {})}, timeout=600)
    return done, json.loads(done.stdout)


def mismatches(document: dict, expected: dict, exact: bool) -> list[str]:
    """How the graded document differs from the student's expected entry. `exact`: the diagnosis
    must be the expected one, none included (the fixture class); otherwise only a known mistake's
    diagnosis is required, and a correct submission must have none."""
    problems = []
    results = {result["exercise"]: result for result in document["results"]}
    if sorted(results) != sorted(expected["exercises"]):
        problems.append(f"graded {sorted(results)}, expected {sorted(expected['exercises'])}")
    for exercise, entry in expected["exercises"].items():
        result = results.get(exercise)
        if result is None:
            continue
        diagnosis = result["diagnosis"]["id"] if result.get("diagnosis") else None
        wanted_diagnosis = entry["diagnosis"] if exact or entry["diagnosis"] or entry["category"] == "correct" else diagnosis
        if result["status"] not in entry["status"] or diagnosis != wanted_diagnosis:
            problems.append(f"{exercise} ({entry['category']}, {entry['detail']}): {result['status']} diagnosed "
                            f"{diagnosis!r}, expected {entry['status']} diagnosed {wanted_diagnosis!r}: "
                            f"{result['message'][:300]}")
    warned = sorted(warning["file"] for warning in document["warnings"])
    if warned != sorted(expected["warnings"]):
        problems.append(f"warnings for {warned}, expected {sorted(expected['warnings'])}")
    return problems
