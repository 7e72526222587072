"""Throttling sign-in: failures counted by account and by client address, with growing lockouts.

A key (``"account:alice"``, ``"address:10.0.0.7"``) that fails
``max_failures`` times within ``window`` seconds is locked out for
``lockout`` seconds; each further lockout of the same key doubles it (up to
``max_lockout``).  A locked key is refused before any password hashing is
done, so guessing costs the server nothing.  The counts live in memory, per
server process.

Examples
--------
>>> now = [0.0]
>>> t = Throttle(max_failures=2, window=60, lockout=30, clock=lambda: now[0])
>>> t.failure("account:a"), t.failure("account:a")
(0.0, 30.0)
>>> t.retry_after("account:a")
30.0
>>> now[0] = 31.0; t.retry_after("account:a")
0.0
>>> t.failure("account:a"), t.failure("account:a")  # the second lockout is twice as long
(0.0, 60.0)
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class _State:
    failures: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0
    lockouts: int = 0
    last: float = 0.0


class Throttle:
    """Failure counts and lockouts by key (thread-safe)."""

    def __init__(
        self,
        max_failures: int = 5,
        window: float = 60.0,
        lockout: float = 60.0,
        max_lockout: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self.lockout = lockout
        self.max_lockout = max_lockout
        self.clock = clock
        self._states: dict[str, _State] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> float:
        """Seconds until ``key`` may try again (0: now)."""
        with self._lock:
            state = self._states.get(key)
            return max(0.0, state.locked_until - self.clock()) if state else 0.0

    def failure(self, key: str) -> float:
        """Count a failure; the length of the lockout it starts (0: none)."""
        now = self.clock()
        with self._lock:
            state = self._states.setdefault(key, _State())
            if state.lockouts and now - state.last > self.max_lockout:
                state.lockouts = 0  # quiet for long enough: start again from the shortest lockout
            state.last = now
            while state.failures and now - state.failures[0] > self.window:
                state.failures.popleft()
            state.failures.append(now)
            if len(state.failures) < self.max_failures:
                return 0.0
            state.failures.clear()
            length = float(min(self.max_lockout, self.lockout * 2**state.lockouts))
            state.lockouts += 1
            state.locked_until = now + length
            self._prune(now)
            return length

    def success(self, key: str) -> None:
        """A correct password: forget the key's failures (not its lockout history)."""
        with self._lock:
            state = self._states.get(key)
            if state is not None:
                state.failures.clear()

    def _prune(self, now: float) -> None:
        """Drop keys idle for longer than the longest lockout, so memory stays bounded."""
        if len(self._states) < 10_000:
            return
        for key in [k for k, s in self._states.items() if now - s.last > self.max_lockout]:
            del self._states[key]
