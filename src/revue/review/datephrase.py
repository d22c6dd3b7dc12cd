"""The date phrase and title of a review: "du 12 mars au 19 mars".

Pure: no I/O, no clock. Month names come from Babel's CLDR data, not from a hand table; the
phrase grammar (which parts to repeat, "1er", "et" for two consecutive days) is French and
English usage, written here.

Rules, in French (English in brackets):

- one day: "8 septembre" ["September 8"]
- two consecutive days: "7 et 8 novembre" ["November 7 and 8"]; across months
  "31 octobre et 1er novembre" ["October 31 and November 1"]
- a longer range: "12 mars au 19 mars" ["March 12 to March 19"], "28 février au 6 mars"
- a range across years names both years: "28 décembre 2023 au 3 janvier 2024"
  ["December 28, 2023 to January 3, 2024"]
- French writes the first of a month "1er" ("1er mars").

Only the languages "fr" and "en" are supported (a region such as "fr-CA" or "en_US" is
accepted and only its language is used); any other raises ValueError.
"""

from __future__ import annotations

import datetime as dt
import re

from revue.monthnames import WIDE

__all__ = ["DEFAULT_PREFIXES", "date_phrase", "iso_week", "review_title"]

_ISO_WEEK = re.compile(r"(\d{4})-?W(\d{1,2})", re.IGNORECASE)


def iso_week(value: str) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of an ISO week written "2024-W11" (or "2024W11"); ValueError for
    anything else, a week 53 included in a year that has none."""
    match = _ISO_WEEK.fullmatch(value.strip())
    if not match:
        raise ValueError("not an ISO week (YYYY-Www, e.g. 2024-W11)")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        monday = dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{year} has no week {week}") from None
    if monday > dt.date.max - dt.timedelta(days=6):
        raise ValueError(f"week {week} of {year} ends after the year 9999")
    return monday, monday + dt.timedelta(days=6)


DEFAULT_PREFIXES = {
    "fr": "Revue de presse marketing/techno",
    "en": "Marketing/tech press review",
}


def _language(lang: str) -> str:
    """The primary language subtag of `lang`, lower case; ValueError unless fr or en."""
    primary = lang.replace("_", "-").split("-", 1)[0].strip().lower()
    if primary not in DEFAULT_PREFIXES:
        raise ValueError(f"unsupported language for the date phrase: {lang!r} (use fr or en)")
    return primary


def _month(day: dt.date, lang: str) -> str:
    return WIDE[lang][day.month - 1]


def _day_fr(day: dt.date, *, month: bool = True, year: bool = False) -> str:
    number = "1er" if day.day == 1 else str(day.day)
    if not month:
        return number
    text = f"{number} {_month(day, 'fr')}"
    return f"{text} {day.year}" if year else text


def _day_en(day: dt.date, *, year: bool = False) -> str:
    text = f"{_month(day, 'en')} {day.day}"
    return f"{text}, {day.year}" if year else text


def day_phrase(day: dt.date, lang: str = "fr") -> str:
    """One day with its year, as the titles write it: "1er mars 2025", "March 1, 2025"."""
    return _day_fr(day, year=True) if _language(lang) == "fr" else _day_en(day, year=True)


def date_phrase(start: dt.date, end: dt.date, lang: str = "fr") -> str:
    """The phrase naming the range `start`..`end` (both included), without "du"/"from".

    Raises ValueError if `end` is before `start` or the language is not fr or en.
    """
    if end < start:
        raise ValueError(
            f"the range ends ({end.isoformat()}) before it starts ({start.isoformat()})"
        )
    language = _language(lang)
    years = start.year != end.year
    consecutive = (end - start).days == 1
    if language == "fr":
        if start == end:
            return _day_fr(start)
        if consecutive and not years and start.month == end.month:
            return f"{_day_fr(start, month=False)} et {_day_fr(end)}"
        joiner = " et " if consecutive else " au "
        return f"{_day_fr(start, year=years)}{joiner}{_day_fr(end, year=years)}"
    if start == end:
        return _day_en(start)
    if consecutive and not years and start.month == end.month:
        return f"{_day_en(start)} and {end.day}"
    joiner = " and " if consecutive else " to "
    return f"{_day_en(start, year=years)}{joiner}{_day_en(end, year=years)}"


def review_title(
    start: dt.date,
    end: dt.date,
    *,
    lang: str = "fr",
    prefix: str | None = None,
    suffix: str | None = None,
) -> str:
    """The review's title: prefix, date phrase, then `suffix` after a space.

    French: "Revue de presse marketing/techno du 12 mars au 19 mars"; English:
    "Marketing/tech press review, March 12 to March 19". `prefix` None means the default
    prefix of the language; an empty prefix leaves the phrase alone ("Du 12 mars au 19 mars",
    "March 12 to March 19"). Whitespace in prefix and suffix is collapsed so a title is one line.
    Raises ValueError if `end` is before `start` or the language is not fr or en.
    """
    language = _language(lang)
    phrase = date_phrase(start, end, language)
    head = " ".join((DEFAULT_PREFIXES[language] if prefix is None else prefix).split())
    if language == "fr":
        title = f"{head} du {phrase}" if head else f"Du {phrase}"
    else:
        title = f"{head}, {phrase}" if head else phrase
    tail = " ".join((suffix or "").split())
    return f"{title} {tail}" if tail else title
