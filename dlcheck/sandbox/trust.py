"""When a grade can count: the sandbox layers a verdict's trustworthiness rests on.

Pure policy, no system calls: the grader reads it to decide, the zygote's jobs report the layers.
"""

from __future__ import annotations

from pathlib import Path

# The course must be out of the worker's sight (a view of its own, or Landlock), and the kernel's
# syscall filter must stand behind the audit hooks. Everything else is defence in depth.
HIDES_THE_COURSE = ("mount-view", "landlock")
REQUIRED = ("seccomp", "no-new-privs")
ALLOW_WEAK_OPTION = "--allow-weak-sandbox"


def missing_layers(layers: list[str]) -> list[str]:
    """What keeps a worker with these layers from being trusted (empty when it can be)."""
    missing = [layer for layer in REQUIRED if layer not in layers]
    if not any(layer in layers for layer in HIDES_THE_COURSE):
        missing.append("mount-view or landlock (to hide the course)")
    return missing


def exposure_problems(course_root: Path, exposed: list[str]) -> list[str]:
    """The course must not lie inside what workers are shown (the Python installation)."""
    root = course_root.resolve()
    return [f"the course ({root}) lies inside {path}, which workers must see"
            for path in map(Path, exposed) if path == root or path in root.parents]
