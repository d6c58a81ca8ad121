"""Reference for reparam_gradient: the reparameterisation-trick (pathwise) gradient estimator.

Kingma & Welling 2014 (Auto-Encoding Variational Bayes), §2.4: z = g_φ(ε) = μ + σ ⊙ ε makes
∇_φ E_q[f(z)] = E_ε[∇_φ f(g_φ(ε))], estimated by averaging over the given samples ε_s.
"""

import torch


def reparam_gradient(mu, logvar, eps, a, b):
    sigma = torch.exp(0.5 * logvar)
    z = mu + sigma * eps                    # (S, J): one reparameterised sample per row
    df_dz = 2 * a * z + b                   # gradient of f(z) = Σ a z² + b z at every sample
    # ∂z/∂μ = 1 and ∂z/∂logvar = ε ⊙ ∂σ/∂logvar = ε ⊙ ½σ.
    return {"mu": df_dz.mean(dim=0), "logvar": (df_dz * eps).mean(dim=0) * 0.5 * sigma}
