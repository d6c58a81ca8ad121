"""dlcheck.input_guard on its own: what counts as a change of an argument, down to the cases no
catalog exercise reaches (a list of tensors, a tuple, a grad that was there before the call, a
class swapped). tests/engine/test_input_mutation.py drives the same check through real grading."""

from __future__ import annotations

import torch

from dlcheck.input_guard import changes, watch


def changed_after(args: dict, call, exempt=frozenset()) -> dict[str, list[str]]:
    watched = watch(args, exempt)
    call(**args)
    found, unchecked = changes(watched)
    assert unchecked is None
    return {c.argument: c.changed for c in found}


def test_untouched_arguments_report_nothing():
    args = {"x": torch.randn(3), "xs": [torch.ones(2), (torch.zeros(1), 4)], "n": 3, "f": len}
    assert changed_after(args, lambda **a: [t + 1 for t in a["xs"][:1]]) == {}


def test_nested_tensors_and_containers_are_named_by_their_place():
    def vandal(xs, d):
        xs[1][0].add_(1)  # a tensor inside a tuple inside a list
        xs.append(None)
        d["k"] = d["k"] * 1.0

    assert changed_after({"xs": [torch.ones(2), (torch.zeros(1),)], "d": {"k": torch.ones(1)}}, vandal) == {
        "xs[1][0]": ["values"], "xs": ["entries"], "d": ["entries"]}


def test_bitwise_values_nan_and_signed_zero():
    def zero_sign(x):
        x.add_(0.0)  # −0.0 + 0.0 is +0.0; NaN stays NaN

    assert changed_after({"x": torch.tensor([-0.0, float("nan")])}, zero_sign) == {"x": ["values"]}
    assert changed_after({"x": torch.tensor([1.0, float("nan")])}, zero_sign) == {}


def test_a_grad_present_before_must_stay_the_same():
    x = torch.ones(2, requires_grad=True)
    x.grad = torch.zeros(2)

    def accumulate(x):
        (x * 3).sum().backward()

    assert changed_after({"x": x}, accumulate) == {"x": ["grad"]}


def test_class_dtype_shape_and_exemption():
    class Sub(torch.Tensor):
        pass

    def reshape_everything(a, b, c):
        a.__class__ = Sub
        b.data = b.data.float()
        c.resize_(4)

    args = {"a": torch.ones(2), "b": torch.ones(2, dtype=torch.float64), "c": torch.ones(2, 2)}
    assert changed_after(args, reshape_everything) == {"a": ["type"], "b": ["dtype"], "c": ["shape"]}
    fresh = {"a": torch.ones(2), "b": torch.ones(2, dtype=torch.float64), "c": torch.ones(2, 2)}
    assert changed_after(fresh, reshape_everything, frozenset({"a", "b", "c"})) == {}
