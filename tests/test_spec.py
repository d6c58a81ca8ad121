"""Spec validation: a malformed spec is refused with its file and the offending field named."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlcheck.catalog import Course, find_course
from dlcheck.errors import SpecError, UsageError
from dlcheck.spec import load_spec
from tests.conftest import FIXTURE_COURSE

GOOD = (FIXTURE_COURSE / "exercises" / "scaled_sum.yaml").read_text()
EXAMPLE = "name: wrong, status: fail, code: 'def scaled_sum(x, alpha): return x'"


def write_spec(tmp_path: Path, text: str, name: str = "scaled_sum") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return path


def test_the_fixture_spec_loads_with_defaults(tmp_path):
    spec = load_spec(write_spec(tmp_path, GOOD))
    assert spec.kind == "code" and spec.points == 5
    assert spec.compare.rtol == 1e-7 and spec.limits.case_seconds == 2
    assert spec.cases.dims == {"B": (1, 4), "N": (1, 5)}


@pytest.mark.parametrize("edit, field, fragment", [
    (("random: 4", "random: four"), "cases.random", "Expected `int`"),
    (("title: Scaled sum\n", ""), "title", "missing"),
    (("points: 5", "pointz: 5"), "pointz", "unknown field"),
    (("chapter: ml-basics", "chapter: deep-stuff"), "chapter", "unknown chapter"),
    (("kind: code", "kind: essay"), "kind", "expected 'code' or 'symbolic'"),
    (("returns: tensor", "returns: tensr"), "returns", "unknown type 'tensr'"),
    (("x: {randn: [B, N]}", "x: {randm: [B, N]}"), "cases.args.x", "name exactly one generator"),
    (("x: {randn: [B, N]}", "x: {randn: [B, N], sd: 2}"), "cases.args.x", "unknown option(s) ['sd']"),
    (("B: [1, 4]", "B: [5, 4]"), "cases.dims.B", "exceeds upper bound"),
    (("- id: forgot_alpha", "- id: Forgot-Alpha"), "mistakes[0].id", "regex"),
    (("- id: mean_instead_of_sum", "- id: forgot_alpha"), "mistakes[1].id", "appears twice"),
    (("hints:\n  - Use torch.sum over the last dimension.\n  - Multiply by alpha.\n", "hints: []\n"),
     "hints", "length"),
    (("    - name: single element", "    - nam: single element"), "cases.edge[0].nam", "unknown field"),
    (("scale by alpha.\n", "scale by alpha.\n    variants: [Forgot-Alpha]\n"), "mistakes[0].variants[0]",
     "is not a function name"),
    (("scale by alpha.\n", "scale by alpha.\n    variants: [mean_instead_of_sum]\n"), "mistakes[0].variants[0]",
     "already a mistake or a variant"),
    (("scale by alpha.\n", "scale by alpha.\n    variants: [summed, summed]\n"), "mistakes[0].variants[1]",
     "already a mistake or a variant"),
])
def test_malformed_specs_name_file_and_field(tmp_path, edit, field, fragment):
    old, new = edit
    assert old in GOOD
    path = write_spec(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert caught.value.path == path
    assert caught.value.field == field
    assert fragment in str(caught.value)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("examples, field, fragment", [
    ("examples:\n  - {name: wrong, status: fail}", "examples[0].code",
     "missing (the submission of a code exercise)"),
    (f"examples:\n  - {{{EXAMPLE}, answer: x}}", "examples[0].answer",
     "only for symbolic exercises; use 'code'"),
    (f"examples:\n  - {{{EXAMPLE}, diagnosis: forgot_beta}}", "examples[0].diagnosis",
     "'forgot_beta' is not one of this exercise's mistakes"),
    ("examples:\n  - {name: right, status: pass, code: x, diagnosis: forgot_alpha}",
     "examples[0].diagnosis", "a passing example cannot name a mistake"),
    (f"examples:\n  - {{{EXAMPLE}}}\n  - {{{EXAMPLE}}}", "examples[1].name",
     "'wrong' appears twice"),
    ("examples:\n  - {name: wrong, status: failed, code: x}", "examples[0].status",
     "Invalid enum value 'failed'"),
])
def test_malformed_examples_name_their_file_and_field(tmp_path, examples, field, fragment):
    """Examples live beside the reference (solutions/<id>_examples.yaml): they hold solutions."""
    (tmp_path / "exercises").mkdir()
    (tmp_path / "solutions").mkdir()
    spec_path = write_spec(tmp_path / "exercises", GOOD)
    examples_path = tmp_path / "solutions" / "scaled_sum_examples.yaml"
    examples_path.write_text(examples)
    with pytest.raises(SpecError) as caught:
        load_spec(spec_path)
    assert caught.value.path == examples_path
    assert caught.value.field == field
    assert fragment in str(caught.value)


def test_examples_in_the_public_spec_are_refused_with_where_they_belong(tmp_path):
    path = write_spec(tmp_path, GOOD.replace("mistakes:\n", f"examples:\n  - {{{EXAMPLE}}}\nmistakes:\n", 1))
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert caught.value.field == "examples" and "scaled_sum_examples.yaml" in str(caught.value)


def test_id_must_match_file_name(tmp_path):
    with pytest.raises(SpecError, match="must match the file name 'renamed'"):
        load_spec(write_spec(tmp_path, GOOD, name="renamed"))


def test_invalid_yaml_reports_line(tmp_path):
    with pytest.raises(SpecError, match=r"not valid YAML \(line 3, column 1\): did not find expected"):
        load_spec(write_spec(tmp_path, "id: x\ntitle: [unclosed\n"))


def test_symbolic_mistakes_need_an_expression(tmp_path):
    text = """id: sym
title: t
chapter: gans
kind: symbolic
statement: s
hints: [h]
starter: "# answer"
symbols: {x: {domain: positive}}
mistakes:
  - {id: wrong, message: m}
"""
    with pytest.raises(SpecError) as caught:
        load_spec(write_spec(tmp_path, text, name="sym"))
    assert caught.value.field == "mistakes[0].expr"


def test_missing_reference_and_mistakes_files_say_where_dlcheck_looked(tmp_path):
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "scaled_sum.yaml").write_text(GOOD)
    course = Course(tmp_path)
    spec = course.get("scaled_sum")
    with pytest.raises(SpecError, match=str(tmp_path / "solutions" / "scaled_sum.py")):
        course.reference_path(spec)
    with pytest.raises(SpecError, match=str(tmp_path / "solutions" / "scaled_sum_mistakes.py")):
        course.mistakes_path(spec)


def test_course_discovery_reports_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.setenv("DLCHECK_COURSE", str(tmp_path))
    with pytest.raises(UsageError, match=f"{tmp_path / 'exercises'}.*DLCHECK_COURSE"):
        find_course()
    assert find_course(FIXTURE_COURSE).root == FIXTURE_COURSE


def test_a_symbolic_variant_must_be_another_expression(tmp_path):
    text = (Path(__file__).resolve().parent.parent / "exercises" / "gaussian_entropy.yaml").read_text()
    old = '    expr: "1/2*log(2*pi*sigma^2)"\n'
    assert old in text
    path = write_spec(tmp_path, text.replace(old, old + '    variants: ["1/2*log(2*pi*sigma^2)"]\n'), "gaussian_entropy")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert caught.value.field == "mistakes[0].variants[0]" and "another expression" in str(caught.value)
