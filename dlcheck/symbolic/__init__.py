"""Symbolic answers: a sympy-free client (client.py) and a sandboxed worker process.

Nothing here may import sympy at package import time: the grading process only ever
imports dlcheck.symbolic.client, and sympy lives in the worker subprocess.
"""
