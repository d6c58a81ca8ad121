#!/usr/bin/env python3
"""Generate docs/catalog.md from the exercise specs: coverage per chapter, then every exercise.

    python scripts/make_catalog.py          # rewrite docs/catalog.md
    python scripts/make_catalog.py --check  # exit 1 if docs/catalog.md is out of date (CI runs this)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from dlcheck.catalog import Course  # noqa: E402
from dlcheck.chapters import CHAPTERS  # noqa: E402

TARGET = REPO / "docs" / "catalog.md"
MUTANTS = REPO / "docs" / "mutants.json"  # written by scripts/mutation_report.py


def render(course: Course) -> str:
    specs = course.specs
    scores = _mutation_scores()
    lines = [
        "# Exercise catalog",
        "",
        "Generated from `exercises/*.yaml` by `scripts/make_catalog.py`; do not edit by hand.",
        "Every exercise is proven by `dlcheck validate` (run for the whole catalog by `tests/test_catalog.py`).",
        "The mutation score of a code exercise is the share of mutants of its reference that its cases kill, as",
        "recorded in `docs/mutants.json` (see [mutants.md](mutants.md)).",
        "",
        "## Coverage",
        "",
        "| chapter | code | symbolic | exercises |",
        "| --- | ---: | ---: | ---: |",
    ]
    for chapter, title in CHAPTERS.items():
        in_chapter = [s for s in specs if s.chapter == chapter]
        code = sum(s.kind == "code" for s in in_chapter)
        lines.append(f"| {title} | {code} | {len(in_chapter) - code} | {len(in_chapter)} |")
    code_total = sum(s.kind == "code" for s in specs)
    lines.append(f"| **all** | **{code_total}** | **{len(specs) - code_total}** | **{len(specs)}** |")
    for chapter, title in CHAPTERS.items():
        in_chapter = [s for s in specs if s.chapter == chapter]
        lines += ["", f"## {title}", ""]
        if not in_chapter:
            lines.append("No exercises yet.")
            continue
        lines += ["| id | title | kind | points | known mistakes | hints | mutation score |",
                  "| --- | --- | --- | ---: | --- | ---: | ---: |"]
        for spec in in_chapter:
            mistakes = ", ".join(f"`{m.id}`" for m in spec.mistakes)
            lines.append(f"| `{spec.id}` | {_cell(spec.title)} | {spec.kind} | {spec.points} | {mistakes} | "
                         f"{len(spec.hints)} | {_mutation_cell(spec, scores)} |")
    return "\n".join(lines) + "\n"


def _mutation_scores() -> dict[str, dict]:
    if not MUTANTS.is_file():
        return {}
    return {entry["id"]: entry for entry in json.loads(MUTANTS.read_text(encoding="utf-8"))["exercises"]}


def _mutation_cell(spec, scores: dict[str, dict]) -> str:
    if spec.kind != "code":
        return "n/a"
    entry = scores.get(spec.id)
    if entry is None:
        return "not measured"
    if entry["score"] is None:
        return "could not run"
    survived = len(entry["survived"])
    return f"{entry['score']:.1%}" + (f" ({survived} survive)" if survived else "")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if docs/catalog.md is out of date")
    args = parser.parse_args()
    text = render(Course(REPO))
    if args.check:
        if not TARGET.is_file() or TARGET.read_text(encoding="utf-8") != text:
            sys.exit("docs/catalog.md is out of date: run python scripts/make_catalog.py")
        return
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(REPO)}")


if __name__ == "__main__":
    main()
