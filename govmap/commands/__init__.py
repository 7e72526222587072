"""``govmap`` commands, one module per area; :mod:`govmap.cli` attaches every command listed here.

A new area adds a module here (its commands parse options, call the library and print, as
in :mod:`govmap.cli`) and one line to :data:`COMMANDS`.  Shared pieces (exit codes,
``register_argument``, the error funnel) come from :mod:`govmap.cliutil`.
"""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []

from govmap.commands import review  # noqa: E402 - the module list follows the list it joins

COMMANDS += review.COMMANDS

from govmap.commands import users  # noqa: E402

COMMANDS += users.COMMANDS

from govmap.commands import data, importing  # noqa: E402

COMMANDS += data.COMMANDS + importing.COMMANDS

from govmap.commands import register, report, serve, store  # noqa: E402

COMMANDS += register.COMMANDS + report.COMMANDS + store.COMMANDS + serve.COMMANDS

from govmap.commands import extract  # noqa: E402

COMMANDS += extract.COMMANDS
