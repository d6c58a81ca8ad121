"""Exits the worker with status 0 during the first call, before any result is sent."""
import os


def scaled_sum(x, alpha):
    os._exit(0)
