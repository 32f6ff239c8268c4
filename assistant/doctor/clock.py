"""Is the computer's clock plausible? A wrong clock breaks every validity check.

A laptop whose CMOS battery died wakes up in an old year: the NES certificate is then
"not yet valid", OCSP answers look "from the future", and the user is told their card is
broken. Three clues, strongest first: a time the network told us (the HTTP Date header or
the CA's signed OCSP thisUpdate), the release of this program (it cannot run before it
was made), and the signing certificate's start date (the card was issued after it).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import enum
from dataclasses import dataclass

from assistant.pki.freshness import CLOCK_SKEW

RELEASED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
"""No earlier than this version's release: bump it with each release."""
CERTIFICATE_LEAD = dt.timedelta(days=180)
"""A renewed certificate may start up to three months ahead; far more means a wrong clock."""


class ClockVerdict(enum.StrEnum):
    OK = "ok"
    SKEWED = "skewed"
    """Differs from the network's time by more than the revocation checks tolerate."""
    BEFORE_RELEASE = "before_release"
    BEFORE_CERTIFICATE = "before_certificate"


@dataclass(frozen=True)
class ClockJudgement:
    verdict: ClockVerdict
    skew_seconds: int | None
    """Local clock minus the network's time (negative: the computer is behind)."""


def http_date(value: str | None) -> dt.datetime | None:
    """An HTTP Date header as an aware datetime; None when absent or malformed."""
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def judge_clock(
    now: dt.datetime,
    *,
    network_time: dt.datetime | None = None,
    signed_time: dt.datetime | None = None,
    certificate_start: dt.datetime | None = None,
) -> ClockJudgement:
    """`network_time` (HTTP Date) can show the clock ahead or behind; `signed_time` (an
    OCSP thisUpdate, which may be pre-produced) only that the clock is behind it."""
    if network_time is not None:
        skew = now - network_time
        seconds = int(skew.total_seconds())
        if abs(skew) > CLOCK_SKEW:
            return ClockJudgement(ClockVerdict.SKEWED, seconds)
    elif signed_time is not None and now < signed_time - CLOCK_SKEW:
        return ClockJudgement(ClockVerdict.SKEWED, int((now - signed_time).total_seconds()))
    else:
        seconds = None
    if now < RELEASED:
        return ClockJudgement(ClockVerdict.BEFORE_RELEASE, seconds)
    if certificate_start is not None and now < certificate_start - CERTIFICATE_LEAD:
        return ClockJudgement(ClockVerdict.BEFORE_CERTIFICATE, seconds)
    return ClockJudgement(ClockVerdict.OK, seconds)
