"""Guards on destructive loads: refuse to delete a large share of a store's records.

A truncated file, a wrong path or an empty spreadsheet looks like "delete
everything" to a loader that replaces a store's content with a file's.  Every
command that replaces a whole store (``govmap load`` into Neo4j, the web's
Neo4j store, ``import --into``) asks :func:`deletion_guard` first.

Examples
--------
>>> deletion_guard({"a", "b", "c", "d", "e"}, {"a", "b", "c", "d"}).deleted
1
>>> deletion_guard({"a", "b", "c", "d", "e"}, set())
Traceback (most recent call last):
...
govmap.ingest.reading.guard.DeletionRefused: this load would delete 5 of 5 records (100%), more than the 20% allowed; nothing was changed
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from govmap.ingest.errors import GovmapError, Problem, Span
from govmap.ingest.model import SECTIONS, Register

#: The share of a store's records a load may delete without ``--force``.
DEFAULT_MAX_DELETE_PCT = 20.0


class DeletionRefused(GovmapError):
    """A load would delete more of the store's records than allowed; nothing was changed."""

    status = 409
    #: ExitStatus.CONFLICT in the CLI.
    exit_status = 6

    def __init__(self, message: str, hint: str | None = None, *, deleted: int = 0, total: int = 0) -> None:
        super().__init__(message, hint)
        self.deleted = deleted
        self.total = total


@dataclass(frozen=True)
class DeletionCheck:
    """What a load would delete: ``deleted`` of ``total`` records (ids in ``examples``, a few)."""

    deleted: int
    total: int
    examples: tuple[str, ...] = ()

    @property
    def pct(self) -> float:
        return 100.0 * self.deleted / self.total if self.total else 0.0


def deletion_guard(
    old: Register | Iterable[str],
    new: Register | Iterable[str],
    max_delete_pct: float = DEFAULT_MAX_DELETE_PCT,
    force: bool = False,
) -> DeletionCheck:
    """Refuse a load that would delete more than ``max_delete_pct`` % of the records in ``old``.

    Parameters
    ----------
    old : Register or iterable of record ids
        What the store holds now (a Neo4j store may pass the ids it holds).
    new : Register or iterable of record ids
        What the load would leave in the store.
    max_delete_pct : float
        The largest share (0-100) of ``old``'s records the load may delete.
    force : bool
        Allow any deletion (``--force``); the check is still returned.

    Returns
    -------
    DeletionCheck
        How many records the load deletes.

    Raises
    ------
    DeletionRefused
        The load would delete more than allowed (and ``force`` is false).

    Notes
    -----
    Records are compared by id; a record whose content changes is not a
    deletion.  An empty store never refuses (nothing to lose).
    """
    old_ids = _ids(old)
    new_ids = _ids(new)
    gone = sorted(old_ids - new_ids)
    check = DeletionCheck(len(gone), len(old_ids), tuple(gone[:5]))
    if force or not gone or check.pct <= max_delete_pct:
        return check
    pct = f"{check.pct:.0f}%"
    allowed = f"{max_delete_pct:g}%"
    records = "record" if check.total == 1 else "records"
    raise DeletionRefused(
        f"this load would delete {check.deleted} of {check.total} {records} ({pct}), "
        f"more than the {allowed} allowed; nothing was changed",
        hint=f"check the file is the whole register (first deleted: {', '.join(check.examples)}); "
        f"to delete them anyway use --max-delete {int(check.pct) + 1} or --force",
        deleted=check.deleted,
        total=check.total,
    )


def _ids(value: Register | Iterable[str]) -> set[str]:
    if isinstance(value, Register):
        return {rec.id for rec in value.records()}
    return set(value)


def empty_register_problems(data: object, filename: str) -> list[Problem]:
    """Problems of a register file that is not one, or holds nothing: the start of a wiped store.

    A file with no ``govmap:`` header (a wrong path, another YAML file) or no
    records (a truncated or emptied file) is refused wherever a whole file is
    read (``govmap validate``, ``govmap load``, the web's YAML store), whatever
    its other content, because loading it would delete everything.
    """
    where = Span(filename, 1, 1)
    sections = data if isinstance(data, dict) else {}
    problems = []
    if "govmap" not in sections:
        problems.append(
            Problem(
                f"empty register: {filename} has no 'govmap: 1' header, so it is not a govmap register",
                where,
                "check the path; a register's first line is 'govmap: 1'",
                code="empty-register",
            )
        )
    if not any(isinstance(sections.get(s), list) and sections.get(s) for s in SECTIONS):
        problems.append(
            Problem(
                f"empty register: {filename} holds no records",
                where,
                "is the file truncated, or the wrong one? loading it would delete every record",
                code="empty-register",
            )
        )
    return problems
