"""dropout_forward: the reference reproduces torch's inverted dropout; case coverage; the mean is preserved.
(Other correct styles, rules and feedback: `examples:` in exercises/dropout_forward.yaml.)"""

import pytest
import torch
import torch.nn.functional as F

from solutions.dropout_forward import dropout

EXERCISE = "dropout_forward"


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_reference_reproduces_torch_dropout_given_its_mask(p):
    gen = torch.Generator().manual_seed(7)
    x = torch.randn(6, 5, generator=gen, dtype=torch.float64) + 10.0  # no zeros: the mask is readable
    torch.manual_seed(0)
    expected = F.dropout(x, p=p, training=True)
    mask = (expected != 0).to(torch.float64)
    torch.testing.assert_close(dropout(x, mask, p, True), expected, rtol=1e-15, atol=0)
    assert torch.equal(dropout(x, mask, p, False), F.dropout(x, p=p, training=False))


def test_graded_cases_mix_modes_and_probabilities(course, grader):
    cases = grader.reference_cases(course.get(EXERCISE))
    modes, probabilities = set(), set()
    for case in cases:
        x, mask = case.inputs["x"].array, case.inputs["mask"].array
        assert mask.shape == x.shape and set(mask.ravel().tolist()) <= {0.0, 1.0}, case.name
        assert type(case.inputs["train"]) is bool, case.name
        modes.add(case.inputs["train"])
        probabilities.add(case.inputs["p"])
    assert modes == {True, False}
    assert 0.0 in probabilities and 0.5 not in probabilities and len(probabilities) >= 5
    shapes = {tuple(case.inputs["x"].array.shape) for case in cases if not case.hidden}
    assert {(), (0, 3)} <= shapes and max(len(s) for s in shapes) >= 4  # "any shape": 0-d, empty, 4-d


def test_inverted_dropout_preserves_the_mean_over_random_masks():
    gen = torch.Generator().manual_seed(1)
    x = torch.full((200_000,), 3.0, dtype=torch.float64)
    mask = (torch.rand(x.shape, generator=gen, dtype=torch.float64) >= 0.3).to(torch.float64)
    assert abs(dropout(x, mask, 0.3, True).mean().item() - 3.0) < 0.02
