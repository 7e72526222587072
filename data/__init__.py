"""Data shipped with govmap: the seed register, the statutory rules, the JSON Schema."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
