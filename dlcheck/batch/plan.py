"""What a batch grades: the assignment's exercises, each with a fingerprint of everything its
results depend on besides the student's file, and the secret its hidden cases come from.

A rerun regrades an exercise when its fingerprint changed: a new spec, reference, known mistake or
fixture, another dlcheck (its source is hashed, not only its version number), another secret.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from ..grading import SECRET_ENV
from .grade import PlannedExercise

SECRET_FILE = ".secret"


def batch_secret(out_dir: Path) -> tuple[str, str]:
    """(secret, where it came from). Hidden cases must be the same for every student and every
    rerun of a batch, so without DLCHECK_SECRET the first run draws one and keeps it in DIR
    (readable by its owner only; DIR is the instructor's, never handed to students)."""
    if os.environ.get(SECRET_ENV):
        return os.environ[SECRET_ENV], f"${SECRET_ENV}"
    path = out_dir / SECRET_FILE
    try:
        return path.read_text(encoding="ascii").strip(), str(path)
    except FileNotFoundError:
        pass
    secret = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as stream:
        stream.write(secret + "\n")
    return secret, f"{path} (new)"


def make_plan(course, loaded, secret: str) -> list[PlannedExercise]:
    engine = _engine_hash()
    # The secret itself never enters a file: only a keyed hash of it does.
    secret_mark = hmac.new(secret.encode(), b"dlcheck batch fingerprint", hashlib.sha256).hexdigest()
    return [PlannedExercise(due.spec.id, due.spec.kind, due.points,
                            _fingerprint(course, due.spec, engine, secret_mark))
            for due in loaded.exercises]


def _fingerprint(course, spec, engine: str, secret_mark: str) -> str:
    digest = hashlib.sha256(f"{engine}\0{secret_mark}\0".encode())
    paths = [spec.source, course.reference_path(spec), course.mistakes_path(spec), course.fixtures]
    for path in paths:
        digest.update(b"-\0" if path is None else path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _engine_hash() -> str:
    """Of dlcheck's own source: a changed grader must not reuse what the old one decided."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
