"""YAML text -> validated :class:`Register`.  Knows nothing of graphs or the web."""

from govmap.ingest.reading.load import check_register, check_text, default_register_path, load_register, loads

from .errors import GovmapError, Problem, RegisterError, RegisterInvalid, Span
from .model import Register

__all__ = [
    "GovmapError",
    "Problem",
    "Register",
    "RegisterError",
    "RegisterInvalid",
    "Span",
    "check_register",
    "check_text",
    "default_register_path",
    "load_register",
    "loads",
]
