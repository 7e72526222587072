"""The accessibility statement, as public-sector sites publish one."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("accessibility", __name__)


@bp.get("/accessibility")
def statement() -> str:
    return render_template("accessibility.html")
