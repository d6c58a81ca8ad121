"""Known mistakes in the Eikonal loss; each differentiates its own (wrong) loss with respect to θ."""

import torch


def _with_theta_gradient(penalty):
    """A mistake from its penalty(grad_x (N, 3)) -> 0-dim loss."""
    def mistake(f, theta, x):
        theta = theta.clone().requires_grad_(True)
        x = x.clone().requires_grad_(True)
        (grad_x,) = torch.autograd.grad(f(x, theta).sum(), x, create_graph=True)
        loss = penalty(grad_x)
        (grad_theta,) = torch.autograd.grad(loss, theta)
        return loss.detach(), grad_theta

    return mistake


def _norm(grad_x, dim=-1):
    return torch.linalg.vector_norm(grad_x, dim=dim)


squared_norm = _with_theta_gradient(lambda g: ((_norm(g) ** 2 - 1) ** 2).mean())
missing_square = _with_theta_gradient(lambda g: (_norm(g) - 1).mean())
absolute_value = _with_theta_gradient(lambda g: (_norm(g) - 1).abs().mean())
sum_instead_of_mean = _with_theta_gradient(lambda g: ((_norm(g) - 1) ** 2).sum())
norm_over_points = _with_theta_gradient(lambda g: ((_norm(g, dim=0) - 1) ** 2).mean())
componentwise = _with_theta_gradient(lambda g: ((g - 1) ** 2).mean())
