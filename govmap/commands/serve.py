"""``govmap serve``: the web app (docs/web.md)."""

from __future__ import annotations

import socket

import click

from govmap.cliutil import neo4j_option, register_argument, timeout_option
from govmap.ingest.reading.load import default_register_path


@click.command()
@register_argument
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=5000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port).",
)
@click.option("--threads", default=8, show_default=True, type=int, help="Worker threads.")
@neo4j_option
@timeout_option
def serve(
    register: str | None, host: str, port: int, threads: int, neo4j_uri: str | None, timeout: float | None
) -> None:
    """Serve the map, the report and the register editor (waitress). See docs/web.md.

    The store is the YAML register, or Neo4j with --neo4j URI (or with
    $NEO4J_URI set and no REGISTER given); with --neo4j, REGISTER is the
    register file the team keeps in git, which the Changes page compares with.
    """
    import os

    from waitress.server import create_server

    from govmap.ingest.store.yamlstore import Store, YamlStore
    from govmap.webviz import create_app
    from govmap.webviz.config import quiet_waitress
    from govmap.webviz.state import loads_quickly, start

    store: Store
    if neo4j_uri or (register is None and os.environ.get("NEO4J_URI")):
        from govmap.graph.neo4j import Neo4jSettings
        from govmap.graph.neo4j.editing import Neo4jStore

        # REGISTER beside --neo4j: the file the team keeps in git, which the Changes page compares.
        store = Neo4jStore(Neo4jSettings.from_env(neo4j_uri, timeout), register_file=register)
    else:
        store = YamlStore(register or default_register_path())
    app = create_app({"GOVMAP_STORE": store})
    quiet_waitress()
    # A small register is loaded now (a broken one stops here, with its own message); a large
    # one after listening, pages saying it is being loaded (docs/web.md: "A large register file").
    in_background = not loads_quickly(store, app.config["GOVMAP_LOAD_NOW_BYTES"])
    if not in_background:
        store.load()
    if threads < 1:
        raise click.BadParameter(
            f"{threads} is not a number of threads: give 1 or more", param_hint="--threads"
        )
    try:
        _can_listen(host, port)  # before waitress, which leaves sockets open when it cannot
        # Listening from here on; the background work (layout, report) starts only once this
        # worked, so a port in use stops the command before it computes anything.
        server = create_server(app, host=host, port=port, threads=threads)
    except socket.gaierror:
        raise click.BadParameter(
            f"'{host}' is not an address this machine has", param_hint="--host"
        ) from None
    except OSError as exc:
        raise click.UsageError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}; pick another with --port"
        ) from None
    except ValueError:
        raise click.BadParameter(
            f"'{host}' is not an address this machine has", param_hint="--host"
        ) from None
    start(app)
    read_only = (
        "  [read-only: the database refuses writes, editing is off]"
        if getattr(store, "read_only", False)
        else ""
    )
    click.echo(
        f"govmap: serving {store.label}{read_only} at http://{host}:{server.effective_port}/  (Ctrl+C to stop)"
    )
    if in_background:
        click.echo("govmap: loading the register in the background; pages say so until it is loaded")
    server.run()


def _can_listen(host: str, port: int) -> None:
    """Raise the ``OSError`` that listening on ``host:port`` would (a port in use, an address this
    machine does not have), from a socket opened and closed here."""
    for family, kind, proto, _, address in socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM):
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress does
            probe.bind(address)
        return


COMMANDS: list[click.Command] = [serve]
