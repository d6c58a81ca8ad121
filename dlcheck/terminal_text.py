"""Text a student controls, made safe to print on a terminal (standard library only: `dlcheck list` imports it)."""

from __future__ import annotations

import re

# C0 and C1 control characters but newline and tab, and the bidirectional overrides: a terminal would
# obey them (clear the screen, draw a fake PASS header, reorder a line), so they are shown as escapes.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Student-controlled text made safe for a terminal: controls become visible escapes (\\x1b)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", text)
