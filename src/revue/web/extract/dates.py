"""Dates as pages write them -> ISO 8601: ISO and RFC 2822 stamps, epoch numbers,
numeric dates (day first with dots; with slashes, the page's language decides: month first in
US English and where no language is said, unless it cannot be, else day first), dates in
words in 21 languages (month names from Babel, see monthnames.py), CJK dates, URL paths."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from typing import Any

from revue.monthnames import MONTHS
from revue.sanitize import unaccented
from revue.urls import date_in_url

_ISO_RE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*"
    r"(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?"
)
_SLASH_RE = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
# A sentence's full stop may follow: "am 3.8.2015."
_NUMERIC_DATE_RE = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?![\d/-]|\.\d)")
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?(Z|[+-]\d{4})?$")
# A date in words: "5 juillet 2017", "July 5, 2017", "5. Juli 2017", "5 de julio de 2017".
_WORD_DATE_RE = re.compile(
    r"(?:(\d{1,2})(?:er|st|nd|rd|th|º|°)?\.?\s+(?:de\s+)?([^\W\d_]{3,12})\.?,?\s+(?:de\s+)?"
    r"(\d{4}))"
    r"|(?:([^\W\d_]{3,12})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4}))"
)
_AM_PM_RE = re.compile(r"\d\s*[ap]\.?m\b", re.IGNORECASE)
# "2017年7月5日" (Chinese, Japanese), "2017년 7월 5일" (Korean).
_CJK_DATE_RE = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]")


def _month_number(word: str) -> int | None:
    key = unaccented(word.lower())
    return MONTHS.get(key) or (MONTHS.get(key[:3]) if len(key) > 3 else None)


def _tz(text: str | None) -> dt.tzinfo | None:
    if text is None:
        return None
    if text in ("Z", "z", "UTC", "GMT"):
        return dt.UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:4]) if len(digits) >= 4 else 0
    if hours > 18 or minutes > 59:
        return None
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def iso_date(y: int, mo: int, d: int, h: int | None = None, mi: int = 0, s: int = 0,
         tz: dt.tzinfo | None = None) -> str | None:  # fmt: skip
    if not 1900 <= y <= 2200:
        return None
    try:
        if h is None:
            return dt.date(y, mo, d).isoformat()
        return dt.datetime(y, mo, d, h, mi, s, tzinfo=tz).isoformat()
    except ValueError:
        return None


def _iso_from_match(m: re.Match[str]) -> str | None:
    """ISO text from a date match: groups year, month, day[, hour, minute, second, zone]."""
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if m.group(4) is None:
        return iso_date(y, mo, d)
    return iso_date(
        y, mo, d, int(m.group(4)), int(m.group(5)), int(m.group(6) or 0), _tz(m.group(7))
    )


# Where `03/08/2015` is March 8th: the US and the few countries that write as it does.
_MONTH_FIRST = frozenset({"en", "en-us", "en-ph", "en-um", "en-as", "en-gu", "en-pr", "en-vi",
                          "es-us", "fil", "fil-ph"})  # fmt: skip


def writes_month_first(lang: str | None) -> bool:
    """Does a page in `lang` (BCP 47) write `03/08/2015` month first? Unsaid: yes, the
    order most of the web's English pages use."""
    return not lang or lang.lower() in _MONTH_FIRST


def norm_date(value: Any, month_first: bool = True) -> str | None:
    """An ISO 8601 date or datetime from the many spellings pages use, or None.
    `month_first`: how a page's `03/08/2015` reads (see `writes_month_first`); dots and dashes
    are always day first."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value))
    if not isinstance(value, str):
        return None
    text = value.strip()[:80]
    if not text:
        return None
    m = _ISO_RE.search(text)
    if m:
        return _iso_from_match(m)
    if text.isdigit() and len(text) in (10, 13):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        try:
            stamp = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
        return stamp.isoformat() if 1990 <= stamp.year <= 2200 else None
    m = _COMPACT_RE.match(text)
    if m:
        return _iso_from_match(m)
    parsed = None
    if not _AM_PM_RE.search(text):  # the RFC 2822 parser would read "4:30 PM" as 04:30
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            parsed = None
    if parsed is not None and 1900 <= parsed.year <= 2200:
        return parsed.isoformat()
    m = _SLASH_RE.search(text)
    if m:
        return iso_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _NUMERIC_DATE_RE.search(text)
    if m:
        first, second, number_year = int(m.group(1)), int(m.group(3)), int(m.group(4))
        # "08.11.2023" is day first (German, French...); "11/08/2023" month first as in
        # the US, unless the first number cannot be a month.
        if m.group(2) in ".-" or first > 12 or (not month_first and second <= 12):
            return iso_date(number_year, second, first)
        return iso_date(number_year, first, second)
    for m in _WORD_DATE_RE.finditer(text):
        if m.group(1):
            day, month, year = m.group(1), m.group(2), m.group(3)
        else:
            month, day, year = m.group(4), m.group(5), m.group(6)
        num = _month_number(month)
        if num:
            return iso_date(int(year), num, int(day))
    m = _CJK_DATE_RE.search(text)
    if m:
        return iso_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return None


def _instant(iso: str) -> float:
    """Seconds since the epoch of an ISO date or datetime (a bare date or time is UTC)."""
    try:
        value = dt.datetime.fromisoformat(iso)
    except ValueError:
        return 0.0
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.timestamp()


def page_date(first: str | None, modified: str | None) -> str | None:
    """The page's date: its declared update, unless there is none or it predates the
    publication (a CMS default, a typo)."""
    if not modified:
        return first
    if first and _instant(modified) < _instant(first):
        return first
    return modified


def date_from_url(url: str) -> str | None:
    day = date_in_url(url)
    return day.isoformat() if day else None
