"""One dlcheck run in one configuration: its directories, its attack files, and what happened.

`Arena` is a run's world, in a directory TEST_UID can read (pytest's tmp dirs are 0700 root):
a fresh copy of the attack course, a workspace, a cwd, a $HOME and victim files, plus a
listener per slot. `Arena.submit` writes an attack from attacks/ into the workspace with every
path it needs substituted (the attacker has read dlcheck's source and knows where things are).
`Arena.run` (or `start` + `wait`, for concurrent runs) grades through the launcher and the real
CLI and records everything checks.py asserts on.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tests.security import checks
from tests.security.configurations import REPO, Configuration, launch_command
from tests.security.course import CASE_SECONDS, SLOW_SLOT, SLOW_TOTAL_SECONDS, TOTAL_SECONDS, write_course

ATTACKS = Path(__file__).parent / "attacks"
# Start-up (a torch import, under load on two shared cores), the reference jobs and reaping.
MARGIN_SECONDS = 8.0
_in_flight: set[int] = set()  # CLI processes of runs still going: not survivors of the one that just ended
# Held while a run starts, while one that overran its bound is killed and reaped, and while survivors
# are counted: with runs in the background (conftest's prefetch), no run may count another's
# processes -- just forked, or killed and not yet reaped -- as its own survivors.
_reaping = threading.Lock()
# The run every process descends from, sampled while runs go: with runs side by side (and attacks on
# other runs), an orphan that becomes our child is charged to the run it came from.
_lineage: dict[int, "Running"] = {}
_described: dict[int, str] = {}
SAMPLE_SECONDS = 0.1


def total_seconds(slot: str) -> float:
    return SLOW_TOTAL_SECONDS if slot == SLOW_SLOT else TOTAL_SECONDS


@dataclass
class Outcome:
    config: Configuration
    args: list[str]
    returncode: int | None
    stdout: str
    stderr: str
    elapsed: float
    bound: float
    timed_out: bool
    peak_memory_mb: float | None
    report: dict | None
    survivors: list[str]
    changed: list[str]
    escapes: dict[str, list[Path]]
    arrivals: dict[str, list[str]]
    claims: dict[str, set[str]]
    refusal_expected: bool
    arena: "Arena" = field(repr=False)

    def result(self, exercise: str) -> dict:
        return checks.results_by_exercise(self.report)[exercise]


class Arena:
    def __init__(self, base: Path, config: Configuration, name: str):
        self.config = config
        self.token = uuid.uuid4().hex[:12]
        self.root = base / f"{config.name}--{name}--{self.token}"
        self.root.mkdir(mode=0o755)
        self.course = write_course(self.root / "course")
        self.workspace = self.root / "ws"
        self.cwd = self.root / "cwd"
        self.victims = self.root / "victims"  # files outside the workspace that dlcheck must never write
        self.cache = self.root / "cache"
        self.tmp = self.root / "tmp"  # $TMPDIR: what a killed run leaves behind goes with the arena
        for d in (self.workspace, self.cwd, self.victims, self.cache, self.tmp):
            d.mkdir()
        (self.victims / "victim.txt").write_text("a file the grader must never write\n")
        (self.victims / "dir").mkdir()
        (self.victims / "dir" / "keep.txt").write_text("untouched\n")
        self.home = Path("/root") if config.as_root else self.root / "home"
        self.home.mkdir(exist_ok=True)
        self.listeners: dict[str, checks.Listener] = {}
        self.claims: dict[str, set[str]] = {}
        self.slots: list[str] = []

    # ------------------------------------------------------------ building the attack

    def escape_name(self, slot: str) -> str:
        return f"dlcheck-escape-{self.token}-{slot}"

    def listener(self, slot: str) -> checks.Listener:
        if slot not in self.listeners:
            self.listeners[slot] = checks.Listener()
        return self.listeners[slot]

    def substitutions(self, slot: str, extra: dict[str, object]) -> dict[str, object]:
        return {"PORT": self.listener(slot).port, "ESCAPE": self.escape_name(slot), "HOME_DIR": self.home,
                "EXERCISE": slot, "COURSE": self.course, "REPO": REPO, "FIXTURE_COURSE": checks.FIXTURE_COURSE,
                "WORKSPACE": self.workspace, "CASE_SECONDS": CASE_SECONDS, **extra}

    def submit(self, slot: str, attack: str, *, targets: tuple[Path, ...] = (), **extra: object) -> Path:
        """Write attacks/<attack>.py as the submission for `slot`; `targets` are files it tries to change."""
        template = string.Template((ATTACKS / f"{attack}.py").read_text())
        path = self.workspace / f"{slot}.py"
        path.write_text(template.safe_substitute(self.substitutions(slot, extra)))
        self.claim(slot, *targets)
        return path

    def submit_source(self, slot: str, source: str) -> Path:
        path = self.workspace / f"{slot}.py"
        path.write_text(source)
        self.claim(slot)
        return path

    def claim(self, slot: str, *targets: Path) -> None:
        """`slot` is judged by a test of its own; the files it targets are that test's to check."""
        if slot not in self.slots:
            self.slots.append(slot)
        self.claims.setdefault(slot, set()).update(str(t) for t in targets)
        self.listener(slot)

    def _hand_over(self) -> None:
        """Non-root configurations: the run's files belong to TEST_UID, as a student's checkout would."""
        if self.config.as_root:
            return
        for path in [self.root, *self.root.rglob("*")]:
            info = path.lstat()
            if info.st_nlink > 1 and not path.is_dir():
                continue  # a hard link to a file of the machine: chowning it would chown that file
            os.lchown(path, self.config.uid, self.config.uid)  # never follows a planted symlink

    # ------------------------------------------------------------ running

    def environment(self, extra: dict[str, str] | None) -> dict[str, str]:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO), "HOME": str(self.home),
               "LANG": "C.UTF-8", "COLUMNS": "160", "XDG_CACHE_HOME": str(self.cache), "TMPDIR": str(self.tmp),
               **checks.SECRETS}
        for name, value in (extra or {}).items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        return env

    def digest(self) -> dict[str, str]:
        guarded = [*checks.GUARDED_TREES, self.course, self.workspace, self.victims, self.cwd]
        return checks.tree_digest(guarded, own_state=self.workspace / ".dlcheck")

    def start(self, args: list[str], *, bound: float, env: dict[str, str] | None = None,
              counts: bool = True, opted_in: bool = False) -> "Running":
        self._hand_over()
        return Running(self, args, bound, self.environment(env), counts, opted_in)

    def run(self, args: list[str], **kwargs) -> Outcome:
        return self.start(args, **kwargs).wait()

    def plan(self, args: list[str], **kwargs) -> "Plan":
        return Plan(self, args, kwargs)

    def close(self) -> None:
        for listener in self.listeners.values():
            listener.close()


class Running:
    """A dlcheck process under way; `wait` (or `wait_all` for concurrent runs) ends it at its bound."""

    def __init__(self, arena: Arena, args: list[str], bound: float, env: dict[str, str], counts: bool,
                 opted_in: bool):
        self.arena, self.args, self.bound = arena, args, bound
        self.refusal_expected = counts and not arena.config.trusted and not opted_in
        self.before = arena.digest()
        self.children_before = checks.children_of(os.getpid())
        self._sampled = 0.0
        number = len(list(arena.root.glob("stdout-*")))
        self.out = open(arena.root / f"stdout-{number}", "w+b")
        self.err = open(arena.root / f"stderr-{number}", "w+b")
        self.peak: float | None = None
        self.timed_out = False
        self.ended: float | None = None
        self.started = time.monotonic()
        with _reaping:  # a child that is not yet in _in_flight must not be counted as another run's survivor
            self.process = subprocess.Popen(launch_command(arena.config, [sys.executable, "-m", "dlcheck", *args]),
                                            cwd=arena.cwd, env=env, stdin=subprocess.DEVNULL, stdout=self.out,
                                            stderr=self.err)
            _in_flight.add(self.process.pid)
        _lineage[self.process.pid] = self

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait(self) -> Outcome:
        return wait_all(self)[0]

    def _poll(self, now: float) -> bool:
        """True once the run is over: it exited, or it overran its bound and was killed with all it started."""
        if self.process.poll() is not None:
            self.ended = now
            return True
        self.peak = checks.peak_memory_mb(self.pid) or self.peak
        if now - self._sampled > SAMPLE_SECONDS:
            self._sampled = now
            for descendant in checks.descendants_of(self.pid):
                if descendant not in _lineage:
                    _lineage[descendant] = self
                    _described[descendant] = checks.describe_process(descendant)
        if now - self.started <= self.bound:
            return False
        self.timed_out, self.ended = True, now
        _kill_tree(self.pid)
        self.process.wait()
        return True

    def _outcome(self, survivors: list[str]) -> Outcome:
        stdout, stderr = (_read(f) for f in (self.out, self.err))
        arena = self.arena
        escapes = {slot: checks.escape_markers(arena.escape_name(slot), arena.home) for slot in arena.slots}
        for path in (p for found in escapes.values() for p in found):
            path.unlink(missing_ok=True)  # recorded; the machine is left clean
        try:
            report = json.loads(stdout)
        except ValueError:
            report = None
        return Outcome(
            config=arena.config, args=self.args, returncode=self.process.returncode, stdout=stdout, stderr=stderr,
            elapsed=self.ended - self.started, bound=self.bound, timed_out=self.timed_out,
            peak_memory_mb=self.peak, report=report, survivors=survivors,
            changed=checks.changed_paths(self.before, arena.digest()),
            escapes=escapes,
            arrivals={slot: listener.arrivals() for slot, listener in arena.listeners.items()},
            claims=dict(arena.claims), refusal_expected=self.refusal_expected, arena=arena)


def wait_all(*runnings: Running) -> list[Outcome]:
    """Wait for runs going on at the same time; each ends by itself or is killed at its bound."""
    pending = list(runnings)
    while pending:
        now = time.monotonic()
        pending = [r for r in pending if not r._poll(now)]
        time.sleep(0.01)
    return _outcomes(list(runnings))


@dataclass
class Plan:
    """A run prepared but not started, so that independent runs can go side by side."""

    arena: Arena
    args: list[str]
    options: dict

    def start(self) -> Running:
        return self.arena.start(self.args, **self.options)


def run_together(plans: dict[str, Plan], parallel: int = 2) -> dict[str, Outcome]:
    """Independent runs, `parallel` at a time (two cores); each keeps its own bound, and survivors are
    charged to the run they descend from."""
    waiting, going, done = list(plans.items()), {}, {}
    while waiting or going:
        while waiting and len(going) < parallel:
            name, plan = waiting.pop(0)
            going[name] = plan.start()
        now = time.monotonic()
        for name in [n for n, r in going.items() if r._poll(now)]:
            done[name] = going.pop(name)
        time.sleep(0.01)
    return dict(zip(done, _outcomes(list(done.values()))))


def _outcomes(runnings: list[Running]) -> list[Outcome]:
    ours = {r.pid for r in runnings}
    _in_flight.difference_update(ours)
    # The test process is a child subreaper (conftest.py) and an ancestor of everything these runs
    # started, so whatever outlives them -- double-forked, in a new session, re-parented -- ends up
    # as our child once the graders and their zygotes are gone: this check is complete on its own.
    # (The old check also looked for a token in every process's environment; the worker now gets a
    # minimal environment, so a token there would prove nothing.)
    time.sleep(0.05)
    before = set.intersection(*(r.children_before for r in runnings))
    survivors: dict[Running, list[str]] = {r: [] for r in runnings}
    with _reaping:
        orphans = checks.children_of(os.getpid()) - before - ours - _in_flight
        for orphan in sorted(orphans):
            owner = _lineage.get(orphan)
            if owner is not None and owner not in runnings and owner.pid in _in_flight:
                orphans.discard(orphan)  # another run's, still going: its own check will count it
                continue
            origin = _described.get(orphan, "not seen during the run")
            text = f"{checks.describe_process(orphan)}; started as {origin}"
            for run in ([owner] if owner in runnings else runnings):
                survivors[run].append(text if owner in runnings or owner is None else
                                      f"{text} (left by the earlier run {owner.args})")
        checks.kill_and_reap(orphans)
    return [r._outcome(survivors[r]) for r in runnings]


def _kill_tree(pid: int) -> None:
    """SIGKILL a run that overran its bound and everything it started; reap what becomes ours."""
    with _reaping:
        tree = checks.descendants_of(pid)
        checks.kill_and_reap(tree)
        os.kill(pid, signal.SIGKILL)  # reaped by its Popen, which then knows it was killed
        end = time.monotonic() + 2
        while tree and time.monotonic() < end:  # killed grandchildren become our zombies once their parents die
            for member in list(tree):
                try:
                    if os.waitpid(member, os.WNOHANG)[0] == member:
                        tree.discard(member)
                except ChildProcessError:
                    if not os.path.exists(f"/proc/{member}"):
                        tree.discard(member)
            time.sleep(0.01)


def _read(f) -> str:
    f.seek(0)
    text = f.read().decode(errors="replace")
    f.close()
    return text


def make_base() -> Path:
    base = Path(os.environ.get("DLCHECK_SECURITY_TMP", "/tmp"))
    root = Path(tempfile.mkdtemp(prefix="dlcheck-security-", dir=base))
    root.chmod(0o755)  # TEST_UID must reach its runs' directories
    return root


def remove_base(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
