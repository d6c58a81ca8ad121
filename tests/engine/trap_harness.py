"""Run attack code against the run-time rule layer alone, as the worker installs it.

Each call forks this (torch-importing) test process: the child installs the traps exactly as
`dlcheck.worker` does, before anything else runs, then runs `attack()` from the given source and
reports back what happened. The static scan is not involved, so this shows what the run-time layer
holds on its own, against code the scan would have refused.
"""

from __future__ import annotations

import json
import os
import textwrap
from dataclasses import dataclass

from dlcheck import rules


@dataclass
class Outcome:
    raised: str | None  # the exception type's name, if attack() raised
    detail: str
    reports: list[list[str]]  # [rule id, api] pairs, in order

    @property
    def refused(self) -> bool:
        """Reported to the grader (which fails the submission on that alone) and stopped by an
        exception: ForbiddenAPI, or what wraps it (TorchScript re-raises it as a RuntimeError)."""
        return bool(self.reports) and self.raised is not None


def run_attack(rule_list: list[dict], source: str, timeout_note: str = "") -> Outcome:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe and never returns
        os.close(read_end)
        _child(rule_list, textwrap.dedent(source), write_end)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not data:
        raise AssertionError(f"the attack's process died (wait status {status}){timeout_note}")
    return Outcome(**json.loads(data))


def _child(rule_list: list[dict], source: str, write_end: int) -> None:
    reports: list[list[str]] = []
    outcome = {"raised": None, "detail": "", "reports": reports}
    try:
        rules.install_traps(rule_list, lambda rule, api: reports.append([rule, api]))
        namespace: dict = {}
        exec(compile(source, "attack.py", "exec"), namespace)
        outcome["detail"] = repr(namespace["attack"]())[:500]
    except BaseException as exc:  # noqa: B902 - the point is to see what the traps raise
        outcome["raised"] = type(exc).__name__
        outcome["detail"] = str(exc)[:500]
    try:
        os.write(write_end, json.dumps(outcome).encode())
    finally:
        os._exit(0)
