"""The corpus's landscapes as files: ``tests/landscapes/<slug>/`` read into a :class:`Landscape`
(``register.yaml``, ``expected.yaml``, ``judged.yaml``; see :mod:`govmap.graph.report.corpus`, which
runs and judges them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from govmap.graph.analysis.findings import Kind


def default_root() -> Path:
    """The landscapes of the repository this module runs from (``tests/landscapes``), else of the cwd."""
    here = Path(__file__).resolve().parents[2] / "tests" / "landscapes"
    return here if here.is_dir() else Path.cwd() / "tests" / "landscapes"


@dataclass(frozen=True)
class Expectation:
    """A finding a reviewer expects (or rejects): kind, the ids it is about, a floor severity."""

    id: str
    kind: str
    about: tuple[str, ...]
    severity: str | None = None
    why: str = ""
    #: Why the team does not follow this expectation (a reviewer of another landscape judged the
    #: same finding false on the same kind of data, or the law reads otherwise): written in the
    #: landscape's ``expected.yaml`` beside the expectation, which stays as it was written.
    contested: str = ""

    @property
    def built(self) -> bool:
        """Whether the kind exists yet (planned kinds are skipped until it does)."""
        return self.kind in {k.value for k in Kind}


@dataclass(frozen=True)
class Judged:
    """A finding of an earlier run a reviewer judged false.

    ``corrected`` is a reviewer's later note that findings matching this entry now say something
    true (written beside the entry, with the reason): such an entry no longer counts.
    """

    kind: str
    about: tuple[str, ...]
    severity_seen: str
    title_seen: str
    why: str = ""
    corrected: str = ""


@dataclass(frozen=True)
class Landscape:
    slug: str
    folder: Path
    as_of: dt.date
    expected: tuple[Expectation, ...]
    not_expected: tuple[Expectation, ...]
    judged_false: tuple[Judged, ...]

    @property
    def register(self) -> Path:
        return self.folder / "register.yaml"


def _expectations(items: Iterable[Mapping[str, Any]]) -> tuple[Expectation, ...]:
    return tuple(
        Expectation(
            str(e["id"]),
            str(e["kind"]),
            tuple(str(a) for a in e.get("about", ())),
            e.get("severity"),
            str(e.get("why", "")),
            str(e.get("contested", "")),
        )
        for e in items
    )


def load_landscape(folder: Path) -> Landscape:
    """One landscape folder (``expected.yaml``'s ``written`` date is the date the report is judged as of)."""
    expected = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8")) or {}
    judged_path = folder / "judged.yaml"
    judged = yaml.safe_load(judged_path.read_text(encoding="utf-8")) if judged_path.exists() else {}
    written = expected.get("written")
    as_of = written if isinstance(written, dt.date) else dt.date.fromisoformat(str(written))
    return Landscape(
        folder.name,
        folder,
        as_of,
        _expectations(expected.get("expected", ())),
        _expectations(expected.get("not_expected", ())),
        tuple(
            Judged(
                str(j["kind"]),
                tuple(str(a) for a in j.get("about", ())),
                str(j.get("severity_seen", "")),
                str(j.get("title_seen", "")),
                str(j.get("why", "")),
                str(j.get("corrected", "")),
            )
            for j in (judged or {}).get("judged_false", ())
        ),
    )


def landscapes(root: Path | None = None, only: Sequence[str] = ()) -> list[Landscape]:
    """Every landscape under ``root`` (default :func:`default_root`), or those named in ``only``."""
    base = root or default_root()
    found = sorted(p.parent for p in base.glob("*/register.yaml"))
    return [load_landscape(f) for f in found if not only or f.name in only]


__all__ = ["Expectation", "Judged", "Landscape", "default_root", "landscapes", "load_landscape"]
