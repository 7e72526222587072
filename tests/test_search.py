"""Search finds exactly what a plain scan would, in the same order."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from govmap.ingest.reading.load import load_register
from govmap.webviz.search import search, search_index

from .conftest import SEED

REGISTER = load_register(SEED)
INDEX = search_index(REGISTER)


def plain_search(text: str, kind: str) -> list[str]:
    """The obvious implementation, to compare against."""
    needle = " ".join(text.split()).casefold()
    ranked = []
    for e in INDEX.entries:
        if kind and e.row.kind != kind:
            continue
        if needle in e.name:
            rank = 0 if e.name.startswith(needle) else 1
        elif needle in e.others:
            rank = 2
        else:
            continue
        ranked.append((rank, e.row.kind, e.name, e.row.id))
    return [r[3] for r in sorted(ranked)]


NAMES = sorted({r.name for r in REGISTER.records()})


@settings(max_examples=200, deadline=None)
@given(
    name=st.sampled_from(NAMES),
    start=st.integers(0, 30),
    length=st.integers(1, 12),
    kind=st.sampled_from(["", "body", "theme", "organisation", "strategy"]),
)
def test_search_matches_a_plain_scan_for_any_piece_of_any_name(name, start, length, kind):
    text = name[start : start + length] or name
    assert [r.id for r in search(REGISTER, text, kind, limit=10_000, index=INDEX)] == plain_search(text, kind)


def test_names_that_start_with_the_text_come_first():
    rows = search(REGISTER, "lancashire", "body", index=INDEX)
    starts = [r.name.casefold().startswith("lancashire") for r in rows]
    assert starts == sorted(starts, reverse=True) and starts[0]


def test_an_id_or_alias_match_is_found_after_name_matches():
    rows = search(REGISTER, "county strategy group", index=INDEX)
    assert [r.id for r in rows] == ["lancashire-csp-board"]


def test_the_limit_is_kept():
    assert len(search(REGISTER, "a", limit=3, index=INDEX)) == 3
