"""How many examples a property test runs: a bounded count in CI, more on demand.

`NES_ASISTAN_EXAMPLES=1200 .venv/bin/pytest tests/unit/flow/test_loader_fuzz.py` runs
every property test that uses `examples()` with 1,200 examples instead of its CI count.
It is the one count for every property test (the loader and socket fuzzers, the typing
into every prompt of tests/unit/agent/test_every_prompt.py); walk counts are separate.
"""

from __future__ import annotations

import os

ENVIRONMENT = "NES_ASISTAN_EXAMPLES"


def examples(ci: int) -> int:
    """The example count: `NES_ASISTAN_EXAMPLES` when set, else `ci`."""
    configured = os.environ.get(ENVIRONMENT, "").strip()
    return int(configured) if configured.isdigit() and int(configured) > 0 else ci
