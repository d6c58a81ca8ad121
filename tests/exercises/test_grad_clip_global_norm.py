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
