"""The register's JSON Schema, generated from the model (never written by hand).

Editors such as VS Code (with the YAML extension) use it for completion and
checks while a reviewer types: add ``# yaml-language-server: $schema=boards.schema.json``
at the top of a register.  ``data/boards.schema.json`` is this output; a test
fails when it falls behind the model.
"""

from __future__ import annotations

import json
from typing import Any

from .model import Register

SCHEMA_ID = "https://govmap.invalid/schema/register-1.json"


def register_schema() -> dict[str, Any]:
    schema = Register.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "govmap partnership register"
    return schema


def schema_json() -> str:
    return json.dumps(register_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
