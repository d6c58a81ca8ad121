"""A correct submission that takes its time: the victim of a concurrent attacker."""
import time


def solve(x):
    time.sleep($SLEEP)
    return 2 * x
