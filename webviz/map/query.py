"""What a map view shows: :class:`MapQuery`, parsed from the URL, and its description.

A filter value that means nothing is refused with :class:`BadMapQuery` (400), not ignored;
a view too large to send is :class:`MapTooBig` (413).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from govmap.ingest.errors import GovmapError
from govmap.ingest.model import Register
from govmap.webviz.map.style import KIND_STYLE

#: The ways to lay a map out (``layout=`` in the URL).
LAYOUTS = {"network": "Network", "hierarchy": "Accountability (who reports to whom)"}

SIZES = {"degree": "links", "members": "members", "betweenness": "brokerage (betweenness)"}
COLLAPSE = {"kind": "by kind", "area": "by area"}
MAX_HOPS = 5


class MapTooBig(GovmapError):
    status = 413


class BadMapQuery(GovmapError):
    """A map filter (``kind=``, ``hops=`` ...) with a value that means nothing: refused, not ignored."""

    status = 400


def _choice(name: str, value: str, choices: Iterable[str]) -> str:
    """``value`` if it is one of ``choices``, else :class:`BadMapQuery` naming them."""
    allowed = list(choices)
    if value not in allowed:
        raise BadMapQuery(f"unknown {name} '{value}'", hint=f"{name} is one of: {', '.join(allowed)}")
    return value


@dataclass(frozen=True)
class MapQuery:
    """What part of the landscape to draw, and how."""

    kinds: tuple[str, ...] = ()
    theme: str | None = None
    area: str | None = None
    statutory: bool | None = None
    focus: str | None = None
    hops: int = 1
    highlight: tuple[str, ...] = ()
    size: str = "degree"
    collapse: str | None = None
    #: ``network`` or ``hierarchy`` (the accountability view).
    layout: str = "network"
    #: In the accountability view: draw organisations, themes and the rest too.
    members: bool = False
    #: A path to draw left to right with its steps' neighbours (the paths page).
    path: tuple[str, ...] = ()

    @classmethod
    def from_args(
        cls, args: Mapping[str, Any], getlist: Callable[[str], list[str]] | None = None
    ) -> MapQuery:
        """Parse URL query arguments; a value that means nothing is :class:`BadMapQuery` (400)."""
        many = getlist or (lambda k: [args[k]] if args.get(k) else [])
        kind_names = [k for k in KIND_STYLE if k != "group"]
        kinds = tuple(_choice("kind", k, kind_names) for k in _split(many("kind")))
        statutory_text = str(args.get("statutory") or "")
        statutory = (
            {"yes": True, "no": False}[_choice("statutory", statutory_text, ("yes", "no"))]
            if statutory_text
            else None
        )
        hops = _small_number(str(args.get("hops") or "1").strip(), "hops", 1, MAX_HOPS)
        size = _choice("size", str(args.get("size") or "degree"), SIZES)
        collapse = str(args.get("collapse") or "") or None
        if collapse is not None:
            _choice("collapse", collapse, COLLAPSE)
        layout = _choice("layout", str(args.get("layout") or "network"), LAYOUTS)
        return cls(
            kinds=kinds,
            theme=str(args.get("theme") or "") or None,
            area=str(args.get("area") or "") or None,
            statutory=statutory,
            focus=str(args.get("focus") or "") or None,
            hops=hops,
            highlight=tuple(_split(many("highlight"))),
            size=size if size in SIZES else "degree",
            collapse=collapse if collapse in COLLAPSE else None,
            layout=layout if layout in LAYOUTS else "network",
            members=str(args.get("members") or "") == "yes",
        )

    @property
    def filtered(self) -> bool:
        return bool(self.kinds or self.theme or self.area or self.statutory is not None or self.focus)

    @property
    def hierarchy(self) -> bool:
        return self.layout == "hierarchy" and not self.collapse


def shown(value: str, most: int = 20) -> str:
    """A value as an error message quotes it: at most ``most`` characters, then an ellipsis."""
    return value if len(value) <= most else value[:most] + "…"


def _small_number(text: str, name: str, low: int, high: int) -> int:
    """``text`` as a whole number from ``low`` to ``high``: ASCII digits only (``int`` would take
    ``３`` and ``٣`` and choke on 5,000 digits), else :class:`BadMapQuery`.

    >>> _small_number("3", "hops", 1, 5)
    3
    >>> _small_number("²", "hops", 1, 5)
    Traceback (most recent call last):
    ...
    govmap.webviz.map.query.BadMapQuery: hops must be a whole number from 1 to 5, not '²'
    """
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(high)) and low <= int(text) <= high):
        raise BadMapQuery(f"{name} must be a whole number from {low} to {high}, not '{shown(text)}'")
    return int(text)


def _split(values: Iterable[str]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def describe(register: Register, q: MapQuery) -> str:
    """What a view shows, in words, for its heading, its title and the map's accessible name."""

    def name(i: str | None) -> str:
        rec = register.get(i) if i else None
        return rec.name if rec else (i or "")

    if q.path:
        return f"Path from {name(q.path[0])} to {name(q.path[-1])}"
    parts = []
    if q.hierarchy:
        parts.append("Accountability" + (" with members and themes" if q.members else ""))
    if q.theme:
        parts.append(name(q.theme))
    if q.area:
        parts.append(f"Area: {name(q.area)}")
    if q.focus:
        parts.append(f"Around {name(q.focus)}" + (f" ({q.hops} links out)" if q.hops > 1 else ""))
    if q.statutory is not None:
        parts.append("Statutory bodies" if q.statutory else "Non-statutory bodies")
    if q.kinds:
        parts.append("Only " + ", ".join(q.kinds))
    if q.collapse:
        parts.append(f"Collapsed {COLLAPSE[q.collapse]}")
    return "; ".join(parts) or "The whole landscape"
