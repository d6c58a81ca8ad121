"""Terminal control sequences in everything the report shows: printed output, an exception's type name
and message, and a fake passing header that tries to erase the real one."""
import sys

ERASE_LINE_ABOVE = "\x1b[1A\x1b[2K\r"
FAKE = f"{ERASE_LINE_ABOVE}\x1b[1;32m✓ $EXERCISE: PASS   1/1 points\x1b[0m\x07\x08\x0b\x0c\x1b]0;pwned\x07"
print(FAKE)
print(FAKE, file=sys.stderr)
Fake = type(f"Pass{ERASE_LINE_ABOVE}\x1b[32m", (Exception,), {})


def solve(*args):
    print(FAKE, flush=True)
    raise Fake(FAKE + "\n" + FAKE)
