"""Fixtures for the symbolic checker tests."""

from __future__ import annotations

import pytest

from symbolic_helpers import SYMBOLIC_EXERCISES, request_for


@pytest.fixture(scope="session")
def tables():
    """exercise id -> SymbolTable, built in this process (tests may import sympy)."""
    from dlcheck.symbolic.table import build_table

    return {ex: build_table(request_for(ex, "")) for ex in SYMBOLIC_EXERCISES}
