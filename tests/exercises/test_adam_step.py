"""adam_step: graded cases against torch.optim.Adam; the first step's size; the reference leaves its inputs
alone.
(Other correct styles, rules and feedback: `examples:` in exercises/adam_step.yaml.)"""

import torch

from solutions.adam_step import adam

EXERCISE = "adam_step"


def torch_adam(params, grads, lr, beta1, beta2, eps):
    theta = params.clone().requires_grad_(True)
    optimizer = torch.optim.Adam([theta], lr=lr, betas=(beta1, beta2), eps=eps)
    for g in grads:
        theta.grad = g.clone()
        optimizer.step()
    state = optimizer.state[theta]
    return {"params": theta.detach(), "m": state["exp_avg"], "v": state["exp_avg_sq"]}


def test_every_graded_case_matches_torch_optim_adam(course, grader):
    cases = grader.reference_cases(course.get(EXERCISE))
    for case in cases:
        args = [torch.tensor(case.inputs[k].array) for k in ("params", "grads")]
        args += [case.inputs[k] for k in ("lr", "beta1", "beta2", "eps")]
        want = torch_adam(*args)
        for key in ("params", "m", "v"):
            torch.testing.assert_close(torch.tensor(case.expected[key].array), want[key], rtol=1e-12, atol=1e-15)
    assert any(case.inputs["grads"].array.shape[0] == 1 for case in cases)


def test_first_step_moves_every_coordinate_by_about_lr():
    """m̂_1 = g_1 and √v̂_1 = |g_1|: the first update is −lr·sign(g_1) up to ε."""
    params = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
    grads = torch.tensor([[3.0, -1e-3, 40.0]], dtype=torch.float64)
    result = adam(params, grads, 0.1, 0.9, 0.999, 1e-12)
    torch.testing.assert_close(result["params"], params - 0.1 * grads[0].sign(), rtol=0, atol=1e-9)


def test_reference_does_not_modify_its_inputs():
    params, grads = torch.ones(2, dtype=torch.float64), torch.ones(3, 2, dtype=torch.float64)
    adam(params, grads, 0.1, 0.9, 0.999, 1e-8)
    assert torch.equal(params, torch.ones(2, dtype=torch.float64))
