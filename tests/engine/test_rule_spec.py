"""The `rules:` section of a spec: `ops` patterns and `autograd` are checked on load, with the field named."""

from __future__ import annotations

import pytest

from dlcheck.errors import SpecError
from dlcheck.spec import load_spec
from tests.conftest import FIXTURE_COURSE

SQUARE_GRAD = (FIXTURE_COURSE / "exercises" / "square_grad.yaml").read_text(encoding="utf-8")
RULE_LINE = "    forbid: [torch.autograd.grad, torch.autograd.backward, torch.Tensor.backward, torch.func]\n"


def load_with(tmp_path, extra: str):
    assert RULE_LINE in SQUARE_GRAD
    path = tmp_path / "square_grad.yaml"
    path.write_text(SQUARE_GRAD.replace(RULE_LINE, RULE_LINE + extra), encoding="utf-8")
    return load_spec(path)


def test_ops_and_autograd_load_into_the_rule(tmp_path):
    spec = load_with(tmp_path, '    ops: ["aten::*conv[0-9_]*", "mkldnn::_convolution_pointwise"]\n'
                               "    autograd: forbidden\n")
    [rule] = spec.rules
    assert rule.ops == ["aten::*conv[0-9_]*", "mkldnn::_convolution_pointwise"] and rule.autograd == "forbidden"


def test_a_rule_without_them_leaves_autograd_to_be_derived(tmp_path):
    [rule] = load_with(tmp_path, "").rules
    assert rule.ops == [] and rule.autograd is None


@pytest.mark.parametrize("extra, field, fragment", [
    ('    ops: ["convolution"]\n', "rules[0].ops[0]", "matching regex"),
    ('    ops: ["aten::conv2d; rm -rf"]\n', "rules[0].ops[0]", "matching regex"),
    ("    autograd: nope\n", "rules[0].autograd", "Invalid enum value"),
])
def test_malformed_rule_fields_name_the_field(tmp_path, extra, field, fragment):
    with pytest.raises(SpecError) as caught:
        load_with(tmp_path, extra)
    assert caught.value.field == field and fragment in str(caught.value)


def test_rule_ids_are_identifiers_and_unique(tmp_path):
    twice = SQUARE_GRAD.replace("rules:\n", "rules:\n  - id: no_autograd\n    message: again\n    forbid: [torch.func]\n")
    path = tmp_path / "square_grad.yaml"
    path.write_text(twice, encoding="utf-8")
    with pytest.raises(SpecError, match="appears twice") as caught:
        load_spec(path)
    assert caught.value.field == "rules[1].id"
