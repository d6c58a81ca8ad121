#!/usr/bin/env python3
"""Write a synthetic class of students to grade, with what each submission is known to be.

    python scripts/make_class.py OUT [--students 200] [--seed 0] [--course DIR] [--exercises ID,ID...]
    python scripts/make_class.py OUT --dry-run     # print the counts as JSON, write nothing

OUT (new or empty) gets one entry per student, named by the student id (s000, s001, ...), as
`dlcheck batch OUT --assignment OUT/assignment.yaml` reads them: 10% `<id>.zip` (the files at the
zip's root) and 5% git repositories (the files committed on `main`, the working tree equal to HEAD),
at least one of each from 3 students on, the rest folders. Inside, files are named as in a dlcheck workspace (`<exercise id>.py`, `.txt`).
Each submission-exercise is drawn independently as:

    correct   57.5%  the reference (solutions/<id>.py or .txt) varied harmlessly: comments, a docstring,
                     a renamed local, no module docstring; `**` for `^`, spaces, a comment line
    mistake   18%    a known mistake: the mistakes module with the entry point bound to the mistake's
                     function (as `dlcheck validate` grades it), or a mistake's `expr:`
    novel     10%    code: a mutant of the reference (dlcheck/mutants.py) that the cases kill, per
                     the course's docs/mutants.json (a current record of the exercise, else none),
                     outside `while` loops; symbolic: a perturbed reference that no
                     known mistake of the course matches ((r) + 1, (r)^2, 3(r)/2)
    crash      6%    raises on some cases, a syntax error, a missing function, os._exit(1); symbolic:
                     an answer that does not parse
    timeout    0.5%  an infinite loop first thing in the entry point (code only; it costs a case's time
                     limit, 10 s of CPU by default, so benchmarks leave it out; --timeouts PERCENT
                     changes the share, the correct share making up the difference)
    missing    6%    no file
    misnamed   2%    the correct file under a wrong name (Conv_Shape.py, conv-shape.py, conv_shape.py.txt,
                     "conv_shape (1).py", x.py.txt): graded as missing, listed as a warning

An exercise with no mistake (or no usable mutant) gets the next category that applies instead, and
symbolic exercises have no timeouts, so the counts reflect what was written, not the draw.

Also written: OUT/assignment.yaml (the exercises, at their spec's points; docs/assignments.md) and
OUT/expected.json, outside every student's entry:

    {"schema": "dlcheck.class-expected/1", "seed": 0, "exercises": [...], "counts": {...},
     "students": {"s000": {"form": "folder" | "zip" | "git", "entry": "s000" | "s000.zip",
                           "warnings": [files grading lists as warnings: the misnamed ones],
                           "exercises": {"<id>": {"category": "correct" | "mistake:<id>" | "novel" |
                                                    "crash" | "timeout" | "missing" | "misnamed",
                                                  "status": [statuses the grader may give],
                                                  "diagnosis": "<mistake id>" | null,
                                                  "file": "<file name written>" | null,
                                                  "detail": "<what was done>"}}}}}

tests/fixtures/class/expected.json, the fixture class's, has the same form, with `seed` null, exact
statuses (one each, checked by tests/test_fixture_class.py) and a further category, `hostile`.
`status` lists what the real grader gives for that category: ["pass"] for correct; for a mistake
["fail"] (symbolic) or ["fail", "error"] (code: a misconception that raises on every case, such as
a 0-based timestep the exercise's model refuses, is an error), diagnosed as `diagnosis` either way;
["fail", "error"] for a novel mistake (a mutant may raise); ["error"] or ["error", "fail"] for a
crash (os._exit breaks an exercise's rules); ["error"] for a timeout; ["missing"] for missing and
misnamed files.

Deterministic: each submission is drawn from its own generator seeded by (seed, student, exercise),
so the same seed gives byte-identical files, zips (fixed timestamps and modes) and git repositories
(fixed author, committer and dates; an index without stat data), and a subset of --exercises gives
the same submissions for those exercises. Needs dlcheck importable (no torch, no sympy).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import class_edits  # noqa: E402
from dlcheck.catalog import Course  # noqa: E402
from dlcheck.mutants import generate  # noqa: E402
from dlcheck.mutation import content_hash  # noqa: E402

CATEGORIES = {"correct": 57.5, "mistake": 18, "novel": 10, "crash": 6, "timeout": 0.5, "missing": 6, "misnamed": 2}
# What to write instead when a category cannot be made for an exercise (no mistakes, no mutants, symbolic).
FALLBACK = {"mistake": "novel", "novel": "crash", "timeout": "crash"}
FORMS = {"folder": 85, "zip": 10, "git": 5}  # percent of students
MISNAMED_STYLES = {"title_case": 3, "hyphens": 3, "double_extension": 2, "copy_suffix": 1, "unrelated": 1}
ZIP_TIME = (2026, 1, 5, 12, 0, 0)
COMMIT_DATE = "2026-01-05T12:00:00+00:00"
SCHEMA = "dlcheck.class-expected/1"


# ------------------------------------------------------------------ the exercises and their material


@dataclass
class Material:
    """What the submissions of one exercise are made from, read once for the whole class."""

    course: Course
    spec: object
    record: dict | None  # this exercise's entry in docs/mutants.json, if any

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def code(self) -> bool:
        return self.spec.kind == "code"

    @property
    def suffix(self) -> str:
        return ".py" if self.code else ".txt"

    @cached_property
    def reference(self) -> str:
        text = self.course.reference_path(self.spec).read_text(encoding="utf-8")
        if self.code:
            return text
        return next(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))

    @cached_property
    def mistake_forms(self) -> list[tuple[str, str, str]]:
        """(mistake id, function name or expression, "" or "variant") for each mistake and variant."""
        forms = []
        for mistake in self.spec.mistakes:
            forms.append((mistake.id, mistake.id if self.code else mistake.expr, ""))
            forms += [(mistake.id, variant, "variant") for variant in mistake.variants]
        return forms

    @cached_property
    def mistakes_module(self) -> str | None:
        path = self.course.mistakes_path(self.spec) if self.code else None
        return path.read_text(encoding="utf-8") if path else None

    @cached_property
    def killed_mutants(self) -> list:
        """Mutants the cases kill: not equivalent, not recorded as surviving, not inside a `while`
        loop (a mutated loop may never end: that is a timeout, not a wrong answer). None without a
        current record (docs/mutants.json, for the exercise as it is now): any mutant might pass."""
        if not self.code or not self.record or self.record.get("hash") != content_hash(self.course, self.spec):
            return []
        generator = frozenset({self.spec.cases.generator} if self.spec.cases.generator else ())
        mutants = generate(self.reference, self.spec.entry_point, f"{self.id}.py", exclude=generator)
        excluded = {entry.mutant for entry in self.spec.equivalent_mutants}
        excluded |= {survivor["id"] if isinstance(survivor, dict) else survivor
                     for survivor in (self.record or {}).get("survived", [])}
        loops = [(node.lineno, node.end_lineno) for node in ast.walk(ast.parse(self.reference))
                 if isinstance(node, ast.While)]
        return [m for m in mutants if m.id not in excluded and not any(a <= m.line <= b for a, b in loops)]


def load_materials(course: Course, ids: list[str] | None) -> list[Material]:
    record_path = course.root / "docs" / "mutants.json"
    record = {}
    if record_path.is_file():
        record = {entry["id"]: entry for entry in json.loads(record_path.read_text(encoding="utf-8"))["exercises"]}
    specs = {spec.id: spec for spec in course.specs}
    unknown = [i for i in ids or [] if i not in specs]
    if unknown:
        sys.exit(f"error: no exercise {', '.join(unknown)} in {course.root}")
    return [Material(course, specs[i], record.get(i)) for i in (ids or list(specs))]


# ------------------------------------------------------------------ one submission


@dataclass
class Item:
    exercise: str
    category: str
    status: list[str]
    file: str | None = None
    text: str | None = None
    diagnosis: str | None = None
    detail: str = ""

    def expected(self) -> dict:
        return {"category": self.category, "status": self.status, "diagnosis": self.diagnosis,
                "file": self.file, "detail": self.detail}


def make_item(material: Material, category: str, rng: random.Random, taken: set[str]) -> Item:
    while True:
        item = MAKERS[category](material, rng, taken)
        if item is not None:
            return item
        category = FALLBACK[category]


def _correct(m: Material, rng: random.Random, taken: set[str]) -> Item:
    if m.code:
        text, made = class_edits.vary_code(m.reference, m.spec.entry_point, rng)
    else:
        text, made = class_edits.vary_answer(m.reference, rng)
    return Item(m.id, "correct", ["pass"], m.id + m.suffix, text, detail=", ".join(made))


def _mistake(m: Material, rng: random.Random, taken: set[str]) -> Item | None:
    if not m.mistake_forms:
        return None
    mistake_id, form, variant = rng.choice(m.mistake_forms)
    if m.code:  # as dlcheck validate grades a mistake: its module, the entry point bound to its function
        text = f"{m.mistakes_module.rstrip()}\n\n\n{m.spec.entry_point} = {form}\n"
        detail = f"{variant} function {form}".strip()
    else:
        text, detail = form + "\n", f"{variant} expression".strip()
    # A misconception may raise on every case (a 0-based timestep that the exercise's model refuses):
    # then it is an error, diagnosed all the same.
    statuses = ["fail", "error"] if m.code else ["fail"]
    return Item(m.id, f"mistake:{mistake_id}", statuses, m.id + m.suffix, text, mistake_id, detail)


def _novel(m: Material, rng: random.Random, taken: set[str]) -> Item | None:
    if not m.code:
        known = {"".join(expr.split()) for _, expr, _ in m.mistake_forms}
        forms = [form for form in class_edits.NOVEL_ANSWERS if "".join(form.format(r=m.reference).split()) not in known]
        if not forms:
            return None
        form = rng.choice(forms)
        return Item(m.id, "novel", ["fail"], m.id + m.suffix, form.format(r=m.reference) + "\n", detail=form)
    if not m.killed_mutants:
        return None
    mutant = rng.choice(m.killed_mutants)
    return Item(m.id, "novel", ["fail", "error"], m.id + m.suffix, mutant.source, detail=f"mutant {mutant.id}")


def _crash(m: Material, rng: random.Random, taken: set[str]) -> Item:
    if not m.code:
        kind = rng.choice(sorted(class_edits.SYMBOLIC_CRASHES))
        return Item(m.id, "crash", ["error"], m.id + m.suffix, class_edits.SYMBOLIC_CRASHES[kind](m.reference) + "\n",
                    detail=kind)
    kinds = sorted(class_edits.CRASHES)
    rng.shuffle(kinds)
    for kind in kinds:
        text = class_edits.CRASHES[kind](m.reference, m.spec.entry_point, rng)
        if text is not None:
            return Item(m.id, "crash", class_edits.CRASH_STATUSES[kind], m.id + m.suffix, text, detail=kind)
    raise SystemExit(f"error: {m.id}: no crash could be made of its reference")


def _timeout(m: Material, rng: random.Random, taken: set[str]) -> Item | None:
    text = class_edits.infinite_loop(m.reference, m.spec.entry_point, rng) if m.code else None
    return Item(m.id, "timeout", ["error"], m.id + m.suffix, text, detail="infinite loop") if text else None


def _missing(m: Material, rng: random.Random, taken: set[str]) -> Item:
    return Item(m.id, "missing", ["missing"], detail="no file")


def _misnamed(m: Material, rng: random.Random, taken: set[str]) -> Item:
    correct = _correct(m, rng, taken)
    styles = list(MISNAMED_STYLES)
    first = rng.choices(styles, weights=list(MISNAMED_STYLES.values()))[0]
    for style in [first] + styles:
        name = _misnamed_file(m, style)
        if name and name not in taken and name != m.id + m.suffix:
            return Item(m.id, "misnamed", ["missing"], name, correct.text, detail=style)
    raise SystemExit(f"error: {m.id}: no misnamed file name left")


def _misnamed_file(m: Material, style: str) -> str | None:
    if style == "title_case":
        return "_".join(part.capitalize() for part in m.id.split("_")) + m.suffix
    if style == "hyphens":
        return m.id.replace("_", "-") + m.suffix if "_" in m.id else None
    if style == "double_extension":
        return m.id + m.suffix + ".txt"
    if style == "copy_suffix":
        return f"{m.id} (1){m.suffix}"
    return "x.py.txt" if m.code else "answer.txt"


MAKERS = {"correct": _correct, "mistake": _mistake, "novel": _novel, "crash": _crash, "timeout": _timeout,
          "missing": _missing, "misnamed": _misnamed}


# ------------------------------------------------------------------ the class


@dataclass
class Student:
    id: str
    form: str
    items: list[Item] = field(default_factory=list)

    @property
    def entry(self) -> str:
        return f"{self.id}.zip" if self.form == "zip" else self.id

    def warnings(self) -> list[str]:
        """The files grading lists as warnings: the misnamed ones."""
        return sorted(item.file for item in self.items if item.category == "misnamed")

    def files(self) -> dict[str, str]:
        return {item.file: item.text for item in self.items if item.file}


def student_forms(students: int, seed: int) -> list[str]:
    """Each student's form: zips and git repositories by quota (at least one of each from 3 students
    on, so that a small class has them too), the rest folders, shuffled by the seed."""
    quotas = {form: max(1 if students >= 3 else 0, round(students * share / 100))
              for form, share in FORMS.items() if form != "folder"}
    forms = [form for form, quota in quotas.items() for _ in range(quota)][:students]
    forms += ["folder"] * (students - len(forms))
    random.Random(f"{seed}/forms").shuffle(forms)
    return forms


def plan_class(materials: list[Material], students: int, seed: int, timeouts: float) -> list[Student]:
    width = max(3, len(str(students - 1)))
    categories = {**CATEGORIES, "timeout": timeouts, "correct": CATEGORIES["correct"] + CATEGORIES["timeout"] - timeouts}
    planned = []
    for number, form in enumerate(student_forms(students, seed)):
        student_id = f"s{number:0{width}d}"
        student = Student(student_id, form)
        taken: set[str] = set()
        for material in materials:
            rng = random.Random(f"{seed}/{student_id}/{material.id}")
            weights = {c: w for c, w in categories.items() if w > 0 and (material.code or c != "timeout")}
            category = rng.choices(list(weights), weights=list(weights.values()))[0]
            item = make_item(material, category, rng, taken)
            if item.file:
                taken.add(item.file)
            student.items.append(item)
        planned.append(student)
    return planned


def counts(students: list[Student]) -> dict:
    by_category: dict[str, int] = dict.fromkeys(CATEGORIES, 0)
    by_form: dict[str, int] = dict.fromkeys(FORMS, 0)
    for student in students:
        by_form[student.form] += 1
        for item in student.items:
            by_category[item.category.split(":")[0]] += 1
    total = sum(by_category.values())
    return {"submissions": total, "categories": by_category,
            "percent": {c: round(100 * n / total, 1) if total else 0.0 for c, n in by_category.items()},
            "students": len(students), "forms": by_form}


# ------------------------------------------------------------------ writing


def write_class(out: Path, students: list[Student], materials: list[Material], seed: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for student in students:
        WRITERS[student.form](out, student)
    exercises = "".join(f"  - {m.id}\n" for m in materials)
    (out / "assignment.yaml").write_text(f"name: Synthetic class (seed {seed}, {len(students)} students)\n"
                                         f"exercises:\n{exercises}", encoding="utf-8")
    expected = {"schema": SCHEMA, "seed": seed, "exercises": [m.id for m in materials], "counts": counts(students),
                "students": {s.id: {"form": s.form, "entry": s.entry, "warnings": s.warnings(),
                                    "exercises": {item.exercise: item.expected() for item in s.items}}
                             for s in students}}
    (out / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_folder(out: Path, student: Student) -> None:
    folder = out / student.id
    folder.mkdir()
    for name, text in sorted(student.files().items()):
        (folder / name).write_text(text, encoding="utf-8")


def _write_zip(out: Path, student: Student) -> None:
    with zipfile.ZipFile(out / student.entry, "w") as archive:
        for name, text in sorted(student.files().items()):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            archive.writestr(info, text.encode("utf-8"))


def _write_git(out: Path, student: Student) -> None:
    _write_folder(out, student)
    folder = out / student.id
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": student.id, "GIT_AUTHOR_EMAIL": f"{student.id}@students.example",
           "GIT_COMMITTER_NAME": student.id, "GIT_COMMITTER_EMAIL": f"{student.id}@students.example",
           "GIT_AUTHOR_DATE": COMMIT_DATE, "GIT_COMMITTER_DATE": COMMIT_DATE}
    for command in (["init", "-q", "--template=", "-b", "main", "."], ["add", "-A"],
                    ["commit", "-q", "--allow-empty", "--no-verify", "-m", "My submission"]):
        subprocess.run(["git", *command], cwd=folder, env=env, check=True, capture_output=True)
    # The index holds each file's stat data (times, inode): rebuilt from HEAD it holds none, so the
    # repository is byte-identical from run to run, and git still sees a clean working tree.
    (folder / ".git" / "index").unlink()
    subprocess.run(["git", "read-tree", "HEAD"], cwd=folder, env=env, check=True, capture_output=True)


WRITERS = {"folder": _write_folder, "zip": _write_zip, "git": _write_git}


# ------------------------------------------------------------------ command line


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="directory to write (new or empty)")
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--course", type=Path, default=REPO, help="course directory (default: this repository)")
    parser.add_argument("--exercises", help="comma-separated exercise ids (default: every exercise of the course)")
    parser.add_argument("--timeouts", type=float, default=CATEGORIES["timeout"], metavar="PERCENT",
                        help="share of code submissions that loop for ever (default 0.5; each costs a case's "
                             "time limit, 10 s of CPU by default); the correct share makes up the difference")
    parser.add_argument("--dry-run", action="store_true", help="print the counts as JSON and write nothing")
    args = parser.parse_args(argv)
    if args.students < 1:
        parser.error("--students must be at least 1")
    if not 0 <= args.timeouts <= CATEGORIES["correct"]:
        parser.error(f"--timeouts must be between 0 and {CATEGORIES['correct']}")
    ids = [i.strip() for i in args.exercises.split(",") if i.strip()] if args.exercises else None
    materials = load_materials(Course(args.course), ids)
    students = plan_class(materials, args.students, args.seed, args.timeouts)
    if args.dry_run:
        print(json.dumps(counts(students), indent=1))
        return
    if args.out.exists() and (not args.out.is_dir() or any(args.out.iterdir())):
        sys.exit(f"error: {args.out} exists and is not an empty directory")
    write_class(args.out, students, materials, args.seed)
    summary = counts(students)
    print(f"Wrote {summary['students']} students ({', '.join(f'{n} {f}' for f, n in summary['forms'].items())}), "
          f"{summary['submissions']} submission-exercises: "
          + ", ".join(f"{n} {c}" for c, n in summary["categories"].items()) + f", to {args.out}")


if __name__ == "__main__":
    main()
