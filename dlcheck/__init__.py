"""dlcheck: exercises and an autograder for deep generative models and machine perception."""

__version__ = "0.1.0"  # the one place it is written (pyproject.toml reads it)

import os as _os
import sys as _sys

if _sys.argv[:1] == ["-m"] and not _sys.flags.safe_path:
    # `python -m dlcheck` put the current directory first on sys.path. Run inside a student's
    # checkout, their typer.py or rich.py would be imported in place of ours: take it off again
    # (this package is already imported; its submodules are found through its own __path__).
    _cwd = _os.getcwd()
    _sys.path[:] = [entry for entry in _sys.path if entry not in ("", _cwd)]


def check(exercise_id: str, **options):
    """In Jupyter: grade the exercise's function as this notebook's cells define it, in the sandbox,
    and show the report in the cell (dlcheck/jupyter.py; options: answer=, course=, workspace=).
    Imported on call, so that `import dlcheck` stays light."""
    from .jupyter import check as check_in_notebook

    return check_in_notebook(exercise_id, **options)
