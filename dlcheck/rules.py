"""Exercise rules (forbidden APIs), enforced in layers. docs/rules.md says which hold against whom.

1. `scan_source` (grading process) reads the submission's syntax tree without running it: uses of
   forbidden names (through import and assignment aliases, getattr with constant names; a method
   only through its class, since `x.backward()` may be the submission's own object's), and code
   it cannot check (computed attribute names, eval, import machinery, torch internals). The
   submission cannot interfere with this layer, but it only sees what the source spells out.
2. `install_traps` (worker, before the cases are decoded and the submission is imported):
   - name traps: each forbidden API is replaced by a stub that reports and raises (best effort);
   - operator bans: the kernels of each `ops` pattern (and, for autograd rules, torch's backward
     kernels and forward-mode AD) are replaced in torch's dispatcher, so every Python route to them
     (getattr, torch.ops, torch._C, a reloaded module, a backend op) ends in the same refusal;
   - the autograd guard, for a rule that forbids autograd: a dispatch mode that refuses any operator
     recording an autograd graph, running inside a backward pass, or handled by a tensor subclass,
     with the APIs that would take it off the stack disabled.
A trapped call reports (rule id, api) to the grader before it raises ForbiddenAPI, so catching the
exception does not hide the violation.
"""

from __future__ import annotations

import ast
import fnmatch
import functools
import importlib
import importlib.machinery
import re
import sys
import types
import warnings
from dataclasses import dataclass
from typing import Callable, Iterator

Report = Callable[[str, str], None]


@dataclass(frozen=True)
class Violation:
    rule: str
    api: str
    line: int | None
    message: str
    # What the static scan saw: "imports", "calls", "refers to" (a name used without calling it), or
    # "uses" (a construct that hides names); a trapped call is "called" at run time (grading.py).
    how: str = "uses"


# The strongest evidence of a use is reported: a call, then a reference, then an import.
EVIDENCE = ("calls", "refers to", "imports")


class ForbiddenAPI(BaseException):
    """Raised by a trapped API. A BaseException, so `except Exception` in a submission won't hide it."""


# A rule that forbids one of these forbids autograd as a whole (unless it says `autograd: allowed`).
AUTOGRAD_ENTRY_POINTS = frozenset({"torch.autograd.grad", "torch.autograd.backward", "torch.Tensor.backward"})
# What else the static scan refuses under such a rule: every public way to differentiate with torch.
AUTOGRAD_NAMES = ("torch.autograd", "torch.func", "functorch", "torch.Tensor.backward", "torch.Tensor.grad_fn")
# Dispatcher operators that compute derivatives: forward-mode AD's dual tensors, the op that runs the
# backward engine, and torch's hand-written backward kernels (native_batch_norm_backward is the
# whole batchnorm_backward exercise).
AUTOGRAD_OPS = ("aten::_make_dual", "aten::_backward", "aten::*_backward", "aten::*_backward_*")


def forbids_autograd(rule: dict) -> bool:
    explicit = rule.get("autograd")
    if explicit is not None:
        return explicit == "forbidden"
    return any(api in AUTOGRAD_ENTRY_POINTS for api in rule["forbid"])


def operator_patterns(rule: dict) -> list[str]:
    """The dispatcher operators a rule bans, as fnmatch patterns over 'namespace::name'."""
    return list(rule.get("ops") or []) + (list(AUTOGRAD_OPS) if forbids_autograd(rule) else [])


# ---------------------------------------------------------------- static layer (grader)

def scan_source(tree: ast.AST, rules: list[dict]) -> list[Violation]:
    if not rules:
        return []
    source = _Source(tree)
    found = []
    for rule in rules:
        apis = list(rule["forbid"]) + (list(AUTOGRAD_NAMES) if forbids_autograd(rule) else [])
        api = next((api for api in apis for chain, _, _ in source.chains if _matches(chain, api)), None)
        if api:
            seen = [(EVIDENCE.index(how), line, how) for chain, line, how in source.chains if _matches(chain, api)]
            _, line, how = min(seen)
            found.append(Violation(rule["id"], api, line, rule["message"], how))
    if not found:
        # Rules can only be checked in code whose names can be read: refuse the ways around that.
        evasion = next(source.evasions(), None)
        if evasion:
            what, line, how = evasion
            found.append(Violation(rules[0]["id"], f"{what}, which dlcheck cannot check against the rules", line,
                                   rules[0]["message"], how))
    return found


def _matches(chain: str, api: str) -> bool:
    """Whether a dotted name of the source is the API. A method (torch.Tensor.backward) matches only
    through its class (`torch.Tensor.backward(loss)`): `x.backward()` may be a tensor's or the
    submission's own object's (the cs231n layer style), which the source does not say. A call on a
    tensor is refused at run time: the name trap on torch.Tensor, the operator ban, the autograd guard."""
    parts = api.split(".")
    if chain == api or chain.startswith(api + "."):
        return True
    if len(parts) >= 3:  # from torch import autograd; autograd.grad(...) (and from torch import *; Tensor.det)
        tail = ".".join(parts[1:])
        return chain == tail or chain.endswith("." + tail) or chain.startswith(tail + ".")
    return False


# Builtins that look names up or run code from data.
CODE_BUILTINS = frozenset({"eval", "exec", "compile", "__import__", "globals", "locals", "vars", "breakpoint"})
NAME_BUILTINS = frozenset({"getattr", "setattr", "delattr"})
# Attributes that reach around names: namespaces, frames, code, the class hierarchy.
ESCAPE_ATTRIBUTES = frozenset({
    "__dict__", "__getattribute__", "__subclasses__", "__globals__", "__builtins__", "__code__", "__closure__",
    "__mro__", "__bases__", "__base__", "__loader__", "__spec__", "__self__", "__func__", "__wrapped__",
    "f_back", "f_globals", "f_locals", "f_builtins", "f_code", "tb_frame", "tb_next", "gi_frame", "gi_code",
    "cr_frame", "ag_frame",
})
# Modules and functions that resolve names from strings, run code from data, inspect the process,
# or reach under torch's public API.
ESCAPE_APIS = (
    "importlib", "imp", "_imp", "gc", "ctypes", "inspect", "pickle", "_pickle", "marshal", "copyreg", "pydoc",
    "pkgutil", "runpy", "code", "codeop", "builtins", "threading", "_thread", "multiprocessing", "concurrent",
    "sys.modules", "sys._getframe", "sys._current_frames", "sys.settrace", "sys.setprofile", "sys.meta_path",
    "sys.path_hooks", "sys.path_importer_cache", "sys.addaudithook", "operator.attrgetter",
    "operator.methodcaller", "string.Formatter", "types.FunctionType", "types.CodeType", "types.ModuleType",
    "dlcheck", "torch.load", "torch.jit", "torch.package", "torch.hub", "torch.library", "torch.ops",
    "torch.overrides", "torch.fx", "torch.compile", "torch.export", "numpy.load",
)
IMPORT_FUNCTIONS = ("importlib.import_module", "__import__")
# dlcheck's exception for invalid draws: references raise it and are graded as submissions.
ALLOWED_APIS = ("dlcheck.errors",)


class _Source:
    """The names a submission's source uses, with aliases resolved, and the constructs that hide names."""

    def __init__(self, tree: ast.AST):
        self.tree = tree
        self.imported = _imported_roots(tree)
        self.aliases = _aliases(tree)
        # Names the submission binds itself (a variable called `vars` is not the builtin).
        self.assigned = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        self.assigned |= {n.arg for n in ast.walk(tree) if isinstance(n, ast.arg)}
        self.assigned |= {n.name for n in ast.walk(tree)
                          if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
        self.called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
        self.chains = list(self._chains())

    def _chains(self) -> Iterator[tuple[str, int, str]]:
        """Every dotted name the source spells out, with its line and how it is used (EVIDENCE)."""
        for node in ast.walk(self.tree):
            if isinstance(node, (ast.Attribute, ast.Call)):
                chain = _resolve(node, self.aliases)
                if chain:
                    yield chain, node.lineno, self._how(node)
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in self.aliases:
                    yield self.aliases[node.func.id], node.lineno, "calls"  # from torch.autograd import grad; grad(…)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    yield alias.name, node.lineno, "imports"
            elif isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    yield f"{node.module}.{alias.name}", node.lineno, "imports"

    def _how(self, node: ast.Attribute | ast.Call) -> str:
        if isinstance(node, ast.Call) and _resolve(node.func, self.aliases) in IMPORT_FUNCTIONS:
            return "imports"
        return "calls" if id(node) in self.called else "refers to"

    def evasions(self) -> Iterator[tuple[str, int, str]]:
        for chain, line, how in self.chains:
            if any(chain == a or chain.startswith(a + ".") for a in ALLOWED_APIS):
                continue
            if chain.split(".")[0] not in self.imported:
                continue  # the submission's own variables (one may well be called `code`)
            escape = next((api for api in ESCAPE_APIS if chain == api or chain.startswith(api + ".")), None)
            if escape:
                yield escape, line, how
            elif _private_part(chain):
                yield f"{chain.split('.' + _private_part(chain))[0]}.{_private_part(chain)} (a private API)", line, how
        for node in ast.walk(self.tree):
            problem = self._hidden_name(node)
            if problem:
                yield problem, node.lineno, "uses"

    def _hidden_name(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in NAME_BUILTINS:
            if node.func.id not in self.assigned and (len(node.args) < 2 or _constant_string(node.args[1]) is None):
                return f"{node.func.id} with a computed name"
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in self.assigned:
            if node.id == "__builtins__" or node.id in CODE_BUILTINS:
                return node.id
            if node.id in NAME_BUILTINS and id(node) not in self.called:
                return f"{node.id} passed around as a value"
        elif isinstance(node, ast.Attribute) and node.attr in ESCAPE_ATTRIBUTES:
            return node.attr
        return None


def _private_part(chain: str) -> str | None:
    return next((p for p in chain.split(".")[1:] if p.startswith("_") and not p.startswith("__")), None)


def _imported_roots(tree: ast.AST) -> set[str]:
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def _aliases(tree: ast.AST) -> dict[str, str]:
    """Local names bound to module objects or their attributes: imports, and `name = <dotted name>`."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    assignments = [n for n in ast.walk(tree) if isinstance(n, ast.Assign) and len(n.targets) == 1
                   and isinstance(n.targets[0], ast.Name)]
    for _ in range(4):  # aliases of aliases, without ordering the source
        for node in assignments:
            chain = _resolve(node.value, aliases)
            if chain and "?" not in chain.split(".")[0]:
                aliases[node.targets[0].id] = chain
    return aliases


def _resolve(node: ast.AST, aliases: dict[str, str]) -> str | None:
    """The dotted name an expression denotes, if the source spells it out ('?' for an unknown root)."""
    if isinstance(node, ast.Name):
        return aliases.get(node.id, node.id)
    if isinstance(node, ast.Attribute):
        return f"{_resolve(node.value, aliases) or '?'}.{node.attr}"
    if isinstance(node, ast.Call) and node.args:
        function = _resolve(node.func, aliases)
        name = _constant_string(node.args[1]) if len(node.args) > 1 else None
        if function == "getattr" and name is not None:
            return f"{_resolve(node.args[0], aliases) or '?'}.{name}"
        if function in IMPORT_FUNCTIONS:
            return _constant_string(node.args[0])
    return None


def _constant_string(node: ast.AST) -> str | None:
    """The value of a string expression built from constants ("con" + "v2d", f-strings, "".join)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _constant_string(node.left), _constant_string(node.right)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.JoinedStr):
        parts = [_constant_string(v.value if isinstance(v, ast.FormattedValue) else v) for v in node.values]
        return "".join(parts) if all(p is not None for p in parts) else None
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join"
            and len(node.args) == 1 and isinstance(node.args[0], (ast.List, ast.Tuple))):
        separator = _constant_string(node.func.value)
        parts = [_constant_string(e) for e in node.args[0].elts]
        return separator.join(parts) if separator is not None and all(p is not None for p in parts) else None
    return None


# ---------------------------------------------------------------- runtime layer (worker)

def install_traps(rules: list[dict], report: Report) -> None:
    """Called once in the worker, before the cases are decoded and the submission is imported."""
    if not rules:
        return
    # The zygote has imported torch (and numpy) already. Trapping names while torch is still being
    # imported would break torch's own modules, which subclass and call the very APIs forbidden.
    import torch  # noqa: F401

    report = _once_per_api(report)
    for rule in rules:
        for api in rule["forbid"]:
            _trap(api, rule["id"], report)
    banned: dict[str, str] = {}
    for rule in rules:
        for op in operators_matching(operator_patterns(rule)):
            banned.setdefault(op, rule["id"])
    if banned:
        _ban_operators(banned, report)
    autograd_rule = next((rule for rule in rules if forbids_autograd(rule)), None)
    if autograd_rule:
        _guard_autograd(_refuser(autograd_rule["id"], report))


def _once_per_api(report: Report) -> Report:
    """A submission that catches ForbiddenAPI in a loop must not flood the grader with reports."""
    seen: set[tuple[str, str]] = set()

    def report_once(rule_id: str, api: str) -> None:
        if (rule_id, api) not in seen:
            seen.add((rule_id, api))
            report(rule_id, api)

    return report_once


def _refuser(rule_id: str, report: Report) -> Callable[[str], None]:
    def refuse(api: str) -> None:
        report(rule_id, api)
        raise ForbiddenAPI(f"{api} is forbidden in this exercise (rule '{rule_id}')")

    return refuse


# -------------------------------------------------- name traps (best effort)

def _trap(api: str, rule_id: str, report: Report) -> None:
    if api.split(".")[0] not in sys.modules:
        # Importing scipy to trap scipy.signal would cost more than most gradings: trap it on import.
        _TrapsOnImport.add(api, rule_id, report)
        return
    parent_name, _, attr = api.rpartition(".")
    parent = _resolve_object(parent_name)
    if parent is None or not hasattr(parent, attr):
        return  # this torch version lacks it: nothing to forbid
    refuse = _refuser(rule_id, report)

    def stub(*_args, **_kwargs):
        refuse(api)

    if isinstance(getattr(parent, attr), types.ModuleType):
        module_stub = _ForbiddenModule(api, stub)
        sys.modules[api] = module_stub
        setattr(parent, attr, module_stub)
    else:
        setattr(parent, attr, stub)


def _resolve_object(dotted: str):
    parts = dotted.split(".")
    obj = importlib.import_module(parts[0])
    for i, part in enumerate(parts[1:], start=1):
        if not hasattr(obj, part):
            try:
                importlib.import_module(".".join(parts[: i + 1]))
            except ImportError:
                return None
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


class _ForbiddenModule(types.ModuleType):
    def __init__(self, name: str, refuse: Callable):
        super().__init__(name)
        object.__setattr__(self, "_refuse", refuse)

    def __getattr__(self, item: str):
        if item.startswith("__"):
            raise AttributeError(item)
        self._refuse()


class _TrapsOnImport:
    """A meta path finder for the packages that were not loaded when the traps were installed: when
    the module that holds a forbidden API has been executed, the API is trapped in it (and a
    forbidden module is replaced by its stub before the importer sees it)."""

    pending: dict[str, list[Callable[[types.ModuleType], None]]] = {}

    @classmethod
    def add(cls, api: str, rule_id: str, report: Report) -> None:
        if not cls.pending:
            sys.meta_path.insert(0, cls)
        refuse = _refuser(rule_id, report)
        # Whether `api` is a module or a function is only known once it loads: prepare for both.
        cls.pending.setdefault(api, []).append(lambda module: cls._replace_module(module, api, refuse))
        holder, _, attr = api.rpartition(".")
        cls.pending.setdefault(holder, []).append(lambda module: cls._trap_attribute(module, attr, api, refuse))

    @staticmethod
    def _replace_module(module: types.ModuleType, api: str, refuse: Callable[[str], None]) -> None:
        sys.modules[api] = _ForbiddenModule(api, lambda *_a, **_k: refuse(api))  # what the importer returns

    @staticmethod
    def _trap_attribute(module: types.ModuleType, attr: str, api: str, refuse: Callable[[str], None]) -> None:
        # vars(), not getattr: a package's lazy __getattr__ (scipy's) would import every submodule.
        if not isinstance(vars(module).get(attr), (types.ModuleType, type(None))):
            setattr(module, attr, lambda *_a, **_k: refuse(api))

    @classmethod
    def find_spec(cls, fullname: str, path=None, target=None):
        if fullname not in cls.pending:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _TrappingLoader(spec.loader, cls.pending.pop(fullname))
        return spec


class _TrappingLoader:
    def __init__(self, loader, traps: list[Callable[[types.ModuleType], None]]):
        self.loader, self.traps = loader, traps

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        self.loader.exec_module(module)
        for trap in self.traps:
            trap(module)


# -------------------------------------------------- operator bans (at dispatch)

# The dispatch keys that hold implementations on this CPU-only build: the composite aliases and the
# CPU backends (dense, MKL-DNN, meta, quantized, sparse, nested).
IMPLEMENTATION_KEYS = (
    "CompositeImplicitAutograd", "CompositeImplicitAutogradNestedTensor", "CompositeExplicitAutograd",
    "CompositeExplicitAutogradNonFunctional", "CPU", "MkldnnCPU", "Meta", "QuantizedCPU", "SparseCPU",
    "SparseCsrCPU", "SparseMeta", "SparseCsrMeta", "NestedTensorCPU", "NestedTensorMeta",
)
# Wrapper keys usually redispatch to those, but the hand-written autograd kernels may do the work
# themselves (forward-mode AD's _make_dual is implemented in its Autograd and ADInplaceOrView kernels
# and never reaches the backend), so a banned operator's kernels are replaced at these too. The
# functorch, functionalization and autocast wrappers always call operators again on plain tensors,
# which lands on a replaced kernel: replacing theirs would only add to the cost.
WRAPPER_KEYS = ("Autograd", "AutogradCPU", "AutogradOther", "AutogradNestedTensor", "ADInplaceOrView")


def operators_matching(patterns: list[str]) -> list[str]:
    """Registered operator names ('aten::conv2d.padding') whose 'namespace::name' matches a pattern."""
    if not patterns:
        return []
    matcher = re.compile("|".join(fnmatch.translate(p) for p in patterns))
    return [op for name, ops in dispatch_index().overloads.items() if matcher.match(name) for op in ops]


@dataclass(frozen=True)
class DispatchIndex:
    overloads: dict[str, list[str]]  # 'aten::conv2d' -> its overloads' full names
    registrations: dict[str, frozenset[str]]  # dispatch key -> operators with a kernel registered there


@functools.cache
def dispatch_index() -> DispatchIndex:
    """What the dispatcher holds, read once: the zygote builds it before forking (a job that bans
    operators then needs only to look them up), and nothing a job does can reach the zygote's copy."""
    import torch

    overloads: dict[str, list[str]] = {}
    for op in torch._C._dispatch_get_all_op_names():
        overloads.setdefault(op.partition(".")[0], []).append(op)
    listed = {key: frozenset(torch._C._dispatch_get_registrations_for_dispatch_key(key))
              for key in IMPLEMENTATION_KEYS + WRAPPER_KEYS}
    return DispatchIndex(overloads, listed)


def _ban_operators(banned: dict[str, str], report: Report) -> None:
    """Replace each operator's kernels in the dispatcher by one that reports and raises.

    Whatever Python path a submission takes (F.conv2d, getattr, torch.ops.aten, torch._C._nn, a
    backend op, a reloaded module), the call ends at one of these kernels. The registrations live as
    long as their library handles, which are leaked on purpose: nothing in Python refers to them, so
    a submission cannot find them to undo the registration.
    """
    import torch

    registered = _registrations(IMPLEMENTATION_KEYS + WRAPPER_KEYS, banned)
    libraries: dict[tuple[str, str], object] = {}
    with warnings.catch_warnings():
        # "Overriding a previously registered kernel" is the point; the worker's output is the student's.
        warnings.simplefilter("ignore")
        for op, rule_id in banned.items():
            namespace, _, name = op.partition("::")
            kernel = _refusing_kernel(f"torch operator {op.partition('.')[0]}", _refuser(rule_id, report))
            implemented = [key for key in IMPLEMENTATION_KEYS if op in registered[key]]
            if not implemented:
                continue  # a kernel for another device only (cudnn, mps): it cannot run here at all
            for key in implemented + [key for key in WRAPPER_KEYS if op in registered[key]]:
                library = libraries.get((namespace, key))
                if library is None:
                    library = libraries[(namespace, key)] = torch._C._dispatch_library("IMPL", namespace, key, "", 0)
                library.impl(name, key, kernel, False)
    for library in libraries.values():
        _keep_alive_forever(library)


def _refusing_kernel(api: str, refuse: Callable[[str], None]) -> Callable:
    def kernel(*_args, **_kwargs):
        refuse(api)

    return kernel


def _registrations(keys: tuple[str, ...], ops: dict[str, str]) -> dict[str, frozenset[str]]:
    """For each dispatch key, which of the operators have a kernel registered at it."""
    import torch

    has, is_fallthrough = (torch._C._dispatch_has_kernel_for_dispatch_key,
                           torch._C._dispatch_kernel_for_dispatch_key_is_fallthrough)
    if len(ops) < 100:  # one query per (operator, key) pair is cheaper than listing every key's operators
        return {key: frozenset(op for op in ops if has(op, key) and not is_fallthrough(op, key)) for key in keys}
    listed = dispatch_index().registrations
    return {key: frozenset(op for op in ops if op in listed[key] and not is_fallthrough(op, key)) for key in keys}


def _keep_alive_forever(obj: object) -> None:
    import ctypes

    ctypes.pythonapi.Py_IncRef(ctypes.py_object(obj))


# -------------------------------------------------- the autograd guard

SUBCLASS = "a tensor subclass with __torch_dispatch__ (its code would run outside dlcheck's checks)"
BACKWARD = "torch's autograd engine (an operator ran inside a backward pass)"
GRAPH = "autograd (an operator on a tensor that requires grad records a graph for backward)"


def _guard_autograd(refuse: Callable[[str], None]) -> None:
    import torch

    guard_class = _autograd_guard_class(refuse)
    _make_immutable(guard_class)
    guard = guard_class()
    torch._C._push_on_torch_dispatch_stack(guard)
    _lock_the_dispatch_stack(guard, refuse)
    sys.addaudithook(_autograd_audit_hook(refuse))


def _autograd_guard_class(refuse: Callable[[str], None]) -> type:
    import torch

    class AutogradGuard:
        """A dispatch mode that sees every operator below autograd, whatever Python path led to it.

        Everything its check reads is bound here, on a class made immutable, with no instance
        dictionary, and read through `self`: no global or builtin lookups a submission could rebind.
        """

        __slots__ = ()
        _grad_enabled = staticmethod(torch._C.is_grad_enabled)
        _any_requires_grad = staticmethod(torch._C._any_requires_grad)
        _graph_task_id = staticmethod(torch._C._current_graph_task_id)
        _detach = torch.ops.aten.detach.default  # the worker detaches what it returns
        _refuse = staticmethod(refuse)
        _subclass, _backward, _graph = SUBCLASS, BACKWARD, GRAPH
        supports_higher_order_operators = False

        def is_infra_mode(self) -> bool:
            return False

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            if types:  # a subclass's __torch_dispatch__ would run with this mode off the stack
                self._refuse(self._subclass)
            if self._graph_task_id() != -1:
                self._refuse(self._backward)
            if self._grad_enabled() and func is not self._detach and self._any_requires_grad(*args, **kwargs):
                self._refuse(self._graph)
            return func(*args, **kwargs)

    return AutogradGuard


Py_TPFLAGS_IMMUTABLETYPE = 1 << 8


def _make_immutable(cls: type) -> None:
    """Set CPython's immutable-type flag on a class: no attribute can be set or deleted on it, and no
    instance's __class__ can be reassigned. Python offers no way to do this for a class it defines."""
    import ctypes

    for offset in range(0, 64 * 8, 8):  # tp_flags, found by value: its offset differs across versions
        word = ctypes.c_ulong.from_address(id(cls) + offset)
        if word.value == cls.__flags__:
            word.value |= Py_TPFLAGS_IMMUTABLETYPE
            break
    if not cls.__flags__ & Py_TPFLAGS_IMMUTABLETYPE:
        raise RuntimeError(f"could not make {cls.__name__} immutable")


# The APIs that would take the guard off the dispatch mode stack, keep the dispatcher from reaching
# it (excluding the Python dispatch key), skip it (redispatch below it), put a mode of the
# submission's below it, or register the submission's own kernels (which would run while the guard
# is handling an operator, that is, off the stack). Functions are replaced wherever torch refers to
# them; guard classes lose their constructor; methods are replaced on their class.
ESCAPE_FUNCTIONS = (
    "_set_dispatch_mode", "_unset_dispatch_mode", "_dispatch_tls_set_dispatch_key_excluded",
    "_dispatch_tls_set_dispatch_key_included", "_dispatch_library",
)
ESCAPE_GUARDS = (
    "_DisableTorchDispatch", "_ExcludeDispatchKeyGuard", "ExcludeDispatchKeyGuard", "_ForceDispatchKeyGuard",
    "_SetExcludeDispatchKeyGuard", "_EnablePythonDispatcher", "_EnablePreDispatch", "_RestorePythonTLSSnapshot",
)
ESCAPE_METHODS = {
    "_DispatchOperatorHandle": ("redispatch_boxed",),
    "_DispatchModule": ("impl", "impl_t_t", "impl_with_aoti_compile", "def_", "def_legacy", "def_name_t_t",
                        "def_schema_t_t", "define", "fallback", "fallback_fallthrough",
                        "register_ad_inplace_or_view_fallback"),
}
SWITCHES_OFF = "it would switch off dlcheck's autograd check"


def _lock_the_dispatch_stack(guard: object, refuse: Callable[[str], None]) -> None:
    import torch

    def refusing(api: str) -> Callable:
        def refused(*_args, **_kwargs):
            refuse(f"{api} ({SWITCHES_OFF})")

        return refused

    for name in ESCAPE_FUNCTIONS:
        _replace_in_torch(name, refusing(f"torch._C.{name}"))
    _replace_in_torch("_pop_torch_dispatch_stack", _pop_keeping(guard, torch._C._len_torch_dispatch_stack, refuse))
    _replace_in_torch("_push_on_torch_dispatch_stack", _push_once(guard, torch._C._push_on_torch_dispatch_stack))
    for name in ESCAPE_GUARDS:
        if hasattr(torch._C, name):
            getattr(torch._C, name).__init__ = refusing(f"torch._C.{name}")
    for class_name, methods in ESCAPE_METHODS.items():
        cls = getattr(torch._C, class_name)
        for method in methods:
            if hasattr(cls, method):
                setattr(cls, method, refusing(f"torch._C.{class_name}.{method}"))


def _pop_keeping(guard: object, stack_length: Callable[[], int], refuse: Callable[[str], None]) -> Callable:
    """torch pops every mode around some of its own work (Tensor.__repr__) and pushes them back: the
    guard is handed out but stays in place. Popping anything else is refused: doing it needs the real
    pop, and a reference to that is a reference a submission could find."""

    def pop_torch_dispatch_stack(mode_key=None):
        if mode_key is None and stack_length() == 1:
            return guard
        refuse(f"torch._C._pop_torch_dispatch_stack ({SWITCHES_OFF})")

    return pop_torch_dispatch_stack


def _push_once(guard: object, push: Callable) -> Callable:
    def push_on_torch_dispatch_stack(mode):
        if mode is not guard:  # the guard was never taken off
            push(mode)

    return push_on_torch_dispatch_stack


def _replace_in_torch(name: str, replacement: Callable) -> None:
    """Replace a torch._C function in torch._C and in every torch module that imported it by name
    (only torch's own modules are loaded before the submission; tests/engine/test_rule_traps.py
    checks with gc that no other reference is left)."""
    import torch

    original = getattr(torch._C, name, None)
    if original is None:
        return
    for module_name, module in list(sys.modules.items()):
        namespace = getattr(module, "__dict__", None) if module_name.partition(".")[0] == "torch" else None
        if isinstance(namespace, dict) and namespace.get(name) is original:
            namespace[name] = replacement


# Audit events through which Python code could rewrite the guard's code, trace into its frames and
# jump over its check, or find the objects it replaced.
REFUSED_EVENTS = frozenset({"sys.settrace", "sys.setprofile", "gc.get_objects", "gc.get_referrers", "gc.get_referents"})


def _autograd_audit_hook(refuse: Callable[[str], None]) -> Callable:
    def hook(event: str, args: tuple) -> None:
        if event in REFUSED_EVENTS:
            refuse(f"{event} ({SWITCHES_OFF})")
        elif event == "object.__setattr__" and len(args) > 1 and args[1] == "__code__":
            refuse(f"replacing a function's __code__ ({SWITCHES_OFF})")

    return hook
