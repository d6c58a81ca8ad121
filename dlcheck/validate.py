"""Proving an exercise: the checks behind `dlcheck validate` and the catalog tests.

An exercise is trustworthy when its reference passes its own cases, every known mistake and each
of its variants fails *and is diagnosed as that mistake*, the starter does not pass, every example
(solutions/<id>_examples.yaml) grades as it says, its cases are the same every time, and the spec agrees with itself
(the cases' arguments with every function's parameters, the reference's outputs with `returns`:
dlcheck/spec_checks.py).
Each candidate is graded exactly as a student submission would be: a file, through the sandbox.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .catalog import Course
from .compare import exactly_compared_floats
from .errors import DlcheckError, GraderFault
from .examples import example_problems, example_text
from .grading import Grader
from .results import PASS, GradeResult
from .scaffold import todos
from .spec import Exercise as Spec
from .spec import to_data
from .spec_checks import case_argument_lists, parameter_problems, return_problems
from .submission import Submission
from .wire import Unsupported


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


@dataclass
class Report:
    exercise: str
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def validate(course: Course, spec: Spec, grader: Grader, examples: bool = True) -> Report:
    """All checks of one exercise; `examples=False` leaves out grading its `examples:` (for a run
    that grades them elsewhere, as the test suite does in tests/test_examples.py)."""
    report = Report(spec.id)
    unfinished = todos(spec)
    report.checks.append(Check("spec is complete", not unfinished,
                               f"still TODO: {', '.join(unfinished)}" if unfinished else ""))
    if spec.kind == "code" and not spec.cases.generator:  # static: reported even when grading fails
        report.checks += _arguments_agree(course, spec, [])
    try:
        if spec.kind == "code":
            report.checks += _mistake_functions_exist(course, spec)
        grade = _grading_function(course, spec, grader)
        if spec.kind == "code" and spec.cases.generator:  # the names are known from the cases it returns
            report.checks += _arguments_agree(course, spec, grader.reference_cases(spec))
        report.checks.append(_expect_pass("reference passes", grade(_reference_candidate(course, spec))))
        if spec.kind == "code":
            report.checks += _returns_agree(spec, grader.reference_cases(spec))
            report.checks += _mistakes_are_implemented(spec, grader)
        for name, mistake_id, form in _mistake_forms(spec):
            report.checks.append(_expect_diagnosis(name, mistake_id, grade(_mistake_candidate(course, spec, form))))
        starter = grade(spec.starter)
        report.checks.append(Check("starter does not pass", starter.status != PASS,
                                   f"status {starter.status}: {starter.message[:120]}"))
        if examples:
            report.checks += [_example_holds(example, grade) for example in spec.examples]
        if spec.kind == "code":
            report.checks.append(_deterministic(course, spec, grader))
            report.checks.append(_has_hidden_cases(spec, grader))
            report.checks.append(_floats_have_a_tolerance(spec, grader))
    except (GraderFault, DlcheckError) as exc:
        report.checks.append(Check("grading runs", False, str(exc)))
    return report


def _grading_function(course: Course, spec: Spec, grader: Grader):
    """grade(text) -> GradeResult: the candidate text graded as a submission file would be."""
    return lambda text: grade_candidate(grader, spec, text)


def grade_candidate(grader: Grader, spec: Spec, text: str) -> GradeResult:
    """The text graded as the submission file <id>.py (code) or <id>.txt (symbolic) would be."""
    suffix = ".py" if spec.kind == "code" else ".txt"
    return grader.grade(spec, Submission(text, f"{spec.id}{suffix}", suffix))


def _example_holds(example, grade) -> Check:
    problems = example_problems(example, grade(example_text(example)))
    return Check(f"example '{example.name}'", not problems, "; ".join(problems))


def _arguments_agree(course: Course, spec: Spec, cases) -> list[Check]:
    """The cases' argument names against every function's parameters: one failed check per
    mismatch, named by the field (a generator's: by the first case that shows it)."""
    arguments = case_argument_lists(spec, [(case.name, list(case.inputs)) for case in cases])
    checks = [Check(name, False, detail) for name, detail in parameter_problems(course, spec, arguments)]
    return checks or [Check("case arguments match every function's parameters", True)]


def _returns_agree(spec: Spec, cases) -> list[Check]:
    outputs = [(case.name, case.expected) for case in cases]
    checks = [Check(name, False, detail) for name, detail in return_problems(spec.returns, outputs)]
    return checks or [Check("the reference's outputs have the declared `returns` types", True)]


def _mistake_forms(spec: Spec) -> list[tuple[str, str, str]]:
    """(what to call it, mistake id, form) for each mistake and each of its variants; the form is a
    function name of the mistakes module (code) or an expression (symbolic)."""
    forms = []
    for m in spec.mistakes:
        forms.append((f"mistake '{m.id}'", m.id, m.expr if spec.kind == "symbolic" else m.id))
        forms += [(f"mistake '{m.id}' variant '{variant}'", m.id, variant) for variant in m.variants]
    return forms


def _mistake_functions_exist(course: Course, spec: Spec) -> list[Check]:
    """Each mistake and variant is a function of the mistakes module. Read from its syntax tree: the
    grading process never runs course code (the reference process does, and stops at the first
    missing one)."""
    path = course.mistakes_path(spec)  # a SpecError when mistakes are listed and the module is missing
    if path is None:
        return []
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return []  # the reference process reports why the module cannot be loaded
    defined = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    defined |= {target.id for node in tree.body if isinstance(node, ast.Assign)
                for target in node.targets if isinstance(target, ast.Name)}
    return [Check(f"{name} is defined", False, f"{path.relative_to(course.root)} defines no function '{function}'")
            for name, _, function in _mistake_forms(spec) if function not in defined]


def _mistakes_are_implemented(spec: Spec, grader: Grader) -> list[Check]:
    """A mistake that raises NotImplementedError on every case is still the scaffold's stub.
    (Raising something else everywhere can be the misconception itself, e.g. a 0-based timestep
    that the exercise's model refuses; it is diagnosed by its exception type.)"""
    checks = []
    cases = grader.reference_cases(spec)
    for name, _, function in _mistake_forms(spec):
        outputs = [case.mistakes[function] for case in cases]
        if all(isinstance(o, Unsupported) and o.type_name == "raised" and o.detail.startswith("NotImplementedError")
               for o in outputs):
            checks.append(Check(f"{name} is implemented", False,
                                "it raises NotImplementedError on every case: implement the wrong answer a student "
                                "would return"))
    return checks


def _reference_candidate(course: Course, spec: Spec) -> str:
    return course.reference_path(spec).read_text(encoding="utf-8")


def _mistake_candidate(course: Course, spec: Spec, form: str) -> str:
    """A mistake (or variant) as a submission: its expression, or the mistakes module with the entry
    point bound to the function named `form`."""
    if spec.kind == "symbolic":
        return form
    source = course.mistakes_path(spec).read_text(encoding="utf-8")
    return f"{source}\n\n{spec.entry_point} = {form}\n"


def _expect_pass(name: str, result: GradeResult) -> Check:
    return Check(name, result.status == PASS, "" if result.status == PASS else f"{result.status}: {result.message}")


def _expect_diagnosis(what: str, mistake_id: str, result: GradeResult) -> Check:
    name = f"{what} fails and is diagnosed"
    if result.status == PASS:
        return Check(name, False, "it PASSES: the cases cannot tell it from the reference")
    got = result.diagnosis["id"] if result.diagnosis else None
    if got != mistake_id:
        return Check(name, False, f"status {result.status}, diagnosed as {got!r}: {result.message[:160]}")
    return Check(name, True)


def _has_hidden_cases(spec: Spec, grader: Grader) -> Check:
    count = sum(case.hidden for case in grader.reference_cases(spec))
    return Check("has hidden cases", count > 0, "" if count else
                 "no hidden case could be drawn: give the cases random `args` (or a generator that uses its seed)")


def _deterministic(course: Course, spec: Spec, grader: Grader) -> Check:
    first = grader.reference_cases(spec)
    again = grader.fresh_reference_cases(spec)  # a fresh reference process, same seed
    same = [a.args == b.args and a.name == b.name for a, b in zip(first, again)]
    ok = len(first) == len(again) and all(same)
    return Check("cases are deterministic", ok, "" if ok else "two runs drew different cases for the same seed")


def _floats_have_a_tolerance(spec: Spec, grader: Grader) -> Check:
    """No float output compared with rtol = atol = 0 unless `compare.exact_reason` says why: such a
    comparison fails a correct answer off by float64 rounding ("got 1.0000000000000004, expected 1.0")."""
    policy = to_data(spec.compare)
    exact = sorted({path or "the output" for case in grader.reference_cases(spec)
                    for path in exactly_compared_floats(case.expected, policy)})
    name = "float outputs have a tolerance"
    if exact and not spec.compare.exact_reason:
        return Check(name, False, f"{', '.join(exact)} compared with rtol = atol = 0: a correct answer off by "
                                  "float64 rounding fails. Give compare a tolerance, or say why exactness is the "
                                  "point in compare.exact_reason (and in the statement)")
    if spec.compare.exact_reason and not exact:
        return Check(name, False, "compare.exact_reason is given, but no float output is compared with "
                                  "rtol = atol = 0: remove it")
    return Check(name, True)
