"""Near misses through the real engine on real exercises: what the feedback names and prints.

A value off in its 9th digit must not be printed as "got 1.41421, expected 1.41421"; a tuple output
with two wrong parts names both; a correct answer off by float64 rounding passes wherever the
statement does not explain why exactness is the point.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"
GOT_EXPECTED = re.compile(r"got (\S+), expected (\S+) \(")


def reference(exercise: str) -> str:
    return (SOLUTIONS / f"{exercise}.py").read_text(encoding="utf-8")


def perturbed(exercise: str, old: str, new: str) -> str:
    source = reference(exercise)
    assert source.count(old) == 1
    return source.replace(old, new)


def printed_pair(message: str) -> tuple[str, str]:
    found = GOT_EXPECTED.search(message)
    assert found, message
    return found.group(1), found.group(2)


@pytest.mark.parametrize("exercise, old, new", [
    ("secant_root", "    return d\n", "    return d * (1 + 1e-8)\n"),  # a float, rtol 1e-9
    ("lstm_cell_forward", "    return h_new, c_new\n", "    return h_new * (1 + 1e-8), c_new\n"),  # rtol 1e-10
], ids=["float", "tensor in a tuple"])
def test_a_near_miss_prints_two_different_numbers(grade_text, exercise, old, new):
    result = grade_text(exercise, perturbed(exercise, old, new))
    assert result.status == "fail"
    got, expected = printed_pair(result.message)
    assert got != expected, result.message
    worst = result.failure.mismatches[0].worst
    assert float(got) == pytest.approx(worst["got"], rel=1e-7)  # the digits shown are the value's own
    assert float(expected) == pytest.approx(worst["expected"], rel=1e-7)
    failure = result.to_json()["failure"]
    assert failure["got"] != failure["expected"]  # the values shown in full differ too


def test_an_exact_match_is_printed_with_the_usual_digits(grade_text):
    result = grade_text("secant_root", perturbed("secant_root", "    return d\n", "    return d + 0.5\n"))
    got, expected = printed_pair(result.message)
    assert len(got.replace("-", "")) <= 8 and len(expected.replace("-", "")) <= 8  # 6 significant digits


@pytest.mark.parametrize("exercise, old, new, named", [
    ("lstm_cell_forward", "    return h_new, c_new\n", "    return 2 * h_new, 2 * c_new\n", "wrong: [0], [1]; [0]: "),
    ("adam_step", '    return {"params": theta, "m": m, "v": v}\n', '    return {"params": theta, "m": 2 * m, "v": 2 * v}\n',
     "wrong: m, v; m: "),
], ids=["tuple", "dict"])
def test_the_summary_names_every_wrong_part(grade_text, exercise, old, new, named):
    result = grade_text(exercise, perturbed(exercise, old, new))
    assert result.status == "fail"
    assert named in result.message


@pytest.mark.parametrize("exercise", ["made_masks", "pixelcnn_mask", "squeeze", "conv_as_matmul"])
def test_a_correct_answer_off_by_float64_rounding_passes(grade_text, exercise):
    """The reference's result times 1 + 2**-51 (1.0000000000000004): what a different but correct
    order of operations gives. These exercises compared with rtol = atol = 0."""
    result = grade_text(exercise, perturbed(exercise, *scaled_return(reference(exercise))))
    assert result.status == "pass", result.message


def scaled_return(source: str) -> tuple[str, str]:
    """The entry point's `return <expr>` line (the first in the file), and the same line returning
    (<expr>) · (1 + 2**-51), each element of a tuple scaled."""
    line = next(l for l in source.splitlines() if l.startswith("    return "))
    value = line.removeprefix("    return ").split("  #")[0]
    parts = [f"({part.strip()}) * (1 + 2**-51)" for part in value.split(",")] if "(" not in value else [
        f"({value}) * (1 + 2**-51)"]
    return line + "\n", f"    return {', '.join(parts)}\n"
