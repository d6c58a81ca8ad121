#!/usr/bin/env python3
"""Start-up and grading times, each next to its baseline, measured in one run on this machine.

    python scripts/benchmark.py [--repeat N]

Targets (docs/grading.md): `dlcheck list` <= 2x `python -c "import typer, rich"` and it must not
import torch or sympy; `dlcheck grade conv_shape` <= 1.5x `python -c "import torch"`.
Each command runs N times (after one warm-up run, so the file cache is warm); the median counts.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable


def timed(command: list[str], env: dict, repeat: int, ok_codes=(0,)) -> float:
    subprocess.run(command, env=env, capture_output=True)  # warm-up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True)
        samples.append(time.perf_counter() - start)
        if done.returncode not in ok_codes:
            sys.exit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr.decode()[-2000:]}")
    return statistics.median(samples)


def heavy_imports_of_list(env: dict) -> list[str]:
    probe = ("import sys, runpy; sys.argv = ['dlcheck', 'list'];\n"
             "try:\n    runpy.run_module('dlcheck', run_name='__main__')\n"
             "except SystemExit:\n    pass\n"
             "print(' '.join(m for m in ('torch', 'sympy', 'numpy') if m in sys.modules), file=sys.stderr)")
    done = subprocess.run([PY, "-c", probe], env=env, capture_output=True, text=True)
    return done.stderr.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    workspace = Path(tempfile.mkdtemp(prefix="dlcheck-bench-"))
    env = {**os.environ, "DLCHECK_COURSE": str(REPO), "DLCHECK_WORKSPACE": str(workspace)}
    shutil.copy(REPO / "solutions" / "conv_shape.py", workspace / "conv_shape.py")
    dlcheck = [PY, "-m", "dlcheck"]
    rows = [
        ("python -c pass", timed([PY, "-c", "pass"], env, args.repeat)),
        ('python -c "import typer, rich"', timed([PY, "-c", "import typer, rich"], env, args.repeat)),
        ("dlcheck list", timed(dlcheck + ["list"], env, args.repeat)),
        ('python -c "import torch"', timed([PY, "-c", "import torch"], env, args.repeat)),
        ("dlcheck grade conv_shape", timed(dlcheck + ["grade", "conv_shape"], env, args.repeat)),
    ]
    shutil.rmtree(workspace, ignore_errors=True)
    width = max(len(name) for name, _ in rows)
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds * 1000:8.0f} ms")
    t = dict(rows)
    list_ratio = t["dlcheck list"] / t['python -c "import typer, rich"']
    grade_ratio = t["dlcheck grade conv_shape"] / t['python -c "import torch"']
    heavy = heavy_imports_of_list(env)
    print(f"\ndlcheck list / import typer, rich      = {list_ratio:.2f}  (target <= 2.0)")
    print(f"dlcheck grade / import torch           = {grade_ratio:.2f}  (target <= 1.5)")
    print(f"heavy modules imported by dlcheck list = {', '.join(heavy) or 'none'}  (torch and sympy must not be)")
    failed = list_ratio > 2.0 or grade_ratio > 1.5 or {"torch", "sympy"} & set(heavy)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
