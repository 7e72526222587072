"""What the fuzzers share: a fixed budget of hypothesis examples (``GOVMAP_FUZZ_EXAMPLES`` raises
it for a long hunt; CI runs them derandomized, see tests/conftest.py)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings


def fuzz_settings(examples: int) -> settings:
    """``examples`` hypothesis examples, no deadline (a request is as slow as the machine), no
    example database (every run starts from the same budget)."""
    return settings(
        max_examples=int(os.environ.get("GOVMAP_FUZZ_EXAMPLES", str(examples))),
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
        database=None,
    )
