"""Errors a user can cause, and the one place they are formatted.

Every problem govmap reports about a register names where it is (file, line,
column) and, where we can tell, what to do about it.  Formatting lives here so
that the CLI, the web app and the Neo4j loader all print the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar


@dataclass(frozen=True, order=True)
class Span:
    """A position in a register file: 1-based line and column."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a look) in a register."""

    message: str
    span: Span | None = None
    hint: str | None = None
    level: Level = Level.ERROR
    #: A short machine-readable code, stable across releases (e.g. ``unknown-ref``).
    code: str = "invalid"
    #: The form field (dotted path) the problem belongs to, for the web editor.
    field: str | None = None

    def format(self) -> str:
        where = f"{self.span}: " if self.span else ""
        text = f"{where}{self.level.value}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def sort_key(self) -> tuple[Any, ...]:
        s = self.span
        return (s.file, s.line, s.column) if s else ("", 0, 0)

    def to_json(self) -> dict[str, Any]:
        return {
            "level": self.level.value,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
            "file": self.span.file if self.span else None,
            "line": self.span.line if self.span else None,
            "column": self.span.column if self.span else None,
            "field": self.field,
        }


class GovmapError(Exception):
    """Base of every error govmap raises for a user to read."""

    #: HTTP status the web app answers with (datasette's idea).
    status = 400

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def format(self) -> str:
        text = f"error: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class RegisterError(GovmapError):
    """One problem with a register, at a position."""

    def __init__(
        self,
        message: str,
        span: Span | None = None,
        hint: str | None = None,
        code: str = "invalid",
    ) -> None:
        super().__init__(message, hint)
        self.span = span
        self.code = code

    @property
    def problem(self) -> Problem:
        return Problem(self.message, self.span, self.hint, code=self.code)

    def format(self) -> str:
        return self.problem.format()


class ConfigError(GovmapError):
    """A setting (an environment variable) has a value govmap cannot use."""

    exit_status = 2


class OutputError(GovmapError):
    """A file govmap was asked to write cannot be written (no such folder, no permission)."""

    exit_status = 2


class RegisterUnreadable(RegisterError):
    """The file cannot be read at all (missing, a folder, no permission)."""


def shown_name(name: str) -> str:
    """A file name as a message shows it: as given, or quoted with escapes when it holds a
    character a terminal would act on (NUL, ESC, a line break); cut in the middle past 300
    characters.

    >>> shown_name("data/boards.yaml"), shown_name("a\\x00b")
    ('data/boards.yaml', "'a\\\\x00b'")
    """
    if len(name) > 300:
        name = name[:150] + "…" + name[-50:]
    return name if name.isprintable() else repr(name)


def unreadable(name: str, exc: OSError | ValueError) -> RegisterUnreadable:
    """Why a file cannot be opened or read, in a user's words, whatever the operating system said
    (missing, a folder, no permission, a symlink loop, a socket, a name too long or holding NUL)."""
    shown = shown_name(name)
    if isinstance(exc, ValueError):  # open() refuses a name with a NUL in it
        return RegisterUnreadable(f"{shown} is not a file name (it holds a NUL character)", code="unreadable")
    if isinstance(exc, FileNotFoundError):
        return RegisterUnreadable(f"{shown}: no such file", code="unreadable")
    if isinstance(exc, IsADirectoryError):
        return RegisterUnreadable(f"{shown} is a folder, not a file", code="unreadable")
    if isinstance(exc, PermissionError):
        return RegisterUnreadable(f"{shown}: permission denied", code="unreadable")
    why = exc.strerror or type(exc).__name__
    return RegisterUnreadable(f"{shown} cannot be read: {why[:1].lower()}{why[1:]}", code="unreadable")


class FileInvalid(GovmapError):
    """Every problem found in one file, sorted by position; nothing was written.

    The message counts the errors (``2 errors in the register``); :meth:`format`
    lists them, one a line, then the count.  Warnings ride along in ``problems``
    but are for ``govmap validate``.
    """

    #: What holds the problems, as the message names it, and what follows in the message.
    holder: ClassVar[str] = "the file"
    consequence: ClassVar[str] = ""
    #: Said after the count on the last line of :meth:`format`.
    advice: ClassVar[str] = ""

    def __init__(self, problems: list[Problem] | None = None) -> None:
        self.problems = sorted(problems or [], key=self.sort_key)
        n = len(self.errors)
        super().__init__(f"{n} error{'s' if n != 1 else ''} in {self.holder}{self.consequence}")

    @staticmethod
    def sort_key(problem: Problem) -> tuple[Any, ...]:
        return problem.sort_key()

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level is Level.ERROR]

    def format(self) -> str:
        return "\n".join([*(p.format() for p in self.errors), f"error: {self.message}{self.advice}"])

    def __str__(self) -> str:  # pragma: no cover - for tracebacks only
        return self.format()


class RegisterInvalid(FileInvalid):
    """All the problems found in one register."""

    holder = "the register"
    advice = "; run 'govmap validate' for details"


# -- editing -----------------------------------------------------------------


class EditConflict(GovmapError):
    """The record an edit touches changed since the edit was prepared: nothing was written.

    ``record`` is its id; ``theirs`` the record as saved now (JSON data, None
    if it was removed); ``changes`` the accepted changes to it since the form
    was opened, newest first, as (summary, user, time) - so the 409 page can
    show the user's text and the other change side by side.
    """

    status = 409

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        record: str | None = None,
        theirs: dict[str, Any] | None = None,
        changes: tuple[tuple[str, str, str], ...] = (),
    ) -> None:
        super().__init__(message, hint)
        self.record = record
        self.theirs = theirs
        self.changes = changes


class UnknownRecord(GovmapError):
    """An edit names a record or an item that is not in the register."""

    status = 404


class EditRefused(GovmapError):
    """An edit that cannot be applied as asked (a field that is not a list, ...)."""

    status = 400


class EditInvalid(GovmapError):
    """The edit would make the register invalid; nothing was written.

    ``fields`` maps a form field to its messages; ``general`` holds problems
    that belong to no field of the form (another record now broken, say).
    """

    status = 422

    def __init__(self, problems: list[Problem], fields: dict[str, list[str]], general: list[str]) -> None:
        n = len(problems)
        super().__init__(f"the change was not saved: {n} problem{'s' if n != 1 else ''} to fix")
        self.problems = problems
        self.fields = fields
        self.general = general
