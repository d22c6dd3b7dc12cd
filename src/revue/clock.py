"""The curator's clock: every day in revue is a day of the curator's time zone.

Instants are stored as UTC, to the second (`models.iso`). A day — `--from`, `--week`, "today",
a review's range, the date `list` shows — is a day of the curator's zone (the config's
`timezone`, else the system's; revue.config resolves it). A range of days is queried as a range
of stored instants, from the zone's midnight that starts the first day to the one that ends
the last, converted to UTC: the store compares the column itself and keeps its index. A day
across a change of clocks lasts 23 or 25 hours.

Pure: the zone and the reading of "now" are given; nothing here looks at the machine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


def _stored(moment: dt.datetime) -> str:
    """`moment` as revue stores instants (models.iso): UTC, to the second."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def local_day(value: str | None, zone: dt.tzinfo, *, naive_is_utc: bool = True) -> dt.date | None:
    """The curator's day of an ISO date or datetime: an instant with an offset is converted to
    `zone`; a bare date is that day; a time without an offset is UTC (how revue stores
    instants) unless `naive_is_utc` is False (a page's own wall-clock time: its date as is).
    None when it does not parse."""
    if not value:
        return None
    text = value.strip()
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            return None
    if len(text) <= 10:  # a bare date: a day, not an instant
        return moment.date()
    if moment.tzinfo is None:
        if not naive_is_utc:
            return moment.date()
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        return moment.astimezone(zone).date()
    except OverflowError:  # 0001-01-01 or 9999-12-31 at the calendar's edge
        return moment.date()


def local_instant(value: str | None, zone: dt.tzinfo) -> str:
    """A stored instant as the wall-clock time of `zone` with its offset
    ("2026-12-13T21:05:00-05:00": the same instant, as the curator reads it); anything that
    is not an instant, as it is."""
    text = (value or "").strip()
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return value or ""
    if len(text) <= 10:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        return moment.astimezone(zone).isoformat(timespec="seconds")
    except OverflowError:
        return text


def day_start(day: dt.date, zone: dt.tzinfo) -> str | None:
    """The stored instant at which `day` begins in `zone` (its first moment when midnight is
    skipped by a change of clocks), or None when it lies outside the calendar."""
    try:
        return _stored(dt.datetime.combine(day, dt.time(), tzinfo=zone))
    except OverflowError:
        return None


def midday(day: dt.date, zone: dt.tzinfo) -> str:
    """The stored instant of noon on `day` in `zone`: a moment of that day, whatever its
    changes of clocks, for a record known only by its day (an imported review's items)."""
    return _stored(dt.datetime.combine(day, dt.time(12), tzinfo=zone))


def day_span(
    first: dt.date | None, last: dt.date | None, zone: dt.tzinfo
) -> tuple[str | None, str | None]:
    """The stored instants [since, before) of the days `first` to `last` (inclusive) in
    `zone`; an open end, or one past the calendar's edge, is None (no bound)."""
    since = day_start(first, zone) if first is not None else None
    before = None
    if last is not None:
        try:
            before = day_start(last + dt.timedelta(days=1), zone)
        except OverflowError:  # 9999-12-31: nothing comes after it
            before = None
    return since, before


@dataclass(frozen=True)
class Clock:
    """The time zone of the curator's days and how to read the current instant."""

    zone: dt.tzinfo
    now: Callable[[], dt.datetime]

    def today(self) -> dt.date:
        return self.now().astimezone(self.zone).date()

    def local(self, moment: dt.datetime) -> dt.datetime:
        """An aware instant as the curator's wall-clock time (with its offset)."""
        return moment.astimezone(self.zone)

    def day_of(self, value: str | None) -> dt.date | None:
        """The curator's day of a stored instant (`added_at`, `composed_at`)."""
        return local_day(value, self.zone)

    def day_text(self, value: str | None) -> str:
        """`day_of` as YYYY-MM-DD, or the value as stored when it is not a date."""
        day = self.day_of(value)
        return day.isoformat() if day else (value or "")[:10]

    def instant_text(self, value: str | None) -> str:
        return local_instant(value, self.zone)

    def span(self, first: dt.date | None, last: dt.date | None) -> tuple[str | None, str | None]:
        return day_span(first, last, self.zone)
