"""Slow down password guessing: after a few failed logins for one user name, refuse for a while.

bcrypt already makes each guess cost ~0.25 s of server time; this caps guesses per name at
`max_failures` per `window_seconds` across all sessions of the server process (the app keeps one
instance in `st.cache_resource`). A success clears the name's record. Pure Python, clock injected.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class LoginThrottle:
    def __init__(
        self,
        max_failures: int = 5,
        window_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str) -> deque[float]:
        now = self._clock()
        failures = self._failures.setdefault(key, deque())
        while failures and now - failures[0] > self.window_seconds:
            failures.popleft()
        return failures

    def seconds_blocked(self, key: str) -> float:
        """How long `key` must wait before its next attempt (0 when it may try now)."""
        with self._lock:
            failures = self._recent(key)
            if len(failures) < self.max_failures:
                return 0.0
            return max(0.0, failures[0] + self.window_seconds - self._clock())

    def failed(self, key: str) -> None:
        with self._lock:
            self._recent(key).append(self._clock())
            if len(self._failures) > 10_000:  # many invented names: forget the oldest ones
                for stale in list(self._failures)[:5_000]:
                    del self._failures[stale]

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
