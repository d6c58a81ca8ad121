"""What to tell a student whose function changed an argument in place (the worker's report,
messages.InputChange, read in the grading process), and what to say when it could not be checked."""

from __future__ import annotations

from .messages import InputChange

WORDS = {"type": "its type", "dtype": "its dtype", "shape": "its shape", "values": "its values",
         "requires_grad": "its requires_grad", "grad": "its .grad", "entries": "its entries"}

# One piece of advice per kind of change, in this order; `{a}` names the tensor (the argument, or `x`
# when the tensor sits in a dict or list), `{copy}` how to copy it.
ADVICE = {
    "values": "compute new tensors (`{a} = {a} - …` rather than `{a} -= …`, `{a} * s` rather than `{a}.mul_(s)`, no "
              "assignment into `{a}[…]`), or work on a copy ({copy}); `.detach()`, `.data`, `.view(…)` and slices "
              "share the caller's memory",
    "shape": "`.data = …`, `.resize_(…)`, `.t_()` or `.unsqueeze_(…)` change the caller's tensor itself: "
             "`.to(…)`, `.reshape(…)`, `.t()` and `.unsqueeze(…)` return new ones",
    "requires_grad": "differentiate a copy, `{a} = {a}.detach().requires_grad_()`, not the caller's tensor",
    "grad": "`.backward()` writes `.grad` into every leaf it reaches, the caller's tensor included: differentiate "
            "a copy (`{a} = {a}.detach().requires_grad_()`) or use `torch.autograd.grad`, which writes no `.grad`, "
            "and assign no `.grad` to an argument",
    "entries": "build a new dict or list (`{{k: … for k, v in {root}.items()}}`) instead of assigning into, adding "
               "to or removing from the caller's",
}
SAME_ADVICE = {"type": "shape", "dtype": "shape"}  # changed by the same in-place calls


def changed_message(changes: list[InputChange]) -> str:
    """"your function changed its argument `params` in place (its values); …: …", or "" for no change."""
    if not changes:
        return ""
    by_argument: dict[str, list[InputChange]] = {}
    for change in changes:
        by_argument.setdefault(_root(change.argument), []).append(change)
    parts = [f"`{name}` ({'; '.join(_what(name, c) for c in places)})" for name, places in by_argument.items()]
    which = f"its argument {parts[0]}" if len(parts) == 1 else f"its arguments {', '.join(parts[:-1])} and {parts[-1]}"
    kinds = {SAME_ADVICE.get(k, k) for c in changes for k in c.changed}
    if "grad" in kinds:
        kinds.discard("requires_grad")  # the advice on .grad says it: differentiate a copy
    advice = "; ".join(ADVICE[k].format(**_names(changes, k)) for k in ADVICE if k in kinds)
    return f"your function changed {which} in place; the caller's arguments must stay as they were: {advice}."


def unchecked_message(reason: str) -> str:
    return (f"dlcheck could not check that your function left its arguments as they were ({reason}); does your "
            f"code patch torch, or leave a torch mode active after it returns?")


def _what(name: str, change: InputChange) -> str:
    words = ", ".join(WORDS[k] for k in dict.fromkeys(change.changed))
    return words if change.argument == name else f"`{change.argument}`: {words}"


def _names(changes: list[InputChange], kind: str) -> dict[str, str]:
    """How the advice for `kind` names the tensor: by the first argument so changed, if it is one itself."""
    change = next(c for c in changes if SAME_ADVICE.get(kind, kind) in {SAME_ADVICE.get(k, k) for k in c.changed})
    root = _root(change.argument)
    if change.argument == root:
        return {"a": root, "copy": f"`{root} = {root}.clone()`", "root": root}
    return {"a": "x", "copy": f"`x = {change.argument}.clone()`", "root": root}


def _root(path: str) -> str:
    """The argument's own name in a path such as grads['W1']."""
    return path.split("[", 1)[0]
