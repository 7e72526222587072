"""Running the ``govmap`` command in-process from a given folder, as a reviewer would from theirs."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner, Result

from govmap.cli import cli


def run_in(cwd: Path, *args: str) -> Result:
    """``govmap ARGS`` run in ``cwd`` (relative paths, git revisions and decision files resolve there)."""
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, list(args))
    finally:
        os.chdir(old)
