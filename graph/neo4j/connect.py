"""Connect to Neo4j: settings from the environment, errors a reviewer can act on.

Every failure the driver can raise while connecting becomes one line with what
to check, and an exit code from the README's table: 2 an address that is not a
Neo4j address, 3 no server, 4 credentials or database refused (also the
server's "too many failed logins" lock-out), 5 a write that failed.  The
driver's own retry warnings ("Transaction failed and will be retried ...") are
caught and shown as a single progress line instead of ten log lines.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from govmap.ingest.errors import GovmapError
from govmap.ingest.model import (
    REF_RULES,
)

BATCH = 5_000
RelFields = {rule.field for rules in REF_RULES.values() for rule in rules}

Progress = Callable[[str, int, int], None]

#: The Bolt URI schemes the Python driver speaks.
SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")

#: Seconds before the driver gives up reaching a server (``--timeout``, ``NEO4J_TIMEOUT``).
DEFAULT_TIMEOUT = 15.0


# -- errors -----------------------------------------------------------------
class Neo4jError(GovmapError):
    status = 503
    exit_status = 5


class Neo4jUnavailable(Neo4jError):
    exit_status = 3


class Neo4jCommitUnknown(Neo4jUnavailable):
    """The connection was lost after a write's commit was sent and before its answer came: the
    server may have applied it (the driver's ``IncompleteCommit``).  Not "nothing was changed"."""

    exit_status = 7
    #: The write may have been applied: a page must not say it was not saved.
    maybe_applied = True


class StoredRegisterInvalid(Neo4jError):
    """The database holds no govmap register, or one that breaks the register's rules."""

    status = 409
    exit_status = 1


class Neo4jRefused(Neo4jError):
    exit_status = 4


class Neo4jBadAddress(Neo4jError):
    """``--neo4j`` / ``NEO4J_URI`` is not a Bolt address: a bad setting (exit 2)."""

    status = 500
    exit_status = 2


class Neo4jReadOnly(Neo4jError):
    """The database refuses writes (``server.databases.read_only`` or a read replica)."""

    status = 503
    exit_status = 5


@dataclass(frozen=True)
class Neo4jSettings:
    """Where the database is: from the environment, overridable per call."""

    uri: str
    user: str = "neo4j"
    password: str = ""
    database: str | None = None
    #: Seconds to keep trying to reach the server (connect, and retry a lost transaction).
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_env(cls, uri: str | None = None, timeout: float | None = None) -> Neo4jSettings:
        return cls(
            uri=uri or os.environ.get("NEO4J_URI") or "bolt://127.0.0.1:7687",
            user=os.environ.get("NEO4J_USER", "neo4j"),
            password=os.environ.get("NEO4J_PASSWORD", ""),
            database=os.environ.get("NEO4J_DATABASE") or None,
            timeout=timeout if timeout is not None else _env_timeout(),
        )

    @property
    def where(self) -> str:
        """The address as shown to users (never the password)."""
        return self.uri + (f" (database '{self.database}')" if self.database else "")


def _env_timeout() -> float:
    raw = os.environ.get("NEO4J_TIMEOUT")
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < 86_400:
        raise Neo4jBadAddress(
            f"NEO4J_TIMEOUT={raw[:40]!r} is not a number of seconds", hint="use for example NEO4J_TIMEOUT=15"
        )
    return value


def check_uri(uri: str) -> None:
    """Refuse an address the driver cannot use, naming the schemes it can."""
    scheme = urlsplit(uri).scheme.lower() if "://" in uri else ""
    if scheme in SCHEMES:
        return
    shown = uri if len(uri) <= 80 else uri[:79] + "…"
    what = f"the scheme '{scheme}' is not supported" if scheme else "it has no scheme"
    raise Neo4jBadAddress(
        f"'{shown}' is not a Neo4j address: {what}",
        hint=f"use one of {', '.join(s + '://' for s in SCHEMES)}, e.g. bolt://127.0.0.1:7687",
    )


def connect(settings: Neo4jSettings) -> Any:
    """A verified driver, or a one-line error that says what to check."""
    import neo4j
    from neo4j import exceptions as nx

    check_uri(settings.uri)
    if (settings.database or "").lower() == "system":
        raise Neo4jRefused(
            "'system' is Neo4j's administration database; a govmap register cannot be kept there",
            hint="set NEO4J_DATABASE to 'neo4j' (or another database), or leave it unset",
        )
    quiet_driver_logs()
    try:
        driver = neo4j.GraphDatabase.driver(
            settings.uri,
            auth=(settings.user, settings.password),
            # "property does not exist" notices on a first load are noise for a reviewer.
            notifications_min_severity="OFF",
            connection_timeout=settings.timeout,
            connection_acquisition_timeout=settings.timeout,
            # The driver sleeps 1, 2, 4, 8 ... s between retries and checks the time only after a
            # sleep: half the timeout keeps the whole give-up within about the timeout (15 s: ~15 s,
            # where the full 15 s gave 31 s after a server crash).
            max_transaction_retry_time=settings.timeout / 2,
        )
    except (ValueError, nx.ConfigurationError) as exc:
        raise Neo4jBadAddress(
            f"'{settings.uri[:80]}' is not a Neo4j address: {exc}",
            hint=f"use one of {', '.join(s + '://' for s in SCHEMES)}",
        ) from None
    try:
        with driver_errors(settings, "connecting"):
            driver.verify_connectivity()
            with driver.session(database=settings.database) as session:
                session.run("RETURN 1").consume()
    except Neo4jError:
        driver.close()
        raise
    return driver


@contextmanager
def driver_errors(
    settings: Neo4jSettings,
    doing: str,
    write: bool = False,
    unknown_hint: str = "check what the database holds before trying again",
) -> Iterator[None]:
    """Driver exceptions as govmap errors with the right exit code.

    ``write`` says whether the work was a write: only then is a server-side
    failure exit 5 ("a write failed; nothing was changed").  A connection lost
    after a commit was sent (the driver's ``IncompleteCommit``) is
    :class:`Neo4jCommitUnknown` (exit 7: it may have been applied), with
    ``unknown_hint`` saying how to find out.
    """
    from neo4j import exceptions as nx

    try:
        yield
    except nx.AuthError as exc:
        raise _refused(settings, exc) from None
    except nx.IncompleteCommit:  # a kind of ServiceUnavailable: the commit was sent
        raise Neo4jCommitUnknown(
            f"lost the connection to Neo4j at {settings.uri} just after {doing} was sent: "
            "it may have been applied",
            hint=unknown_hint,
        ) from None
    except (nx.ServiceUnavailable, nx.SessionExpired, OSError):
        if doing == "connecting":
            raise Neo4jUnavailable(
                f"cannot reach Neo4j at {settings.uri}",
                hint="is the server running? start one with scripts/neo4j start, or set NEO4J_URI",
            ) from None
        raise Neo4jUnavailable(
            f"lost the connection to Neo4j at {settings.uri} during {doing}"
            + ("; nothing was changed" if write else ""),
            hint="run it again when the server is back",
        ) from None
    except nx.Neo4jError as exc:
        raise classify(settings, exc, doing, write) from None


def classify(settings: Neo4jSettings, exc: Any, doing: str, write: bool) -> Neo4jError:
    """The govmap error for a server-side Neo4j error."""
    code = exc.code or ""
    if code.startswith("Neo.ClientError.Security."):
        return _refused(settings, exc)
    if "DatabaseNotFound" in code:
        return Neo4jRefused(
            f"Neo4j at {settings.uri} has no database '{settings.database}'",
            hint="check NEO4J_DATABASE; Community edition has only 'neo4j'",
        )
    if is_read_only(exc):
        return read_only_error(settings)
    message = _short(exc.message or code)
    if write:
        return Neo4jError(f"Neo4j refused {doing}: {message}; nothing was changed")
    # A failed read changes nothing: the database or the query was refused, not a write.
    return Neo4jRefused(f"Neo4j at {settings.where} refused {doing}: {message}")


def is_read_only(exc: Any) -> bool:
    code = getattr(exc, "code", "") or ""
    return "WriteOnReadOnlyAccessDatabase" in code or "ForbiddenOnReadOnlyDatabase" in code


def read_only_error(settings: Neo4jSettings) -> Neo4jReadOnly:
    return Neo4jReadOnly(
        f"the database at {settings.where} is read-only; nothing was changed",
        hint="load into a writable database (server.databases.read_only lists the read-only ones)",
    )


def _refused(settings: Neo4jSettings, exc: Any) -> Neo4jRefused:
    code = getattr(exc, "code", "") or ""
    if "AuthenticationRateLimit" in code:
        return Neo4jRefused(
            f"Neo4j at {settings.uri} refused user '{settings.user}': too many failed logins",
            hint="wait a few seconds, then check NEO4J_USER and NEO4J_PASSWORD",
        )
    if "Unauthorized" in code or not code or "Authentication" in code:
        return Neo4jRefused(
            f"Neo4j at {settings.uri} refused user '{settings.user}'",
            hint="check NEO4J_USER and NEO4J_PASSWORD",
        )
    return Neo4jRefused(
        f"Neo4j at {settings.uri} refused user '{settings.user}': {_short(getattr(exc, 'message', '') or code)}",
        hint="check the user's rights on the database",
    )


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- the driver's retry warnings: one progress line, not ten log lines -------------
class _RetryLine(logging.Handler):
    """Turns the driver's warnings into at most one line on stderr per process."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.shown = False

    def emit(self, record: logging.LogRecord) -> None:
        if self.shown:
            return
        self.shown = True
        # The driver's own words ("[#82EC] _: <CONNECTION> error: Failed to read from defunct
        # connection ...", "Transaction failed and will be retried in 1.1s") are for its developers.
        line = "Neo4j: connection trouble, retrying…"
        try:
            print(line, file=sys.stderr, flush=True)
        except (OSError, ValueError):  # stderr closed: nothing to tell
            pass


_HANDLER = _RetryLine()


def reset_retry_line() -> None:
    """Allow one more retry line (at the start of each load or edit)."""
    _HANDLER.shown = False


def quiet_driver_logs() -> None:
    """Route the ``neo4j`` loggers to one progress line (idempotent)."""
    log = logging.getLogger("neo4j")
    if _HANDLER not in log.handlers:
        log.addHandler(_HANDLER)
        log.propagate = False
