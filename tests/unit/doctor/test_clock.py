"""Clock sanity: network time first, then the release date, then the certificate's start."""

from __future__ import annotations

import datetime as dt

from assistant.doctor.checks import Doctor
from assistant.doctor.clock import RELEASED, ClockVerdict, http_date, judge_clock
from assistant.doctor.findings import Status

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def test_a_right_clock_is_ok() -> None:
    judgement = judge_clock(NOW, network_time=NOW + dt.timedelta(seconds=40), certificate_start=NOW)
    assert judgement.verdict is ClockVerdict.OK
    assert judgement.skew_seconds == -40


def test_network_time_catches_small_and_large_skew_both_ways() -> None:
    for offset in (dt.timedelta(minutes=-20), dt.timedelta(days=400)):
        judgement = judge_clock(NOW, network_time=NOW - offset)
        assert judgement.verdict is ClockVerdict.SKEWED
        assert judgement.skew_seconds == int(offset.total_seconds())


def test_signed_ocsp_time_only_shows_a_clock_that_is_behind() -> None:
    # A pre-produced OCSP answer may be hours old: that is not our clock being ahead.
    assert judge_clock(NOW, signed_time=NOW - dt.timedelta(hours=6)).verdict is ClockVerdict.OK
    behind = judge_clock(NOW, signed_time=NOW + dt.timedelta(hours=2))
    assert behind.verdict is ClockVerdict.SKEWED
    assert behind.skew_seconds == -7200


def test_a_clock_before_the_release_or_years_before_the_certificate() -> None:
    dead_battery = dt.datetime(2019, 1, 1, tzinfo=dt.UTC)
    assert judge_clock(dead_battery).verdict is ClockVerdict.BEFORE_RELEASE
    issued = RELEASED + dt.timedelta(days=700)
    later = RELEASED + dt.timedelta(days=10)
    assert judge_clock(later, certificate_start=issued).verdict is ClockVerdict.BEFORE_CERTIFICATE
    # A renewed certificate starting within the renewal window is normal.
    soon = later + dt.timedelta(days=90)
    assert judge_clock(later, certificate_start=soon).verdict is ClockVerdict.OK


def test_http_date_header() -> None:
    assert http_date("Wed, 25 Nov 2026 12:00:00 GMT") == NOW
    assert http_date(None) is None
    assert http_date("yesterday") is None


def test_clock_check_words_a_dead_battery_as_a_warning_with_the_fix() -> None:
    doctor = Doctor(environ={}, now=lambda: dt.datetime(2020, 3, 1, tzinfo=dt.UTC))
    finding = doctor.check_clock()
    assert (finding.result, finding.status, finding.fix) == (
        "before_release",
        Status.WARN,
        "set_clock",
    )
    assert finding.facts["now"] == "2020-03-01T00:00+00:00"
    assert Doctor(environ={}, now=lambda: NOW).check_clock().status is Status.OK
