"""Every command and option of ``govmap`` with hostile values and files: an exit code from the
README's table, one error line, never a traceback.

The commands and their options are read from the click group (a new command or option is
fuzzed without editing this file).  Values come from each option's type: paths get missing
files, a folder, binary and huge files, a symlink loop, a socket (a file that cannot be
opened), an invalid register, an empty spreadsheet ...; numbers get superscript and
fullwidth digits, thousands of digits, out-of-range values; text gets control characters,
direction overrides, line separators, 100 kB, values starting with ``-``.  Each command is
run in-process (click's ``CliRunner``) from a folder inside a temporary one, so no output
escapes it.  Nothing reaches a network: Neo4j is ``bolt://127.0.0.1:1`` (refused at once) with
a half-second timeout, and ``govmap serve`` always meets its port already taken.

Bounded: one sweep (every option of every command with a few values each), then a fixed number
of hypothesis examples mixing several options; derandomized in CI.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from govmap.cli import cli
from govmap.cliutil import ExitStatus
from tests.fuzzsupport import fuzz_settings
from tests.websupport import REGISTERS

#: The exit codes the README's table lists.
EXIT_CODES = {int(code) for code in ExitStatus}

TEXT: list[str] = [
    "",
    "-",
    "--help",
    "-x",
    "a\x00b",
    "\x1b[2J\x1b[31mred",
    "abc\u202edef",
    "line\u2028two",
    "x" * 100_000,
    "²",
    "３",
    "9" * 5000,
    "../../x",
    "North CSP",
    "north-csp",
    "county-board",
    "{}",
    "'; DROP TABLE x; --",
]
NUMBERS = ["²", "３", "٣", "9" * 5000, "-1", "1e309", "NaN", "abc", "", "1.5", "0"]
DATES = ["2025-13-45", "²", "２０２５-01-01", "9" * 5000, "", "tomorrow", "2025-01-01"]


def port_values(taken: int) -> list[str]:
    """Hostile values for ``govmap serve --port``: out of range, not a number, and the port that is
    always taken written in ASCII, fullwidth and Arabic-Indic digits (click reads all three as
    that port).  Never a port it could listen on: ``0`` (any free port) or ``３`` (port 3, open to
    root) would start a server that never returns, and the fuzzer would hang."""
    ascii_digits = str(taken)
    fullwidth = ascii_digits.translate({ord(d): ord(d) - ord("0") + ord("０") for d in "0123456789"})
    arabic = ascii_digits.translate({ord(d): ord(d) - ord("0") + ord("٠") for d in "0123456789"})
    return [ascii_digits, "-1", "65536", "²", fullwidth, arabic, "9" * 5000, "abc"]


@dataclass
class Files:
    """The hostile files, by name, in the folder the commands run in (``cwd``)."""

    cwd: Path
    paths: dict[str, str]
    port: int
    kept: dict[str, bytes] = field(default_factory=dict)

    def restore(self) -> None:
        """Put back any file a command wrote over (an export to good.yaml, an import into it)."""
        for path, raw in self.kept.items():
            try:
                same = Path(path).read_bytes() == raw
            except OSError:
                same = False
            if not same:
                Path(path).unlink(missing_ok=True)
                Path(path).write_bytes(raw)


def _files(tmp: Path) -> dict[str, str]:
    data = tmp / "data"
    data.mkdir()
    web = (REGISTERS / "web.yaml").read_bytes()
    out: dict[str, str] = {}

    def put(name: str, raw: bytes) -> None:
        (data / name).write_bytes(raw)
        out[name] = str(data / name)

    put("good.yaml", web)
    put("invalid.yaml", web + b"\nbodies: [oops\n")
    put("empty.yaml", b"")
    put("binary.bin", bytes(range(256)) * 64)
    put("bom2.yaml", b"\xef\xbb\xbf\xef\xbb\xbf" + web)
    put("latin1.yaml", "name: Caf\xe9\n".encode("latin-1"))
    put("huge.yaml", b"# a comment line that goes on\n" * 70_000)  # over GOVMAP_MAX_BYTES below
    put("empty.xlsx", b"")
    put("text.xlsx", b"just some text\n")
    put("users.toml", b"")
    put("bad-users.toml", b"[users.x\n")
    put("notes.md", b"# Notes\n\nThe North CSP reports to the County Board.\n")
    (data / "folder").mkdir()
    out["folder"] = str(data / "folder")
    os.symlink(data / "loop-b", data / "loop-a")
    os.symlink(data / "loop-a", data / "loop-b")
    out["loop"] = str(data / "loop-a")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.bind(str(data / "socket"))  # the file stays, and open() on it fails (ENXIO)
    out["socket"] = str(data / "socket")
    out["missing"] = str(data / "missing.yaml")
    out["relative"] = "../../data/good.yaml"
    out["output"] = "out/result.yaml"
    out["nul"] = "a\x00b.yaml"
    out["long"] = "x" * 5000
    return out


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Files]:
    tmp = tmp_path_factory.mktemp("cli-fuzz")
    paths = _files(tmp)
    cwd = tmp / "work" / "deep"  # "../.." stays inside tmp
    (cwd / "out").mkdir(parents=True)
    taken = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    taken.bind(("0.0.0.0", 0))  # every address: govmap serve can never listen on this port
    taken.listen(1)
    old = os.getcwd()
    os.chdir(cwd)
    try:
        made = [p for p in paths.values() if p.startswith(str(tmp)) and "loop" not in p and "socket" not in p]
        kept = {p: Path(p).read_bytes() for p in made if os.path.isfile(p)}
        yield Files(cwd, paths, taken.getsockname()[1], kept)
    finally:
        os.chdir(old)
        taken.close()
        shutil.rmtree(tmp, ignore_errors=True)


# -- the commands and what their options take --------------------------------------------------


def commands(
    group: click.Group = cli, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], click.Command]]:
    out = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            out += commands(command, (*prefix, name))
        else:
            out.append(((*prefix, name), command))
    return out


def values_for(param: click.Parameter, files: Files) -> list[str]:
    """Hostile values for one option or argument, from its type."""
    t = param.type
    if isinstance(t, click.Choice):
        return [str(c) for c in t.choices][:2] + ["NOT-A-CHOICE", "", "²"]
    if param.name == "port":  # govmap serve --port: a port it can listen on would serve for ever
        return port_values(files.port)
    if isinstance(t, click.IntRange | click.FloatRange):
        low, high = t.min, t.max
        # Never a large valid value (synth -n 500 would run for minutes): out of range, or the least.
        out = [str(low) if low is not None else "1"]
        out += [str(low - 1) if low is not None else "-1", str(high + 1) if high is not None else "1e9"]
        return out + NUMBERS[:5]
    if isinstance(t, click.types.IntParamType | click.types.FloatParamType):
        return ["1", *NUMBERS[:6]]
    if isinstance(t, click.DateTime):
        return DATES
    if isinstance(t, click.Path) or param.name in ("old", "new", "documents"):
        return list(files.paths.values())
    return TEXT


def base_args(path: tuple[str, ...], command: click.Command, files: Files) -> dict[str, list[str]]:
    """Each required parameter with an ordinary value (the register, a choice, a word)."""
    base: dict[str, list[str]] = {}
    for p in command.params:
        if not p.required:
            continue
        if isinstance(p.type, click.Choice):
            base[p.name or ""] = [str(p.type.choices[0])]
        elif isinstance(p.type, click.Path):
            base[p.name or ""] = [files.paths["good.yaml"]]
        else:
            base[p.name or ""] = ["x"]
    return base


def argv(
    path: tuple[str, ...], command: click.Command, chosen: dict[str, list[str]], files: Files
) -> list[str]:
    args: list[str] = [*path]
    positional: list[str] = []
    for p in command.params:
        if p.name not in chosen:
            continue
        for value in chosen[p.name or ""]:
            if isinstance(p, click.Argument):
                positional.append(value)
            elif isinstance(p, click.Option) and p.is_flag:
                if value:
                    args.append(p.opts[0])
            elif isinstance(p, click.Option):
                args += [p.opts[-1], value]
    if path == ("serve",):  # it must never listen: its port is always taken
        args += ["--port", str(files.port)] if "port" not in chosen else []
    return args + (["--", *positional] if positional else [])


# -- running one and judging it ---------------------------------------------------------------

ENV = {
    "NEO4J_URI": "bolt://127.0.0.1:1",
    "NEO4J_TIMEOUT": "0.5",
    "NEO4J_PASSWORD": "x",
    "GOVMAP_MAX_BYTES": "1000000",
    "GOVMAP_REGISTER": "",
    "GOVMAP_USERS": "",
}
USAGE_LINE = re.compile(r"^(Usage: |Try '|\s*$)")


def run(args: list[str], files: Files) -> Any:
    try:
        result = CliRunner().invoke(cli, args, input="pass-word\npass-word\n", env=ENV)
    finally:
        files.restore()
    judge(args, result)
    return result


def judge(args: list[str], result: Any) -> None:
    """An exit code from the table, no traceback, and when it fails: why, with one error line last."""
    shown = " ".join(a if len(a) < 80 else a[:40] + "…" for a in args)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"govmap {shown}: raised {result.exception!r}"
    )
    output = result.stdout + result.stderr
    assert "Traceback" not in output, f"govmap {shown}: a traceback\n{output[-3000:]}"
    assert result.exit_code in EXIT_CODES, f"govmap {shown}: exit {result.exit_code}"
    if result.exit_code != 0:
        said = [line for line in output.splitlines() if not USAGE_LINE.match(line)]
        assert said, f"govmap {shown}: exit {result.exit_code} without saying why"
        errors = [line for line in result.stderr.splitlines() if re.match(r"^(error|Error): ", line)]
        assert len(errors) <= 1, f"govmap {shown}: more than one error line\n{errors}"
        if errors:
            lines = [line for line in result.stderr.splitlines() if not USAGE_LINE.match(line)]
            assert lines[-1] == errors[0], f"govmap {shown}: the error is not the last line\n{lines[-3:]}"


# -- the sweep -------------------------------------------------------------------------------


def test_every_option_of_every_command_takes_hostile_values_with_an_exit_code_and_one_error_line(
    files: Files,
) -> None:
    ran = 0
    for k, (path, command) in enumerate(commands()):
        base = base_args(path, command, files)
        run(argv(path, command, base, files), files)
        for i, param in enumerate(command.params):
            values = values_for(param, files)
            for j in range(min(len(values), 5)):
                value = values[(k + i + j * 3) % len(values)]
                run(argv(path, command, {**base, param.name or "": [value]}, files), files)
                ran += 1
    assert ran > 100


def test_every_path_argument_meets_every_hostile_file(files: Files) -> None:
    """Missing, a folder, binary, huge, a symlink loop, a socket, invalid, empty, a NUL in its name."""
    for path, command in commands():
        base = base_args(path, command, files)
        for param in command.params:
            if isinstance(param.type, click.Path) and isinstance(param, click.Argument):
                for value in files.paths.values():
                    run(argv(path, command, {**base, param.name or "": [value]}, files), files)


# -- then random mixes ---------------------------------------------------------------------------


@fuzz_settings(60)
@given(data=st.data())
def test_random_mixes_of_options_never_give_a_traceback(files: Files, data: st.DataObject) -> None:
    path, command = data.draw(st.sampled_from(commands()))
    chosen = base_args(path, command, files)
    for param in (
        data.draw(st.lists(st.sampled_from(command.params), max_size=4, unique_by=lambda p: p.name))
        if command.params
        else []
    ):
        values = values_for(param, files)
        count = 2 if getattr(param, "multiple", False) else 1
        chosen[param.name or ""] = data.draw(st.lists(st.sampled_from(values), min_size=1, max_size=count))
    run(argv(path, command, chosen, files), files)


def test_the_fuzzer_reads_every_command_from_the_click_group() -> None:
    names = {" ".join(path) for path, _ in commands()}
    assert {
        "validate",
        "report",
        "import",
        "export",
        "load",
        "serve",
        "decide",
        "whatif",
        "user add",
    } <= names


def test_serve_is_never_given_a_port_it_could_listen_on(files: Files) -> None:
    """``serve --port 0`` (any free port) or ``--port ３`` (port 3, open to root) would serve for
    ever and hang the fuzzer; every value it draws for the port is refused or the taken one."""
    port = click.IntRange(0, 65535)
    accepted = []
    serve_port = next(p for p in cli.commands["serve"].params if p.name == "port")
    for value in values_for(serve_port, files):
        try:
            accepted.append(port.convert(value, None, None))
        except click.BadParameter:
            pass
    assert accepted == [files.port] * 3  # in ASCII, fullwidth and Arabic-Indic digits
