"""`dlcheck validate` through the real CLI on a copy of the fixture course: the spec's examples are
graded, and the spec is cross-checked against itself (case arguments against every function's
parameters, the reference's outputs against `returns`). Each broken exercise is one failed check
that names the field."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_COURSE, run_cli

HALVE_EXAMPLES = """examples:
  - name: a shift passes
    status: pass
    code: |
      def halve(n):
          return n >> 1
  - name: true division is named
    status: fail
    diagnosis: true_division
    message: "case 'odd'"
    code: |
      def halve(n):
          return n / 2
  - name: claims a pass
    status: pass
    code: |
      def halve(n):
          return n
  - name: claims no diagnosis
    status: fail
    code: |
      def halve(n):
          return n / 2
  - name: claims a message
    status: error
    message: ["ZeroDivisionError", "TypeError"]
    code: |
      def halve(n):
          return n // 0 if n else 0
"""


def validate(tmp_path: Path, course: Path, *args: str) -> dict[str, dict[str, dict]]:
    """`dlcheck validate --format json`: exercise id -> check name -> check."""
    done = run_cli("validate", "--format", "json", *args, cwd=tmp_path,
                   env={"DLCHECK_COURSE": str(course), "XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert done.returncode in (0, 1), done.stderr
    return {e["exercise"]: {c["name"]: c for c in e["checks"]} for e in json.loads(done.stdout)["exercises"]}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


@pytest.fixture(scope="module")
def example_checks(tmp_path_factory) -> dict[str, dict]:
    tmp = tmp_path_factory.mktemp("examples")
    course = tmp / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    (course / "solutions" / "halve_examples.yaml").write_text(HALVE_EXAMPLES)
    return validate(tmp, course, "halve")["halve"]


@pytest.mark.parametrize("name", ["a shift passes", "true division is named"])
def test_an_example_that_grades_as_it_says_is_a_passed_check(example_checks, name):
    assert example_checks[f"example '{name}'"]["ok"]


@pytest.mark.parametrize("name, fragment", [
    ("claims a pass", "status fail, expected pass"),
    ("claims no diagnosis", "diagnosed as 'true_division', expected no known mistake"),
    ("claims a message", "the message lacks 'TypeError'"),
])
def test_an_example_that_grades_otherwise_is_a_failed_check_naming_it(example_checks, name, fragment):
    check = example_checks[f"example '{name}'"]
    assert not check["ok"] and fragment in check["detail"]
    assert "message: " in check["detail"]  # what the grader said, to compare with


def test_no_examples_leaves_the_examples_out(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    (course / "solutions" / "halve_examples.yaml").write_text(HALVE_EXAMPLES)
    checks = validate(tmp_path, course, "halve", "--no-examples")["halve"]
    assert not any(name.startswith("example ") for name in checks)
    assert all(c["ok"] for c in checks.values())


GENERATED = """id: halve_gen
title: Integer halving, cases from a generator
chapter: cnn
kind: code
statement: Return `n // 2` as an int.
hints:
  - Floor division.
  - n // 2.
starter: |
  def halve_gen(n):
      raise NotImplementedError
entry_point: halve_gen
signature: "halve_gen(n: int) -> int"
returns: int
cases:
  generator: make_cases
mistakes:
  - id: true_division
    message: Use // so the result is an int.
"""


def break_the_fixture_course(course: Path) -> None:
    """One inconsistency per field, spread over the fixture exercises."""
    exercises, solutions = course / "exercises", course / "solutions"
    # scaled_sum: the signature, a mistake and `returns` disagree with the cases / the reference.
    edit(exercises / "scaled_sum.yaml", "scaled_sum(x: Tensor, alpha: float)", "scaled_sum(x: Tensor, beta: float)")
    edit(exercises / "scaled_sum.yaml", "returns: tensor", "returns: {tuple: [tensor, tensor]}")
    edit(solutions / "scaled_sum_mistakes.py", "def forgot_alpha(x, alpha):", "def forgot_alpha(values, alpha):")
    # square_grad: the reference, the starter and a mistake's variant take other parameters; returns float.
    edit(solutions / "square_grad.py", "def square_grad(x):\n    return 2 * x", "def square_grad(v):\n    return 2 * v")
    edit(exercises / "square_grad.yaml", "def square_grad(x):", "def square_grad(x, y):")
    edit(exercises / "square_grad.yaml", "returns: tensor", "returns: float")
    edit(exercises / "square_grad.yaml", "message: The derivative of x² is 2x, not x.",
         "message: The derivative of x² is 2x, not x.\n    variants: [forgot_factor_two_again]")
    with (solutions / "square_grad_mistakes.py").open("a") as f:
        f.write("\n\ndef forgot_factor_two_again(x, *, twice):\n    return x.clone()\n")
    # halve: an edge case passes an argument the function does not take.
    edit(exercises / "halve.yaml", "args: {n: {value: 8}}", "args: {n: {value: 8}, m: {value: 1}}")
    # apply_model: `returns` says dict; a mistake has lost a parameter.
    edit(exercises / "apply_model.yaml", "returns: tensor", "returns: {dict: {y: tensor}}")
    edit(solutions / "apply_model_mistakes.py", "def wrong_t(model, x):\n    return model(x, 1)",
         "def wrong_t(model):\n    return model")
    # halve_gen: the generator's cases name the argument 'm', the function's parameter is 'n'.
    (exercises / "halve_gen.yaml").write_text(GENERATED)
    (solutions / "halve_gen.py").write_text(
        "def halve_gen(n):\n    return n // 2\n\n\n"
        "def make_cases(seed):\n    return [{'name': f'n={n}', 'args': {'m': n + seed % 7}} for n in (7, 8, 9)]\n")
    (solutions / "halve_gen_mistakes.py").write_text("def true_division(n):\n    return n / 2\n")


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> dict[str, dict[str, dict]]:
    tmp = tmp_path_factory.mktemp("broken")
    course = tmp / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    break_the_fixture_course(course)
    return validate(tmp, course, "scaled_sum", "square_grad", "halve", "apply_model", "halve_gen")


@pytest.mark.parametrize("exercise, check, fragments", [
    ("scaled_sum", "cases.args matches the signature",
     ["passes (x, alpha), it takes (x, beta)", "argument 2 is 'alpha' where the parameter is 'beta'"]),
    ("scaled_sum", "cases.args matches mistake 'forgot_alpha' (solutions/scaled_sum_mistakes.py)",
     ["it takes (values, alpha)"]),
    ("scaled_sum", "returns matches the reference's output",
     ["declares a tuple of 2, the reference returned torch.Tensor", "(case 'single element' and"]),
    ("square_grad", "cases.args matches the reference (solutions/square_grad.py)",
     ["passes (x), it takes (v): argument 1 is 'x' where the parameter is 'v'"]),
    ("square_grad", "cases.args matches the starter", ["it takes (x, y): no argument for 'y'"]),
    ("square_grad", "cases.args matches variant 'forgot_factor_two_again' of mistake 'forgot_factor_two' "
                    "(solutions/square_grad_mistakes.py)", ["keyword-only parameter(s) twice without a default"]),
    ("square_grad", "returns matches the reference's output", ["declares float, the reference returned torch.Tensor"]),
    ("halve", "cases.edge[1].args matches the signature", ["passes (n, m), it takes (n): no parameter for 'm'"]),
    ("apply_model", "returns matches the reference's output", ["declares a dict with keys ['y']"]),
    ("apply_model", "cases.args matches mistake 'wrong_t' (solutions/apply_model_mistakes.py)",
     ["it takes (model): no parameter for 'x'"]),
    ("halve_gen", "cases.generator (make_cases, case 'n=7') matches the signature", ["passes (m), it takes (n)"]),
])
def test_each_inconsistency_is_a_failed_check_naming_its_field(broken, exercise, check, fragments):
    assert check in broken[exercise], list(broken[exercise])
    assert not broken[exercise][check]["ok"]
    assert all(f in broken[exercise][check]["detail"] for f in fragments), broken[exercise][check]["detail"]


def test_a_consistent_spec_passes_the_cross_checks(tmp_path):
    checks = validate(tmp_path, FIXTURE_COURSE, "scaled_sum", "halve")
    for exercise in ("scaled_sum", "halve"):
        assert checks[exercise]["case arguments match every function's parameters"]["ok"]
        assert checks[exercise]["the reference's outputs have the declared `returns` types"]["ok"]
