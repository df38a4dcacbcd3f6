"""Measuring helpers: run a step in a child process and read its wall time and peak memory."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Measurement:
    name: str
    seconds: float
    peak_mb: float
    detail: dict


def run_step(module: str, *args: str, env: dict | None = None) -> Measurement:
    """Run `python -m module args…` and measure it; the step prints one JSON line with its own timings."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", module, *args], cwd=PROJECT_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{err[-3000:]}")
    detail = json.loads(out.strip().splitlines()[-1])
    return Measurement(detail.pop("name", module), detail.pop("seconds", seconds),
                       detail.pop("peak_mb"), detail)


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    return f"{os.cpu_count()} cores, {_mem_gb():.0f} GiB, Python {platform.python_version()}"


def _mem_gb() -> float:
    with open("/proc/meminfo") as f:
        return int(f.readline().split()[1]) / 1024 / 1024


def print_table(rows: list[list[str]], header: list[str]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"
    print(line)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
