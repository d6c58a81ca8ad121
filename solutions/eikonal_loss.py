"""Reference for eikonal_loss: the Eikonal regulariser of an implicit surface network and its θ-gradient.

Gropp et al. 2020 (Implicit Geometric Regularization, IGR), eq. 2: the term
λ E_x (‖∇_x f(x; θ)‖ − 1)², estimated by the mean over sample points. Training θ needs the gradient
of this term through ∇_x f, hence create_graph=True (double backpropagation).
"""

import torch


def eikonal_loss(f, theta, x):
    theta = theta.clone().requires_grad_(True)
    x = x.clone().requires_grad_(True)
    (grad_x,) = torch.autograd.grad(f(x, theta).sum(), x, create_graph=True)  # rows of f depend on rows of x only
    loss = ((torch.linalg.vector_norm(grad_x, dim=-1) - 1.0) ** 2).mean()
    (grad_theta,) = torch.autograd.grad(loss, theta)
    return loss.detach(), grad_theta
