"""What a server remembers between requests, shared by every server of one Neo4j store.

With a Neo4j store (``govmap serve --neo4j``), accounts, signed-out sessions and
sign-in throttle counts are kept in the database
(:class:`govmap.graph.neo4j.webstate.WebState`), so any number of servers, on
any hosts, behind one address act as one: a session signed out on one is
refused by all, a password changed anywhere ends the sessions signed in with
the old one everywhere, failed sign-ins are counted whichever server is asked.
This module fits the database to the shapes the sign-in code already uses: a
mapping of accounts, a set of signed-out sessions, a :class:`CountStore`.

A users file named by ``GOVMAP_USERS`` still wins for accounts (it is read on
each host: keep it the same everywhere, or move the accounts into the database
with ``govmap user add --neo4j``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

from flask import g, has_request_context

from govmap.graph.neo4j.webstate import WebState

from .throttle import Counts

A = TypeVar("A")
T = TypeVar("T")


class DatabaseAccounts(Mapping[str, A], Generic[A]):
    """Accounts kept in the database, as a read-only mapping of name -> account.

    Each name is read once per request (a session's every request reads its
    account: a password changed since ends it), never kept across requests.
    """

    def __init__(self, state: WebState, make: Callable[[str, str, str], A]) -> None:
        self.state = state
        self.make = make

    def _cache(self) -> dict[str, A | None]:
        if not has_request_context():
            return {}
        found: dict[str, A | None] | None = g.get("govmap_accounts")
        if found is None:
            found = g.govmap_accounts = {}
        return found

    def get(self, name: str, default: Any = None) -> Any:
        cache = self._cache()
        if name not in cache:
            row = self.state.account(name) if isinstance(name, str) else None
            cache[name] = self.make(row["name"], row["password_hash"], row["role"]) if row else None
        found = cache[name]
        return default if found is None else found

    def __getitem__(self, name: str) -> A:
        found = self.get(name)
        if found is None:
            raise KeyError(name)
        result: A = found
        return result

    def __iter__(self) -> Iterator[str]:
        return iter([name for name, _ in self.state.account_names()])

    def __len__(self) -> int:
        return len(self.state.account_names())

    def __bool__(self) -> bool:
        return self.state.has_accounts()


class DatabaseSignedOut:
    """Signed-out sessions in the database: the interface of :class:`govmap.webviz.sessions.Revoked`."""

    def __init__(self, state: WebState) -> None:
        self.state = state

    def contains(self, sid: str) -> bool:
        return self.state.signed_out(sid)

    def add(self, sid: str, until: int) -> None:
        self.state.sign_out(sid, until)


class DatabaseCounts:
    """Sign-in throttle counts in the database: a :class:`~govmap.webviz.throttle.CountStore`."""

    def __init__(self, state: WebState) -> None:
        self.state = state

    def change(self, key: str, fn: Callable[[Counts], T]) -> T:
        def run(data: dict[str, Any] | None) -> tuple[T, dict[str, Any], float]:
            counts = Counts(**data) if data else Counts()
            answer = fn(counts)
            return answer, dataclasses.asdict(counts), counts.quiet_since()

        return self.state.change(key, run)

    def forget(self, quiet_before: float) -> None:
        self.state.forget(quiet_before)
