"""How well extraction does against a register built by hand from the same document.

The register is the answer: its bodies, strategies and themes that cite the
document are what a reviewer found in it.  **Recall** is the share of them that
some proposal was matched to; **precision** the share of record proposals that
were matched to a record citing the document (a proposal matched to nothing, or
to a record from elsewhere, counts against it).  Every quote must be a verbatim
piece of the document's text.
"""

from __future__ import annotations

from dataclasses import dataclass

from govmap.ingest.documents.proposals import Proposals
from govmap.ingest.model import Register

#: The sections recall is measured on (issue 28: bodies, strategies and priorities).
MEASURED = ("bodies", "strategies", "themes")


@dataclass(frozen=True)
class Measure:
    recall: float
    precision: float
    found: tuple[str, ...]
    missed: tuple[str, ...]
    wrong: tuple[str, ...]
    quotes: int
    quotes_verbatim: int


def measure(proposals: Proposals, register: Register, doc_id: str, text: str) -> Measure:
    """Recall and precision of ``proposals`` against the records of ``register`` citing ``doc_id``."""
    citing = {r.id for r in register.records() if any(s.doc == doc_id for s in r.sources)}
    gold = {r.id for section in MEASURED for r in getattr(register, section) if r.id in citing}
    matched = {p.match.id for p in proposals.records if p.match is not None}
    found = gold & matched
    wrong = [p.id for p in proposals.records if p.match is None or p.match.id not in citing]
    quotes = [q for p in proposals.all() for q in p.quotes]
    verbatim = sum(1 for q in quotes if text[q.start : q.start + len(q.text)] == q.text)
    n = len(proposals.records)
    return Measure(
        recall=len(found) / len(gold) if gold else 1.0,
        precision=(n - len(wrong)) / n if n else 1.0,
        found=tuple(sorted(found)),
        missed=tuple(sorted(gold - matched)),
        wrong=tuple(wrong),
        quotes=len(quotes),
        quotes_verbatim=verbatim,
    )
