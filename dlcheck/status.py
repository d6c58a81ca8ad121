"""Verdict names, shared by results and reports (kept import-free for `dlcheck list`)."""

PASS, FAIL, ERROR, SKIPPED = "pass", "fail", "error", "skipped"
MISSING = "missing"  # an assignment's exercise with no submission in the workspace: score 0
