"""Tries to change the grader's package, the exercises, the references and the workspace."""
import os
from pathlib import Path

TARGETS = [Path(p) for p in """$TARGETS""".split()]


def scaled_sum(x, alpha):
    report = []
    for target in TARGETS:
        for attempt in (lambda: target.write_text("def scaled_sum(x, alpha):\n    return alpha * x.sum(-1)\n"),
                        lambda: os.remove(target),
                        lambda: os.chmod(target, 0o777)):
            try:
                attempt()
                report.append(f"CHANGED {target}")
            except BaseException as exc:  # noqa: B902
                report.append(f"{target.name}: {type(exc).__name__}")
    raise RuntimeError("; ".join(report))
