"""The YAML store: edits, their checks, audit, atomic files, dump and the decisions file."""
