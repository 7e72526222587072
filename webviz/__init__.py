"""The web front end: explore the map, read the report, update the register.

>>> from govmap.webviz import create_app
>>> app = create_app({"GOVMAP_REGISTER": "data/boards.yaml", "SECRET_KEY": "x"})
>>> app.test_client().get("/").status_code
200

Settings (environment variables, or keys of ``config``) are listed in
:mod:`govmap.webviz.config` and docs/web.md.  Pass ``GOVMAP_STORE`` (an object
with ``load``, ``apply`` and ``history``: see :class:`govmap.ingest.store.yamlstore.Store`)
to serve a register kept somewhere other than a YAML file, such as Neo4j.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from govmap.ingest.store.yamlstore import Store, YamlStore

from . import auth, config, errors, security, state

csrf = CSRFProtect()


def safe_url(url: str | None) -> str | None:
    """A register URL fit for an ``href``: http(s) only, so ``javascript:`` never becomes a link."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def create_app(config_map: Mapping[str, Any] | None = None) -> Flask:
    """The Flask application: configure, open the store, register blueprints."""
    app = Flask(__name__)
    app.config.update(config.settle(config_map))
    app.jinja_env.autoescape = True  # every template, whatever its extension
    app.jinja_env.filters["safe_url"] = safe_url

    store: Store = app.config.get("GOVMAP_STORE") or YamlStore(app.config["GOVMAP_REGISTER"])
    app.extensions["govmap.store"] = store
    app.extensions["govmap.snapshots"] = state.Snapshots(store)

    csrf.init_app(app)
    security.init_app(app)
    auth.init_app(app)
    errors.init_app(app)

    from .views import accessibility, api, coverage, delivery, edit, entities, history, paths, report
    from .views import map as map_view

    for module in (map_view, entities, paths, report, delivery, coverage, edit, history, api):
        app.register_blueprint(module.bp)
    app.register_blueprint(accessibility.bp)
    from .views import changes, decisions, whatif  # the review cycle (docs/review.md)

    for module in (changes, decisions, whatif):
        app.register_blueprint(module.bp)
    from .views import extract  # documents -> proposals -> the register (issue 28)

    app.register_blueprint(extract.bp)
    app.register_blueprint(auth.bp)

    @app.context_processor
    def _globals() -> dict[str, Any]:
        from govmap.ingest.model import field_status_of

        return {
            "store_label": security.store_label(),
            "store_read_only": bool(getattr(store, "read_only", False)),
            "field_status": field_status_of,  # a field's own status, on a record's page
        }

    return app


__all__ = ["create_app"]
