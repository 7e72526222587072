"""The audit log's diff: cut to the changed region, still a patch that undoes the edit exactly."""

from __future__ import annotations

import difflib
import re

from hypothesis import given
from hypothesis import strategies as st

from govmap.graph.review.sources import unapply
from govmap.ingest.store.audit import text_lines, unified_diff

lines = st.lists(st.sampled_from(["a", "b", "c", "  - id: x", "name: Y", ""]), max_size=40)


@given(old=lines, new=lines, end=st.booleans())
def test_the_audit_diff_undoes_any_edit_exactly(old, new, end):
    a = "\n".join(old) + ("\n" if end else "")
    b = "\n".join(new) + ("\n" if end else "")
    assert unapply(b, unified_diff(a, b, "a/r", "b/r")) == a


def _common_ends(a: list[str], b: list[str]) -> tuple[int, int]:
    """How many lines the two texts share at the head, and then at the tail."""
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    return head, tail


@given(old=lines, new=lines, context=st.integers(0, 4))
def test_the_audit_diff_never_reaches_past_the_changed_region_and_its_context(old, new, context):
    """What the cut promises.  (Not "as many lines as difflib": difflib's matcher is not
    minimal, and over a cut window it can find a shorter or a longer diff than over the
    whole text; hypothesis found both.)"""
    a, b = "\n".join(old) + "\n", "\n".join(new) + "\n"
    la = text_lines(a)
    head, tail = _common_ends(la, text_lines(b))
    for m in re.finditer(r"^@@ -(\d+)(?:,(\d+))? ", unified_diff(a, b, "a/r", "b/r", context=context), re.M):
        start, n = int(m[1]), int(m[2] if m[2] is not None else 1)
        first = start if n else start + 1  # an empty range names the line before it
        assert first - 1 >= head - context
        assert first - 1 + n <= len(la) - tail + context


def test_an_edit_in_a_large_register_gives_a_small_diff_with_file_line_numbers():
    old = "".join(f"line {i}\n" for i in range(200_000))
    new = old.replace("line 150000\n", "line 150000 changed\n")
    diff = unified_diff(old, new, "a/r", "b/r")
    assert diff.splitlines()[2] == "@@ -149998,7 +149998,7 @@"
    assert len(diff.splitlines()) == 11


def _line_cut_diff(old: str, new: str, context: int = 3) -> str:
    """The diff as the audit log wrote it before the shared head and tail were measured on
    characters: both texts split into lines, the shared lines counted one by one."""
    a, b = text_lines(old), text_lines(new)
    n = min(len(a), len(b))
    head = 0
    while head < n and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < n - head and a[len(a) - 1 - tail] == b[len(b) - 1 - tail]:
        tail += 1
    start, keep = max(0, head - context), max(0, tail - context)
    out = []
    for line in difflib.unified_diff(
        a[start : len(a) - keep], b[start : len(b) - keep], "a/r", "b/r", n=context
    ):
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        elif line.startswith("@@") and start:
            o, o_n, w, w_n = re.match(r"^@@ -(\d+)((?:,\d+)?) \+(\d+)((?:,\d+)?) @@", line).groups()
            line = f"@@ -{int(o) + start}{o_n} +{int(w) + start}{w_n} @@\n"
        out.append(line)
    return "".join(out)


texts = st.lists(st.sampled_from(["a", "b", "ab", "  - id: x", ""]), max_size=30).map("\n".join)


@given(old=texts, new=texts, old_end=st.booleans(), new_end=st.booleans(), context=st.integers(0, 4))
def test_measuring_the_shared_lines_on_characters_gives_the_same_diff_as_counting_lines(
    old, new, old_end, new_end, context
):
    a, b = old + ("\n" if old_end else ""), new + ("\n" if new_end else "")
    assert unified_diff(a, b, "a/r", "b/r", context) == _line_cut_diff(a, b, context)
