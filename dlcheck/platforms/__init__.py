"""Every autograding platform's format (docs/platforms.md).

Each platform is one module with a pure function `render(document) -> str` from the published
result document (dlcheck.result/1, what `--format json` prints: an ExerciseDocument for one
exercise, or a SummaryDocument with `results`, `totals`, `assignment`, `warnings`) to the text the
platform reads. Data flows one way, result document -> platform document: nothing here grades,
and nothing here sees more than the JSON document shows (hidden cases carry no values there).
"""

from __future__ import annotations

import importlib

PLATFORMS = ("junit", "gradescope", "exercism", "prairielearn", "github-classroom")

# Runners whose contract reads the result only when the command exits 0: Exercism's interface
# ("exit 0 if it has run successfully, regardless of the status of the tests") and PrairieLearn's
# grader host (it reads results.json only when the container exits 0). For these formats a written
# document is the outcome; usage errors (2) and a refused sandbox (4) still exit non-zero.
EXIT_ZERO_WHEN_WRITTEN = frozenset({"exercism", "prairielearn"})


def render(platform: str, document: dict) -> str:
    """The platform's document for a dlcheck.result/1 document."""
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform '{platform}'; known: {', '.join(PLATFORMS)}")
    module = importlib.import_module(f"{__name__}.{platform.replace('-', '_')}")
    return module.render(document)
