"""This machine in words, for records, reports and benchmarks."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def cpu_name() -> str:
    """The CPU's model name (Linux), else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def usable_cpus() -> int:
    """CPU cores this process may run on (fewer than the machine's under ``taskset``)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def machine_description(gpus: list[str]) -> str:
    """This machine's CPU and the ``gpus`` given (names, as the backend reports them)."""
    cores = usable_cpus()
    return f"{cores} CPU core{'s' if cores != 1 else ''} ({cpu_name()}), " + (", ".join(gpus) if gpus else "no GPU")
