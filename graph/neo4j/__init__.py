"""Neo4j as the shared store, in four rooms.

- :mod:`.connect`: settings from the environment, a verified driver, the errors;
- :mod:`.rows`: the register as node and edge rows with content hashes;
- :mod:`.sync`: write a register atomically, changing only what differs;
- :mod:`.read`: read the register back into the domain model;
- :mod:`.editing`: the web app's :class:`~govmap.graph.neo4j.editing.Neo4jStore`.

The names below are the public ones; import them from here.
"""

from govmap.graph.neo4j.connect import (
    Neo4jError,
    Neo4jRefused,
    Neo4jSettings,
    Neo4jUnavailable,
    StoredRegisterInvalid,
    connect,
)
from govmap.graph.neo4j.read import read_register, stored_version
from govmap.graph.neo4j.sync import Neo4jConflict, SyncSummary, ensure_schema, sync

__all__ = [
    "Neo4jConflict",
    "Neo4jError",
    "Neo4jRefused",
    "Neo4jSettings",
    "Neo4jUnavailable",
    "StoredRegisterInvalid",
    "SyncSummary",
    "connect",
    "ensure_schema",
    "read_register",
    "stored_version",
    "sync",
]
