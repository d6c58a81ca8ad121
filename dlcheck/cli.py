"""The `dlcheck` command line.

Exit codes: 0 everything graded passed; 1 something failed or errored; 2 usage error (unknown
exercise, missing file, bad option, malformed spec); 3 dlcheck itself failed (not the student's fault);
4 grading that counts refused: this machine's sandbox cannot make a verdict trustworthy.
Heavy modules (the grading engine, numpy) are imported inside the commands that need them, so
`dlcheck list` stays as fast as Typer and Rich allow.
"""

from __future__ import annotations

import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from .catalog import Course, find_course
from .errors import DlcheckError, GraderFault, UsageError
from .status import MISSING
from .workspace import WORKSPACE_ENV, TwoSubmissions, Workspace, chapter_progress, recorded_score

app = typer.Typer(
    name="dlcheck",
    help="Exercises and an autograder for deep generative models and machine perception.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

EXIT_FAILED = 1
EXIT_INTERNAL = 3


class Format(str, Enum):
    text = "text"
    json = "json"


class GradeFormat(str, Enum):
    """What `grade` writes: text, dlcheck's JSON, or a platform's format (dlcheck/platforms/)."""

    text = "text"
    json = "json"
    junit = "junit"
    gradescope = "gradescope"
    exercism = "exercism"
    prairielearn = "prairielearn"
    github_classroom = "github-classroom"


class Kind(str, Enum):
    code = "code"
    symbolic = "symbolic"


CourseOption = Annotated[Optional[Path], typer.Option(
    "--course", help="Course directory holding exercises/ and solutions/ [env: DLCHECK_COURSE].",
    show_default=False)]
WorkspaceOption = Annotated[Optional[Path], typer.Option(
    "--workspace", "-w", help=f"Your working directory [env: {WORKSPACE_ENV}; default: ./dlcheck-work].",
    show_default=False)]
FormatOption = Annotated[Format, typer.Option("--format", help="text for people, json for machines.")]
GradeFormatOption = Annotated[GradeFormat, typer.Option(
    "--format", help="text for people, json for machines, or a platform's format (docs/platforms.md).")]


def _print_version(value: bool) -> None:
    if value:
        from . import __version__

        sys.stdout.write(f"dlcheck {__version__}\n")
        raise typer.Exit()


@app.callback()
def _options(version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True, help="Print dlcheck's version and exit.")] = False) -> None:
    """Exercises and an autograder for deep generative models and machine perception."""


def _console() -> Console:
    return Console(highlight=False)


def _course(course: Path | None) -> Course:
    return find_course(course)


@app.command("list")
def list_exercises(
    chapter: Annotated[Optional[str], typer.Option(help="Only this chapter (e.g. vae, diffusion).")] = None,
    kind: Annotated[Optional[Kind], typer.Option(help="Only code or symbolic exercises.")] = None,
    output: FormatOption = Format.text,
    course: CourseOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """List the exercises with your progress."""
    ws = Workspace.locate(workspace)
    state = ws.load_state()
    rows = _course(course).listing()
    if chapter is not None:
        from .chapters import resolve_chapter

        chapter_id = resolve_chapter(chapter)
        rows = [r for r in rows if r["chapter"] == chapter_id]
    if kind is not None:
        rows = [r for r in rows if r["kind"] == kind.value]
    rows = [{**r, "status": ws.status(r["id"], r["kind"], state), "score": recorded_score(r["id"], state)}
            for r in rows]
    progress = chapter_progress(rows)
    if output == Format.json:
        _print_json({"exercises": rows, "chapters": progress})
        return
    from .loop_view import render_list

    render_list(_console(), rows, progress)


@app.command()
def show(exercise_id: Annotated[str, typer.Argument(metavar="ID")], course: CourseOption = None,
         workspace: WorkspaceOption = None) -> None:
    """Show an exercise: the task, the signature or symbols, and the rules."""
    from .report import render_exercise

    spec = _course(course).get(exercise_id)
    ws = Workspace.locate(workspace)
    existing = ws.submission(spec.id, spec.kind)
    hint = (f"Your file: {existing}. Grade it with `dlcheck grade {spec.id}`." if existing
            else f"Run `dlcheck start {spec.id}` to get a starter file.")
    render_exercise(_console(), spec, hint)


@app.command()
def start(exercise_id: Annotated[str, typer.Argument(metavar="ID")],
          force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
          course: CourseOption = None, workspace: WorkspaceOption = None) -> None:
    """Write the starter file for an exercise into your workspace."""
    spec = _course(course).get(exercise_id)
    started = Workspace.locate(workspace).start(spec.id, spec.kind, spec.starter, force)
    from .loop_view import render_started

    render_started(_console(), spec.id, started)


@app.command()
def reset(exercise_id: Annotated[str, typer.Argument(metavar="ID")], course: CourseOption = None,
          workspace: WorkspaceOption = None) -> None:
    """Start an exercise over: back up your file (.dlcheck/backups/), write the starter, forget its hints and grade."""
    spec = _course(course).get(exercise_id)
    started = Workspace.locate(workspace).reset(spec.id, spec.kind, spec.starter)
    from .loop_view import render_started

    render_started(_console(), spec.id, started, reset=True)


@app.command()
def solution(exercise_id: Annotated[str, typer.Argument(metavar="ID")], course: CourseOption = None,
             workspace: WorkspaceOption = None) -> None:
    """Show the reference solution, once you passed, where the course allows it (course.yaml)."""
    from .solution import allowed_solution

    the_course = _course(course)
    spec = the_course.get(exercise_id)
    path = allowed_solution(the_course, spec, Workspace.locate(workspace))
    from .loop_view import render_solution

    render_solution(_console(), spec, path)


@app.command()
def hint(exercise_id: Annotated[str, typer.Argument(metavar="ID")], course: CourseOption = None,
         workspace: WorkspaceOption = None) -> None:
    """Reveal the next hint for an exercise (each call shows one more)."""
    from .report import render_hint

    spec = _course(course).get(exercise_id)
    shown = Workspace.locate(workspace).reveal_hint(spec.id, len(spec.hints))
    render_hint(_console(), spec, shown)


@app.command()
def watch(exercise_id: Annotated[Optional[str], typer.Argument(metavar="[ID]", show_default=False)] = None,
          course: CourseOption = None, workspace: WorkspaceOption = None) -> None:
    """Re-grade on every save (without ID: whichever exercise's file was saved); keys h hint, n next,
    l list, r re-run, q quit."""
    from .watch import watch as watch_workspace

    the_course = _course(course)
    ws = Workspace.locate(workspace)
    _refuse_workspace_inside_the_course(ws, the_course)
    spec = the_course.get(exercise_id) if exercise_id is not None else None
    if spec is not None:
        ws.require_submission(spec.id, spec.kind)
    elif not ws.root.is_dir():
        raise UsageError(f"No workspace at {ws.root} to watch. Start an exercise with `dlcheck start ID`.")
    raise typer.Exit(watch_workspace(the_course, ws, spec))


@app.command()
def grade(
    exercise_id: Annotated[Optional[str], typer.Argument(metavar="[ID]", show_default=False)] = None,
    all_: Annotated[bool, typer.Option("--all", help="Grade every exercise that has a workspace file.")] = False,
    file: Annotated[Optional[Path], typer.Option("--file", "-f", help="Grade this file instead.")] = None,
    answer: Annotated[Optional[str], typer.Option("--answer", "-a", help="Symbolic exercises: the answer text.")] = None,
    assignment: Annotated[Optional[Path], typer.Option(
        "--assignment", help="Grade exactly this assignment's exercises, with its points; a missing file scores 0 "
                             "(docs/assignments.md).", show_default=False)] = None,
    output: GradeFormatOption = GradeFormat.text,
    output_file: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="Write the whole result (in --format) to this file, atomically: it is replaced "
                               "only once the new one is complete. Stdout then gets one line saying so.",
        show_default=False)] = None,
    allow_weak_sandbox: Annotated[bool, typer.Option(
        "--allow-weak-sandbox", help="Grade even where the sandbox cannot hide the course or filter system "
                                     "calls (results say \"trusted\": false).")] = False,
    save_case: Annotated[Optional[Path], typer.Option(
        "--save-case", help="Code exercises: save the first failing public case (or --case N) to this directory: "
                            "case.pt (torch.save) and run_case.py, which calls your function on it.",
        show_default=False)] = None,
    case: Annotated[Optional[int], typer.Option(
        "--case", min=1, help="With --save-case: save public case N (1-based, as in the cases: strip).",
        show_default=False)] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Text report: also list the sandbox's layers.")] = False,
    course: CourseOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Grade your submission for an exercise (or --all of them, or an --assignment)."""
    from .grading import Grader, graded_or_internal

    summary = all_ or assignment is not None
    if summary == (exercise_id is not None):
        raise UsageError("Give one exercise ID, or --all, or --assignment FILE.")
    if summary and (file is not None or answer is not None or save_case is not None):
        raise UsageError("--file, --answer and --save-case are for one exercise; they cannot be combined with --all "
                         "or --assignment.")
    if case is not None and save_case is None:
        raise UsageError("--case N picks the case --save-case DIR writes; grading always runs every case (a score "
                         "from one case would not be your grade).")
    the_course = _course(course)
    ws = Workspace.locate(workspace)
    _refuse_workspace_inside_the_course(ws, the_course)
    loaded = _load_assignment(assignment, the_course)
    plan = (_assignment_plan(loaded) if loaded else
            [(spec, None) for spec in (_specs_to_grade(the_course, ws) if all_ else [the_course.get(exercise_id)])])
    if save_case is not None and plan[0][0].kind != "code":
        raise UsageError(f"--save-case saves a case of a code exercise; '{plan[0][0].id}' is symbolic.")
    if not summary and file is None and answer is None:  # a missing or ambiguous file: a usage error, at once
        ws.require_submission(plan[0][0].id, plan[0][0].kind)
    counts = output != GradeFormat.text or summary or _in_ci()  # a machine-read format counts
    with Grader(the_course) as grader:
        handed_in = [s for s, points in plan if points is None or ws.submission(s.id, s.kind)]
        code_due = any(s.kind == "code" for s in handed_in)
        if code_due:
            grader.warm_up()
        if any(s.kind == "symbolic" for s in handed_in):
            grader.symbolic.start()  # its sympy import overlaps with the zygote's torch import
        if code_due:
            _check_sandbox(grader, counts, allow_weak_sandbox)
        tasks = [lambda spec=spec, points=points: graded_or_internal(spec, lambda: _grade_planned(
            grader, the_course, ws, spec, points, file, answer)) for spec, points in plan]
        from .grading_status import grading_status, spinner_wanted

        with grading_status([spec.id for spec, _ in plan], spinner_wanted(output == GradeFormat.text)) as counted:
            results = _in_parallel([counted(task) for task in tasks])
        # The case to save, as the grader's case generation made it (computed already, unless grading stopped early).
        saving = save_case is not None and not results[0].internal_error
        reference_cases = grader.reference_cases(plan[0][0]) if saving else None
    for r in results:
        if not r.internal_error and r.status != MISSING:
            ws.record_result(r.exercise, r.status, r.score, r.max_score)
    warnings = _stray_files(the_course, ws, {s.id for s, _ in plan}) if summary else []
    _emit_results(results, output, summary, warnings, loaded, output_file, verbose)
    if answer is not None and results[0].status == "pass":
        from .answer_files import save_answer_after_pass

        save_answer_after_pass(ws, the_course, plan[0][0], answer, to_stderr=output != GradeFormat.text)
    if save_case is not None:
        _save_case(plan[0][0], results[0], reference_cases, file or ws.submission(plan[0][0].id, "code"), case,
                   save_case, the_course, output)
    from .platforms import EXIT_ZERO_WHEN_WRITTEN

    if output.value in EXIT_ZERO_WHEN_WRITTEN:
        return  # the platform's runner contract: the document says how grading went, exit 0 means it ran
    if any(r.internal_error for r in results):
        raise typer.Exit(EXIT_INTERNAL)
    if any(r.status != "pass" for r in results):
        raise typer.Exit(EXIT_FAILED)


@app.command()
def new(
    exercise_id: Annotated[str, typer.Argument(metavar="ID")],
    kind: Annotated[Kind, typer.Option(help="code or symbolic.")],
    chapter: Annotated[str, typer.Option(help="The chapter id (e.g. vae, diffusion).")],
    course: CourseOption = None,
) -> None:
    """Instructors: scaffold a new exercise (spec, reference, mistakes); then run `dlcheck validate ID`."""
    from .scaffold import scaffold

    written = scaffold(_course(course), exercise_id, kind.value, chapter)
    console = _console()
    for path in written:
        console.print(f"Wrote [bold]{path}[/bold]")
    console.print(f"Fill in every TODO, then run [bold]dlcheck validate {exercise_id}[/bold]: it lists what is "
                  f"still missing. The spec format: docs/spec-format.md.")


@app.command()
def validate(
    exercise_ids: Annotated[Optional[list[str]], typer.Argument(metavar="[ID]...", show_default=False)] = None,
    mutants: Annotated[bool, typer.Option(
        "--mutants", help="Also grade mutants of each reference (docs/mutants.md); fail where the cases kill "
                          "fewer than 95 % of them.")] = False,
    output: FormatOption = Format.text,
    examples: Annotated[bool, typer.Option(
        "--examples/--no-examples", help="Grade the exercise's examples (solutions/<id>_examples.yaml) too (the default).")] = True,
    course: CourseOption = None,
) -> None:
    """Instructors: prove exercises (reference passes, each mistake is diagnosed, starter fails,
    every example grades as it says, the spec agrees with its files)."""
    from .grading import Grader
    from .validate import validate as validate_exercise

    the_course = _course(course)
    specs = [the_course.get(i) for i in exercise_ids] if exercise_ids else the_course.specs
    with Grader(the_course) as grader:
        if any(s.kind == "code" for s in specs):
            grader.warm_up()
        reports = [validate_exercise(the_course, spec, grader, examples=examples) for spec in specs]
    analyses = _mutation_analyses(the_course, specs) if mutants else None
    ok = all(r.ok for r in reports) and all(a.ok for a in analyses or [])
    if output == Format.json:
        entries = [{"exercise": r.exercise, "ok": r.ok,
                    "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in r.checks]} for r in reports]
        for entry, analysis in zip(entries, analyses or []):
            entry.update(analysis.to_json(), ok=entry["ok"] and analysis.ok)
        _print_json({"ok": ok, "exercises": entries})
    else:
        from .report import render_mutations, render_validation

        render_validation(_console(), reports)
        if analyses is not None:
            from .mutation import TARGET

            render_mutations(_console(), analyses, TARGET)
    if not ok:
        raise typer.Exit(EXIT_FAILED)


def _mutation_analyses(course: Course, specs: list) -> list:
    from .mutation import analyse, mutation_grader

    with mutation_grader(course) as grader:
        if any(s.kind == "code" for s in specs):
            grader.warm_up()
        return [analyse(course, spec, grader) for spec in specs]


def _save_case(spec, result, cases, submission: Path | None, number: int | None, directory: Path,
               course: Course, output: GradeFormat) -> None:
    """After the report: the case saved (case_export.py), or why not (exit 2)."""
    from .case_export import SCRIPT_FILE, save_case

    if cases is None or submission is None:
        raise UsageError("Nothing saved: dlcheck could not grade this exercise (see above).")
    saved = save_case(spec, result, cases, submission, number, directory, course.fixtures)
    line = (f"Saved public case {saved.number}/{saved.public} ('{saved.name}') to {directory}/. "
            f"Debug it in your own Python: python {directory / SCRIPT_FILE}")
    if output == GradeFormat.text:
        _console().print(line, markup=False)
    else:
        _stderr(line)


def _load_assignment(path: Path | None, course: Course):
    if path is None:
        return None
    from .assignment import load_assignment

    return load_assignment(path, course)


def _assignment_plan(loaded) -> list:
    """Each exercise due with its points (missing submissions included: they are graded as missing)."""
    return [(due.spec, due.points) for due in loaded.exercises]


def _in_parallel(tasks: list) -> list:
    """Each task's result, in order; several run at once, one per core (each waits on its sandboxed
    worker, which is where the time goes), sharing the grader's one zygote and computed references."""
    if len(tasks) == 1:
        return [tasks[0]()]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="dlcheck-grade") as pool:
        return list(pool.map(lambda task: task(), tasks))


def _grade_planned(grader, course: Course, ws: Workspace, spec, points: float | None, file, answer):
    """One exercise; with assignment `points`, a missing file is a `missing` result and the score is rescaled."""
    if points is None:
        return _grade_one(grader, course, ws, spec, file, answer)
    from .assignment import rescore
    from .results import missing_result

    if ws.submission(spec.id, spec.kind) is None:
        return missing_result(spec.id, spec.kind, points, [str(p) for p in ws.candidates(spec.id, spec.kind)])
    return rescore(_grade_one(grader, course, ws, spec, None, None), points)


def _stray_files(course: Course, ws: Workspace, graded: set[str]) -> list[dict]:
    from .workspace import stray_files

    return stray_files(ws.root, {s.id: s.kind for s in course.specs}, graded)


def _grade_one(grader, course: Course, ws: Workspace, spec, file: Path | None, answer: str | None):
    from .grading import rejected_result
    from .submission import Submission

    if answer is not None and spec.kind != "symbolic":
        raise UsageError(f"--answer is for symbolic exercises; '{spec.id}' is a code exercise (use --file).")
    if answer is not None and file is not None:
        raise UsageError("Give --answer or --file, not both.")
    if answer is not None:
        return grader.grade(spec, Submission(answer, "--answer", ""))
    try:
        path = _existing(file) if file is not None else ws.require_submission(spec.id, spec.kind)
    except TwoSubmissions as both:  # with --all or --assignment: this exercise's error, not the run's
        return rejected_result(spec, both.names, str(both))
    return grader.grade_file(spec, path)


def _specs_to_grade(course: Course, ws: Workspace) -> list:
    specs = [s for s in course.student_specs() if ws.submission(s.id, s.kind) is not None]
    if not specs:
        raise UsageError(f"No workspace files to grade in {ws.root}. Start an exercise with `dlcheck start ID`.")
    return specs


def _refuse_workspace_inside_the_course(ws: Workspace, course: Course) -> None:
    """A workspace in solutions/ or exercises/ (a link there, say) would grade references as
    submissions and have dlcheck write its state into the course."""
    real = Path(os.path.realpath(ws.root))
    for directory in (course.solutions_dir, course.exercises_dir):
        if real == directory or directory in real.parents:
            raise UsageError(f"The workspace {ws.root} lies inside the course's {directory.name}/ ({real}); "
                             f"use a directory of your own (--workspace DIR).")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _check_sandbox(grader, counts: bool, allow_weak: bool) -> None:
    """Grading that counts (CI, JSON, --all) refuses a sandbox too weak to trust; practice only warns."""
    problems = grader.enforce_trust(counts, allow_weak, what_counts="CI, --format json or a platform's, --all")
    if problems and not counts:
        from .sandbox.host import current

        _stderr(current().summary(problems))


def _emit_results(results: list, output: GradeFormat, summary: bool, warnings: list[dict], loaded,
                  output_file: Path | None, verbose: bool = False) -> None:
    if output_file is None and output == GradeFormat.text:
        _render_text(_console(), results, summary, warnings, loaded, verbose)
        return
    document = _results_document(results, output, summary, warnings, loaded, verbose)
    if output_file is None:
        sys.stdout.write(document)
        sys.stdout.flush()
        return
    _write_output_file(output_file, document)
    counts = ", ".join(f"{sum(r.status == s for r in results)} {s}" for s in ("pass", "fail", "error", "missing"))
    # One plain line, never wrapped: CI logs show it, scripts can grep it.
    sys.stdout.write(f"Wrote the {output.value} result of {len(results)} exercise(s) ({counts}) to {output_file}.\n")


def _results_document(results: list, output: GradeFormat, summary: bool, warnings: list[dict], loaded,
                      verbose: bool = False) -> str:
    """The whole document, rendered before anything is written (so a failure writes nothing)."""
    if output != GradeFormat.text:
        document = _json_document(results, summary, warnings, loaded)
        if output == GradeFormat.json:
            return _json_text(document)
        from .platforms import render

        return render(output.value, document)  # every platform's format is made from the JSON document
    import io

    buffer = io.StringIO()
    _render_text(Console(file=buffer, highlight=False, no_color=True, width=100), results, summary, warnings, loaded,
                 verbose)
    return buffer.getvalue()


def _json_document(results: list, summary: bool, warnings: list[dict], loaded) -> dict:
    from .results import exercise_json, summary_json

    if not summary:
        return exercise_json(results[0])
    document = summary_json(results)
    if loaded is not None:
        document["assignment"] = loaded.to_json()
    return {**document, "warnings": warnings}


def _render_text(console: Console, results: list, summary: bool, warnings: list[dict], loaded,
                 verbose: bool = False) -> None:
    from .report import render_grade, render_summary, render_warnings

    if summary:
        render_summary(console, results, title=_summary_title(loaded))
        render_warnings(console, warnings)
    else:
        render_grade(console, results[0], verbose)


def _summary_title(loaded) -> str:
    if loaded is None:
        return "dlcheck grade --all"
    return f"assignment {loaded.assignment.name or loaded.file.name}"


def _write_output_file(path: Path, document: str) -> None:
    from .atomic_write import write_atomically

    if not path.parent.is_dir():
        raise UsageError(f"--output {path}: no directory {path.parent} to write it in.")
    if path.is_dir():
        raise UsageError(f"--output {path} is a directory; give a file name.")
    try:
        write_atomically(path, document)
    except OSError as error:
        raise UsageError(f"--output {path}: cannot write it ({error.strerror or error}).") from error


gradescope_app = typer.Typer(help="Gradescope: the autograder zip (docs/platforms.md).", no_args_is_help=True)
app.add_typer(gradescope_app, name="gradescope")


@gradescope_app.command("build")
def gradescope_build(
    assignment: Annotated[Path, typer.Argument(metavar="ASSIGNMENT", help="The assignment (docs/assignments.md).")],
    out: Annotated[Path, typer.Argument(metavar="OUT.zip", help="The zip to write (atomically).")],
    allow_weak_sandbox: Annotated[bool, typer.Option(
        "--allow-weak-sandbox", help="Grade even where Gradescope's machine cannot sandbox well enough for a grade "
                                     "that counts; every result then says so.")] = False,
    course: CourseOption = None,
) -> None:
    """Write the zip Gradescope's autograder takes: setup.sh, run_autograder, dlcheck, the course, the assignment."""
    from .platforms.gradescope_build import build

    built = build(assignment, _course(course), out, allow_weak_sandbox)
    sys.stdout.write(built.summary() + "\n")


@app.command()
def batch(
    submissions: Annotated[Path, typer.Argument(metavar="SUBMISSIONS", show_default=False, help=(
        "A directory with one folder, .zip or git repository per student; the student id is its name."))],
    assignment: Annotated[Path, typer.Option("--assignment", help="The assignment to grade (docs/assignments.md).",
                                             show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="Where results, gradebook.csv and report.html go.",
                                      show_default=False)],
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Submissions graded at once.")] = os.cpu_count() or 1,
    student: Annotated[Optional[str], typer.Option("--student", help="Regrade this student only.",
                                                   show_default=False)] = None,
    exercise: Annotated[Optional[str], typer.Option("--exercise", help="Regrade this exercise only.",
                                                    show_default=False)] = None,
    dask: Annotated[Optional[str], typer.Option(
        "--dask", help="Grade on Dask: 'local' (a LocalCluster of --jobs workers) or a scheduler address "
                       "(tcp://host:8786). Needs pip install 'dlcheck[dask]'.", show_default=False)] = None,
    allow_weak_sandbox: Annotated[bool, typer.Option(
        "--allow-weak-sandbox", help="Grade even where the sandbox cannot hide the course or filter system "
                                     "calls (results say \"trusted\": false).")] = False,
    course: CourseOption = None,
) -> None:
    """Grade a whole class: every student's submission for an assignment, in parallel (docs/batch.md).

    A rerun grades again only what changed; Ctrl-C leaves DIR consistent and resumable."""
    from .batch.runner import BatchOptions, run_batch

    the_course = _course(course)
    loaded = _load_assignment(assignment, the_course)
    options = BatchOptions(submissions, out, jobs, student, exercise, dask, allow_weak_sandbox)
    console = Console(stderr=True)
    outcome = run_batch(the_course, loaded, options, console)
    _report_batch(outcome, out)
    if outcome.interrupted:
        raise typer.Exit(130)
    if outcome.count("incomplete"):
        raise typer.Exit(EXIT_INTERNAL)


def _report_batch(outcome, out: Path) -> None:
    records = outcome.records
    counts = ", ".join(f"{outcome.count(s)} {s}" for s in ("graded", "incomplete", "error") if outcome.count(s))
    rate = outcome.exercises_graded / outcome.seconds if outcome.seconds else 0.0
    sys.stdout.write(f"{len(records)} students ({counts}); graded {outcome.exercises_graded} submission-exercises "
                     f"in {outcome.seconds:.1f} s ({rate:.1f}/s), reused {outcome.reused} unchanged.\n")
    sys.stdout.write(f"Wrote {out / 'gradebook.csv'}, {out / 'report.html'} and {out / 'students'}/<id>/. "
                     f"Hidden cases from {outcome.secret_origin}.\n")
    for record in records:
        if record.status != "graded":
            sys.stdout.write(f"  {record.id}: {record.status}: {record.error}\n")


@app.command()
def schema() -> None:
    """Print the JSON Schema of what `dlcheck grade --format json` prints (dlcheck.result/1)."""
    from .result_schema import json_schema

    _print_json(json_schema())


def _existing(path: Path) -> Path:
    if not os.path.lexists(path):
        raise UsageError(f"No file at {path} (resolved to {path.resolve()}).")
    return path


def _print_json(document: dict) -> None:
    sys.stdout.write(_json_text(document))
    sys.stdout.flush()


def _json_text(document: dict) -> str:
    from .strict_json import dumps

    return dumps(document, indent=2, default=str) + "\n"


def main() -> None:
    """Entry point: Typer handles usage errors (exit 2) and exit codes; dlcheck's errors become clean messages."""
    try:
        app()
    except DlcheckError as error:
        _stderr(f"error: {error}")
        if error.exit_code == 2:
            _usage_error_json(str(error))
        sys.exit(error.exit_code)
    except SystemExit as done:
        if done.code == 2:  # the option parser refused the command line; its message went to stderr
            _usage_error_json("invalid command line (the option parser's message is on stderr)")
        raise
    except GraderFault as fault:
        _stderr(f"dlcheck internal error (not a problem with your submission): {fault}")
        sys.exit(EXIT_INTERNAL)
    except Exception as exc:  # noqa: BLE001 - a bug in dlcheck: a clear line and exit 3, never a traceback
        _stderr(f"dlcheck internal error (not a problem with your submission): {type(exc).__name__}: {exc}")
        sys.exit(EXIT_INTERNAL)


def _stderr(message: str) -> None:
    Console(stderr=True, highlight=False, soft_wrap=True).print(message, markup=False)


def _usage_error_json(message: str) -> None:
    """With --format json, a usage error is a JSON document on stdout too: a platform reading stdout gets
    something it can parse. (A refusal, exit 4, and an internal error, exit 3, keep stdout empty.)"""
    if _wants_json(sys.argv[1:]):
        from .result_schema import SCHEMA_VERSION

        _print_json({"schema": SCHEMA_VERSION, "error": {"kind": "usage", "message": message}})


def _wants_json(args: list[str]) -> bool:
    return "--format=json" in args or any(a == "--format" and b == "json" for a, b in zip(args, args[1:]))

