"""Dates and times as British readers write them, whatever the computer's locale.

`%B` in strftime follows the locale, and Qt sets the locale from the environment when the
app starts, so a Welsh or French desktop would print "21 Tachwedd 2026" in an English
notice.  The month names are spelt out here instead.  Stored times are naive UTC
(db.models.utc_now); they are shown in the computer's own time zone.
"""

from __future__ import annotations

import calendar
import datetime as dt

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def british_date(day: dt.date) -> str:
    """21 November 2026."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def local_time(stored: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time in the computer's time zone."""
    return stored.replace(tzinfo=dt.UTC).astimezone()


def local_date(stored: dt.datetime) -> dt.date:
    """The day a stored (naive UTC) time fell on where the user is."""
    return local_time(stored).date()


def british_datetime(stored: dt.datetime) -> str:
    """A stored (naive UTC) time as 21 November 2026 14:05, local time."""
    moment = local_time(stored)
    return f"{british_date(moment.date())} {moment:%H:%M}"


# An activity is reviewed once a year unless the DPO chooses another date.
REVIEW_INTERVAL_MONTHS = 12

# A review is "due" this many days before its date (and "overdue" after it).
DUE_SOON_DAYS = 30


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; 29 February becomes 28 February in a common year."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_next_review(reviewed_on: dt.date) -> dt.date:
    return add_months(reviewed_on, REVIEW_INTERVAL_MONTHS)
