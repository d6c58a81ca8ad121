"""The rule that a call leaves its arguments as the caller passed them, checked in the sandboxed worker.

Before the submission is imported, `watch` records a case's arguments: for every tensor (also one
nested in the lists, tuples and dicts the worker decoded) its type, dtype, shape, values as bytes,
requires_grad and .grad; for every list and dict, which objects it holds. After each call, `changes`
says what differs, argument by argument. Arguments the spec lists in `modifies:` are not watched;
callables and other objects are not looked into.

Strides and storage are not compared: a tensor that holds the same values in the same dtype and
shape behaves the same for its caller, whichever memory it now points at.

Everything the check calls is bound when this module is imported (in the zygote, before any
submission exists), on types a submission cannot patch: torch's C `TensorBase` (its getters and
`numpy`), `numpy.ndarray.tobytes`, `dict`, `list`, `tuple` and `type`. It reads under
`DisableTorchFunction`, so a torch-function mode or `__torch_function__` left behind is not called.
A submission still runs in this process and could hide a change by going after this module itself;
that gains it nothing (docs/security.md): the report can only fail a case, never pass one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy
import torch

from .messages import MAX_DEPTH, MAX_INPUT_CHANGES, NAME_CHARS, InputChange

_TensorBase = torch._C.TensorBase
_TENSOR = torch.Tensor
_DTYPE = _TensorBase.__dict__["dtype"].__get__
_SHAPE = _TensorBase.__dict__["shape"].__get__
_REQUIRES_GRAD = _TensorBase.__dict__["requires_grad"].__get__
_GRAD = _TensorBase.__dict__["grad"].__get__
_NUMPY = _TensorBase.numpy  # with force=True: also for a tensor that requires grad (one detach, nothing else)
_TOBYTES = numpy.ndarray.tobytes  # C order, whatever the strides
_NO_TORCH_FUNCTION = torch._C.DisableTorchFunction
_TYPE, _TUPLE, _REPR, _STR, _ENUMERATE = type, tuple, repr, str, enumerate
_DICT_ITEMS, _LIST, _DICT = dict.items, list, dict


@dataclass(frozen=True)
class _Tensor:
    """A tensor as it was passed: what `changes` compares it with."""

    type: type
    dtype: object
    shape: tuple
    data: bytes
    requires_grad: bool
    grad: tuple | None  # (dtype, shape, bytes) of .grad, or None


@dataclass(frozen=True)
class _Watched:
    path: str  # the argument, or where in it: "grads['W1']", "xs[0]"
    obj: object
    before: object  # a _Tensor, or a container's items as (key, object) pairs


def watch(args: dict, exempt: frozenset = frozenset()) -> list[_Watched]:
    """What a call must leave as it was: every tensor and container in `args` (name -> value)."""
    watched: list[_Watched] = []
    for name, value in _DICT_ITEMS(args):
        if name not in exempt:
            _watch(value, name, watched, 0)
    return watched


def changes(watched: list[_Watched]) -> tuple[list[InputChange], str | None]:
    """(what the call changed, per argument path; why the check could not be made, or None). Never raises."""
    found: dict[str, list[str]] = {}
    path = ""
    try:
        with _NO_TORCH_FUNCTION():
            for item in watched:
                path = item.path
                kinds = _tensor_changes(item.obj, item.before) if _TYPE(item.before) is _Tensor else (
                    [] if _items(item.obj) == item.before else ["entries"])
                if kinds:
                    found.setdefault(path, []).extend(kinds)
    except BaseException as exc:  # noqa: B902 - whatever the submission left behind, the case is reported
        return [], f"reading `{path[:NAME_CHARS]}` raised {_safe_str(lambda: _TYPE(exc).__name__)}: {_safe_str(lambda: exc)}"
    return [InputChange(path[:NAME_CHARS], kinds) for path, kinds in found.items()][:MAX_INPUT_CHANGES], None


def _watch(value: object, path: str, watched: list[_Watched], depth: int) -> None:
    kind = _TYPE(value)
    if kind is _TENSOR:
        watched.append(_Watched(path, value, _snapshot(value)))
    elif depth < MAX_DEPTH and kind in (_LIST, _TUPLE, _DICT):
        if kind is not _TUPLE:  # a tuple cannot be changed; the tensors in it can
            watched.append(_Watched(path, value, _items(value)))
        pairs = _DICT_ITEMS(value) if kind is _DICT else _ENUMERATE(value)
        for key, child in pairs:
            _watch(child, f"{path}[{_REPR(key)}]", watched, depth + 1)


def _items(container: object) -> tuple:
    """The objects a list or dict holds, with their keys: compared by identity (`is`), never `==`."""
    pairs = _DICT_ITEMS(container) if _TYPE(container) is _DICT else _ENUMERATE(container)
    return _TUPLE(_Same(key, child) for key, child in pairs)


@dataclass(frozen=True, eq=False)
class _Same:
    """A (key, object) pair that equals another when the key is equal and the object is the same one."""

    key: object
    obj: object

    def __eq__(self, other: object) -> bool:
        return _TYPE(other) is _Same and self.key == other.key and self.obj is other.obj


def _snapshot(t: object) -> _Tensor:
    grad = _GRAD(t)
    return _Tensor(_TYPE(t), _DTYPE(t), _TUPLE(_SHAPE(t)), _bytes(t), _REQUIRES_GRAD(t),
                   None if grad is None else _grad_state(grad))


def _tensor_changes(t: object, before: _Tensor) -> list[str]:
    kinds = [name for name, same in (("type", _TYPE(t) is before.type), ("dtype", _DTYPE(t) is before.dtype),
                                     ("shape", _TUPLE(_SHAPE(t)) == before.shape)) if not same]
    if not kinds and _bytes(t) != before.data:  # bitwise: NaNs, -0.0 and payloads included
        kinds.append("values")
    if _REQUIRES_GRAD(t) != before.requires_grad:
        kinds.append("requires_grad")
    grad = _GRAD(t)
    if (grad is None) != (before.grad is None) or (grad is not None and _grad_state(grad) != before.grad):
        kinds.append("grad")
    return kinds


def _grad_state(grad: object) -> tuple:
    return _DTYPE(grad), _TUPLE(_SHAPE(grad)), _bytes(grad)


def _bytes(t: object) -> bytes:
    # Not through `.data`: torch hands a dispatch mode that getter's detach as a subclass call, which
    # the autograd guard of rules.py refuses.
    return _TOBYTES(_NUMPY(t, force=True))


def _safe_str(get) -> str:
    try:
        return _STR(get())[:NAME_CHARS]
    except BaseException:  # noqa: B902 - a hostile __str__ must not stop the report
        return "<unprintable>"
