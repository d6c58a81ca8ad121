"""Hostile results through the real `dlcheck grade`: each bound on what a worker may send is attacked,
and the grading process's peak memory (VmHWM) and wall time are measured.

Two exercises in tests/engine/hostile_course, both with a 30 s case limit so that the clock is not
what stops an attack: `small_sum` expects a few bytes (a result may be ~64 kB), `big_copy` expects
an 8 MB tensor (a result may be ~64 MB, so the node cap is what stands between a frame of tiny
nodes and gigabytes of Python objects). Forged frames are written by the submission straight to
its socket, bypassing the worker's encoder, as an attacker would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

COURSE = Path(__file__).parent / "hostile_course"
PEAK_MB = 300  # the grader alone is ~40 MB; big_copy's reference data adds ~30 MB, a 60 MB frame 60 MB
SECONDS = 25  # under the 30 s case limit: the bounds, not the deadline, end each attack
FORGE = '''
import os, stat, struct, time

def send_raw(data):
    """Write `data` to every socket this process holds (the worker's channel), then wait to be killed."""
    for fd in map(int, os.listdir("/proc/self/fd")):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
        except OSError:
            pass
    time.sleep(600)

def result_frame(value):
    body = b"\\x83\\xa5event\\xa6result\\xa4case\\x00\\xa5value" + value  # {event: result, case: 0, value: …}
    return struct.pack(">I", len(body)) + body

TINY_NODES = b"\\x92\\xa4list\\xdd" + struct.pack(">I", 8_500_000) + b"\\x92\\xa4list\\x90" * 8_500_000  # 59.5 MB
'''


@dataclass
class Graded:
    report: dict
    seconds: float
    peak_mb: float

    @property
    def text(self) -> str:
        return self.report["message"] + str(self.report.get("failure") or "")


def grade(tmp_path: Path, exercise: str, body: str, exit_code: int = 1) -> Graded:
    """Grade `def exercise(x): body` (after the forging helpers), polling the grader's VmHWM."""
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / f"{exercise}.py").write_text(f"{FORGE}\n\ndef {exercise}(x):\n    {body}\n")
    env = {**os.environ, "DLCHECK_COURSE": str(COURSE), "DLCHECK_WORKSPACE": str(workspace),
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    start = time.monotonic()
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "dlcheck", "grade", exercise, "--format", "json"],
                                   cwd=tmp_path, env=env, stdout=stdout, stderr=stderr)
        peak_kb = 0
        while process.poll() is None:  # VmHWM only grows: the last reading before exit is the peak
            peak_kb = max(peak_kb, _vm_hwm_kb(process.pid))
            time.sleep(0.01)
    elapsed = time.monotonic() - start
    shutil.rmtree(workspace, ignore_errors=True)
    assert process.returncode == exit_code, err.read_text()[-2000:]
    return Graded(json.loads(out.read_text()), elapsed, peak_kb / 1024)


def _vm_hwm_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return 0


def assert_bounded(graded: Graded, status: str, *fragments: str) -> None:
    print(f"{graded.report['exercise']}: {graded.report['status']} in {graded.seconds:.1f} s, "
          f"grader peak {graded.peak_mb:.0f} MB: {graded.report['message'][:300]}")  # shown with pytest -rP
    assert graded.report["status"] == status, graded.text
    assert all(f in graded.text for f in fragments), graded.text[:800]
    assert graded.seconds < SECONDS, f"took {graded.seconds:.1f} s"
    assert graded.peak_mb < PEAK_MB, f"grader peaked at {graded.peak_mb:.0f} MB"
    assert not graded.report.get("internal_error")


@pytest.mark.parametrize("exercise, body, fragments", [
    # Within big_copy's 64 MB byte cap: only the node cap stops it (it held 2.9 GB and took 159 s
    # in the grader before the cap, as JSON).
    ("big_copy", "send_raw(result_frame(TINY_NODES))", ("more than 4,1", "values")),
    # The same through the worker's own encoder, with fewer values than the encoder sends at most.
    ("big_copy", "return [[]] * 200_000", ("more than 4,1", "values")),
    # Over small_sum's cap: refused from the frame's header, before a byte of it is buffered.
    ("small_sum", "send_raw(result_frame(TINY_NODES))", ("sent back 59.5 MB", "dlcheck reads at most 66 kB")),
])
def test_a_60_mb_structure_of_tiny_nodes_is_an_error_in_bounded_memory(tmp_path, exercise, body, fragments):
    assert_bounded(grade(tmp_path, exercise, body), "error", *fragments)


def test_a_structure_of_more_values_than_the_encoder_sends_fails_on_its_type(tmp_path):
    body = "import gc; gc.disable(); return [[]] * 8_500_000"  # gc off, or building it alone takes minutes
    assert_bounded(grade(tmp_path, "big_copy", body), "fail", "got list (holds more than 262,144 values)")


def test_a_deeply_nested_list_is_refused_before_it_is_decoded(tmp_path):
    body = 'send_raw(result_frame(b"\\x92\\xa4list\\x91" * 5_000 + b"\\xc0"))'  # 35 kB: under the byte cap
    assert_bounded(grade(tmp_path, "small_sum", body), "error", "nested more deeply than values may be")


def test_a_deeply_nested_list_returned_is_cut_by_the_encoder_and_fails_on_its_type(tmp_path):
    body = "v = []\n    for _ in range(100_000):\n        v = [v]\n    return v"
    assert_bounded(grade(tmp_path, "small_sum", body), "fail", "expected a torch.Tensor", "got list")


def test_a_huge_string_is_refused_from_its_size(tmp_path):
    assert_bounded(grade(tmp_path, "small_sum", 'return "x" * 60_000_000'), "error", "sent back 60.0 MB")


def test_a_huge_string_within_the_cap_costs_at_most_its_size_twice_and_fails_on_its_type(tmp_path):
    graded = grade(tmp_path, "big_copy", 'return "x" * 60_000_000')
    assert_bounded(graded, "fail", "expected a torch.Tensor", "got str")


@pytest.mark.parametrize("body, fragments", [
    # A header claiming 2**28 float64 elements (2 GB) over an 8-byte buffer.
    (r'send_raw(result_frame(b"\x94\xa6tensor\xa7float64\x92\xcd\x40\x00\xcd\x40\x00\xc4\x08" + b"\0" * 8))',
     ("buffer holds 8 bytes", "needs 2147483648")),
    # A frame header announcing 4 GB.
    (r'send_raw(struct.pack(">I", 2**32 - 1))', ("sent back 4295.0 MB",)),
])
def test_forged_tensor_and_frame_headers_are_refused(tmp_path, body, fragments):
    assert_bounded(grade(tmp_path, "small_sum", body), "error", *fragments)


@pytest.mark.parametrize("body, status, exit_code, fragment", [
    ("return x * 2", "pass", 0, "All 1 cases pass"),
    ("return (x * 2).float()", "fail", 1, "dtype float32, expected float64"),  # judged, not refused
])
def test_large_results_within_their_bounds_are_judged(tmp_path, body, status, exit_code, fragment):
    graded = grade(tmp_path, "big_copy", body, exit_code)
    assert graded.report["status"] == status and fragment in graded.text, graded.text[:800]
    assert graded.peak_mb < PEAK_MB
