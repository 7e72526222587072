"""The saved Cypher queries shipped in ``data/queries/reviewer.cypher``, by name."""

from __future__ import annotations

import re

from govmap.data import DATA_DIR

QUERY_FILE = DATA_DIR / "queries" / "reviewer.cypher"


def saved_queries() -> dict[str, str]:
    """Name -> Cypher text, in file order."""
    text = QUERY_FILE.read_text(encoding="utf-8")
    out: dict[str, str] = {}
    for block in re.split(r"^// name: ", text, flags=re.M)[1:]:
        name, _, body = block.partition("\n")
        lines = [ln for ln in body.splitlines() if not ln.startswith("//")]
        out[name.strip()] = "\n".join(lines).strip().rstrip(";")
    return out
