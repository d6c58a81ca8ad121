"""Writes files from C/C++ code, which raises no audit event: torch.save (PyTorchFileWriter opens the
path itself), numpy.save, and torch.from_file(shared=True), into /tmp, /dev/shm and $HOME."""
import numpy
import torch

PLACES = ["/tmp", "/dev/shm", "$HOME_DIR"]
WRITERS = {
    "torch.save": lambda path: torch.save(torch.zeros(4), path),
    "numpy.save": lambda path: numpy.save(path, numpy.zeros(4)),
    "torch.from_file": lambda path: torch.from_file(path, shared=True, size=64, dtype=torch.uint8).fill_(65),
}


def solve(*args):
    report = []
    for place in PLACES:
        for how, write in WRITERS.items():
            try:
                write(f"{place}/$ESCAPE-{how}")
                report.append(f"WROTE {place} with {how}")
            except BaseException as exc:  # noqa: B902
                report.append(f"{how} {place}: {type(exc).__name__}")
    raise RuntimeError("; ".join(report))
