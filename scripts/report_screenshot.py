#!/usr/bin/env python3
"""Build a sample class report over the real course and photograph it for the docs: docs/report.png.

    python scripts/report_screenshot.py               # writes docs/report.png (and keeps nothing else)
    python scripts/report_screenshot.py --keep DIR    # also leaves the graded class and report.html in DIR

A made-up class of 16 students hands in four exercises of the real course. Each file is what a
student could write: the reference solution, one of the exercise's own known mistakes (so the
misconceptions table shows the real diagnosis messages), a new mistake no spec names, the untouched
starter (it raises, an error), or nothing at all. Most students name one function as torch does
(`clip_grad_norm_`, with the trailing underscore), which the statement does not ask for: the report
flags that exercise as one most students error on. Every file is graded through the real CLI
(tests/sample_class.py) and the page is photographed by headless Chromium (tests/browser.py).
The choice of files is seeded, so the class is the same on every run; the hidden cases are drawn per
run, so partial scores may differ slightly.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from dlcheck.catalog import Course  # noqa: E402
from dlcheck.class_report import render_class_report  # noqa: E402
from tests import browser  # noqa: E402
from tests.sample_class import Student, grade_class  # noqa: E402

TARGET = REPO / "docs" / "report.png"
LARGEST = 300_000  # bytes: the docs keep a picture, not a photograph
ASSIGNMENT = """\
name: Week 3 - convolutions, classifiers and VAEs
due: 2026-12-01T23:59:00+01:00
exercises:
  - conv_shape
  - softmax_xent_grad
  - kl_gaussian
  - grad_clip_global_norm
"""
NAMES = ["ada", "ben", "chloe", "dmitri", "elif", "farid", "greta", "hiro", "ines", "jonas", "kemal", "lena",
         "mateo", "nora", "oskar", "priya"]
RENAMED = ("grad_clip_global_norm", "clip_grad_norm", "clip_grad_norm_")  # exercise, its entry point, torch's name


def sample_students(course: Course, rng: random.Random) -> list[Student]:
    due = re.findall(r"^  - (\w+)$", ASSIGNMENT, re.M)
    students = [Student(name, _files(course, due, rng)) for name in NAMES]
    students.append(Student("quentin", error="quentin.zip is not a zip archive (it holds 0 bytes)"))
    return students


def _files(course: Course, due: list[str], rng: random.Random) -> dict[str, str]:
    files = {}
    for exercise_id in due:
        spec = course.get(exercise_id)
        choice = rng.choices(["reference", "mistake", "new mistake", "starter", "missing"],
                             weights=[40, 38, 8, 6, 8])[0]
        if choice == "missing":
            continue
        text = _submission(course, spec, choice, rng)
        if exercise_id == RENAMED[0] and rng.random() < 0.7:
            text = re.sub(rf"\b{RENAMED[1]}\b", RENAMED[2], text)
        files[f"{exercise_id}.py"] = text
    return files


def _submission(course: Course, spec, choice: str, rng: random.Random) -> str:
    solutions = course.solutions_dir
    if choice == "starter":
        return spec.starter
    reference = _without_markers((solutions / f"{spec.id}.py").read_text())
    if choice == "reference":
        return reference
    if choice == "new mistake":  # off by one everywhere: no known mistake of these exercises does that
        return (f"{reference}\n\n_right = {spec.entry_point}\n\n\ndef {spec.entry_point}(*args, **kwargs):\n"
                f"    return _right(*args, **kwargs) + 1\n")
    # The first mistakes of a spec are its commonest ones: weigh them so, as a real class would.
    mistakes = [m.id for m in spec.mistakes]
    mistake = rng.choices(mistakes, weights=[1 / (rank + 1) for rank in range(len(mistakes))])[0]
    module = _without_markers((solutions / f"{spec.id}_mistakes.py").read_text())
    return f"{module}\n\n{spec.entry_point} = {mistake}\n"


def _without_markers(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if "dlcheck-reference-marker" not in line)


def photograph(page: Path, target: Path) -> None:
    """A 1200-pixel-wide screenshot of the whole page, cropped and reduced to a palette."""
    from PIL import Image

    raw = page.with_suffix(".png")
    browser.screenshot(page, raw, 1200, 5200)
    image = Image.open(raw).convert("RGB")
    background = image.getpixel((image.width - 1, image.height - 1))
    rows = [y for y in range(image.height) if any(image.getpixel((x, y)) != background
                                                   for x in range(0, image.width, 4))]
    image = image.crop((0, 0, image.width, min(image.height, rows[-1] + 24)))
    # Fewer colours before fewer pixels: the page is flat colour, and text must stay readable.
    for scale, colours in ((1.0, 128), (1.0, 96), (1.0, 64), (0.85, 64), (0.7, 64)):
        sized = image if scale == 1.0 else image.resize((round(image.width * scale), round(image.height * scale)),
                                                        Image.LANCZOS)
        sized.quantize(colors=colours, method=Image.Quantize.FASTOCTREE).save(target, optimize=True)
        if target.stat().st_size <= LARGEST:
            return
    raise SystemExit(f"{target} is {target.stat().st_size} bytes even at {scale:.0%}: more than {LARGEST}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="grade the class in this directory and leave it there")
    parser.add_argument("--out", type=Path, default=TARGET)
    args = parser.parse_args()
    if browser.find_chromium() is None:
        raise SystemExit(browser.MISSING)
    with tempfile.TemporaryDirectory(prefix="dlcheck-report-") as scratch:
        root = args.keep or Path(scratch)
        students = sample_students(Course(REPO), random.Random(9))
        graded = grade_class(root, REPO, ASSIGNMENT, students, name="week3.yaml")
        page = root / "report.html"
        page.write_text(render_class_report(graded.batch, graded.results), encoding="utf-8")
        photograph(page, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1000} kB)")


if __name__ == "__main__":
    main()
