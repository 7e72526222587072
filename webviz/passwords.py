"""Password checks in a bounded pool, so a flood of sign-ins cannot hold the server's threads.

A password check (scrypt) takes tens of milliseconds of CPU and 32 MB of memory.  At most
``workers`` run at once, in threads of their own, and at most ``queue`` more sign-ins wait
for one; a sign-in beyond that is refused at once (503 with ``Retry-After``) instead of
holding a server thread while it waits.  So however many sign-ins arrive together, at most
``workers + queue`` of the server's threads are busy with them, and every other page keeps
answering.  hashlib's scrypt and PBKDF2 release the GIL, so the checks run beside the pages.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from govmap.ingest.errors import GovmapError

T = TypeVar("T")


class SignInBusy(GovmapError):
    """Every password check is busy and the queue is full: asked to try again in a moment."""

    status = 503
    retry_after = 1


class PasswordChecks:
    """Run password checks ``workers`` at a time, ``queue`` more waiting; refuse the rest at once.

    >>> checks = PasswordChecks(workers=1, queue=0)
    >>> checks.run(lambda a, b: a == b, "x", "x")
    True
    """

    def __init__(self, workers: int, queue: int) -> None:
        self.workers = max(1, workers)
        self.queue = max(0, queue)
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="govmap-password")
        self._room = threading.BoundedSemaphore(self.workers + self.queue)

    def run(self, check: Callable[[str, str], T], stored: str, password: str) -> T:
        """``check(stored, password)`` in the pool; :class:`SignInBusy` at once if it is full."""
        if not self._room.acquire(blocking=False):
            raise SignInBusy(
                "Too many sign-ins at once: try again in a moment.", hint="wait a second and sign in again"
            )
        try:
            return self._pool.submit(check, stored, password).result()
        finally:
            self._room.release()
