"""Memory figures the benchmarks report, read from /proc (Linux)."""

from __future__ import annotations

import resource
from pathlib import Path

__all__ = ["children_peak_mb", "peak_mb"]


def peak_mb() -> float:
    """Peak resident set size of this process so far in MiB (VmHWM, /proc/self/status)."""
    line = next(x for x in Path("/proc/self/status").read_text().splitlines()
                if x.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def children_peak_mb() -> float:
    """Peak RSS in MiB of the largest finished child process (0 without one)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
