#!/usr/bin/env python3
"""Start-up, grading and class-grading times, each next to its baseline, measured in one run here.

    python scripts/benchmark.py [--repeat N] [--students N] [--no-class] [--no-dask]

Targets (docs/grading.md, docs/batch.md):
- `dlcheck list` <= 2x `python -c "import typer, rich"`, and it imports neither torch nor sympy;
- `dlcheck grade conv_shape` <= 1.5x `python -c "import torch"`;
- `dlcheck grade --all` on a workspace holding all 63 references <= 3x `python -c "import torch"`;
- `dlcheck batch --jobs 2` on a synthetic class (scripts/make_class.py: 200 students x the whole
  catalog, a realistic mix) >= 40 submission-exercises per second, timeouts excluded, with the
  batch's peak memory (every process of it, proportional set sizes summed);
- the same batch with `--dask local --jobs 2` within 1.3x of the local one.
Commands run in N interleaved rounds after a warm-up round (warm file cache, warm listing
cache); the median of each counts. The class batches run once each, side by side.
"""

from __future__ import annotations

import argparse
import json
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


def catalog_workspace() -> Path:
    """A workspace holding every exercise's reference solution, named as a student would."""
    workspace = Path(tempfile.mkdtemp(prefix="dlcheck-bench-all-"))
    for reference in (REPO / "solutions").iterdir():
        stem = reference.name.split(".")[0]
        if reference.suffix in (".py", ".txt") and (REPO / "exercises" / f"{stem}.yaml").is_file():
            shutil.copy(reference, workspace / reference.name)
    return workspace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--students", type=int, default=200, help="size of the synthetic class")
    parser.add_argument("--no-class", action="store_true", help="skip the class batches (they take minutes)")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask batch")
    args = parser.parse_args()
    workspace = Path(tempfile.mkdtemp(prefix="dlcheck-bench-"))
    whole = catalog_workspace()
    env = {**os.environ, "DLCHECK_COURSE": str(REPO), "DLCHECK_WORKSPACE": str(workspace)}
    shutil.copy(REPO / "solutions" / "conv_shape.py", workspace / "conv_shape.py")
    dlcheck = [PY, "-m", "dlcheck"]
    t = timed_interleaved({
        "python -c pass": [PY, "-c", "pass"],
        'python -c "import typer, rich"': [PY, "-c", "import typer, rich"],
        "dlcheck list": dlcheck + ["list"],
        'python -c "import torch"': [PY, "-c", "import torch"],
        "dlcheck grade conv_shape": dlcheck + ["grade", "conv_shape"],
        "dlcheck grade --all (63 references)": dlcheck + ["grade", "--all", "--workspace", str(whole)],
    }, env, args.repeat)
    rows = list(t.items())
    shutil.rmtree(workspace, ignore_errors=True)
    shutil.rmtree(whole, ignore_errors=True)
    width = max(len(name) for name, _ in rows)
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds * 1000:8.0f} ms")
    torch_import = t['python -c "import torch"']
    list_ratio = t["dlcheck list"] / t['python -c "import typer, rich"']
    grade_ratio = t["dlcheck grade conv_shape"] / torch_import
    all_ratio = t["dlcheck grade --all (63 references)"] / torch_import
    heavy = heavy_imports_of_list(env)
    print(f"\ndlcheck list / import typer, rich      = {list_ratio:.2f}  (target <= 2.0)")
    print(f"dlcheck grade / import torch           = {grade_ratio:.2f}  (target <= 1.5)")
    print(f"dlcheck grade --all / import torch     = {all_ratio:.2f}  (target <= 3.0)")
    print(f"heavy modules imported by dlcheck list = {', '.join(heavy) or 'none'}  (torch and sympy must not be)")
    failed = bool(list_ratio > 2.0 or grade_ratio > 1.5 or all_ratio > 3.0 or {"torch", "sympy"} & set(heavy))
    if not args.no_class:
        failed |= class_benchmark(args.students, env, with_dask=not args.no_dask)
    sys.exit(1 if failed else 0)


def class_benchmark(students: int, env: dict, with_dask: bool) -> bool:
    """The synthetic class graded by `dlcheck batch --jobs 2` (and with --dask local); True if a target is missed."""
    root = Path(tempfile.mkdtemp(prefix="dlcheck-bench-class-"))
    try:
        subprocess.run([PY, str(REPO / "scripts" / "make_class.py"), str(root / "class"), "--students", str(students),
                        "--seed", "0"], check=True, capture_output=True)
        expected = json.loads((root / "class" / "expected.json").read_text())
        timeouts = {(s, e) for s, student in expected["students"].items()
                    for e, entry in student["exercises"].items() if entry["category"] == "timeout"}
        env = {**env, "DLCHECK_SECRET": "benchmark"}
        local = run_batch(root, "local", [], env, timeouts)
        print(f"\nclass: {students} students x {local['exercises']} exercises "
              f"({len(timeouts)} timeouts, excluded from the rate)")
        print(f"dlcheck batch --jobs 2                 = {local['seconds']:.1f} s, {local['rate']:.1f} "
              f"submission-exercises/s  (target >= 40), peak memory {local['peak_mb']:.0f} MB")
        failed = local["rate"] < 40
        if with_dask:
            dask = run_batch(root, "dask", ["--dask", "local"], env, timeouts)
            ratio = dask["seconds"] / local["seconds"]
            print(f"dlcheck batch --dask local --jobs 2    = {dask['seconds']:.1f} s, {dask['rate']:.1f}/s, "
                  f"{ratio:.2f}x the local batch  (target <= 1.3), peak memory {dask['peak_mb']:.0f} MB")
            same = (root / "local" / "gradebook.csv").read_text() == (root / "dask" / "gradebook.csv").read_text()
            print(f"gradebooks identical                   = {same}")
            failed |= ratio > 1.3 or not same
        return failed
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run_batch(root: Path, name: str, extra: list[str], env: dict, timeouts: set) -> dict:
    command = [PY, "-m", "dlcheck", "batch", str(root / "class"), "--assignment", str(root / "class" / "assignment.yaml"),
               "--out", str(root / name), "--jobs", "2", *extra]
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    peak = peak_memory_while(process)
    elapsed = time.perf_counter() - start
    if process.returncode not in (0, 3):
        sys.exit(f"{' '.join(command)} exited {process.returncode}")
    results = [json.loads(path.read_text()) for path in (root / name).glob("students/*/results.json")]
    graded = [(d["student"], r) for d in results for r in d["results"] if r["status"] != "missing"]
    timed_out = [r for student, r in graded if (student, r["exercise"]) in timeouts]
    # Timeouts excluded: their submission-exercises and the time they held a job (2 jobs in parallel).
    busy = elapsed - sum(r["seconds"] for r in timed_out) / 2
    return {"seconds": elapsed, "exercises": len({r["exercise"] for _, r in graded}),
            "rate": (len(graded) - len(timed_out)) / busy, "peak_mb": peak / 2**20}


def peak_memory_while(process: subprocess.Popen) -> int:
    """The largest sum of resident memory over the process and all its descendants, sampled until it exits."""
    peak = 0
    while process.poll() is None:
        peak = max(peak, sum(rss_bytes(pid) for pid in [process.pid, *descendants(process.pid)]))
        time.sleep(0.1)
    return peak


def descendants(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_bytes()
            except OSError:
                continue
            parents.setdefault(int(stat[stat.rfind(b")") + 2:].split()[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def rss_bytes(pid: int) -> int:
    """Proportional set size: forked workers share the zygote's torch pages, counted once overall."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    main()
