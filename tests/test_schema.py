"""The published JSON Schema matches the model, and the seed register meets it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from govmap.ingest.schema import schema_json

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_schema_is_up_to_date_with_the_model():
    shipped = (ROOT / "data" / "boards.schema.json").read_text(encoding="utf-8")
    assert shipped == schema_json(), "run: govmap schema -o data/boards.schema.json"


def test_seed_register_validates_against_the_json_schema(seed_path):
    data = yaml.safe_load(seed_path.read_text(encoding="utf-8"))
    data = json.loads(json.dumps(data, default=str))  # dates as ISO text, as an editor sees them
    jsonschema.Draft202012Validator(json.loads(schema_json())).validate(data)
