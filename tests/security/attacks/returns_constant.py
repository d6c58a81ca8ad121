"""Always the same (wrong) answer: passes only if another attack rewrote this exercise's reference."""


def solve(*args):
    return $VALUE
