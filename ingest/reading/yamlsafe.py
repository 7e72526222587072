"""Reading register YAML safely: plain data out, positions for every problem.

PyYAML's ``safe_load`` is not enough for a register a reviewer edits by hand:
it silently keeps the last of two duplicate keys, expands alias bombs, accepts
several documents, and its C composer recurses, so a deeply nested flow
sequence crashes the interpreter.  This module walks libyaml's *event* stream
(C parser, iterative) and builds plain Python values itself, so it can refuse
each of those with a position, and it is faster than ``yaml.load`` because it
builds no node tree.

Positions are not kept for every value (that would double the memory of a
national register).  :func:`locate` finds the position of any path on demand
by walking the events once more; it is only called when there is a problem.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from govmap.ingest.errors import Problem, Span

try:  # The C parser: ~10x faster.  Pure Python is a correct fallback.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml is in every wheel we use
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path = tuple[str | int, ...]

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_DEPTH = 32

_STD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")} | {"!"}

_constructor = yaml.constructor.SafeConstructor()
_resolver = yaml.resolver.Resolver()


def _max_bytes_from_env() -> int:
    """``GOVMAP_MAX_BYTES``, read when a limit is made (so a bad value is a message, not a crash at import)."""
    from govmap.ingest.errors import ConfigError

    raw = os.environ.get("GOVMAP_MAX_BYTES")
    if raw is None or raw.strip() == "":
        return DEFAULT_MAX_BYTES
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise ConfigError(
            f"GOVMAP_MAX_BYTES is '{raw}', not a number of bytes",
            hint="set it to a whole number such as 67108864, or unset it",
        )
    return value


@dataclass
class Limits:
    """How much a register file may ask of us."""

    max_bytes: int = field(default_factory=_max_bytes_from_env)
    max_depth: int = DEFAULT_MAX_DEPTH


@dataclass
class Parsed:
    """Plain data read from a register file, and the problems met on the way."""

    data: Any
    text: str
    filename: str
    problems: list[Problem] = field(default_factory=list)
    #: Start of each mapping that is an item of a top-level section: (section, index) -> span.
    item_spans: dict[tuple[str, int], Span] = field(default_factory=dict)


def decode(raw: bytes, filename: str, limits: Limits | None = None) -> str:
    """Bytes -> text, refusing oversized files and bytes that are not UTF-8."""
    from govmap.ingest.errors import RegisterError

    limits = limits or Limits()
    if len(raw) > limits.max_bytes:
        raise RegisterError(
            f"file is {len(raw):,} bytes, over the limit of {limits.max_bytes:,}",
            Span(filename, 1, 1),
            hint="split the register, or raise the limit with GOVMAP_MAX_BYTES",
            code="too-large",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise RegisterError(
            f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
            Span(filename, line, column),
            hint="save the file as UTF-8",
            code="encoding",
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def _span(filename: str, mark: Any) -> Span:
    return Span(filename, mark.line + 1, mark.column + 1)


def _events(text: str) -> Iterator[Any]:
    loader = _Loader(text)
    try:
        while loader.check_event():
            yield loader.get_event()
    finally:
        loader.dispose()


def _scalar(event: yaml.ScalarEvent) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        if event.style or not event.implicit[0]:
            return event.value
        tag = _resolver.resolve(yaml.ScalarNode, event.value, (True, False))
    if tag == _STD + "str":
        return event.value
    node = yaml.ScalarNode(tag, event.value)
    value = _constructor.construct_object(node)
    if isinstance(value, dt.datetime):
        return value  # validation will say a date is expected
    return value


class _Refused(Exception):
    """Parsing cannot go on (syntax error or nesting too deep)."""


def parse(text: str, filename: str, limits: Limits | None = None) -> Parsed:
    """Turn register text into plain data, collecting every refusal as a problem.

    Refused: tags other than the core schema's (``!!python/object`` ...),
    anchors and aliases, duplicate keys, non-scalar keys, several documents,
    nesting deeper than ``limits.max_depth``.  A syntax error stops parsing
    and is reported where libyaml found it.
    """
    limits = limits or Limits()
    out = Parsed(data=None, text=text, filename=filename)
    problems = out.problems

    def refuse(message: str, mark: Any, hint: str | None = None, code: str = "refused") -> None:
        problems.append(Problem(message, _span(filename, mark), hint, code=code))

    # Each stack frame: [container, pending_key_or_None, keys_seen_dict, start_mark, path]
    stack: list[list[Any]] = []
    root: Any = None
    documents = 0

    def put(value: Any, event: Any) -> None:
        nonlocal root
        if not stack:
            root = value
            return
        frame = stack[-1]
        container = frame[0]
        if isinstance(container, list):
            container.append(value)
            return
        key = frame[1]
        if key is _NO_KEY:
            if isinstance(value, dict | list):
                refuse("a key must be plain text, not a list or mapping", event.start_mark)
                frame[1] = _BAD_KEY
                return
            if not isinstance(value, str | int | float | bool | dt.date) and value is not None:
                refuse("a key must be plain text", event.start_mark)
                frame[1] = _BAD_KEY
                return
            seen = frame[2]
            if value in seen:
                first = seen[value]
                refuse(
                    f"duplicate key '{value}' (first at line {first.line + 1}); "
                    "YAML would silently keep only the last one",
                    event.start_mark,
                    hint="remove or rename one of them",
                    code="duplicate-key",
                )
                frame[1] = _BAD_KEY
                return
            seen[value] = event.start_mark
            frame[1] = value
            return
        if key is not _BAD_KEY:
            container[key] = value
        frame[1] = _NO_KEY

    def allowed(event: Any) -> bool:
        """Refuse anchors and tags outside the core schema; False when the value must be dropped."""
        if event.anchor is not None:
            refuse(
                f"anchor '&{event.anchor}' is not allowed",
                event.start_mark,
                "write the value out in full",
                "anchor",
            )
        if event.tag is not None and event.tag not in _ALLOWED_TAGS:
            refuse(_tag_message(event.tag), event.start_mark, code="tag")
            return False
        return True

    try:
        try:
            for event in _events(text):
                kind = type(event)
                if kind is yaml.ScalarEvent:
                    if not allowed(event):
                        put(None, event)
                        continue
                    try:
                        value = _scalar(event)
                    except (yaml.constructor.ConstructorError, ValueError) as exc:
                        refuse(f"cannot read value '{event.value}': {exc}", event.start_mark)
                        value = None
                    put(value, event)
                elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                    allowed(event)
                    if len(stack) >= limits.max_depth:
                        refuse(
                            f"nesting deeper than {limits.max_depth} levels",
                            event.start_mark,
                            code="too-deep",
                        )
                        raise _Refused
                    container: Any = {} if kind is yaml.MappingStartEvent else []
                    # Spans of records: items of a top-level section's list.
                    if (
                        kind is yaml.MappingStartEvent
                        and len(stack) == 2
                        and isinstance(stack[1][0], list)
                        and isinstance(stack[0][0], dict)
                    ):
                        section = stack[0][1]
                        if isinstance(section, str):
                            out.item_spans[(section, len(stack[1][0]))] = _span(filename, event.start_mark)
                    stack.append([container, _NO_KEY, {}, event.start_mark])
                elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                    frame = stack.pop()
                    put(frame[0], event)
                elif kind is yaml.AliasEvent:
                    refuse(
                        f"alias '*{event.anchor}' is not allowed",
                        event.start_mark,
                        "anchors and aliases are refused: write the value out in full",
                        "alias",
                    )
                    put(None, event)
                elif kind is yaml.DocumentStartEvent:
                    documents += 1
                    if documents > 1:
                        refuse(
                            "the file holds more than one YAML document",
                            event.start_mark,
                            "a register is one document: remove the '---' line",
                            "several-documents",
                        )
                        raise _Refused
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            message = exc.problem or exc.context or "YAML syntax error"
            if exc.context and exc.problem:
                message = f"{exc.problem} ({exc.context})"
            problems.append(
                Problem(
                    f"YAML syntax: {message}",
                    _span(filename, mark) if mark else Span(filename, 1, 1),
                    code="syntax",
                )
            )
            raise _Refused from None
        except yaml.YAMLError as exc:  # reader errors: control characters and the like
            mark = getattr(exc, "problem_mark", None)
            line, column = _offset_position(text, getattr(exc, "position", 0))
            span = _span(filename, mark) if mark else Span(filename, line, column)
            problems.append(Problem(f"YAML: {exc}", span, code="syntax"))
            raise _Refused from None
    except _Refused:
        return out
    out.data = root
    return out


def _tag_message(tag: str) -> str:
    short = "!!" + tag[len(_STD) :] if tag.startswith(_STD) else tag
    return f"tag '{short}' is not allowed: a register holds plain text, numbers, dates, lists and mappings"


def _offset_position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


class _Sentinel:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:  # pragma: no cover
        return self.name


_NO_KEY = _Sentinel("NO_KEY")
_BAD_KEY = _Sentinel("BAD_KEY")


def locate(text: str, filename: str, paths: Iterable[Path], at_key: bool = False) -> dict[Path, Span]:
    """The position of each path's value (or of the nearest enclosing one).

    A path is a tuple of mapping keys and sequence indexes, as in pydantic's
    ``loc``.  With ``at_key`` a path ending in a mapping key is located at the
    key itself (so "unknown key" points at the key); otherwise at the first
    character of its value.  One pass over the events, however many paths.
    """
    wanted = {tuple(p) for p in paths}
    prefixes: set[Path] = set()
    for p in wanted:
        for i in range(len(p) + 1):
            prefixes.add(p[:i])
    found: dict[Path, Any] = {}
    keys: dict[Path, Any] = {}
    # frame: [path, is_mapping, next_index_or_key, expecting_key]
    stack: list[list[Any]] = []

    def child_path() -> Path | None:
        if not stack:
            return ()
        frame = stack[-1]
        if frame[0] is None:
            return None
        if frame[1]:
            return (*frame[0], frame[2]) if not frame[3] else None
        return (*frame[0], frame[2])

    def advance() -> None:
        if not stack:
            return
        frame = stack[-1]
        if frame[1]:
            frame[3] = not frame[3]
        else:
            frame[2] += 1

    try:
        for event in _events(text):
            kind = type(event)
            if kind in (yaml.ScalarEvent, yaml.AliasEvent):
                if stack and stack[-1][1] and stack[-1][3]:
                    key = event.value if kind is yaml.ScalarEvent else None
                    frame = stack[-1]
                    if frame[0] is not None:
                        kp = (*frame[0], key)
                        if kp in prefixes and kp not in keys:
                            keys[kp] = event.start_mark
                    frame[2] = key
                    frame[3] = False
                    continue
                cp = child_path()
                if cp is not None and cp in prefixes and cp not in found:
                    found[cp] = event.start_mark
                advance()
            elif kind in (yaml.MappingStartEvent, yaml.SequenceStartEvent):
                cp = child_path()
                if cp is not None and cp in prefixes and cp not in found:
                    found[cp] = event.start_mark
                keep = cp if (cp is not None and cp in prefixes) else None
                is_map = kind is yaml.MappingStartEvent
                stack.append([keep, is_map, None if is_map else 0, True])
            elif kind in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
                stack.pop()
                advance()
    except yaml.YAMLError:
        pass

    result: dict[Path, Span] = {}
    for p in wanted:
        for i in range(len(p), -1, -1):
            q = p[:i]
            mark = keys.get(q) if at_key and i == len(p) else None
            mark = mark or found.get(q) or keys.get(q)
            if mark is not None:
                result[p] = _span(filename, mark)
                break
        else:
            result[p] = Span(filename, 1, 1)
    return result
