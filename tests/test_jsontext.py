"""The report's JSON text: exactly what json.dumps(indent=2, ensure_ascii=False) writes, faster."""

from __future__ import annotations

import json
from enum import StrEnum

from hypothesis import given
from hypothesis import strategies as st

from govmap.graph.report.jsontext import dumps_indented


def json_values(floats: st.SearchStrategy[float]) -> st.SearchStrategy[object]:
    return st.recursive(
        st.none() | st.booleans() | st.integers() | floats | st.text(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
        max_leaves=30,
    )


values = json_values(st.floats())
#: NaN is not equal to itself: values compared after a round trip leave it out
comparable = json_values(st.floats(allow_nan=False))


@given(values)
def test_any_json_value_is_written_as_json_dumps_writes_it(value):
    assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


@given(st.dictionaries(st.sampled_from(["items", "bodies", "x"]), comparable, max_size=3), st.integers(0, 3))
def test_tables_written_a_row_a_line_read_back_as_the_same_value(value, level):
    text = dumps_indented(value, level=level, rows=frozenset({"items", "bodies"}))
    assert json.loads(text) == json.loads(json.dumps(value))
    for key, rows in value.items():
        if key != "x" and isinstance(rows, list) and rows:
            for row in rows:
                line = " " * (2 * level + 4) + json.dumps(row, ensure_ascii=False, separators=(", ", ": "))
                assert line in text.split("\n") or line + "," in text.split("\n")


class Colour(StrEnum):
    RED = "red"


def test_keys_that_are_not_strings_and_string_enums_are_written_as_json_dumps_writes_them():
    value = {1: [Colour.RED, 2.5, None], 2.0: {True: False}, None: [], Colour.RED: {}}
    assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)
