"""Verdict names, shared by results and reports (kept import-free for `dlcheck list`)."""

PASS, FAIL, ERROR, SKIPPED = "pass", "fail", "error", "skipped"
