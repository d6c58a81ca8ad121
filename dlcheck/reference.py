"""The reference role: generates an exercise's cases and computes what the grader compares against.

Runs in a trusted process forked from the zygote (never one that student code has touched).
It receives one `messages.ReferenceJob` and replies with `ReferenceCases` (for every case the
arguments, the reference's output and the output of each known mistake and of each of its variants,
by function name, as wire nodes) or a `ReferenceFault`. Every call gets a freshly decoded copy of the arguments, built exactly as the
student worker will build them, so no function can see another's mutations.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any, Callable

from . import cases as casegen
from .errors import GraderFault, InvalidCase
from .messages import ReferenceCase, ReferenceCases, ReferenceFault, ReferenceJob
from .modules import load_module
from .spec import to_data
from .wire import CallableRef, encode, torch_value, unsupported

MAX_REDRAWS = 100
DEFAULT_HIDDEN = 4  # at least this many hidden cases where the spec says nothing


def serve(channel) -> None:
    job = channel.receive(ReferenceJob)
    try:
        channel.send(ReferenceCases(compute(job)))
    except GraderFault as fault:
        channel.send(ReferenceFault(str(fault)))
    except Exception as exc:
        channel.send(ReferenceFault(f"the reference process failed: {_author_traceback(exc)}"))


def _author_traceback(exc: Exception) -> str:
    """The exception with only the frames in the course's own files (references, mistakes, fixtures)."""
    engine = str(Path(__file__).resolve().parent)
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith(engine)]
    lines = "".join(traceback.format_list(frames))
    return f"{type(exc).__name__}: {exc}" + (f"\n{lines.rstrip()}" if lines else "")


def compute(job: ReferenceJob) -> list[ReferenceCase]:
    fixtures = load_module(job.fixtures_path, "dlcheck_fixtures") if job.fixtures_path else None
    reference = load_module(job.reference_path, "dlcheck_reference")
    entry = _function(reference, job.entry_point, job.reference_path)
    mistakes_module = load_module(job.mistakes_path, "dlcheck_mistakes") if job.mistakes_path else None
    mistakes = {name: _function(mistakes_module, name, job.mistakes_path) for name in job.mistake_functions}
    build = callable_builder(fixtures)
    spec = to_data(job.cases)  # case generation reads the spec's plain data
    public = _cases(spec, reference, entry, build)
    hidden = _hidden_cases(spec, job.hidden_seed, public, reference, entry, build)
    return [
        ReferenceCase(
            name=case.name, hidden=is_hidden, args=case.args,
            expected=encode(call(entry, case.args, build)),
            mistakes={name: _mistake_output(fn, case.args, build) for name, fn in mistakes.items()},
        )
        for case, is_hidden in [(c, False) for c in public] + [(c, True) for c in hidden]
    ]


def _cases(spec: dict, reference, entry: Callable, build) -> list[casegen.Case]:
    if spec.get("generator"):
        generator = _function(reference, spec["generator"], "the reference module")
        made = generator(spec.get("seed", 0))
        return [casegen.Case(c["name"], {k: encode(v) for k, v in c["args"].items()}) for c in made]
    made = []
    for index in range(casegen.case_count(spec)):
        made.append(_valid_case(spec, index, entry, build, is_edge=index < len(spec.get("edge", []))))
    return made


def _hidden_cases(spec: dict, seed: int | None, public: list[casegen.Case], reference, entry: Callable,
                  build) -> list[casegen.Case]:
    """Cases drawn exactly like the public random ones, from `seed` (which the student cannot know).

    A generator is simply called with that seed; its cases that repeat a public one (hand-made
    edge cases do) are dropped. Named "hidden #k": the name must not describe what was drawn."""
    if seed is None:
        return []
    wanted = spec.get("hidden")
    if spec.get("generator"):
        drawn = _cases({**spec, "seed": seed}, reference, entry, build)
        seen = [case.args for case in public]
        drawn = [case for case in drawn if case.args not in seen][:wanted]  # [:None] keeps them all
    else:
        count = wanted if wanted is not None else max(int(spec.get("random", 0)), DEFAULT_HIDDEN)
        hidden_spec = {**spec, "seed": seed, "edge": [], "random": count}
        drawn = _cases(hidden_spec, reference, entry, build) if spec.get("args") else []
    return [casegen.Case(f"hidden #{number}", case.args) for number, case in enumerate(drawn, start=1)]


def _valid_case(spec: dict, index: int, entry: Callable, build, is_edge: bool) -> casegen.Case:
    """Draw case `index`, redrawing random cases that the reference rejects with InvalidCase."""
    for attempt in range(MAX_REDRAWS):
        case = casegen.draw_case(spec, index, attempt)
        wired = casegen.Case(case.name, {k: encode(v) for k, v in case.args.items()})
        try:
            call(entry, wired.args, build)
            return wired
        except InvalidCase as exc:
            if is_edge:
                raise GraderFault(f"edge case '{case.name}' is rejected by the reference: {exc}") from None
    raise GraderFault(f"case {index}: the reference rejected {MAX_REDRAWS} draws in a row; "
                      "widen the ranges in the spec")


def call(fn: Callable, wired_args: dict[str, Any], build) -> Any:
    args = [torch_value(value, build) for value in wired_args.values()]
    return fn(*args)


def _mistake_output(fn: Callable, wired_args: dict, build) -> Any:
    try:
        return encode(call(fn, wired_args, build))
    except Exception as exc:  # a mistake may crash on some cases; it just cannot match there
        return unsupported("raised", f"{type(exc).__name__}: {exc}")


def callable_builder(fixtures) -> Callable[[CallableRef], Any]:
    def build(ref: CallableRef) -> Any:
        factory = getattr(fixtures, ref.factory, None) if fixtures else None
        if factory is None:
            raise GraderFault(f"no callable factory '{ref.factory}' in exercises/fixtures.py")
        return factory(**ref.params)

    return build


def _function(module, name: str, where) -> Callable:
    fn = getattr(module, name, None)
    if not callable(fn):
        raise GraderFault(f"{where} defines no function '{name}'")
    return fn
