#!/usr/bin/env python3
"""Start-up and grading times, each next to its baseline, measured in one run on this machine.

    python scripts/benchmark.py [--repeat N]

Targets (docs/grading.md): `dlcheck list` <= 2x `python -c "import typer, rich"` and it must not
import torch or sympy; `dlcheck grade conv_shape` <= 1.5x `python -c "import torch"`.
Commands run in N interleaved rounds after a warm-up round (warm file cache, warm listing
cache); the median of each counts.
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


def timed_interleaved(commands: dict[str, list[str]], env: dict, repeat: int) -> dict[str, float]:
    """Median wall time of each command; rounds run every command once, so drift hits all alike."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(repeat + 1):
        for name, command in commands.items():
            start = time.perf_counter()
            done = subprocess.run(command, env=env, capture_output=True)
            elapsed = time.perf_counter() - start
            if done.returncode != 0:
                sys.exit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr.decode()[-2000:]}")
            if round_:  # round 0 warms the file cache and dlcheck's listing cache
                samples[name].append(elapsed)
    return {name: statistics.median(values) for name, values in samples.items()}


def heavy_imports_of_list(env: dict) -> list[str]:
    probe = ("import sys, runpy; sys.argv = ['dlcheck', 'list'];\n"
             "try:\n    runpy.run_module('dlcheck', run_name='__main__')\n"
             "except SystemExit:\n    pass\n"
             "print(' '.join(m for m in ('torch', 'sympy', 'numpy') if m in sys.modules), file=sys.stderr)")
    done = subprocess.run([PY, "-c", probe], env=env, capture_output=True, text=True)
    return done.stderr.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    workspace = Path(tempfile.mkdtemp(prefix="dlcheck-bench-"))
    env = {**os.environ, "DLCHECK_COURSE": str(REPO), "DLCHECK_WORKSPACE": str(workspace)}
    shutil.copy(REPO / "solutions" / "conv_shape.py", workspace / "conv_shape.py")
    dlcheck = [PY, "-m", "dlcheck"]
    t = timed_interleaved({
        "python -c pass": [PY, "-c", "pass"],
        'python -c "import typer, rich"': [PY, "-c", "import typer, rich"],
        "dlcheck list": dlcheck + ["list"],
        'python -c "import torch"': [PY, "-c", "import torch"],
        "dlcheck grade conv_shape": dlcheck + ["grade", "conv_shape"],
    }, env, args.repeat)
    rows = list(t.items())
    shutil.rmtree(workspace, ignore_errors=True)
    width = max(len(name) for name, _ in rows)
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds * 1000:8.0f} ms")
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
