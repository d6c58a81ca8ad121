"""Fixtures for the attack tests: the configurations, the cache of runs, and the single-attack harness.

- `config` (indirect parametrization through `matrix.configs`): one machine configuration, skipped
  loudly when this machine cannot simulate it (the reasons are repeated in the terminal summary).
- `runs`: every scenario (scenarios.py) runs at most once per configuration per session; the
  tests that judge its attacks share the outcome.
- `attack`: the original one-submission-per-run harness of test_attacks.py, in configuration 1.
"""

from __future__ import annotations

import ctypes
import string
import warnings
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.security import checks, configurations, scenarios
from tests.security.harness import Arena, Outcome, Plan, make_base, remove_base

PR_SET_CHILD_SUBREAPER = 36
PREFETCH = pytest.StashKey[list]()
_unavailable: dict[str, str | None] = {}


@pytest.fixture(scope="session", autouse=True)
def adopt_orphans():
    """Make the test process a subreaper: anything a run leaves behind becomes our child (harness.py)."""
    ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


@pytest.fixture(scope="session")
def arena_base():
    base = make_base()
    yield base
    remove_base(base)


def unavailable(config: configurations.Configuration) -> str | None:
    if config.name not in _unavailable:
        _unavailable[config.name] = configurations.why_unavailable(config)
        if _unavailable[config.name]:
            warnings.warn(f"CONFIGURATION NOT TESTED: {config.description}: {_unavailable[config.name]}")
    return _unavailable[config.name]


@pytest.fixture
def config(request) -> configurations.Configuration:
    chosen = configurations.BY_NAME[request.param]
    reason = unavailable(chosen)
    if reason:
        pytest.skip(f"CANNOT SIMULATE {chosen.description} ON THIS MACHINE: {reason}")
    return chosen


def pytest_terminal_summary(terminalreporter):
    missing = {name: reason for name, reason in _unavailable.items() if reason}
    if missing:
        terminalreporter.section("security configurations NOT tested on this machine", sep="!", red=True, bold=True)
        for name, reason in missing.items():
            terminalreporter.write_line(f"{name}: {reason}", red=True)


def pytest_configure(config):
    config.addinivalue_line("markers", "prefetch(scenario): the scenario mostly waits (a grader it hangs is "
                                       "killed at the bound): start it in the background when the session begins")


def pytest_collection_finish(session):
    """Remember which (configuration, scenario) pairs the selected tests prefetch, in test order."""
    wanted = []
    for item in session.items:  # after -k and -m deselection
        marker = item.get_closest_marker("prefetch")
        if marker and hasattr(item, "callspec") and "config" in item.callspec.params:
            pair = (item.callspec.params["config"], marker.args[0])
            if pair not in wanted:
                wanted.append(pair)
    session.config.stash[PREFETCH] = wanted


class Runs:
    """Each scenario at most once per configuration; the outcome is shared by the tests that judge it.

    Scenarios marked for prefetch run one at a time in a background thread (their runs mostly wait
    for a bound while the grader hangs), overlapping with the CPU-bound runs of other tests."""

    def __init__(self, base: Path, prefetch: list[tuple[str, str]]):
        self.base = base
        self.done: dict[tuple[str, str], object] = {}
        self.arenas: list[Arena] = []
        self.to_prefetch = list(prefetch)
        self.background: dict[tuple[str, str], Future] = {}
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch")

    def _start_prefetching(self) -> None:
        """On the first scenario a test asks for (not during test_attacks.py, whose bounds are tight)."""
        for name, scenario in self.to_prefetch:
            config = configurations.BY_NAME[name]
            key = (name, scenario)
            if key not in self.done and key not in self.background and not unavailable(config):
                self.background[key] = self.executor.submit(self._make, config, scenario)
        self.to_prefetch = []

    def arena(self, config: configurations.Configuration, name: str) -> Arena:
        arena = Arena(self.base, config, name)
        self.arenas.append(arena)
        return arena

    def get(self, config: configurations.Configuration, scenario: str, part: str | None = None):
        """The outcome of scenarios.<scenario> in `config` (of its run `part`, for a group of runs)."""
        self._start_prefetching()
        key = (config.name, scenario)
        if key in self.background:
            self.done[key] = self.background.pop(key).result()
        if key not in self.done:
            self.done[key] = self._make(config, scenario)
        return self.done[key] if part is None else self.done[key][part]

    def _make(self, config: configurations.Configuration, scenario: str):
        made = getattr(scenarios, scenario)(self, config)
        return made.start().wait() if isinstance(made, Plan) else made

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        for arena in self.arenas:
            arena.close()


@pytest.fixture(scope="session")
def runs(arena_base, request):
    the_runs = Runs(arena_base, request.config.stash.get(PREFETCH, []))
    yield the_runs
    the_runs.close()


# ------------------------------------------------------------ one attack per run (test_attacks.py)

ATTACKS = Path(__file__).parent / "attacks"
# The original templates leave their markers at these fixed paths.
FIXED_ESCAPE_MARKERS = [Path("/tmp/dlcheck-pwned"), Path("/tmp/dlcheck-escape.txt"),
                        Path("/dev/shm/dlcheck-escape.txt"), Path.home() / "dlcheck-escape.txt"]


@pytest.fixture
def attack(runs):
    """attack(exercise_id, submission=attack file name | answer=text | answer_file=text, bound=seconds).

    One run of `dlcheck grade ID --format json` in configuration 1 (fixture course for code,
    the real course for symbolic answers), judged by checks.assert_contained."""
    if unavailable(configurations.ROOT_NS):
        pytest.skip(f"CANNOT SIMULATE {configurations.ROOT_NS.description}: {unavailable(configurations.ROOT_NS)}")

    def run(exercise_id: str, *, submission: str | None = None, answer: str | None = None,
            answer_file: str | None = None, bound: float) -> Outcome:
        arena = runs.arena(configurations.ROOT_NS, exercise_id)
        course = checks.FIXTURE_COURSE if submission is not None else configurations.REPO
        args = ["grade", exercise_id, "--format", "json"]
        if submission is not None:
            targets = [configurations.REPO / "dlcheck" / "grading.py", configurations.REPO / "exercises" / "conv_shape.yaml",
                       configurations.REPO / "solutions" / "conv_shape.py", checks.FIXTURE_COURSE / "solutions" / "scaled_sum.py",
                       arena.workspace / f"{exercise_id}.py"]
            source = string.Template((ATTACKS / f"{submission}.py").read_text()).safe_substitute(
                PORT=arena.listener(exercise_id).port, WORKSPACE=arena.workspace, TARGETS=" ".join(map(str, targets)))
            arena.submit_source(exercise_id, source)
        elif answer_file is not None:
            (arena.workspace / f"{exercise_id}.txt").write_text(answer_file)
            arena.claim(exercise_id)
        else:
            args += ["--answer", answer]
            arena.claim(exercise_id)
        outcome = arena.run(args, bound=bound, env={"DLCHECK_COURSE": str(course),
                                                    "DLCHECK_WORKSPACE": str(arena.workspace)})
        checks.assert_contained(outcome, [exercise_id])
        assert [m for m in FIXED_ESCAPE_MARKERS if m.exists()] == [], "the submission left files outside its sandbox"
        return outcome

    return run
