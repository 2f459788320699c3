"""`usable_cores`: how many cores this process may run on, for the work it spreads over
processes (the CSV export, the search index)."""

from __future__ import annotations

import os


def usable_cores() -> int:
    """The cores this process may use: its CPU affinity where the platform tells it (a container
    or `taskset` may give it fewer than the machine has), else every core; at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
