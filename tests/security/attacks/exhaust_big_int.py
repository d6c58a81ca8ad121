"""Returns an integer too large for a float where a float is expected."""


def solve(*args):
    return $VALUE
