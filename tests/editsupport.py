"""Edits drawn by hypothesis on ``tests/registers/web.yaml``, for the tests that check a fast way
of deciding an edit against the slow one it replaced (test_neighbourhood, test_hoodcheck)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from govmap.ingest.reading.load import loads
from govmap.ingest.store.edit_values import (
    AddLink,
    AddRecord,
    ChangeLink,
    ChangeRecord,
    RemoveLink,
    RemoveRecord,
)
from tests.websupport import REGISTERS

TEXT = (REGISTERS / "web.yaml").read_text(encoding="utf-8")
REGISTER = loads(TEXT)
IDS = [r.id for r in REGISTER.records()]
# Ids that exist, one that does not, one that is not a slug.
TARGETS = [*IDS, "nowhere", "Not An Id"]
BODIES = [b.id for b in REGISTER.bodies]

values = st.one_of(
    st.sampled_from(TARGETS),
    st.lists(st.sampled_from(TARGETS), max_size=3),
    st.sampled_from(["", "A name", "bored", "csp", "group"]),
)
changes = st.dictionaries(
    st.sampled_from(
        [
            "name",
            "id",
            "kind",
            "reports_to",
            "sub_group_of",
            "members",
            "themes",
            "areas",
            "within",
            "owner",
            "description",
        ]
    ),
    values,
    min_size=1,
    max_size=2,
)
link_fields = st.sampled_from(["members", "themes", "reports_to", "sub_group_of"])
#: One edit of any kind: good ones, and ones the register's rules refuse.
edits: st.SearchStrategy[Any] = st.one_of(
    st.builds(ChangeRecord, st.sampled_from(IDS), changes),
    st.builds(RemoveRecord, st.sampled_from(IDS)),
    st.builds(AddLink, st.sampled_from(BODIES), link_fields, st.sampled_from(TARGETS)),
    st.builds(ChangeLink, st.sampled_from(BODIES), link_fields, st.integers(0, 2), st.sampled_from(TARGETS)),
    st.builds(RemoveLink, st.sampled_from(BODIES), link_fields, st.integers(0, 2)),
    st.builds(
        lambda section, rid, name, kind, refs: AddRecord(
            section, {"id": rid, "name": name, "kind": kind, **refs}
        ),
        st.sampled_from(["bodies", "themes", "documents"]),
        st.sampled_from(["new-one", "north-csp", "violence", "Bad Id"]),
        st.sampled_from(["New", ""]),
        st.sampled_from(["board", "priority", "agreement", "bored"]),
        st.dictionaries(st.sampled_from(["reports_to", "members", "themes"]), values, max_size=2),
    ),
)
