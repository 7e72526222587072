"""Shared fixtures: registers built in code or read from tests/registers/."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "boards.yaml"
REGISTERS = Path(__file__).resolve().parent / "registers"


@pytest.fixture
def seed_path() -> Path:
    return SEED


@pytest.fixture
def write_register(tmp_path: Path) -> Callable[[str], Path]:
    """Write dedented YAML text to a file and return its path."""

    def write(text: str, name: str = "boards.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write
