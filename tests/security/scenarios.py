"""The runs that the attack tests judge: which attack sits in which slot, and how dlcheck is called.

Each function here takes (runs, config) and builds one Arena or more. It returns the Outcome of the
run, or a Plan (conftest.Runs starts it), or, for a group of runs that go side by side, a dict of
Outcomes. conftest.Runs caches the result per configuration, so several tests judge one run. Slot
names are exported as constants so that a test names the attack it judges, not a letter.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from tests.security import checks
from dlcheck.time_limits import wall_backstop
from tests.security.configurations import REPO, ROOT_NS, Configuration
from tests.security.course import SLOTS, SLOW_CASE_SECONDS, SLOW_SLOT
from tests.security.harness import MARGIN_SECONDS, Arena, Outcome, Plan, run_together, total_seconds, wait_all


ALL_SLOTS = [*SLOTS, SLOW_SLOT]


def _grade_all_json(arena: Arena, course=None, *more: str) -> list[str]:
    return ["grade", "--all", "--format", "json", "--course", str(course or arena.course), *more]


def _env(arena: Arena, course=None, **more: str | None) -> dict[str, str | None]:
    # The course both on the command line and in the environment: attacks look for it in both.
    return {"DLCHECK_COURSE": str(course or arena.course), "DLCHECK_WORKSPACE": str(arena.workspace), **more}


def _bound(*slots: str) -> float:
    return MARGIN_SECONDS + sum(total_seconds(s) for s in slots)


def _reference(arena: Arena, slot: str):
    return arena.course / "solutions" / f"{slot}.py"


# ------------------------------------------------------------ the worker batch: classes 1, 2, 3, 4, 5, 6, 8

OVERWRITE_REFERENCE, OVERWRITTEN = "halve_a", "halve_b"  # the first rewrites the second's reference (C level)
REFERENCE_VIA_ENVIRONMENT = "halve_c"
REFERENCE_VIA_PACKAGE_PATH = "halve_d"
REFERENCE_VIA_PROC = "halve_e"
REFERENCE_VIA_JOB_MESSAGE = "halve_f"
ANSWER_KEY = "halve_g"
VISIBILITY_PROBE = "halve_i"
AUDIT_HOOK_DISARMED, DISARMED_VICTIM = "halve_h", "mean_d"
C_LEVEL_SOCKET = "mean_a"
ENVIRONMENT_SECRETS = "mean_b"
C_LEVEL_FILE_WRITES = "mean_c"
OUTPUT_FILE_SYMLINK = "scale_a"
MEMORY_EVERY_CASE = "scale_b"
OUTPUT_EVERY_CASE = "scale_c"
WORKSPACE_SYMLINK = "scale_e"
WORKSPACE_HARDLINK = "scale_f"


def _place_attacks(a: Arena, runs) -> dict:
    """Every attack of the batch: slot -> how to put it in the workspace."""
    def link(slot, make):
        make(_reference(a, slot), a.workspace / f"{slot}.py")
        a.claim(slot)

    return {
        OVERWRITE_REFERENCE: lambda: (
            a.submit(OVERWRITE_REFERENCE, "overwrite_reference_c_level", targets=(_reference(a, OVERWRITTEN),),
                     VICTIM=_reference(a, OVERWRITTEN), VALUE=-1),
            a.submit(OVERWRITTEN, "returns_constant", VALUE=-1)),
        REFERENCE_VIA_ENVIRONMENT: lambda: a.submit(REFERENCE_VIA_ENVIRONMENT, "reference_via_environment"),
        REFERENCE_VIA_PACKAGE_PATH: lambda: a.submit(REFERENCE_VIA_PACKAGE_PATH, "reference_via_package_path"),
        REFERENCE_VIA_PROC: lambda: a.submit(REFERENCE_VIA_PROC, "reference_via_proc"),
        REFERENCE_VIA_JOB_MESSAGE: lambda: a.submit(REFERENCE_VIA_JOB_MESSAGE, "reference_via_job_message"),
        VISIBILITY_PROBE: lambda: a.submit(VISIBILITY_PROBE, "visibility_probe"),
        ANSWER_KEY: lambda: a.submit(ANSWER_KEY, "answer_key", KEY=json.dumps(answer_key(runs))),
        AUDIT_HOOK_DISARMED: lambda: (
            a.submit(AUDIT_HOOK_DISARMED, "audit_hook_disarmed", targets=(_reference(a, DISARMED_VICTIM),),
                     VICTIM=_reference(a, DISARMED_VICTIM), VALUE=0.0),
            a.submit(DISARMED_VICTIM, "returns_constant", VALUE=0.0)),
        C_LEVEL_SOCKET: lambda: a.submit(C_LEVEL_SOCKET, "c_level_socket"),
        ENVIRONMENT_SECRETS: lambda: a.submit(ENVIRONMENT_SECRETS, "environment_secrets"),
        C_LEVEL_FILE_WRITES: lambda: a.submit(C_LEVEL_FILE_WRITES, "c_level_file_writes"),
        OUTPUT_FILE_SYMLINK: lambda: a.submit(OUTPUT_FILE_SYMLINK, "output_file_symlink",
                                              REFERENCE=_reference(a, OUTPUT_FILE_SYMLINK)),
        MEMORY_EVERY_CASE: lambda: a.submit(MEMORY_EVERY_CASE, "exhaust_memory_every_case"),
        OUTPUT_EVERY_CASE: lambda: a.submit(OUTPUT_EVERY_CASE, "exhaust_output_every_case"),
        WORKSPACE_SYMLINK: lambda: link(WORKSPACE_SYMLINK, lambda ref, path: path.symlink_to(ref)),
        WORKSPACE_HARDLINK: lambda: link(WORKSPACE_HARDLINK, lambda ref, path: os.link(ref, path)),
    }


# In an untrusted configuration the batch only has to show that nothing runs at all (a refusal with
# no side effect): one or two attacks per class are enough there.
UNTRUSTED_BATCH = [WORKSPACE_SYMLINK, REFERENCE_VIA_ENVIRONMENT, ANSWER_KEY, C_LEVEL_FILE_WRITES, C_LEVEL_SOCKET,
                   OUTPUT_FILE_SYMLINK, MEMORY_EVERY_CASE, ENVIRONMENT_SECRETS]


def worker_batch(runs, config: Configuration) -> Outcome:
    """One `grade --all --format json` with an attack in every slot."""
    a = runs.arena(config, "worker-batch")
    for slot, place in _place_attacks(a, runs).items():
        if config.trusted or slot in UNTRUSTED_BATCH:
            place()
    return a.run(_grade_all_json(a), bound=_bound(*a.slots), env=_env(a))


# ------------------------------------------------------------ class 1: paths the student controls

def fixture_course_links(runs, config: Configuration) -> Plan:
    """The fixture course: its references linked into the workspace, a FIFO and a directory as
    submissions, and .dlcheck/state.tmp planted as a symlink to a file outside the workspace."""
    a = runs.arena(config, "fixture-course-links")
    solutions = checks.FIXTURE_COURSE / "solutions"
    (a.workspace / "halve.py").symlink_to(solutions / "halve.py")
    os.link(solutions / "scaled_sum.py", a.workspace / "scaled_sum.py")
    os.mkfifo(a.workspace / "square_grad.py")
    (a.workspace / "apply_model.py").mkdir()
    (a.workspace / ".dlcheck").mkdir()
    (a.workspace / ".dlcheck" / "state.tmp").symlink_to(a.victims / "victim.txt")
    for slot in ("halve", "scaled_sum", "square_grad", "apply_model"):
        a.claim(slot)
    a.claim("state.tmp", a.victims / "victim.txt")
    return a.plan(_grade_all_json(a, checks.FIXTURE_COURSE), bound=MARGIN_SECONDS + 8,
                 env=_env(a, checks.FIXTURE_COURSE))


def real_course_links(runs, config: Configuration) -> Plan:
    """The real course: a symlink and a hard link to its references; .dlcheck a symlink to a directory outside."""
    a = runs.arena(config, "real-course-links")
    (a.workspace / "conv_shape.py").symlink_to(REPO / "solutions" / "conv_shape.py")
    os.link(REPO / "solutions" / "kl_gaussian.py", a.workspace / "kl_gaussian.py")
    (a.workspace / ".dlcheck").symlink_to(a.victims / "dir")
    for slot in ("conv_shape", "kl_gaussian"):
        a.claim(slot)
    a.claim(".dlcheck", a.victims / "dir")
    return a.plan(_grade_all_json(a, REPO), bound=MARGIN_SECONDS + 10, env=_env(a, REPO))


def file_inside_course(runs, config: Configuration) -> Plan:
    a = runs.arena(config, "file-inside-course")
    a.claim("halve")
    return a.plan(["grade", "halve", "--format", "json", "--course", str(checks.FIXTURE_COURSE),
                  "--file", str(checks.FIXTURE_COURSE / "solutions" / "halve.py")],
                 bound=MARGIN_SECONDS + 4, env=_env(a, checks.FIXTURE_COURSE))


def file_through_symlinked_directory(runs, config: Configuration) -> Plan:
    a = runs.arena(config, "file-through-symlinked-directory")
    (a.workspace / "mine").symlink_to(checks.FIXTURE_COURSE / "solutions")
    a.claim("halve")
    return a.plan(["grade", "halve", "--format", "json", "--course", str(checks.FIXTURE_COURSE),
                  "--file", str(a.workspace / "mine" / "halve.py")],
                 bound=MARGIN_SECONDS + 4, env=_env(a, checks.FIXTURE_COURSE))


def workspace_is_a_symlink_into_the_course(runs, config: Configuration) -> Plan:
    """The workspace directory itself (./dlcheck-work, committed by the student) links to solutions/."""
    a = runs.arena(config, "workspace-symlink")
    (a.cwd / "dlcheck-work").symlink_to(a.course / "solutions")
    for slot in ALL_SLOTS:
        a.claim(slot)
    return a.plan(["grade", "--all", "--format", "json", "--course", str(a.course)], bound=_bound(*ALL_SLOTS),
                 env={"DLCHECK_WORKSPACE": None})


def path_attacks(runs, config: Configuration) -> dict[str, Outcome]:
    """The runs above side by side: no student code of theirs runs, only references."""
    return run_together({name: globals()[name](runs, config) for name in (
        "fixture_course_links", "real_course_links", "file_inside_course", "file_through_symlinked_directory",
        "workspace_is_a_symlink_into_the_course")})


# ------------------------------------------------------------ class 3: an answer key from feedback

def answer_key_feedback(runs, config: Configuration) -> Plan:
    """A run whose wrong answers make the feedback show expected values: the attacker's answer key."""
    a = runs.arena(config, "answer-key-feedback")
    a.submit(ANSWER_KEY, "returns_constant", VALUE=-1)
    return a.plan(["grade", ANSWER_KEY, "--format", "json", "--course", str(a.course)], bound=_bound(ANSWER_KEY),
                 env=_env(a))


def answer_key(runs) -> list[int]:
    """Every expected value the feedback revealed, in case order (-1 where it revealed none)."""
    outcome = runs.get(ROOT_NS, "single_slot_attacks", "answer_key_feedback")
    if outcome.report is None:
        return []
    key = []
    for test in outcome.report.get("tests", []):
        found = re.search(r"expected (-?\d+)", test.get("message", ""))
        key.append(int(found.group(1)) if found else -1)
    return key


# ------------------------------------------------------------ class 4: processes

OWN_GRADER_SIGNALS = "scale_d"
OUTPUT_FILE_FIFO = "scale_d"


def signals_and_fifo(runs, config: Configuration) -> tuple[Outcome, Outcome]:
    """Two attacks that hang the grader where they work, run side by side (waiting costs no CPU):
    signals to its own zygote and grader; the job's output file replaced by a FIFO (class 5)."""
    signals = runs.arena(config, "signals-own-grader")
    signals.submit(OWN_GRADER_SIGNALS, "signals_to_own_grader")
    fifo = runs.arena(config, "output-fifo")
    fifo.submit(OUTPUT_FILE_FIFO, "output_file_fifo")
    started = [a.start(_grade_all_json(a), bound=_bound(OWN_GRADER_SIGNALS), env=_env(a)) for a in (signals, fifo)]
    return tuple(wait_all(*started))


CONCURRENT_ATTACKER = SLOW_SLOT  # its longer limits keep the attacker going for the victim's whole run


def concurrent_runs(runs, config: Configuration) -> tuple[Outcome, Outcome]:
    """Two grading runs at once; the attacker's worker goes for the victim run's processes."""
    victim = runs.arena(config, "concurrent-victim")
    victim.submit(SLOW_SLOT, "correct_but_slow", SLEEP=0.8)
    victim_run = victim.start(_grade_all_json(victim), bound=_bound(SLOW_SLOT), env=_env(victim))
    checks.wait_until(lambda: checks.descendants_of(victim_run.pid), timeout=5)
    attacker = runs.arena(config, "concurrent-attacker")
    attacker.submit(CONCURRENT_ATTACKER, "signals_to_another_run", VICTIM_PID=victim_run.pid,
                    CASE_SECONDS=SLOW_CASE_SECONDS)
    attacker_run = attacker.start(_grade_all_json(attacker), bound=_bound(CONCURRENT_ATTACKER), env=_env(attacker))
    return tuple(wait_all(victim_run, attacker_run))


# ------------------------------------------------------------ class 6: exhausting the grader

HUGE_MESSAGE = "scale_a"


def huge_message(runs, config: Configuration) -> Outcome:
    a = runs.arena(config, "huge-message")
    a.submit(HUGE_MESSAGE, "exhaust_huge_message")
    return a.run(_grade_all_json(a), bound=_bound(HUGE_MESSAGE), env=_env(a))


BIG_INTS = {"mean_a": 2 ** 2000, "mean_b": -(2 ** 2000)}


def big_int_where_float_expected(runs, config: Configuration) -> Plan:
    a = runs.arena(config, "big-int")
    for slot, value in BIG_INTS.items():
        a.submit(slot, "exhaust_big_int", VALUE=value)
    a.submit("halve_a", "returns_constant", VALUE=-1)
    a.submit_source("scale_a", "def solve(x):\n    return 2 * x\n")
    return a.plan(_grade_all_json(a), bound=_bound(*a.slots), env=_env(a))


def memory_every_case(runs, config: Configuration) -> Plan:
    a = runs.arena(config, "memory-every-case")
    a.submit(MEMORY_EVERY_CASE, "exhaust_memory_every_case")
    return a.plan(_grade_all_json(a), bound=_bound(MEMORY_EVERY_CASE), env=_env(a))


SPINS, SLEEPS = "halve_a", "halve_b"


def spin_and_sleep(runs, config: Configuration) -> Outcome:
    """A busy loop and a sleep in one run: the first must end on its CPU time, the second at the
    wall-clock backstop, which tells them apart only where the grader can read the worker's CPU time."""
    a = runs.arena(config, "spin-and-sleep")
    a.submit_source(SPINS, "def solve(n):\n    while True:\n        pass\n")
    a.submit_source(SLEEPS, "import time\n\ndef solve(n):\n    time.sleep(1000)\n")
    # Each ends within its total's backstop (a loaded machine stretches the busy loop's CPU time too).
    return a.run(_grade_all_json(a), bound=MARGIN_SECONDS + 2 * wall_backstop(total_seconds(SPINS)), env=_env(a))


# ------------------------------------------------------------ class 7: terminal control sequences

ANSI = "scale_a"
ANSI_SYNTAX_ERROR = "scale_b"


def ansi_single(runs, config: Configuration) -> Plan:
    a = runs.arena(config, "ansi-single")
    a.submit(ANSI, "ansi_everywhere")
    return a.plan(["grade", ANSI, "--course", str(a.course)], bound=_bound(ANSI), env=_env(a), counts=False)


def ansi_summary(runs, config: Configuration) -> Plan:
    a = runs.arena(config, "ansi-summary")
    a.submit(ANSI, "ansi_everywhere")
    a.submit_source(ANSI_SYNTAX_ERROR, 'def solve(x):\n    return "\x1b[2J\x1b[1;32m✓ PASS\x07\n')
    return a.plan(["grade", "--all", "--course", str(a.course)], bound=_bound(ANSI, ANSI_SYNTAX_ERROR), env=_env(a))


BROKEN_REFERENCE, BESIDE_BROKEN = "halve_a", "halve_b"


def broken_reference(runs, config: Configuration) -> Plan:
    """Not an attack: a reference that raises, the one internal failure a course can cause at will."""
    a = runs.arena(config, "broken-reference")
    _reference(a, BROKEN_REFERENCE).write_text("def solve(n):\n    return 1 // 0\n")
    for slot in (BROKEN_REFERENCE, BESIDE_BROKEN):
        a.submit_source(slot, "def solve(n):\n    return n // 2\n")
    a.claim(BROKEN_REFERENCE)
    return a.plan(_grade_all_json(a), bound=_bound(*a.slots), env=_env(a))


def single_slot_attacks(runs, config: Configuration) -> dict[str, Outcome]:
    """Configuration 1's runs of one or two slots, side by side (each keeps its own tight bound)."""
    return run_together({name: globals()[name](runs, config) for name in (
        "answer_key_feedback", "big_int_where_float_expected", "memory_every_case", "ansi_single", "ansi_summary",
        "broken_reference")})


# ------------------------------------------------------------ class 9: modules in the cwd

HIJACK = 'open("{marker}", "w").write("imported from the cwd")\nraise SystemExit("{name}.py from the cwd ran")\n'


def module_in_cwd(runs, config: Configuration, name: str) -> tuple[Outcome, Path]:
    a = runs.arena(config, f"{name}-in-cwd")
    marker = a.root / f"{name}-was-imported"
    (a.cwd / f"{name}.py").write_text(HIJACK.format(marker=marker, name=name))
    return a.run(["list", "--course", str(a.course)], bound=MARGIN_SECONDS, env=_env(a), counts=False), marker


def typer_in_cwd(runs, config: Configuration):
    return module_in_cwd(runs, config, "typer")


def rich_in_cwd(runs, config: Configuration):
    return module_in_cwd(runs, config, "rich")


# ------------------------------------------------------------ the sandbox's own verdict on itself

CORRECT = {"halve_a": "def solve(n):\n    return n // 2\n"}


def _correct(runs, config: Configuration, name: str, args: list[str], **env: str | None) -> Plan:
    a = runs.arena(config, name)
    for slot, source in CORRECT.items():
        a.submit_source(slot, source)
    full = [*args, "--course", str(a.course)]
    counts = "--all" in args or "json" in args or env.get("CI") not in (None, "", "0", "false")
    return a.plan(full, bound=_bound(*CORRECT), env=_env(a, **env), counts=counts,
                 opted_in="--allow-weak-sandbox" in args)


# Which variants run where: each spelling of "counts" and "does not count" at least once (time budget).
WEAK_VARIANTS = {
    "root-no-unshare-no-landlock": {
        "json_single": (["grade", "halve_a", "--format", "json"], {}),
        "all_text": (["grade", "--all"], {}),
        "ci_true": (["grade", "halve_a"], {"CI": "true"}),
        "ci_0": (["grade", "halve_a"], {"CI": "0"}),
        "opted_in": (["grade", "--all", "--format", "json", "--allow-weak-sandbox"], {}),
    },
    "user-no-ns-no-landlock": {
        "ci_1": (["grade", "halve_a"], {"CI": "1"}),
        "interactive": (["grade", "halve_a"], {"CI": None}),
        "ci_false": (["grade", "halve_a"], {"CI": "false"}),
        "opted_in": (["grade", "--all", "--format", "json", "--allow-weak-sandbox"], {}),
    },
}


def weak_sandbox_runs(runs, config: Configuration) -> dict[str, Outcome]:
    """A correct submission graded every way in an untrusted configuration, side by side."""
    return run_together({name: _correct(runs, config, f"weak-{name}", args, **env)
                         for name, (args, env) in WEAK_VARIANTS[config.name].items()})
