"""The audit log's diff: cut to the changed region, still a patch that undoes the edit exactly."""

from __future__ import annotations

import difflib

from hypothesis import given
from hypothesis import strategies as st

from govmap.graph.review.sources import unapply
from govmap.ingest.audit import _lines, unified_diff

lines = st.lists(st.sampled_from(["a", "b", "c", "  - id: x", "name: Y", ""]), max_size=40)


@given(old=lines, new=lines, end=st.booleans())
def test_the_audit_diff_undoes_any_edit_exactly(old, new, end):
    a = "\n".join(old) + ("\n" if end else "")
    b = "\n".join(new) + ("\n" if end else "")
    assert unapply(b, unified_diff(a, b, "a/r", "b/r")) == a


@given(old=lines, new=lines)
def test_the_audit_diff_changes_as_many_lines_as_difflib(old, new):
    a, b = "\n".join(old) + "\n", "\n".join(new) + "\n"
    ours = unified_diff(a, b, "a/r", "b/r").splitlines()
    theirs = list(difflib.unified_diff(_lines(a), _lines(b), "a/r", "b/r"))
    changed = [line for line in ours[2:] if line[:1] in "+-"]
    expected = [line for line in theirs[2:] if line[:1] in "+-"]
    assert len(changed) == len(expected)


def test_an_edit_in_a_large_register_gives_a_small_diff_with_file_line_numbers():
    old = "".join(f"line {i}\n" for i in range(200_000))
    new = old.replace("line 150000\n", "line 150000 changed\n")
    diff = unified_diff(old, new, "a/r", "b/r")
    assert diff.splitlines()[2] == "@@ -149998,7 +149998,7 @@"
    assert len(diff.splitlines()) == 11
