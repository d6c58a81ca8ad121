#!/usr/bin/env python3
"""Grading every symbolic reference in one run, next to one sympy import, measured on this machine.

    python scripts/benchmark_symbolic.py [--repeat N]

The workspace holds only the symbolic references (solutions/<id>.txt for each symbolic spec), so
`dlcheck grade --all` starts no zygote and imports no torch: what it costs beyond the interpreter
and the grader's start-up is the symbolic checking. Target (docs/grading.md): one sympy import per
grading run, not one per answer.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from benchmark import PY, REPO, timed_interleaved


def symbolic_workspace() -> tuple[Path, int]:
    """A temporary workspace holding each symbolic exercise's reference answer; and their number."""
    from dlcheck.catalog import Course

    workspace = Path(tempfile.mkdtemp(prefix="dlcheck-bench-symbolic-"))
    specs = [spec for spec in Course(REPO).specs if spec.kind == "symbolic"]
    for spec in specs:
        shutil.copy(REPO / "solutions" / f"{spec.id}.txt", workspace / f"{spec.id}.txt")
    return workspace, len(specs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    workspace, count = symbolic_workspace()
    env = {**os.environ, "DLCHECK_COURSE": str(REPO), "DLCHECK_WORKSPACE": str(workspace)}
    grade_all = f"dlcheck grade --all ({count} symbolic references)"
    sympy = 'python -c "import sympy"'
    t = timed_interleaved({
        "python -c pass": [PY, "-c", "pass"],
        sympy: [PY, "-c", "import sympy"],
        grade_all: [PY, "-P", "-m", "dlcheck", "grade", "--all"],  # -P: the dlcheck on PYTHONPATH, not the cwd's
    }, env, args.repeat)
    shutil.rmtree(workspace, ignore_errors=True)
    width = max(map(len, t))
    for name, seconds in t.items():
        print(f"{name:<{width}}  {seconds * 1000:8.0f} ms")
    print(f"\n{grade_all} / import sympy = {t[grade_all] / t[sympy]:.2f}")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
