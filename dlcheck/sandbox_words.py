"""The sandbox in a student's words: the one line under a grade's header in the text report.

A student needs to know that their code ran confined, and, where it could not be, what that means
for the grade; the layer names (namespaces, seccomp, …) are for `--verbose` and the JSON result.
"""

from __future__ import annotations

from .sandbox.trust import missing_layers

# What a missing layer (sandbox.trust.missing_layers) means, for someone who never heard of it.
PLAIN_WORDS = {
    "seccomp": "its system calls are not filtered",
    "no-new-privs": "your code could gain privileges",
    "mount-view or landlock (to hide the course)": "this machine cannot hide the course's files from your code",
}
WEAK_CONSEQUENCE = "fine for practice, but this grade cannot count"


def sandbox_line(layers: list[str] | None, trusted: bool | None, verbose: bool = False) -> str:
    """"sandboxed", or "sandboxed (weak: …)"; with `verbose`, the layers and what is missing too.
    Empty where no code ran (a syntax error, a refused file, an internal error)."""
    if not layers:
        return ""
    missing = missing_layers(layers) if trusted is False else []
    line = "sandboxed"
    if trusted is False:
        # No layer missing, yet not trusted: the course lies inside what every worker is shown.
        reasons = [PLAIN_WORDS.get(layer, layer) for layer in missing] or [PLAIN_WORDS[
            "mount-view or landlock (to hide the course)"]]
        line += f" (weak: {'; '.join(reasons)}; {WEAK_CONSEQUENCE})"
    if verbose:
        line += f"; its layers: {', '.join(layers)}" + (f" (missing: {'; '.join(missing)})" if missing else "")
    return line
