"""Batch grading of a whole class: `dlcheck batch` (runner.py is the entry point)."""
