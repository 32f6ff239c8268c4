"""When a signed revocation answer (OCSP response or CRL) may still be believed.

One rule for both, so the cache, OCSP and CRL never disagree about "too old".
"""

from __future__ import annotations

import datetime as dt

CLOCK_SKEW = dt.timedelta(minutes=5)
"""Tolerance for the user's clock against the CA's (laptop clocks drift)."""
MAX_AGE_WITHOUT_NEXT_UPDATE = dt.timedelta(days=1)
"""An answer with no nextUpdate is believed only this long after its thisUpdate."""


def stale_reason(
    this_update: dt.datetime, next_update: dt.datetime | None, now: dt.datetime
) -> str | None:
    """Why the answer is not fresh at `now`, or None when it is."""
    if this_update > now + CLOCK_SKEW:
        return "thisUpdate in the future"
    if next_update is not None and next_update < now - CLOCK_SKEW:
        return "nextUpdate passed"
    if next_update is None and this_update < now - MAX_AGE_WITHOUT_NEXT_UPDATE:
        return "old thisUpdate, no nextUpdate"
    return None
