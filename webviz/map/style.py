"""How the map looks: the style of each kind of record and link, and the words for links.

The legend is made from :data:`KIND_STYLE` and :data:`EDGE_STYLE`; labels, tooltips, node
sizes and label fonts are computed here too.  Every string is plain text for a canvas or
an ``innerText`` tooltip, never HTML.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

#: How each kind of record is drawn; the legend is made from this too.
KIND_STYLE: dict[str, dict[str, str]] = {
    "body": {"shape": "dot", "color": "#1f6fb2", "label": "Body (board, partnership, group)"},
    "organisation": {"shape": "square", "color": "#e07b00", "label": "Organisation"},
    "theme": {"shape": "diamond", "color": "#2e8b3e", "label": "Theme"},
    "strategy": {"shape": "triangle", "color": "#7b4fa8", "label": "Strategy or evidence"},
    "area": {"shape": "hexagon", "color": "#8a6d3b", "label": "Area"},
    "post": {"shape": "triangleDown", "color": "#c2417f", "label": "Post"},
    # An ellipse with the name inside: no other kind has it, so people and platforms (both
    # would be stars) differ in shape, not colour alone, and in greyscale too.
    "person": {"shape": "ellipse", "color": "#555555", "label": "Person"},
    "platform": {"shape": "star", "color": "#138f98", "label": "Platform"},
    "group": {"shape": "dot", "color": "#555555", "label": "Collapsed group"},
}

#: How each kind of link is drawn.  Each type has a dash pattern (and width) of its own, so
#: types differ in greyscale too; colours group related types (reporting lines dark blue,
#: theme links green, documents purple, places brown, posts pink, platforms teal) and are
#: each at least 3:1 against white (WCAG 1.4.11).  Dotted (``UNCONFIRMED_DASHES``) is kept
#: for links not confirmed by a source.
SOLID: list[int] | bool = False
LONG_DASH = [12, 5]
DASH_DOT = [10, 4, 2, 4]
UNCONFIRMED_DASHES = [2, 6]
EDGE_STYLE: dict[str, dict[str, Any]] = {
    "reports_to": {"color": "#1f3f66", "width": 3, "dashes": SOLID},
    "sub_group_of": {"color": "#1f3f66", "width": 2, "dashes": LONG_DASH},
    "links_with": {"color": "#a34700", "width": 1.5, "dashes": DASH_DOT},
    "member_of": {"color": "#5f6b78", "width": 1, "dashes": SOLID},
    "addresses": {"color": "#2e7d32", "width": 1.2, "dashes": [6, 3]},
    "broader": {"color": "#2e7d32", "width": 1.2, "dashes": [14, 3, 3, 3, 3, 3]},
    "matches": {"color": "#2e7d32", "width": 1.2, "dashes": [10, 3, 10, 9]},
    "owns": {"color": "#7b4fa8", "width": 1.8, "dashes": [18, 4]},
    "informs": {"color": "#7b4fa8", "width": 1.2, "dashes": [8, 3, 2, 3, 2, 3]},
    "covers": {"color": "#7d5f2a", "width": 1, "dashes": [22, 5]},
    "within": {"color": "#7d5f2a", "width": 1, "dashes": [5, 3]},
    "hosts": {"color": "#b0306f", "width": 1.2, "dashes": [12, 3, 3, 3]},
    "holds": {"color": "#b0306f", "width": 1.2, "dashes": [18, 3, 3, 3, 3, 3]},
    "post_in": {"color": "#b0306f", "width": 1.2, "dashes": [4, 2, 4, 8]},
    "uses": {"color": "#0e7c84", "width": 1.2, "dashes": [9, 2]},
    "part_of": {"color": "#0e7c84", "width": 1.2, "dashes": [24, 3, 4, 3]},
    "succeeded_by": {"color": "#444444", "width": 1.2, "dashes": [6, 2, 6, 8]},
    "sits_within": {"color": "#1f3f66", "width": 1.5, "dashes": [3, 3]},
    "convened_by": {"color": "#1f3f66", "width": 1.2, "dashes": [16, 4, 4, 4]},
    "supports": {"color": "#a34700", "width": 1.2, "dashes": [4, 4, 12, 4]},
    "meeting_of": {"color": "#b0306f", "width": 2, "dashes": SOLID},
    "delegates_to": {"color": "#b0306f", "width": 1.2, "dashes": [8, 2, 2, 2]},
    "adopts": {"color": "#7b4fa8", "width": 1.2, "dashes": [2, 3, 8, 3]},
}
DEFAULT_EDGE: dict[str, Any] = {"color": "#5f6b78", "width": 1, "dashes": SOLID}

#: A link in words, read from its source to its target and the other way, for sentences
#: ("North CSP reports to the county board"; "the county board is reported to by ...").
RELATION_WORDS: dict[str, tuple[str, str]] = {
    "member_of": ("is a member of", "has as a member"),
    "reports_to": ("reports to", "is reported to by"),
    "sub_group_of": ("is a sub-group of", "has the sub-group"),
    "addresses": ("addresses", "is addressed by"),
    "owns": ("owns", "is owned by"),
    "informs": ("informs", "is informed by"),
    "covers": ("covers", "is covered by"),
    "hosts": ("hosts", "is hosted by"),
    "uses": ("uses", "is used by"),
    "within": ("is within", "contains"),
    "part_of": ("is part of", "has as a part"),
    "links_with": ("links with", "links with"),
    "succeeded_by": ("is succeeded by", "succeeds"),
    "accountable_to": ("is accountable to", "holds to account"),
    "scrutinises": ("scrutinises", "is scrutinised by"),
    "broader": ("has the broader theme", "has the narrower theme"),
    "matches": ("matches", "matches"),
    "holds": ("holds the post", "is held by"),
    "post_in": ("is a post in", "has the post"),
    "sits_within": ("sits within", "has within it"),
    "convened_by": ("is convened by", "convenes"),
    "supports": ("supports", "is supported by"),
    "meeting_of": ("is the meeting of", "meets as"),
    "delegates_to": ("delegates to", "has functions delegated by"),
    "adopts": ("adopts", "is adopted by"),
}


def node_title(attrs: Mapping[str, Any]) -> str:
    """A record's plain-text tooltip, the text map.js makes from its fields (``nodeTitle``;
    vis-network shows it with innerText: never HTML)."""
    kind = attrs.get("kind", "")
    subtype = attrs.get("subtype")
    lines = [attrs.get("name", ""), f"{kind}{', ' + subtype if subtype and subtype != kind else ''}"]
    if attrs.get("status") == "unconfirmed":
        lines.append("unconfirmed")
    return "\n".join(lines)


def node_label(name: str, width: int = 22, lines: int = 3) -> str:
    """The name on as few lines of at most ``width`` characters as it needs (up to ``lines``),
    its lines as even as they can be, so a label is compact; a name that needs more lines is cut
    with an ellipsis (the full name is in the tooltip, the panel and the table).

    >>> print(node_label("Blackburn with Darwen Community Safety Partnership"))
    Blackburn with
    Darwen Community
    Safety Partnership
    >>> print(node_label("Health and Wellbeing Board"))
    Health and
    Wellbeing Board
    >>> print(node_label("Blackburn with Darwen Community Safety Partnership", lines=2))
    Blackburn with Darwen
    Community Safety…
    """
    words = name.split()
    for count in range(1, min(lines, len(words)) + 1):
        split = _even_lines(words, count)
        if max(map(len, split)) <= width:
            return "\n".join(split)
    out, line = [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    out.append(line)
    kept = [x if len(x) <= width + 4 else x[: width + 3] for x in out[:lines]]
    if len(out) > lines or any(len(x) > width + 4 for x in out):
        kept[-1] = kept[-1][: width + 3].rstrip(" ,;:-") + "…"
    return "\n".join(kept)


def _even_lines(words: list[str], count: int) -> list[str]:
    """``words`` on ``count`` lines whose longest is as short as it can be (names are a few
    words: trying every split is cheap)."""
    from itertools import combinations

    best: list[str] = []
    for cuts in combinations(range(1, len(words)), count - 1):
        bounds = (0, *cuts, len(words))
        split = [" ".join(words[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
        if not best or max(map(len, split)) < max(map(len, best)):
            best = split
    return best


def node_size(value: float, top: float) -> float:
    """A node's size from its weight ``value`` against the view's largest, ``top``."""
    return round(10 + 22 * math.sqrt(value / top), 1) if top > 0 else 12.0


#: Label sizes (canvas px).  A label is drawn at its size times the map's scale, and only
#: when that is at least :data:`LEGIBLE_PX` on screen, so at the default fit (scale about
#: 0.8-1.0) the ``major`` and ``minor`` labels show and ``small`` ones appear as the reader
#: zooms in.  A ``major`` label or larger (bodies, the view's centre, every record of a small
#: view) is required: it is never drawn under :data:`LEGIBLE_PX` (webviz/static/labels.js).
FONT = {"centre": 17, "major": 15, "minor": 14, "small": 11}

#: The legibility rule: no label is drawn under this many pixels on screen.
LEGIBLE_PX = 10

#: What labels.js needs of the rule, sent with every map's data.
LABEL_RULE = {"legible_px": LEGIBLE_PX, "required_font": FONT["major"]}


def node_font(kind: str, size: float, centre: bool, view_is_small: bool) -> int:
    """A label's font size (:data:`FONT`): the focus largest, then bodies, then the rest by size."""
    if centre:
        return FONT["centre"]
    if kind == "body" or view_is_small:
        return FONT["major"]
    return FONT["minor"] if size >= 17 else FONT["small"]


#: Shapes that hold their label inside: white text on the fill (at least 4.5:1), no halo.
INSIDE = {"ellipse": {"color": "#ffffff", "strokeWidth": 0}}


#: The outline of every record on the map.
NODE_BORDER = "#222222"


def node_color(fill: str) -> dict[str, str]:
    return {"background": fill, "border": NODE_BORDER}


def edge_title(source: str, words: str, target: str, status: str | None) -> str:
    """A link's tooltip, as map.js makes it (``edgeTitle``): "North CSP reports to the
    county board", with " (unconfirmed)" when it is."""
    return f"{source} {words} {target}" + (" (unconfirmed)" if status == "unconfirmed" else "")
