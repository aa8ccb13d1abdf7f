"""British dates do not depend on the computer's locale or time zone rules."""

from __future__ import annotations

import datetime as dt
import locale
import os
import time

import pytest

from ropa.dates import british_date, british_datetime, local_date


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (dt.date(2026, 11, 21), "21 November 2026"),
        (dt.date(2027, 1, 1), "1 January 2027"),
        (dt.date(2024, 2, 29), "29 February 2024"),
    ],
)
def test_british_date(day: dt.date, text: str) -> None:
    assert british_date(day) == text


def test_month_names_stay_english_under_another_locale() -> None:
    previous = locale.setlocale(locale.LC_TIME)
    for candidate in ("fr_FR.UTF-8", "cy_GB.UTF-8", "de_DE.UTF-8"):
        try:
            locale.setlocale(locale.LC_TIME, candidate)
        except locale.Error:
            continue
        try:
            assert british_date(dt.date(2026, 11, 21)) == "21 November 2026"
        finally:
            locale.setlocale(locale.LC_TIME, previous)
        return
    message = "no other locale is installed on this machine"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (.ci/run makes fr_FR.UTF-8; CI must run this test)")
    pytest.skip(message)


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="time.tzset is POSIX only")
def test_stored_utc_times_are_shown_in_uk_local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    try:
        summer = dt.datetime(2026, 7, 1, 23, 30)  # naive UTC: 00:30 BST the next day
        assert local_date(summer) == dt.date(2026, 7, 2)
        assert british_datetime(summer) == "2 July 2026 00:30"
        winter = dt.datetime(2026, 11, 21, 23, 30)  # GMT: the same day
        assert british_datetime(winter) == "21 November 2026 23:30"
    finally:
        monkeypatch.undo()
        time.tzset()
