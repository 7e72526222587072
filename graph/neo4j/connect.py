"""Connect to Neo4j: settings from the environment, errors a reviewer can act on."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from govmap.ingest.errors import GovmapError
from govmap.ingest.model import (
    REF_RULES,
)

BATCH = 5_000
RelFields = {rule.field for rules in REF_RULES.values() for rule in rules}

Progress = Callable[[str, int, int], None]


# -- errors -----------------------------------------------------------------
class Neo4jError(GovmapError):
    status = 503
    exit_status = 5


class Neo4jUnavailable(Neo4jError):
    exit_status = 3


class StoredRegisterInvalid(Neo4jError):
    """The database holds no govmap register, or one that breaks the register's rules."""

    status = 409
    exit_status = 1


class Neo4jRefused(Neo4jError):
    exit_status = 4


@dataclass(frozen=True)
class Neo4jSettings:
    """Where the database is: from the environment, overridable per call."""

    uri: str
    user: str = "neo4j"
    password: str = ""
    database: str | None = None

    @classmethod
    def from_env(cls, uri: str | None = None) -> Neo4jSettings:
        return cls(
            uri=uri or os.environ.get("NEO4J_URI") or "bolt://127.0.0.1:7687",
            user=os.environ.get("NEO4J_USER", "neo4j"),
            password=os.environ.get("NEO4J_PASSWORD", ""),
            database=os.environ.get("NEO4J_DATABASE") or None,
        )


def connect(settings: Neo4jSettings) -> Any:
    """A verified driver, or a one-line error that says what to check."""
    import neo4j
    from neo4j import exceptions as nx

    try:
        driver = neo4j.GraphDatabase.driver(
            settings.uri,
            auth=(settings.user, settings.password),
            # "property does not exist" notices on a first load are noise for a reviewer.
            notifications_min_severity="OFF",
        )
    except (ValueError, nx.ConfigurationError) as exc:
        raise Neo4jRefused(
            f"'{settings.uri}' is not a Neo4j address: {exc}",
            hint="use bolt://HOST:PORT or neo4j://HOST:PORT (neo4j+s:// for Aura)",
        ) from None
    try:
        driver.verify_connectivity()
        with driver.session(database=settings.database) as session:
            session.run("RETURN 1").consume()
    except nx.AuthError:
        driver.close()
        raise Neo4jRefused(
            f"Neo4j at {settings.uri} refused user '{settings.user}'",
            hint="check NEO4J_USER and NEO4J_PASSWORD",
        ) from None
    except nx.ClientError as exc:
        driver.close()
        if "DatabaseNotFound" in (exc.code or ""):
            raise Neo4jRefused(
                f"Neo4j at {settings.uri} has no database '{settings.database}'",
                hint="check NEO4J_DATABASE; Community edition has only 'neo4j'",
            ) from None
        raise Neo4jError(f"Neo4j at {settings.uri}: {exc.message}") from None
    except (nx.ServiceUnavailable, nx.SessionExpired, OSError):
        driver.close()
        raise Neo4jUnavailable(
            f"cannot reach Neo4j at {settings.uri}",
            hint="is the server running? start one with scripts/neo4j start, or set NEO4J_URI",
        ) from None
    return driver
