"""Loading a register file: read, refuse what is unsafe, validate, return the model.

Loading never writes anything and never runs anything a file says.
"""

from __future__ import annotations

import os
from pathlib import Path

from govmap.ingest.errors import Problem, RegisterError, RegisterInvalid, RegisterUnreadable, Span, unreadable
from govmap.ingest.model import Register
from govmap.ingest.reading.guard import empty_register_problems
from govmap.ingest.reading.validate import Checked, check_data
from govmap.ingest.reading.yamlsafe import Limits, decode, parse

#: Where the register is when none is named: ``GOVMAP_REGISTER`` or this.
DEFAULT_REGISTER = "data/boards.yaml"


def default_register_path() -> str:
    return os.environ.get("GOVMAP_REGISTER") or DEFAULT_REGISTER


def check_text(
    text: str, filename: str = "<register>", limits: Limits | None = None, whole_file: bool = False
) -> Checked:
    """Validate register text; return the register (if valid) and every problem.

    ``whole_file``: the text is a register file that a store or a load would
    replace everything with, so an empty one is refused (see
    :func:`~govmap.ingest.reading.guard.empty_register_problems`).
    """
    parsed = parse(text, filename, limits)
    if parsed.problems:
        # Refused constructs (aliases, duplicate keys, tags) make the data
        # untrustworthy: report them alone rather than errors that follow from them.
        return Checked(None, sorted(parsed.problems, key=Problem.sort_key))
    checked = check_data(parsed.data, filename, text)
    if whole_file:
        empty = empty_register_problems(parsed.data, filename)
        if empty:
            checked = Checked(None, sorted(empty + checked.problems, key=Problem.sort_key))
    return checked


def read_text(path: str | os.PathLike[str], limits: Limits | None = None) -> str:
    """Read a register file's text, refusing what is too large or not UTF-8."""
    name = os.fspath(path)
    limits = limits or Limits()
    p = Path(name)
    try:
        size = p.stat().st_size
        if p.is_dir():
            raise RegisterUnreadable(f"{name} is a folder, not a register file", code="unreadable")
        if size > limits.max_bytes:
            raise RegisterError(
                f"file is {size:,} bytes, over the limit of {limits.max_bytes:,}",
                Span(name, 1, 1),
                hint="split the register, or raise the limit with GOVMAP_MAX_BYTES",
                code="too-large",
            )
        raw = p.read_bytes()
    except FileNotFoundError:
        raise RegisterUnreadable(
            f"{name}: no such file",
            hint="give the path of a register, or set GOVMAP_REGISTER",
            code="unreadable",
        ) from None
    except PermissionError:
        raise RegisterUnreadable(f"{name}: permission denied", code="unreadable") from None
    except IsADirectoryError:
        raise RegisterUnreadable(f"{name} is a folder, not a register file", code="unreadable") from None
    except (OSError, ValueError) as exc:  # a symlink loop, a socket, a name too long or with NUL
        raise unreadable(name, exc) from None
    return decode(raw, name, limits)


def check_register(path: str | os.PathLike[str], limits: Limits | None = None) -> Checked:
    """Validate a register file; every problem, with positions.

    Raises :class:`RegisterUnreadable` (or :class:`RegisterError` for a file
    too large or not UTF-8) when there is nothing to validate.
    """
    try:
        text = read_text(path, limits)
    except RegisterUnreadable:
        raise
    except RegisterError as exc:
        return Checked(None, [exc.problem])
    return check_text(text, os.fspath(path), limits, whole_file=True)


def load_register(path: str | os.PathLike[str] | None = None, limits: Limits | None = None) -> Register:
    """Load and validate a register; raise :class:`RegisterInvalid` listing every error.

    >>> reg = load_register("data/boards.yaml")
    >>> reg.info.name, len(reg.bodies) > 0
    ('Lancashire community safety partnership register', True)
    """
    checked = check_register(path or default_register_path(), limits)
    if checked.register is None:
        raise RegisterInvalid(checked.problems)
    return checked.register


def loads(text: str, filename: str = "<register>", limits: Limits | None = None) -> Register:
    """Like :func:`load_register`, from text (for tests and the web editor)."""
    checked = check_text(text, filename, limits)
    if checked.register is None:
        raise RegisterInvalid(checked.problems)
    return checked.register
