"""The report's JSON text: ``json.dumps(obj, indent=2, ensure_ascii=False)``'s layout, written fast.

Python 3.11's C encoder cannot indent, so ``json.dumps(..., indent=2)`` falls
back to the pure-Python encoder, a chain of generators per value: at national
scale (43 force areas, 78 MB of JSON) that was a fifth of the whole report.
:func:`dumps_indented` writes the same layout with orjson (Rust), about ten
times faster, and keeps a pure-Python writer of the same text for the values
orjson refuses (integers beyond 64 bits, strings holding lone surrogates).

Where the text differs from ``json.dumps`` (the JSON value is the same):

* a list under a key in ``rows`` (a folded finding's ``items``) is written one
  element a line, each element compact (``{"id":"a","n":1}``): a table a
  reader can scan, and far smaller than one value a line;
* a float below 1e-4 is written in positional notation (``0.00001``, where
  Python writes ``1e-05``), and some orjson releases write ``1e16`` for
  Python's ``1e+16``; NaN and infinities, which are not JSON, as ``null``.
"""

from __future__ import annotations

from json.encoder import encode_basestring
from typing import Any

import orjson

_INF = float("inf")
_OPTIONS = orjson.OPT_NON_STR_KEYS  # keys as json.dumps writes them: 1 -> "1", None -> "null"


def _float(o: float) -> str:
    if o != o or o == _INF or o == -_INF:
        return "null"  # as orjson writes them: NaN and infinities are not JSON
    return float.__repr__(o)


def _key(k: Any) -> str:
    if isinstance(k, str):
        return k
    if k is None or isinstance(k, (int, float)):  # bool is an int: _compact writes true, false
        return _compact(k)
    raise TypeError(f"keys must be str, int, float, bool or None, not {k.__class__.__name__}")


def _compact(o: Any) -> str:
    """One value on one line, compact as orjson writes it (the pure-Python writer's table rows).

    >>> _compact({"a": [1, None, float("nan")], 2: "é"})
    '{"a":[1,null,null],"2":"é"}'
    """
    if isinstance(o, str):
        return encode_basestring(o)
    if o is None:
        return "null"
    if o is True:
        return "true"
    if o is False:
        return "false"
    if isinstance(o, int):
        return int.__repr__(o)
    if isinstance(o, float):
        return _float(o)
    if isinstance(o, (list, tuple)):
        return "[" + ",".join(map(_compact, o)) + "]"
    if isinstance(o, dict):
        return "{" + ",".join(f"{encode_basestring(_key(k))}:{_compact(v)}" for k, v in o.items()) + "}"
    raise TypeError(f"Object of type {o.__class__.__name__} is not JSON serializable")


def dumps_indented(obj: Any, level: int = 0, rows: frozenset[str] = frozenset()) -> str:
    """``obj`` as JSON text, laid out as ``json.dumps(obj, indent=2, ensure_ascii=False)`` lays it
    out (the module's docstring says where the text differs; the value never does).

    ``level`` indents the text as if it sat that deep in a larger document
    (its first line is not indented: the caller writes it after a key or a comma).
    A non-empty list under a key in ``rows`` is written one element a line,
    each element compact.

    Examples
    --------
    >>> import json
    >>> doc = {"a": [1, 2.5, None, True, "é"], "b": {}, "c": [], 3: {"d": [{"e": False}]}}
    >>> dumps_indented(doc) == json.dumps(doc, indent=2, ensure_ascii=False)
    True
    >>> print(dumps_indented({"items": [{"id": "a", "n": 1}, {"id": "b"}], "n": 2}, 1, frozenset({"items"})))
    {
        "items": [
          {"id":"a","n":1},
          {"id":"b"}
        ],
        "n": 2
      }

    Notes
    -----
    No ``default``, no ``sort_keys``, no cycle check: a value json cannot
    encode raises ``TypeError``; report dictionaries hold no cycles.
    Subclasses of str and int (``StrEnum``) are written as their values.
    """
    try:
        return _orjson_text(obj, level, rows).decode()
    except TypeError:  # orjson.JSONEncodeError: an integer beyond 64 bits, a lone surrogate, not JSON
        return python_text(obj, level, rows)


def json_bytes(obj: Any, level: int = 0, rows: frozenset[str] = frozenset()) -> bytes:
    """:func:`dumps_indented`'s text in UTF-8, as a file gets it (not decoded only to be encoded).

    >>> json_bytes({"é": [1]}, 1)
    b'{\\n    "\\xc3\\xa9": [\\n      1\\n    ]\\n  }'
    """
    try:
        return _orjson_text(obj, level, rows)
    except TypeError:
        return python_text(obj, level, rows).encode("utf-8")


def _orjson_text(obj: Any, level: int, rows: frozenset[str]) -> bytes:
    """The text by orjson: ``obj`` written ``level`` lists deep, then those lists cut off (a copy of
    the text, where indenting every line after would scan it and copy it)."""
    if rows:
        obj = _tables(obj, rows, level)
    for _ in range(level):
        obj = [obj]
    text = orjson.dumps(obj, None, _INDENTED)
    if not level:
        return text
    # level lists open '[\n  ', '[\n    ' ... and close ... '\n  ]', '\n]'
    head = sum(2 + 2 * (i + 1) for i in range(level))
    return text[head : -sum(2 + 2 * i for i in range(level))]


_PAD = b"  "
#: json.dumps's keys (1 -> "1", None -> "null"); a dataclass or a date is not JSON (TypeError), as there
_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
_INDENTED = _OPTIONS | orjson.OPT_INDENT_2


def _tables(o: Any, rows: frozenset[str], depth: int) -> Any:
    """``o`` with each non-empty list under a key in ``rows`` replaced by its text, a row a line
    (an ``orjson.Fragment``: written as it is); ``o`` itself when it holds none (nothing copied).

    ``depth`` is how deep ``o`` sits in the document: a table under a key of
    a dictionary at depth d has its rows indented d + 2 steps, its ``]`` d + 1.
    """
    if isinstance(o, dict):
        copy: dict[Any, Any] | None = None
        for k, v in o.items():
            if not isinstance(v, (dict, list, tuple)) or not v:
                continue
            if k in rows and isinstance(v, list):
                new: Any = _table(v, depth)
            else:
                new = _tables(v, rows, depth + 1)
            if new is not v:
                if copy is None:
                    copy = dict(o)
                copy[k] = new
        return o if copy is None else copy
    if isinstance(o, (list, tuple)):
        items = [_tables(v, rows, depth + 1) if isinstance(v, (dict, list, tuple)) else v for v in o]
        return o if all(a is b for a, b in zip(items, o, strict=True)) else items
    return o


#: Between two rows of a table written compact: a newline, which orjson writes in no value
_SEP = orjson.Fragment(b"\n")


def _table(rows: list[Any], depth: int) -> orjson.Fragment:
    """A table's text, a row a line, indented for a key of a dictionary at ``depth``.

    One orjson call for the whole table (a call a row costs ten times as
    much): the rows are written compact with a raw newline between each two,
    which no JSON value holds (a newline in a string is written ``\\n``), so
    the only ``,<newline>,`` in the text are those separators.

    >>> print(orjson.dumps({"t": _table([{"a": "x,\\n,y"}, [1, 2]], 0)}).decode())
    {"t":[
        {"a":"x,\\n,y"},
        [1,2]
      ]}
    """
    pad = b"\n" + _PAD * (depth + 2)
    if len(rows) == 1:  # most subjects and sources: no separator to replace
        text = orjson.dumps(rows[0], None, _OPTIONS)
    else:
        spaced: list[Any] = [_SEP] * (2 * len(rows) - 1)
        spaced[::2] = rows
        text = orjson.dumps(spaced, None, _OPTIONS)[1:-1].replace(b",\n,", b"," + pad)
    return orjson.Fragment(b"[" + pad + text + b"\n" + _PAD * (depth + 1) + b"]")


def python_text(obj: Any, level: int, rows: frozenset[str]) -> str:
    """:func:`dumps_indented`'s text in pure Python, for the values orjson refuses.

    Checks values in the order the standard encoder does (str, None, True,
    False, int, float, list or tuple, dict), so subclasses such as ``StrEnum``
    come out the same.

    >>> python_text({"n": 2 ** 70, "items": [{"a": 1}]}, 0, frozenset({"items"}))
    '{\\n  "n": 1180591620717411303424,\\n  "items": [\\n    {"a":1}\\n  ]\\n}'
    """
    parts: list[str] = []
    append = parts.append
    pad = "  "

    def enc(o: Any, nl: str) -> None:
        if isinstance(o, (list, tuple)) and o:
            inner = nl + pad
            append("[" + inner)
            for i, v in enumerate(o):
                if i:
                    append("," + inner)
                enc(v, inner)
            append(nl + "]")
        elif isinstance(o, dict) and o:
            inner = nl + pad
            prefix = "{" + inner
            for k, v in o.items():
                append(prefix + encode_basestring(_key(k)) + ": ")
                prefix = "," + inner
                if k in rows and isinstance(v, list) and v:
                    row_nl = inner + pad
                    append("[" + row_nl + ("," + row_nl).join(map(_compact, v)) + inner + "]")
                else:
                    enc(v, inner)
            append(nl + "}")
        else:
            append(_compact(o))  # a scalar, or an empty list or dictionary

    enc(obj, "\n" + pad * level)
    text = "".join(parts)
    # enc refers to itself through its closure, a cycle that holds ``parts`` until the cyclic
    # collector runs (paused while a report is written): free the pieces now
    parts.clear()
    return text


__all__ = ["dumps_indented", "json_bytes", "python_text"]
