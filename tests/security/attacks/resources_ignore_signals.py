"""Ignores SIGTERM, SIGINT and SIGALRM, then spins forever."""
import signal

for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM, signal.SIGHUP):
    signal.signal(sig, signal.SIG_IGN)


def scaled_sum(x, alpha):
    while True:
        pass
