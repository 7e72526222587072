"""Neo4j as the shared store.

- :mod:`.connect`: settings from the environment, a verified driver, the errors;
- :mod:`.header`: the one lock every write takes, the store version, the audit counter;
- :mod:`.rows`: the register as node and edge rows with content hashes;
- :mod:`.sync`: write a register atomically, changing only what differs;
- :mod:`.plan`: what a sync will change, from the stored hashes;
- :mod:`.write`: apply that plan in the transaction, in batches;
- :mod:`.summary`: :class:`SyncSummary`, what a sync changed;
- :mod:`.read`: read the register back into the domain model;
- :mod:`.editing`: the web app's :class:`~govmap.graph.neo4j.editing.Neo4jStore`;
- :mod:`.neighbourhood`: an edit checked against the records around it.

The names below are the public ones; import them from here.
"""

from govmap.graph.neo4j.connect import (
    Neo4jBadAddress,
    Neo4jCommitUnknown,
    Neo4jError,
    Neo4jReadOnly,
    Neo4jRefused,
    Neo4jSettings,
    Neo4jUnavailable,
    StoredRegisterInvalid,
    connect,
)
from govmap.graph.neo4j.read import read_register, read_stored_version, stored_version
from govmap.graph.neo4j.summary import SyncSummary
from govmap.graph.neo4j.sync import Neo4jConflict, ensure_schema, sync

__all__ = [
    "Neo4jBadAddress",
    "Neo4jCommitUnknown",
    "Neo4jConflict",
    "Neo4jReadOnly",
    "Neo4jError",
    "Neo4jRefused",
    "Neo4jSettings",
    "Neo4jUnavailable",
    "StoredRegisterInvalid",
    "SyncSummary",
    "connect",
    "ensure_schema",
    "read_register",
    "read_stored_version",
    "stored_version",
    "sync",
]
