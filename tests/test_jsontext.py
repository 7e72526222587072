"""The report's JSON text: json.dumps(indent=2, ensure_ascii=False)'s layout, written by orjson."""

from __future__ import annotations

import json
from enum import StrEnum

from hypothesis import given
from hypothesis import strategies as st

from govmap.graph.report.jsontext import dumps_indented, python_text


def json_values(floats: st.SearchStrategy[float], text: st.SearchStrategy[str] | None = None):
    text = text if text is not None else st.text()
    return st.recursive(
        st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | floats | text,
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(st.text(max_size=5) | st.sampled_from(["items", "bodies"]), inner, max_size=4)
        ),
        max_leaves=30,
    )


#: floats Python and orjson write alike: below 1e-4 (the module's docstring), and from 1e16 in some
#: orjson releases ("1e16" for Python's "1e+16"), the notation differs
alike = st.one_of(
    st.just(0.0), st.floats(min_value=1e-4, max_value=1e15), st.floats(max_value=-1e-4, min_value=-1e15)
)
no_floats = json_values(st.nothing())
TABLES = frozenset({"items", "bodies"})


@given(json_values(alike))
def test_any_json_value_is_laid_out_as_json_dumps_lays_it_out(value):
    assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


@given(json_values(st.floats(allow_nan=False, allow_infinity=False)))
def test_any_float_reads_back_as_itself(value):
    assert json.loads(dumps_indented(value)) == json.loads(json.dumps(value))


def test_nan_and_infinities_which_are_not_json_are_written_as_null():
    value = {"a": [float("nan"), float("inf")], "items": [{"b": float("-inf")}]}
    for text in (dumps_indented(value, rows=TABLES), python_text(value, 0, TABLES)):
        assert json.loads(text) == {"a": [None, None], "items": [{"b": None}]}


@given(
    st.dictionaries(st.sampled_from(["items", "bodies", "x"]), json_values(alike), max_size=3),
    st.integers(0, 3),
)
def test_tables_written_a_row_a_line_read_back_as_the_same_value(value, level):
    text = dumps_indented(value, level=level, rows=TABLES)
    assert json.loads(text) == json.loads(json.dumps(value))
    lines = text.split("\n")
    for key, rows in value.items():
        if key != "x" and isinstance(rows, list) and rows:
            for row in rows:
                line = " " * (2 * level + 4) + json.dumps(row, ensure_ascii=False, separators=(",", ":"))
                assert line in lines or line + "," in lines


@given(json_values(alike), st.integers(0, 3))
def test_the_pure_python_writer_writes_the_same_text(value, level):
    value = {"items": [value, value], "x": value}
    assert python_text(value, level, TABLES) == dumps_indented(value, level=level, rows=TABLES)


@given(json_values(alike, st.text(st.characters(categories=["Cs"]), min_size=1)))
def test_what_orjson_refuses_is_written_in_python_as_json_dumps_writes_it(value):
    value = {"big": 2**70, "lone surrogates": value}
    assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


class Colour(StrEnum):
    RED = "red"


def test_keys_that_are_not_strings_and_string_enums_are_written_as_json_dumps_writes_them():
    value = {1: [Colour.RED, 2.5, None], 2.0: {True: False}, None: [], Colour.RED: {}}
    assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)
    assert python_text(value, 0, frozenset()) == json.dumps(value, indent=2, ensure_ascii=False)


def test_a_value_json_cannot_write_is_a_type_error_from_either_writer():
    import datetime as dt

    import pytest

    for value in ({"when": dt.date(2026, 1, 1)}, {"items": [object()]}):
        with pytest.raises(TypeError):
            dumps_indented(value, rows=TABLES)
