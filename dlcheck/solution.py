"""`dlcheck solution ID`: the reference, for a student who passed, where the course allows it.

Two conditions, each refused with its own message: the course's course.yaml sets
`show_solutions_after_pass: true`, and the workspace's state records a pass of this exercise
(a `pass` verdict of `dlcheck grade`, every case passing; a partial score is not one). The state is
the student's own file, so this is a courtesy to honest students, not a lock: a course whose
references must stay private gives students exercises/ only, and then there is nothing to show.
"""

from __future__ import annotations

from pathlib import Path

from .catalog import Course
from .course_config import CONFIG_FILE
from .errors import UsageError
from .status import PASS
from .workspace import Workspace


def allowed_solution(course: Course, spec, ws: Workspace) -> Path:
    """The reference file to show, or UsageError saying why not."""
    if not course.config.show_solutions_after_pass:
        raise UsageError(f"This course does not show solutions: {course.root / CONFIG_FILE} does not set "
                         f"show_solutions_after_pass: true. Ask your instructor.")
    recorded = ws.load_state()["results"].get(spec.id)
    status = recorded.get("status") if isinstance(recorded, dict) else None
    if status != PASS:
        now = f"your last grade was '{status}'" if status else "it has not been graded yet"
        raise UsageError(f"No solution for '{spec.id}' yet: it is shown once `dlcheck grade {spec.id}` passes "
                         f"({now}, in {ws.state_path}).")
    path = course.solutions_dir / f"{spec.id}{'.py' if spec.kind == 'code' else '.txt'}"
    if not path.is_file():
        raise UsageError(f"This copy of the course has no reference for '{spec.id}' (looked for {path}): "
                         f"your instructor keeps the solutions elsewhere.")
    return path
