"""Throttling sign-in: failures counted by account and by client address, with growing lockouts.

A key (``"account:alice"``, ``"address:10.0.0.7"``) that fails
``max_failures`` times within ``window`` seconds is locked out for
``lockout`` seconds; each further lockout of the same key doubles it, up to
``max_lockout``, and stays there: the doubling is forgotten only once the key
has been quiet (no failure, no lockout) for ``max_lockout`` after its last
lockout ended.  A locked key is refused before any password hashing is done,
so guessing costs the server nothing.

Counted exactly under concurrency: a sign-in *reserves* its password check
(:meth:`Throttle.begin`) before hashing, and a key allows no more checks in
flight than failures it has left, so a burst of simultaneous wrong passwords
gets exactly ``max_failures`` checks and one lockout, not one lockout per
check that was already running.

Where the counts live is a :class:`CountStore`: each key's :class:`Counts`,
changed one key at a time by a function run atomically.  :class:`MemoryCounts`
keeps them in this process; a store shared by several server processes
implements the same two methods.  Times come from the throttle's clock, wall
time by default, so processes sharing a store agree on them.

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

A check reserves its place first: with one failure left, a second check
waits for the first to end.

>>> now[0] = 200.0
>>> t.failure("account:b")
0.0
>>> started, wait = t.begin("account:b"); started
200.0
>>> t.begin("account:b")  # one failure left, and it is in flight: wait a moment
(None, 1.0)
>>> t.failure("account:b", started)
30.0
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

T = TypeVar("T")

#: A password check reserved but never ended (its process died) stops counting after this long.
PENDING_EXPIRES = 30.0

#: The doubling of lockouts stops counting here (2**20 lockouts is past any cap).
_MAX_DOUBLINGS = 20


@dataclass
class Counts:
    """One key's throttle state: plain data, so any store can keep it."""

    #: When each failure within the window happened.
    failures: list[float] = field(default_factory=list)
    #: When each password check now in flight started.
    pending: list[float] = field(default_factory=list)
    #: Locked out until then.
    locked_until: float = 0.0
    #: Lockouts so far: the next lasts ``lockout * 2**lockouts``, up to the cap.
    lockouts: int = 0
    #: The last failure.
    last: float = 0.0

    def quiet_since(self) -> float:
        """Since when nothing has happened to this key (its last failure, or its lockout's end)."""
        return max(self.last, self.locked_until, *self.pending, 0.0)


class CountStore(Protocol):
    """Where a :class:`Throttle` keeps its :class:`Counts`, by key."""

    def change(self, key: str, fn: Callable[[Counts], T]) -> T:
        """Run ``fn`` on the key's counts (fresh ones if there are none) and keep what it leaves
        them as, atomically: no other change of that key runs in between.  Returns what ``fn`` does."""
        ...

    def forget(self, quiet_before: float) -> None:
        """Drop keys with nothing since ``quiet_before`` (:meth:`Counts.quiet_since`)."""
        ...


class MemoryCounts:
    """Counts in this process's memory (lost on restart; not shared by other processes)."""

    def __init__(self) -> None:
        self._counts: dict[str, Counts] = {}
        self._lock = threading.Lock()

    def change(self, key: str, fn: Callable[[Counts], T]) -> T:
        with self._lock:
            counts = self._counts.get(key)
            if counts is None:
                counts = self._counts[key] = Counts()
            return fn(counts)

    def forget(self, quiet_before: float) -> None:
        with self._lock:
            if len(self._counts) < 10_000:  # bounded memory, without a scan on every sign-in
                return
            for key in [k for k, c in self._counts.items() if c.quiet_since() < quiet_before]:
                del self._counts[key]


class Throttle:
    """Failure counts and lockouts by key (thread-safe; as safe across processes as its store)."""

    def __init__(
        self,
        max_failures: int = 5,
        window: float = 60.0,
        lockout: float = 60.0,
        max_lockout: float = 3600.0,
        clock: Callable[[], float] = time.time,
        store: CountStore | None = None,
    ) -> None:
        self.max_failures = max(1, max_failures)
        self.window = window
        self.lockout = lockout
        self.max_lockout = max_lockout
        self.clock = clock
        self.store: CountStore = store if store is not None else MemoryCounts()

    def _tidy(self, c: Counts, now: float) -> None:
        """Drop failures older than the window and reservations that were never ended."""
        c.failures = [t for t in c.failures if now - t <= self.window]
        c.pending = [t for t in c.pending if now - t <= PENDING_EXPIRES]

    def retry_after(self, key: str) -> float:
        """Seconds until ``key`` may try again (0: now)."""
        now = self.clock()
        return self.store.change(key, lambda c: max(0.0, c.locked_until - now))

    def begin(self, key: str) -> tuple[float | None, float]:
        """Reserve one password check for ``key``: ``(started, 0.0)``, where ``started`` is
        passed to :meth:`failure`, :meth:`success` or :meth:`cancel` when the check ends;
        or, refused, ``(None, seconds to wait)``.

        Refused while locked out, and while the checks in flight could use up the
        failures the key has left (a wait of a second: one of them may succeed)."""
        now = self.clock()

        def reserve(c: Counts) -> tuple[float | None, float]:
            self._tidy(c, now)
            if c.locked_until > now:
                return None, c.locked_until - now
            if len(c.failures) + len(c.pending) >= self.max_failures:
                return None, 1.0
            c.pending.append(now)
            return now, 0.0

        return self.store.change(key, reserve)

    def _end(self, c: Counts, started: float | None) -> None:
        if started is not None and started in c.pending:
            c.pending.remove(started)

    def cancel(self, key: str, started: float) -> None:
        """The reserved check did not happen: free its place, count nothing."""
        self.store.change(key, lambda c: self._end(c, started))

    def failure(self, key: str, started: float | None = None) -> float:
        """Count a failure (of the check reserved at ``started``); the length of the lockout it
        starts (0: none)."""
        now = self.clock()

        def count(c: Counts) -> float:
            self._end(c, started)
            self._tidy(c, now)
            if c.locked_until > now:
                return 0.0  # a check that began before the lockout: it is part of the same burst
            if c.lockouts and now - max(c.last, c.locked_until) > self.max_lockout:
                c.lockouts = 0  # quiet for long enough after the last lockout: start again
            c.last = now
            c.failures.append(now)
            if len(c.failures) < self.max_failures:
                return 0.0
            c.failures.clear()
            length = float(min(self.max_lockout, self.lockout * 2**c.lockouts))
            c.lockouts = min(c.lockouts + 1, _MAX_DOUBLINGS)
            c.locked_until = now + length
            return length

        length = self.store.change(key, count)
        if length:
            self.store.forget(now - self.max_lockout - self.window)
        return length

    def success(self, key: str, started: float | None = None, forgive: bool = True) -> None:
        """A correct password: end the reserved check and (if ``forgive``) forget the key's
        failures, though not its lockout history."""

        def ok(c: Counts) -> None:
            self._end(c, started)
            if forgive:
                c.failures.clear()

        self.store.change(key, ok)
