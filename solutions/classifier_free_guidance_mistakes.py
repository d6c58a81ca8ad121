"""Known mistakes in classifier-free guidance: each mixes the two predictions with the wrong weights."""


def convex_combination(eps_cond, eps_uncond, w):
    return w * eps_cond + (1 - w) * eps_uncond  # = ε_u + w (ε_c − ε_u): w used where s = 1 + w belongs


def swapped_cond_uncond(eps_cond, eps_uncond, w):
    return (1 + w) * eps_uncond - w * eps_cond


def scale_s_in_w_formula(eps_cond, eps_uncond, w):
    s = 1 + w
    return (1 + s) * eps_cond - s * eps_uncond  # the +1 applied twice


def guidance_direction_flipped(eps_cond, eps_uncond, w):
    return eps_cond + w * (eps_uncond - eps_cond)  # pushes towards the unconditional model
