"""Disarms the audit hook's write check from Python: it asks os.path.realpath whether a path lies inside
scratch, and os.path is a module the submission can patch. Then writes with plain open(): marker files
and another exercise's reference."""
import os

VICTIM = "$VICTIM"
PLACES = ["/tmp", "/dev/shm", "$HOME_DIR"]


def solve(*args):
    scratch = os.getcwd()
    os.path.realpath = lambda path, *a, **k: os.path.join(scratch, "anything")
    report = []
    for place in PLACES:
        try:
            with open(f"{place}/$ESCAPE-python", "w") as f:
                f.write("escaped")
            report.append(f"WROTE {place}")
        except BaseException as exc:  # noqa: B902
            report.append(f"{place}: {type(exc).__name__}")
    try:
        with open(VICTIM, "w") as f:
            f.write("def solve(*args):\n    return $VALUE\n")
        report.append("REWROTE the reference")
    except BaseException as exc:  # noqa: B902
        report.append(f"reference: {type(exc).__name__}")
    raise RuntimeError("; ".join(report))
