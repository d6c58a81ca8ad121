"""Helpers shared by the symbolic checker tests: the six exercises and the requests the engine sends."""

from __future__ import annotations

import os
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from dlcheck.spec import load_spec, to_data

REPO = Path(__file__).resolve().parents[2]
SYMBOLIC_EXERCISES = ("conv_shape_formula", "kl_gaussian_1d", "gan_optimal_discriminator",
                      "ddpm_posterior_mean", "sigmoid_derivative", "implicit_diff_circle")


def spec_of(exercise_id: str):
    return load_spec(REPO / "exercises" / f"{exercise_id}.yaml")


def reference_of(exercise_id: str) -> str:
    return (REPO / "solutions" / f"{exercise_id}.txt").read_text(encoding="utf-8").strip()


def request_for(exercise_id: str, answer: str) -> dict:
    """The request the engine sends for this exercise (see dlcheck.grading.grade_symbolic)."""
    spec = spec_of(exercise_id)
    return {
        "symbols": to_data(spec.symbols),
        "functions": dict(spec.functions), "derived": dict(spec.derived),
        "constraints": list(spec.constraints),
        "answer": answer,
        "reference": reference_of(exercise_id),
        "mistakes": [{"id": m.id, "expr": m.expr} for m in spec.mistakes],
        "budget_seconds": spec.time_budget_seconds,
    }


def free_xy_request(answer: str) -> dict:
    """A request over two unbounded reals with the reference -x/y: steps and towers far out in x are
    reachable (implicit_diff_circle itself samples x and y on the unit circle)."""
    return {"symbols": {"x": {"domain": "real"}, "y": {"domain": "real"}}, "answer": answer, "reference": "-x/y"}


def run_all(jobs: dict, run) -> dict:
    """{key: run(*args)} for {key: args}, two at a time: each job is a whole worker process."""
    workers = max(2, min(4, os.cpu_count() or 2))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {key: pool.submit(run, *args) for key, args in jobs.items()}
        return {key: future.result() for key, future in futures.items()}


def server_judging_with(body: str, preamble: str = "") -> list[str]:
    """A command for client.SERVER: the real symbolic server (imports, warm-up, limits, protocol),
    whose judge, once the server is warm, is `def judge(request, deadline):` with `body` (which may
    call `real_judge`). `preamble` runs first, before anything is imported."""
    code = "\n".join([
        preamble,
        "import sys",
        "from dlcheck.symbolic import judge as judge_module, server",
        "real_judge = judge_module.judge",
        "def judge(request, deadline):",
        textwrap.indent(body, "    "),
        "def preload(real=server._preload):",
        "    real()",
        "    judge_module.judge = judge",
        "server._preload = preload",
        "server.main(int(sys.argv[-1]))",
    ])
    return [sys.executable, "-P", "-c", code]
