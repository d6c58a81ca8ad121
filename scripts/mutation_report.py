#!/usr/bin/env python3
"""Run the mutation analysis of the catalog; write docs/mutants.json, docs/mutants.md and docs/catalog.md.

    python scripts/mutation_report.py            # every code exercise
    python scripts/mutation_report.py ID ...     # only these (the others keep their recorded entries)
    python scripts/mutation_report.py --changed  # only exercises whose files differ from what is recorded

docs/mutants.json records, per exercise, the counts, the score, the surviving mutants and a hash of
the exercise's files; tests/test_mutants.py re-runs the analysis for every exercise whose hash no
longer matches. The report below the marker in docs/mutants.md is generated from it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from dlcheck.catalog import Course  # noqa: E402
from dlcheck.mutation import TARGET, MutationReport, analyse, content_hash, mutation_grader  # noqa: E402

RECORD = REPO / "docs" / "mutants.json"
REPORT = REPO / "docs" / "mutants.md"
MARKER = "<!-- Generated below by scripts/mutation_report.py from docs/mutants.json: do not edit by hand. -->"


def load_record(path: Path = RECORD) -> dict[str, dict]:
    """The recorded entries by exercise id (empty when nothing is recorded yet)."""
    if not path.is_file():
        return {}
    return {entry["id"]: entry for entry in json.loads(path.read_text(encoding="utf-8"))["exercises"]}


def record_entry(report: MutationReport, digest: str) -> dict:
    return {
        "id": report.exercise, "hash": digest, "mutants": report.mutants, "killed": report.killed,
        "equivalent": report.equivalent, "score": None if report.score is None else round(report.score, 4),
        "ok": report.ok,
        "survived": [{"id": m.id, "line": m.line, "description": m.description} for m in report.survived],
        "stale_equivalent": report.stale_equivalent, "killed_equivalent": report.killed_equivalent,
        "problem": report.problem,
    }


def render_report(entries: list[dict]) -> str:
    lines = ["", "## Report", "",
             f"Target: every code exercise kills at least {TARGET:.0%} of its non-equivalent mutants.", "",
             "| exercise | mutants | killed | equivalent | score | survived |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for e in entries:
        score = "error" if e["score"] is None else f"{e['score']:.1%}"
        mark = "" if e["ok"] else " ✗"
        lines.append(f"| `{e['id']}` | {e['mutants']} | {e['killed']} | {e['equivalent']} | {score}{mark} | "
                     f"{len(e['survived'])} |")
    mutants = sum(e["mutants"] for e in entries)
    killed = sum(e["killed"] for e in entries)
    equivalent = sum(e["equivalent"] for e in entries)
    reached = sum(e["ok"] for e in entries)
    lines += ["", f"{reached}/{len(entries)} exercises reach the target; over the catalog {killed} of "
                  f"{mutants - equivalent} non-equivalent mutants are killed ({equivalent} recorded as equivalent)."]
    failing = [e for e in entries if not e["ok"]]
    if failing:
        lines += ["", "## Below the target", "",
                  "Each surviving mutant needs a case that kills it, or an `equivalent_mutants` entry with the "
                  "reason no input can (see above). `dlcheck validate --mutants ID` shows each as a diff."]
    for e in failing:
        lines += ["", f"### `{e['id']}`", ""]
        if e["problem"]:
            lines.append(f"- the analysis could not run: {e['problem']}")
        lines += [f"- `{s['id']}` (line {s['line']}): {s['description']}" for s in e["survived"]]
        lines += [f"- stale `equivalent_mutants` entry, matching no mutant: `{m}`" for m in e["stale_equivalent"]]
        lines += [f"- listed as equivalent, yet the cases kill it: `{m}`" for m in e["killed_equivalent"]]
    return "\n".join(lines) + "\n"


def write_report(entries: list[dict]) -> None:
    text = REPORT.read_text(encoding="utf-8")
    if MARKER not in text:
        sys.exit(f"{REPORT.relative_to(REPO)} has lost its marker line; restore it: {MARKER}")
    REPORT.write_text(text[:text.index(MARKER) + len(MARKER)] + "\n" + render_report(entries), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", metavar="ID", help="only these exercises")
    parser.add_argument("--changed", action="store_true", help="only exercises whose recorded hash is out of date")
    args = parser.parse_args()
    course = Course(REPO)
    code = [spec for spec in course.specs if spec.kind == "code"]
    recorded = load_record()
    if args.ids:
        unknown = set(args.ids) - {s.id for s in code}
        if unknown:
            sys.exit(f"not code exercises of this course: {', '.join(sorted(unknown))}")
        chosen = [s for s in code if s.id in args.ids]
    elif args.changed:
        chosen = [s for s in code if recorded.get(s.id, {}).get("hash") != content_hash(course, s)]
    else:
        chosen = code
    started = time.monotonic()
    with mutation_grader(course) as grader:
        grader.warm_up()
        for spec in chosen:
            report = analyse(course, spec, grader)
            recorded[spec.id] = record_entry(report, content_hash(course, spec))
            score = "error" if report.score is None else f"{report.score:.1%}"
            print(f"{spec.id:32} {report.mutants:4} mutants  {score:>7}  {len(report.survived):3} survived  "
                  f"{report.seconds:6.1f} s" + (f"  {report.problem}" if report.problem else ""), flush=True)
    entries = [recorded[s.id] for s in code if s.id in recorded]
    RECORD.write_text(json.dumps({"target": TARGET, "exercises": entries}, indent=1, ensure_ascii=False) + "\n",
                      encoding="utf-8")
    write_report(entries)
    import make_catalog  # docs/catalog.md shows the scores: keep it in step

    make_catalog.TARGET.write_text(make_catalog.render(course), encoding="utf-8")
    print(f"{len(chosen)} exercises analysed in {time.monotonic() - started:.0f} s; wrote "
          f"docs/mutants.json, docs/mutants.md, docs/catalog.md")


if __name__ == "__main__":
    main()
