"""Known mistakes in the secant search for a ray–surface hit (the reference: regula falsi, n steps)."""


def _search(f, theta, r0, w, d0, d1, n, *, point, keep="sign", steps=None, answer="point"):
    """n steps of `point(d0, g0, d1, g1)`; keep="sign" replaces the end with the new value's sign,
    "swapped" the end with the other sign, "none" no end, "last_two" drops the older of the last two
    points (plain secant). answer="point" returns the last secant point, "d1" the inside end."""
    g = lambda d: f(r0 + d * w, theta).item()  # noqa: E731
    g0, g1 = g(d0), g(d1)
    d = None
    for _ in range(n if steps is None else steps):
        d = point(d0, g0, d1, g1)
        gd = g(d)
        if keep == "last_two":
            d0, g0, d1, g1 = d1, g1, d, gd
        elif keep in ("sign", "swapped") and (gd > 0) == (keep == "sign"):
            d0, g0 = d, gd
        elif keep in ("sign", "swapped"):
            d1, g1 = d, gd
    return d if answer == "point" else d1


def _secant(d0, g0, d1, g1):
    return d1 - g1 * (d1 - d0) / (g1 - g0)


def bisection(f, theta, r0, w, d0, d1, n):
    return _search(f, theta, r0, w, d0, d1, n, point=lambda d0, g0, d1, g1: 0.5 * (d0 + d1))


def secant_sign_error(f, theta, r0, w, d0, d1, n):
    return _search(f, theta, r0, w, d0, d1, n, point=lambda d0, g0, d1, g1: d1 + g1 * (d1 - d0) / (g1 - g0))


def bracket_not_updated(f, theta, r0, w, d0, d1, n):
    return _search(f, theta, r0, w, d0, d1, n, point=_secant, keep="none")


def plain_secant(f, theta, r0, w, d0, d1, n):
    return _search(f, theta, r0, w, d0, d1, n, point=_secant, keep="last_two")


def one_step_too_many(f, theta, r0, w, d0, d1, n):
    return _search(f, theta, r0, w, d0, d1, n, point=_secant, steps=n + 1)


def swapped_bracket_update(f, theta, r0, w, d0, d1, n):
    return _search(f, theta, r0, w, d0, d1, n, point=_secant, keep="swapped")


def returned_bracket_end(f, theta, r0, w, d0, d1, n):
    return _search(f, theta, r0, w, d0, d1, n, point=_secant, answer="d1")
