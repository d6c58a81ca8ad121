"""`dlcheck watch [ID]`: the student's edit-save-read loop.

Every save re-grades: the screen is cleared and redrawn with the fresh report, the course progress
and the keys (h hint, n next unfinished exercise, l list, r re-run, q quit). With an ID it follows
that exercise (and, after `n`, the one it moved to); without one, whichever workspace file was saved.

One Grader lives for the whole session: one zygote, so torch is imported once and a re-grade costs
only the submission's run, not a new process per save. Grading here is practice, like `dlcheck grade
ID` at a terminal: it records progress in the workspace state the same way, and a weak sandbox is a
warning, not a refusal. It never writes a student's file; only `n`, moving to an exercise that has no
file yet, writes its starter, as `dlcheck start` does (never over an existing file).

Only the workspace's submissions trigger a grade, by exact name at its top level (<id>.py, <id>.txt,
<id>.tex): editors' swap, backup and temporary files and dlcheck's own .dlcheck/ never do.
"""

from __future__ import annotations

import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.rule import Rule
from rich.text import Text

from .catalog import Course
from .errors import DlcheckError, UsageError
from .grading_status import grading_status
from .terminal_text import printable
from .workspace import Workspace, chapter_progress, submission_names

# A save is graded once no further change has come for this long: editors write a file in several
# steps (a temporary file, a rename, vim's 4913 probe) within a few milliseconds.
DEBOUNCE_MS = 200
KEYS_HELP = "keys: h hint · n next unfinished · l list · r re-run · q quit"
BAR_WIDTH = 30
EVENT_POLL_SECONDS = 0.5  # how often the main loop wakes without events (Windows delivers Ctrl-C then)


def is_editor_temp_file(name: str) -> bool:
    """Files editors write next to the one being edited: vim's swap files (.x.swp, .x.swx …), its
    backups (x~) and its write probe (4913), emacs's autosaves (#x#) and lock links (.#x), JetBrains'
    safe-write copies (x___jb_tmp___, x___jb_old___)."""
    return (name == "4913" or name.endswith("~") or name.endswith(("___jb_tmp___", "___jb_old___"))
            or (name.startswith(".") and name[-4:-1] in (".sw", ".sv")) or name.startswith(".#")
            or (name.startswith("#") and name.endswith("#")))


@dataclass(frozen=True)
class Saved:
    exercise_id: str
    path: Path


@dataclass(frozen=True)
class Key:
    char: str


@dataclass(frozen=True)
class WatchFailed:
    message: str


@dataclass(frozen=True)
class CourseProgress:
    passed: int
    total: int
    points: float
    max_points: float

    @classmethod
    def of(cls, rows: list[dict]) -> "CourseProgress":
        """From the rows of WatchSession._rows: the workspace state's last verdicts and scores, and the
        course's specs' points."""
        return cls(passed=sum(row["status"] == "passed" for row in rows), total=len(rows),
                   points=round(sum(row["score"] or 0.0 for row in rows), 2),
                   max_points=round(sum(float(row["points"]) for row in rows), 2))

    def line(self) -> Text:
        filled = round(BAR_WIDTH * self.passed / self.total) if self.total else 0
        text = Text("progress ", style="bold")
        text.append("█" * filled, style="green").append("░" * (BAR_WIDTH - filled), style="dim")
        text.append(f" {self.passed}/{self.total} exercises · {self.points:g}/{self.max_points:g} points")
        return text


class WatchSession:
    """The screen and what each event does to it. Runs in the main thread; events come from the file
    watcher and the key reader through one queue, so a grade is never interrupted by the next save."""

    def __init__(self, course: Course, ws: Workspace, grader, console: Console, pinned, keys_off: str | None):
        self.course, self.ws, self.grader, self.console = course, ws, grader, console
        self.pinned = pinned is not None  # with an ID, other exercises' saves are not followed
        self.current = pinned
        self.keys_off = keys_off
        self.grades = 0  # in this session: the header's "grade #N" shows a save was graded, even unchanged
        self.graded_at = ""
        self.result = None
        self.body: Callable[[], None] = self._waiting
        self.hints_shown = 0  # hints drawn under the body (after h)
        self.notice = ""
        self.sandbox_warning: str | None = None  # None: not checked yet
        self.starters_written: dict[str, int] = {}  # path -> st_mtime_ns of a starter `n` wrote: not a save

    # ------------------------------------------------------------ the loop

    def run(self, events: "queue.Queue") -> int:
        if self.current is not None:
            self.regrade()
        else:
            self._open_latest_file()
        while True:
            try:
                batch = [events.get(timeout=EVENT_POLL_SECONDS)]
            except queue.Empty:
                continue
            while True:  # saves that queued up during a grade are graded once, not once each
                try:
                    batch.append(events.get_nowait())
                except queue.Empty:
                    break
            for event in batch:
                if isinstance(event, Key) and self.on_key(event.char) == "quit":
                    return 0
                if isinstance(event, WatchFailed):
                    self.notice = event.message
                    self.redraw()
            saves = [event for event in batch if isinstance(event, Saved)]
            if saves:
                self.on_saved(saves)

    def on_saved(self, saves: list[Saved]) -> None:
        saves = [s for s in saves if not self._is_starter_written(s.path)]
        if self.pinned:
            saves = [s for s in saves if s.exercise_id == self.current.id]
        if not saves:
            return
        if not self.pinned:
            self.current = self.course.get(saves[-1].exercise_id)
        self.notice = ""
        self.regrade()

    def on_key(self, char: str) -> str | None:
        if char == "q":
            return "quit"
        action = {"h": self.show_hint, "n": self.next_unfinished, "l": self.show_list, "r": self.rerun}.get(char)
        if action is not None:
            self.notice = ""
            action()
        return None

    # ------------------------------------------------------------ what the keys do

    def rerun(self) -> None:
        if self.current is None:
            self._say("Nothing to re-run yet: save a workspace file, or press n.")
        else:
            self.regrade()

    def show_hint(self) -> None:
        """Reveal one more hint (as `dlcheck hint` does) under what the screen shows."""
        spec = self.current
        if spec is None:
            return self._say("No exercise yet: save a workspace file, or press n.")
        if not spec.hints:
            return self._say(f"{spec.id} has no hints.")
        self.hints_shown = self.ws.reveal_hint(spec.id, len(spec.hints))
        self.redraw()

    def show_list(self) -> None:
        from .report import render_list

        rows = self._rows()
        self.body = lambda: render_list(self.console, rows, chapter_progress(rows))
        self.hints_shown = 0
        self.notice = "r: back to the report" if self.current is not None else ""
        self.redraw()

    def next_unfinished(self) -> None:
        """The next exercise after the current one (in syllabus order, wrapping) that has not passed;
        one with no file yet gets its starter (as `dlcheck start` writes it) and shows its task."""
        rows = self._rows()
        ids = [row["id"] for row in rows]
        here = ids.index(self.current.id) if self.current is not None and self.current.id in ids else -1
        after = rows[here + 1:] + rows[:here + 1]
        target = next((row for row in after if row["status"] != "passed"
                       and (self.current is None or row["id"] != self.current.id)), None)
        if target is None:
            return self._say("Every other exercise passes: nothing left to move on to.")
        self.current = self.course.get(target["id"])
        if self.ws.submission(self.current.id, self.current.kind) is not None:
            return self.regrade()
        from .report import render_exercise
        from .submission import display_name

        self.ws.start(self.current.id, self.current.kind, self.current.starter, force=False)
        path = self.ws.starter_path(self.current.id, self.current.kind)  # there was no file: the starter's name
        self.starters_written[os.path.realpath(path)] = _modified_ns(path)
        spec, self.result, self.hints_shown = self.current, None, 0
        self.body = lambda: render_exercise(self.console, spec, f"Your file: {display_name(path)}.")
        self.notice = f"Wrote {display_name(path)} (the starter): edit it, and every save grades it."
        self.redraw()

    # ------------------------------------------------------------ grading

    def regrade(self) -> None:
        """Grade the current exercise's file; what would stop `dlcheck grade ID` with a message (a
        usage error) is shown instead, and the watch goes on."""
        spec = self.current
        try:
            path = self.ws.submission(spec.id, spec.kind)
            if path is None:
                looked = " or ".join(str(p) for p in self.ws.candidates(spec.id, spec.kind))
                raise UsageError(f"no file for {spec.id} (looked for {looked}); it is graded once it is saved.")
            if spec.kind == "code" and self.sandbox_warning is None:
                self.sandbox_warning = self._sandbox_warning()
            with grading_status([spec.id], enabled=self.console.is_terminal, console=self.console):
                self.result = grade_practice(self.grader, self.ws, spec, path)
        except DlcheckError as error:
            self.result, self.body, self.hints_shown = None, self._waiting, 0
            return self._say(f"error: {error}")
        self.grades += 1
        self.graded_at = time.strftime("%H:%M:%S")
        self.body, self.hints_shown = self._report, 0
        self.redraw()

    def _is_starter_written(self, path: Path) -> bool:
        """Whether this "save" is the starter `n` just wrote (the student has not edited it since)."""
        key = os.path.realpath(path)
        if key in self.starters_written and self.starters_written[key] == _modified_ns(path):
            return True
        self.starters_written.pop(key, None)  # edited since: from now on, every save counts
        return False

    def _sandbox_warning(self) -> str:
        from .sandbox.host import current

        problems = self.grader.enforce_trust(False, False, what_counts="")
        return current().summary(problems) if problems else ""  # the same one line as `dlcheck grade`

    def _open_latest_file(self) -> None:
        """Without an ID, start on the submission saved last, if there is one."""
        names = exercise_file_names(self.course)
        try:
            entries = [e for e in os.scandir(self.ws.root) if e.name in names and e.is_file(follow_symlinks=False)]
        except OSError:
            entries = []
        if not entries:
            return self.redraw()
        latest = max(entries, key=lambda e: e.stat(follow_symlinks=False).st_mtime)
        self.current = self.course.get(names[latest.name])
        self.regrade()

    # ------------------------------------------------------------ the screen

    def redraw(self) -> None:
        """The whole screen, rendered first and written at once: no half-drawn screen in between."""
        with self.console.capture() as captured:
            self._draw()
        self.console.clear()
        self.console.file.write(captured.get())
        self.console.file.flush()

    def _draw(self) -> None:
        self.console.print(self._header())
        self.body()
        if self.hints_shown:
            from .report import render_hint

            render_hint(self.console, self.current, self.hints_shown)
        self.console.print(Rule(style="dim"))
        self.console.print(CourseProgress.of(self._rows()).line())
        if self.sandbox_warning:
            self.console.print(Text(self.sandbox_warning, style="yellow"))
        if self.notice:
            self.console.print(Text(printable(self.notice), style="cyan"))
        keys = KEYS_HELP if self.keys_off is None else f"keys off ({self.keys_off}); Ctrl-C stops watching"
        self.console.print(Text(keys, style="dim"))

    def _header(self) -> Text:
        header = Text("dlcheck watch", style="bold")
        if self.current is None:
            return header.append(f" · waiting for a save in {self.ws.root}/", style="dim")
        header.append(f" · {self.current.id}")
        if self.result is not None and self.result.exercise == self.current.id:
            header.append(f" · grade #{self.grades} at {self.graded_at}", style="dim")
        return header

    def _report(self) -> None:
        from .report import render_grade

        if self.result is not None:
            render_grade(self.console, self.result)

    def _waiting(self) -> None:
        self.console.print(Text(f"Save an exercise's file in {self.ws.root}/ to grade it, or press n to start "
                                f"the next unfinished one.", style="dim"))

    def _say(self, message: str) -> None:
        self.notice = message
        self.redraw()

    def _rows(self) -> list[dict]:
        """The course's exercises with their status and last score, as `dlcheck list` shows them."""
        state = self.ws.load_state()
        return [{**row, "status": self.ws.status(row["id"], row["kind"], state), "score": _last_score(row["id"], state)}
                for row in self.course.listing()]


def _last_score(exercise_id: str, state: dict) -> float | None:
    score = (state["results"].get(exercise_id) or {}).get("score")
    return float(score) if isinstance(score, (int, float)) and not isinstance(score, bool) else None


def grade_practice(grader, ws: Workspace, spec, path: Path):
    """What `dlcheck grade ID` does with a workspace file, progress recorded the same way; dlcheck's
    own failure is shown as such (an internal-error result) and the watch goes on."""
    from .grading import graded_or_internal

    result = graded_or_internal(spec, lambda: grader.grade_file(spec, path))
    if not result.internal_error:
        ws.record_result(result.exercise, result.status, result.score, result.max_score)
    return result


def exercise_file_names(course: Course) -> dict[str, str]:
    """Every submission file name of the course -> its exercise id."""
    return {name: row["id"] for row in course.listing() for name in submission_names(row["id"], row["kind"])}


# ------------------------------------------------------------ files

def watch_files(root: str, names: dict[str, str], events: "queue.Queue", stop: threading.Event) -> None:
    """Put a Saved event on `events` for each submission written in `root` (its top level only), until
    `stop` is set. Runs in a thread of its own."""
    import watchfiles

    def wanted(change, path: str) -> bool:
        name = os.path.basename(path)
        return (change != watchfiles.Change.deleted and os.path.dirname(path) == root and name in names
                and not is_editor_temp_file(name))

    try:
        for changes in watchfiles.watch(root, watch_filter=wanted, step=DEBOUNCE_MS, stop_event=stop,
                                        recursive=False, raise_interrupt=False):
            for path in sorted({path for _, path in changes}, key=_modified_at):
                if os.path.isfile(path):  # written, not written and then removed again
                    events.put(Saved(names[os.path.basename(path)], Path(path)))
    except Exception as exc:  # noqa: BLE001 - the directory went away, inotify ran out: say so, keep the keys
        events.put(WatchFailed(f"stopped watching {root}: {type(exc).__name__}: {exc}"))


def _modified_at(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


def _modified_ns(path) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return -1


# ------------------------------------------------------------ keys

class KeyReader:
    """Single keys from stdin, put on `events` as Key events, read in a thread of its own.

    On POSIX the terminal is put in cbreak mode (each key arrives at once, unechoed; Ctrl-C still
    interrupts) and restored on exit; on Windows, msvcrt. Where stdin is not a terminal (or neither is
    available), there are no keys and `off` says why."""

    def __init__(self, events: "queue.Queue"):
        self.events = events
        self.off: str | None = None
        self._stop = threading.Event()
        self._saved_mode = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "KeyReader":
        if not _is_terminal(sys.stdin):
            self.off = "stdin is not a terminal"
            return self
        if os.name == "nt":
            try:
                import msvcrt  # noqa: F401
            except ImportError:
                self.off = "no msvcrt"
                return self
            target = self._read_windows
        else:
            import termios
            import tty

            fd = sys.stdin.fileno()
            self._saved_mode = termios.tcgetattr(fd)
            tty.setcbreak(fd)
            target = self._read_posix
        self._thread = threading.Thread(target=target, name="dlcheck-keys", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1)
        if self._saved_mode is not None:
            import termios

            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, self._saved_mode)

    def _read_posix(self) -> None:
        import select

        fd = sys.stdin.fileno()
        while not self._stop.is_set():
            ready, _, _ = select.select([fd], [], [], 0.1)
            if not ready:
                continue
            data = os.read(fd, 64)
            if not data:
                return  # the terminal went away
            if data.startswith(b"\x1b"):
                continue  # an arrow or function key's escape sequence: its letters are not commands
            for char in data.decode("utf-8", errors="ignore"):
                self.events.put(Key(char))

    def _read_windows(self) -> None:
        import msvcrt

        while not self._stop.is_set():
            if not msvcrt.kbhit():
                self._stop.wait(0.05)
                continue
            char = msvcrt.getwch()
            if char in ("\x00", "\xe0"):
                msvcrt.getwch()  # the second half of an arrow or function key
                continue
            self.events.put(Key(char))


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


# ------------------------------------------------------------ the command

def watch(course: Course, ws: Workspace, pinned) -> int:
    """Run the watch until q (exit 0) or Ctrl-C, SIGTERM, SIGHUP (exit 130), the terminal restored and
    the grader's processes gone either way."""
    from .grading import Grader

    console = Console(highlight=False)
    events: queue.Queue = queue.Queue()
    stop = threading.Event()
    root = os.path.realpath(ws.root)
    previous = _interrupt_on_termination()
    try:
        with Grader(course) as grader, KeyReader(events) as keys:
            grader.warm_up()  # the zygote's torch import starts now, while the first screen is drawn
            watcher = threading.Thread(target=watch_files, args=(root, exercise_file_names(course), events, stop),
                                       name="dlcheck-watch", daemon=True)
            watcher.start()
            try:
                return WatchSession(course, ws, grader, console, pinned, keys.off).run(events)
            finally:
                stop.set()
                watcher.join(timeout=2)
    except KeyboardInterrupt:
        try:
            console.print("\nStopped watching.")
        except OSError:
            pass  # the terminal is gone (SIGHUP)
        return 130
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _interrupt_on_termination() -> dict:
    """SIGTERM and SIGHUP (a closed terminal) end the watch like Ctrl-C: terminal restored, sandbox closed."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None:
            previous[signum] = signal.signal(signum, interrupt)
    return previous
