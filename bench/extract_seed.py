"""Recall and precision of ``govmap extract`` on the seed document against the seed register.

    python bench/extract_seed.py [DOCUMENT REGISTER DOC-ID]

prints the figures bench/RESULTS.md quotes (tests/test_extract.py asserts the floor).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govmap.ingest.documents.extract import extract  # noqa: E402
from govmap.ingest.documents.link import link  # noqa: E402
from govmap.ingest.documents.measure import measure  # noqa: E402
from govmap.ingest.documents.read import read_document  # noqa: E402
from govmap.ingest.reading.load import load_register  # noqa: E402

SEED = ROOT / "data" / "lancashire-community-safety-agreement-2022-2025.txt"  # the register's own copy


def main(argv: list[str]) -> None:
    doc_path = argv[0] if argv else str(SEED)
    reg_path = argv[1] if len(argv) > 1 else str(ROOT / "data" / "boards.yaml")
    doc_id = argv[2] if len(argv) > 2 else "lancs-csa-2022"
    register = load_register(reg_path)
    started = time.perf_counter()
    doc = read_document(doc_path)
    proposals = link(extract(doc), register)
    took = time.perf_counter() - started
    m = measure(proposals, register, doc_id, doc.text)
    print(f"document: {doc_path} ({len(doc.text):,} characters)")
    print(f"proposals: {len(proposals.records)} records, {len(proposals.links)} links; {proposals.counts()}")
    print(
        f"recall (bodies, strategies, themes): {len(m.found)}/{len(m.found) + len(m.missed)} = {m.recall:.1%}"
    )
    print(
        f"precision (record proposals): {m.precision:.1%}; not matched to a record citing the document: {list(m.wrong)}"
    )
    print(f"missed: {list(m.missed)}")
    print(f"quotes verbatim: {m.quotes_verbatim}/{m.quotes}")
    print(f"time: {took * 1000:.0f} ms (read, extract, link)")


if __name__ == "__main__":
    main(sys.argv[1:])
