"""The sides of a comparison taken from a store: the register now, and the register before an edit.

The Changes page compares the live register with an earlier one.  For a YAML
store the register *is* a file: the sides are read from it, its git history and
its audit log (undoing the diffs of the file).  Another store (Neo4j) keeps the
register elsewhere: the live side is the register it serves, the git history is
that of the register file the team keeps beside it (``register_file``: the file
``govmap dump`` writes into git), and the register before an audited change comes
from the store itself (``register_before``), which keeps in its audit log what
undoes each change.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from govmap.graph.review.sources import RevisionUnreadable, Side, side_of_text, text_before
from govmap.ingest.model import Register
from govmap.ingest.reading.load import read_text
from govmap.ingest.store.audit import AuditEntry
from govmap.ingest.store.dump import dump_register
from govmap.ingest.store.yamlstore import YamlStore

#: How a store that is not a file is named on the Changes page.
DATABASE = "the database"


def register_file(store: Any) -> str | None:
    """The register file whose git history a store is compared with (None: there is none)."""
    if isinstance(store, YamlStore):
        return store.path
    found = getattr(store, "register_file", None)
    return str(found) if found else None


def is_file(store: Any) -> bool:
    """Whether the store is its register file (then there is no "the file as it is now" to compare)."""
    return isinstance(store, YamlStore)


def side_of_register(register: Register, label: str) -> Side:
    """A side from a register already read (and validated) by its store."""
    text = dump_register(register)
    return Side(label, "", None, hashlib.sha256(text.encode("utf-8")).hexdigest(), register)


def live_side(store: Any) -> Side:
    """The register as the store holds it now."""
    if isinstance(store, YamlStore):
        name = os.path.basename(store.path)
        return side_of_text(read_text(store.path), f"{name} (now)", store.path)
    register, _ = store.load()
    return side_of_register(register, f"{DATABASE} (now)")


def side_before(store: Any, now: Side, entries: list[AuditEntry], index: int) -> tuple[Side, AuditEntry]:
    """The register just before the ``index``-th newest audit entry, and that entry.

    Raises :class:`RevisionUnreadable` when the store cannot undo its changes
    back to there (a file changed by hand, a store that keeps nothing to undo).
    Register problems of the earlier version are raised as they are
    (:class:`~govmap.ingest.errors.RegisterInvalid`).
    """
    entry = entries[index]
    if isinstance(store, YamlStore):
        name = os.path.basename(store.path)
        text = text_before(read_text(store.path), now.sha256, entries, index)
        return side_of_text(text, f"{name} before '{entry.summary}' ({entry.at})", store.path), entry
    undo = getattr(store, "register_before", None)
    if undo is None:
        raise RevisionUnreadable(
            "this store keeps no way to undo its changes", hint="compare with a git revision instead"
        )
    register, entry = undo(index)
    return side_of_register(register, f"{DATABASE} before '{entry.summary}' ({entry.at})"), entry
