"""grad_clip_global_norm: graded cases against torch.nn.utils.clip_grad_norm_; norm and direction after
clipping.
(Other correct styles, rules and feedback: `examples:` in exercises/grad_clip_global_norm.yaml.)"""

import torch

from solutions.grad_clip_global_norm import clip_grad_norm

EXERCISE = "grad_clip_global_norm"
KEYS = ("W1", "b1", "W2", "b2")


def torch_clip(grads, max_norm):
    params = []
    for g in grads.values():
        p = torch.zeros_like(g, requires_grad=True)
        p.grad = g.clone()
        params.append(p)
    total = torch.nn.utils.clip_grad_norm_(params, max_norm)
    return dict(zip(grads, (p.grad for p in params))), total.item()


def test_every_graded_case_matches_torch_clip_grad_norm(course, grader):
    clipped_somewhere = unclipped_somewhere = False
    for case in grader.reference_cases(course.get(EXERCISE)):
        grads = {k: torch.tensor(case.inputs["grads"][k].array) for k in KEYS}
        max_norm = case.inputs["max_norm"]
        want_grads, want_norm = torch_clip(grads, max_norm)
        got_grads, got_norm = case.expected
        assert abs(got_norm - want_norm) <= 1e-14 * want_norm, case.name
        for key in KEYS:
            torch.testing.assert_close(torch.tensor(got_grads[key].array), want_grads[key], rtol=1e-14, atol=0)
        clipped_somewhere |= want_norm > max_norm
        unclipped_somewhere |= 0 < want_norm < max_norm
    assert clipped_somewhere and unclipped_somewhere


def test_clipped_norm_is_max_norm_and_direction_is_kept():
    gen = torch.Generator().manual_seed(2)
    grads = {k: 5 * torch.randn(3, 2, generator=gen, dtype=torch.float64) for k in KEYS}
    clipped, total = clip_grad_norm(grads, 1.0)
    flat_before = torch.cat([g.flatten() for g in grads.values()])
    flat_after = torch.cat([g.flatten() for g in clipped.values()])
    assert total == torch.linalg.vector_norm(flat_before).item() > 1.0
    assert abs(torch.linalg.vector_norm(flat_after).item() - 1.0) < 1e-5
    torch.testing.assert_close(flat_after * total, flat_before, rtol=1e-5, atol=0)


# The statement accepts the exact form max_norm / n; the listed mistakes guard n = 0 with + 1e-6 as
# torch does. Written the exact way, a mistake raises (or gives nan) where a gradient is all zeros,
# and must still be named from the other cases (docs/grading.md, "Diagnosis").
def test_the_sum_of_norms_in_the_exact_form_is_named_though_it_divides_by_zero(grade_text):
    source = """

def clip_grad_norm(grads, max_norm):
    total = sum(g.norm().item() for g in grads.values())
    scale = min(1.0, max_norm / total)
    return {k: g * scale for k, g in grads.items()}, total
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "sum_of_norms"
    assert result.diagnosis["cases"]["raised"] == 1  # the all-zero case: ZeroDivisionError
    assert "your code raised an exception" in result.diagnosis["observed"]
