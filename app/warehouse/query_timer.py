"""Timing every warehouse query of a script run, for the page benchmark; off unless recording.

The page benchmark needs the time a page spends in its queries apart from rendering. `query`,
`fetch_scalar` and `cached_query`'s cache misses wrap their work in `timed(...)`; outside
`recording()` that is one global check, so the app pays nothing. Nested timings (a cached function
calling `query`) keep their depth, so totals count only the outermost ones. The depth is kept per
thread: queries a report runs side by side on worker threads (`connection.run_concurrently`) are
nested in the caller's timing through `at_callers_depth`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Timing:
    kind: str  # "cached" (a cache miss of cached_query), "query" or "scalar"
    label: str  # the cached function's name, or the SQL's first 80 characters on one line
    seconds: float
    depth: int  # 0 for outermost calls


_records: list[Timing] | None = None
_local = threading.local()  # .depth: how many timed blocks this thread is inside


def _depth() -> int:
    return getattr(_local, "depth", 0)


@contextmanager
def recording() -> Iterator[list[Timing]]:
    """Collect the timings of every query run inside the block (one thread at a time)."""
    global _records
    previous, _records = _records, []
    try:
        yield _records
    finally:
        _records = previous


@contextmanager
def timed(kind: str, text: str) -> Iterator[None]:
    """Time the block under `text` (a function name or the SQL) when recording; else do nothing."""
    if _records is None:
        yield
        return
    records = _records
    depth = _depth()
    _local.depth = depth + 1
    started = time.perf_counter()
    try:
        yield
    finally:
        _local.depth = depth
        records.append(Timing(kind, " ".join(text.split())[:80], time.perf_counter() - started, depth))


def at_callers_depth(function: Callable[..., T]) -> Callable[..., T]:
    """`function` to run on another thread, its timings nested as if the calling thread ran it."""
    depth = _depth()

    def run(*args: object, **kwargs: object) -> T:
        previous = _depth()
        _local.depth = depth
        try:
            return function(*args, **kwargs)
        finally:
            _local.depth = previous

    return run


def outer_seconds(records: list[Timing]) -> float:
    """Total time in queries, counting nested calls once (through their outermost caller)."""
    return sum(r.seconds for r in records if r.depth == 0)
