"""What a web server remembers between requests, kept in Neo4j so that several servers act as one.

``govmap serve --neo4j`` keeps here, instead of in files on one host or in a
process's memory:

- **accounts** (``:GovmapAccount``: ``name``, ``password_hash``, ``role``),
  written by ``govmap user add --neo4j`` or a user's own password change;
- **signed-out sessions** (``:GovmapSignedOut``: ``sid``, ``until``), so a
  session signed out on one server is refused by every other;
- **sign-in throttle counts** (``:GovmapThrottle``: ``key``, ``data``,
  ``quiet``), each changed in a write transaction that locks its node, so
  failures are counted exactly whichever server is asked.

Each kind of node has a uniqueness constraint on its key.  The web app wraps
these in its own types (:mod:`govmap.webviz.shared`); this module knows only
plain data.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from govmap.graph.neo4j.connect import Neo4jSettings, driver_errors

T = TypeVar("T")

SCHEMA = {
    "govmap_account_name": (
        "CREATE CONSTRAINT govmap_account_name IF NOT EXISTS FOR (a:GovmapAccount) REQUIRE a.name IS UNIQUE"
    ),
    "govmap_signed_out_sid": (
        "CREATE CONSTRAINT govmap_signed_out_sid IF NOT EXISTS FOR (s:GovmapSignedOut) REQUIRE s.sid IS UNIQUE"
    ),
    "govmap_throttle_key": (
        "CREATE CONSTRAINT govmap_throttle_key IF NOT EXISTS FOR (t:GovmapThrottle) REQUIRE t.key IS UNIQUE"
    ),
}


class WebState:
    """Accounts, signed-out sessions and throttle counts in one Neo4j database."""

    def __init__(self, settings: Neo4jSettings, driver: Any) -> None:
        self.settings = settings
        self.driver = driver
        self.database = settings.database

    def ensure_schema(self) -> None:
        """Create the constraints that are missing (nothing is written when they all exist)."""
        with driver_errors(self.settings, "the schema creation", write=True):
            with self.driver.session(database=self.database) as s:
                have = {r["name"] for r in s.run("SHOW CONSTRAINTS YIELD name")}
                for name, query in SCHEMA.items():
                    if name not in have:
                        s.run(query).consume()

    def _read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        with (
            driver_errors(self.settings, "the read of the sign-in state"),
            self.driver.session(database=self.database) as s,
        ):
            rows: list[dict[str, Any]] = s.execute_read(lambda tx: tx.run(query, **params).data())
            return rows

    def _write(self, work: Callable[[Any], T]) -> T:
        with (
            driver_errors(self.settings, "the write of the sign-in state", write=True),
            self.driver.session(database=self.database) as s,
        ):
            result: T = s.execute_write(work)
            return result

    # -- accounts --------------------------------------------------------------------------
    def account(self, name: str) -> dict[str, str] | None:
        """``{name, password_hash, role}`` of an account, or None."""
        rows = self._read(
            "MATCH (a:GovmapAccount {name: $name}) RETURN a.name AS name, "
            "a.password_hash AS password_hash, a.role AS role",
            name=name,
        )
        return rows[0] if rows else None

    def has_accounts(self) -> bool:
        return bool(self._read("MATCH (a:GovmapAccount) RETURN a.name AS name LIMIT 1"))

    def account_names(self) -> list[tuple[str, str]]:
        """(name, role) of every account, by name."""
        rows = self._read("MATCH (a:GovmapAccount) RETURN a.name AS name, a.role AS role ORDER BY a.name")
        return [(r["name"], r["role"]) for r in rows]

    def save_account(self, name: str, password_hash: str, role: str) -> bool:
        """Add an account, or set its password and role; True if it replaced one."""

        def work(tx: Any) -> bool:
            row = tx.run(
                "OPTIONAL MATCH (old:GovmapAccount {name: $name}) WITH old IS NOT NULL AS had "
                "MERGE (a:GovmapAccount {name: $name}) SET a.password_hash = $hash, a.role = $role, "
                "a.changed = $at RETURN had",
                name=name,
                hash=password_hash,
                role=role,
                at=time.time(),
            ).single()
            return bool(row["had"])

        return self._write(work)

    def remove_account(self, name: str) -> bool:
        """Remove an account (its sessions end at their next request); True if there was one."""

        def work(tx: Any) -> bool:
            row = tx.run(
                "MATCH (a:GovmapAccount {name: $name}) DELETE a RETURN count(*) AS n", name=name
            ).single()
            return bool(row["n"])

        return self._write(work)

    # -- signed-out sessions -----------------------------------------------------------------
    def signed_out(self, sid: str) -> bool:
        """Whether the session ``sid`` was signed out (and has not expired since)."""
        rows = self._read(
            "MATCH (s:GovmapSignedOut {sid: $sid}) WHERE s.until > $now RETURN s.sid AS sid",
            sid=sid,
            now=int(time.time()),
        )
        return bool(rows)

    def sign_out(self, sid: str, until: int) -> None:
        """Refuse the session ``sid`` until ``until`` (when it would have expired anyway);
        sessions signed out earlier and expired since are dropped."""

        def work(tx: Any) -> None:
            tx.run(
                "MERGE (s:GovmapSignedOut {sid: $sid}) SET s.until = $until", sid=sid, until=until
            ).consume()
            tx.run(
                "MATCH (s:GovmapSignedOut) WHERE s.until <= $now WITH s LIMIT 1000 DELETE s",
                now=int(time.time()),
            ).consume()

        self._write(work)

    # -- throttle counts -----------------------------------------------------------------------
    def change(self, key: str, fn: Callable[[dict[str, Any] | None], tuple[T, dict[str, Any], float]]) -> T:
        """Run ``fn`` on the counts of ``key`` (None: none yet) and keep what it returns, atomically.

        ``fn`` returns (its answer, the counts to keep, when the key was last active).  The
        key's node is locked for the transaction, so two servers never interleave a change
        of one key; ``fn`` may run more than once if the driver retries the transaction.
        """

        def work(tx: Any) -> T:
            row = tx.run(
                "MERGE (t:GovmapThrottle {key: $key}) SET t.lock = true REMOVE t.lock RETURN t.data AS data",
                key=key,
            ).single()
            answer, data, quiet = fn(json.loads(row["data"]) if row["data"] else None)
            tx.run(
                "MATCH (t:GovmapThrottle {key: $key}) SET t.data = $data, t.quiet = $quiet",
                key=key,
                data=json.dumps(data, sort_keys=True),
                quiet=quiet,
            ).consume()
            return answer

        return self._write(work)

    def forget(self, quiet_before: float) -> None:
        """Drop the counts of keys with nothing since ``quiet_before``."""

        def work(tx: Any) -> None:
            tx.run(
                "MATCH (t:GovmapThrottle) WHERE t.quiet < $before WITH t LIMIT 10000 DELETE t",
                before=quiet_before,
            ).consume()

        self._write(work)
