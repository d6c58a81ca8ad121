"""Raises SystemExit(0) while being imported."""
import sys

raise SystemExit(0) if sys else None
