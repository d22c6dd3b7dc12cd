"""Past reviews written as plain text: their links, and the days they covered read from
their headers (French or English) and the dates in their URLs."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from revue.clock import midday
from revue.formats.imports.links import _URL_IN_TEXT
from revue.formats.imports.records import (
    MAX_TEXT,
    MAX_TITLE,
    ImportRecord,
    ImportResult,
    ReviewRef,
    _clip,
    _collapsed,
    _tags,
)
from revue.monthnames import WIDE
from revue.sanitize import unaccented
from revue.urls import date_in_url


def _names(lang: str) -> dict[str, int]:
    """A language's month names (monthnames.WIDE), lower case, with and without accents."""
    names = [name.lower() for name in WIDE[lang]]
    return {
        **{name: n for n, name in enumerate(names, start=1)},
        **{unaccented(name): n for n, name in enumerate(names, start=1)},
    }


_MONTHS_FR = _names("fr")


_MONTHS_EN = _names("en")


_FR_MONTH = "|".join(sorted(_MONTHS_FR, key=len, reverse=True))


_EN_MONTH = "|".join(_MONTHS_EN)


# A year is every digit written ("10000" is not read as 1000); `_year` bounds it.
_FR_DAY = rf"(\d{{1,2}})(?:er)?\s+({_FR_MONTH})(?:\s+(\d{{4,}}))?"


_FR_RANGE = re.compile(
    rf"\bdu\s+(?:(\d{{1,2}})(?:er)?\s+(?:et|au)\s+)?{_FR_DAY}"
    rf"(?:\s+(?:au|et)\s+{_FR_DAY})?",
    re.IGNORECASE,
)


_EN_DAY = rf"({_EN_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4,}}))?"


_EN_RANGE = re.compile(rf"{_EN_DAY}(?:\s*(?:to|-|–|and)\s*{_EN_DAY})?", re.IGNORECASE)


_HEADER_LINE = re.compile(r"^\s*(revue de presse\b|.*\bpress review\b)", re.IGNORECASE)


# (month, day, year or None) pairs for the start and the end of a review.
_Day = tuple[int, int, int | None]


def _year(digits: str | None) -> int | None:
    """A year as written; past the calendar's (a long run of digits) as 10000, which no date
    takes, rather than converting thousands of digits."""
    if not digits:
        return None
    return int(digits) if len(digits) <= 4 else 10_000


def _header_days(line: str) -> tuple[_Day, _Day] | None:
    match = _FR_RANGE.search(line)
    if match:
        first_day, d1, m1, y1, d2, m2, y2 = match.groups()
        start: _Day = (_MONTHS_FR[m1.lower()], int(d1), _year(y1))
        if d2:  # "du 12 mars au 19 mars"
            end: _Day = (_MONTHS_FR[m2.lower()], int(d2), _year(y2))
            return start, end
        if first_day:  # "du 7 et 8 novembre": the month is written once, after the second day
            return (start[0], int(first_day), start[2]), start
        return start, start
    if not re.search(r"press review", line, re.IGNORECASE):
        return None
    match = _EN_RANGE.search(line)
    if not match:
        return None
    m1, d1, y1, m2, d2, y2 = match.groups()
    start = (_MONTHS_EN[m1.lower()], int(d1), _year(y1))
    if m2:
        return start, (_MONTHS_EN[m2.lower()], int(d2), _year(y2))
    return start, start


def _url_dates(urls: Iterable[str]) -> list[dt.date]:
    return [day for day in map(date_in_url, urls) if day is not None]


def _make_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


_URL_EVIDENCE_DAYS = 45  # a weekly review links recent pages; an older date proves nothing


def _nearest_end(latest: dt.date, month: int, day: int) -> tuple[int, int] | None:
    """(distance in days, year) of the `month`/`day` closest to `latest`, a year either way."""
    candidates = [
        (abs((end - latest).days), end.year)
        for y in (latest.year - 1, latest.year, latest.year + 1)
        if (end := _make_date(y, month, day)) is not None
    ]
    return min(candidates) if candidates else None


def _resolve_dates(
    days: tuple[_Day, _Day] | None, year: int | None, urls: list[str]
) -> tuple[dt.date | None, dt.date | None]:
    """Dates of a review header: years written in it, else the year closest to the dates in
    its items' URLs (`/2023-11-06/`), else `year`, else unknown. `year` is a fallback: one
    file holds reviews of several years, and a URL's date says which one each is; a URL date
    far from the header's day and month (an old article linked again) is no evidence when
    `year` is given. ValueError when a day written is not in the calendar (31 February, the
    year 10000): the review is then undated, never half dated."""
    if days is None:
        return None, None
    (m1, d1, y1), (m2, d2, y2) = days
    end_year = y2 or y1
    if end_year is None:
        dated = _url_dates(urls)
        nearest = _nearest_end(max(dated), m2, d2) if dated else None
        if nearest is not None and (year is None or nearest[0] <= _URL_EVIDENCE_DAYS):
            end_year = nearest[1]
        else:
            end_year = year
    if end_year is None:
        return None, None
    # A range written without years across New Year starts the year before it ends.
    start_year = y1 or (end_year - 1 if (m1, d1) > (m2, d2) else end_year)
    start, end = _make_date(start_year, m1, d1), _make_date(end_year, m2, d2)
    if start is None or end is None:
        day, month, year_ = (d1, m1, start_year) if start is None else (d2, m2, end_year)
        raise ValueError(f"day {day} of month {month} of {year_} is not in the calendar")
    if start > end:
        raise ValueError(f"the review ends ({end}) before it starts ({start})")
    return start, end


def _day_in_review(url: str | None, start: dt.date | None, end: dt.date) -> dt.date:
    """The day an item of a past review was added: its URL's date when that falls inside the
    review's range, else the review's last day (the day it was published, at the latest)."""
    found = _url_dates([url]) if url else []
    if found and start is not None and start <= found[0] <= end:
        return found[0]
    return end


_PROSE_RUN = 3  # lines without a URL in a row that end a review of linked items


_QUOTE_OPENERS = ("“", "«", '"', "„", "‘")


_VIA = re.compile(r"^via\s+(?:RT\s*)?(@\w+)\b", re.IGNORECASE)


_HASHTAG_TOKEN = re.compile(r"#\w[\w-]*\s*")


_LEAD_SPLIT = re.compile(r"^([^:]{12,200}?[^\s:]):\s+(\S.*)$")


def _trailing_hashtags(text: str) -> int | None:
    """Where the run of `#hashtags` ending `text` starts (at its start or after a space),
    or None. Read backwards, token by token: a regex searching for such a run tries every
    start and takes minutes on one long line of hashtags (`#a #a ... !`)."""
    pos = len(text)
    start: int | None = None
    while pos > 0:
        mark = text.rfind("#", 0, pos)
        if mark < 0 or not _HASHTAG_TOKEN.fullmatch(text, mark, pos):
            break
        if mark == 0 or text[mark - 1].isspace():
            start = mark
        pos = mark
    return start


@dataclass
class _PendingReview:
    ref: ReviewRef
    days: tuple[_Day, _Day] | None
    line: int = 0  # of its header
    records: list[ImportRecord] = field(default_factory=list)


def _parse_item_line(line: str, number: int) -> ImportRecord | None:
    """`Title URL via @handle = comment #hashtag` -> a record; None when there is no URL."""
    match = _URL_IN_TEXT.search(line)
    if not match:
        return None
    url = match.group(0).rstrip(".,;:!?)»”")
    before = line[: match.start()].strip()
    after = line[match.start() + len(url) :].strip()
    record = ImportRecord(url=url, line=number)
    hashtags: list[str] = []
    tail = _trailing_hashtags(after)
    if tail is not None:
        hashtags = [h.lstrip("#") for h in after[tail:].split()]
        after = after[:tail].strip()
    via = _VIA.match(after)
    if via:
        record.via = via.group(1)
        after = after[via.end() :].strip()
    if after.startswith("="):
        after = after[1:].strip()
    record.note = _clip(after, MAX_TEXT)
    lead = _LEAD_SPLIT.match(before)
    # "Lead-in: Title": only a sentence-long prefix glued to its colon, so that titles like
    # "Chine: Tencent…" or French-spaced "DuProprio : 100 000…" stay whole.
    if lead and len(lead.group(1).split()) >= 4 and not before.startswith(_QUOTE_OPENERS):
        record.lead = _collapsed(lead.group(1) + ":")  # as written: the review shows it so
        before = lead.group(2)
    record.title = _collapsed(before)
    if record.title:
        # The post as published: its title, and its via or the lack of one.
        record.own = ("title", "via")
    record.hashtags = _tags(hashtags)
    record.tags = list(record.hashtags)
    return record


def _parse_review_text(text: str, year: int | None, zone: dt.tzinfo) -> ImportResult:
    reviews: list[_PendingReview] = []
    errors: list[tuple[int, str]] = []
    current: _PendingReview | None = None
    last_item: ImportRecord | None = None  # the item the previous non-blank line was
    pending_lead: str | None = None
    run: list[int] = []  # indexes in `errors` of the current run of lines without a URL
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if _HEADER_LINE.match(line) and (days := _header_days(line)) is not None:
            lang = "fr" if _FR_RANGE.search(line) else "en"
            ref = ReviewRef(_collapsed(line) or "", None, None, lang=lang, style="classic")
            current = _PendingReview(ref, days, line=number)
            reviews.append(current)
            last_item, pending_lead, run = None, None, []
            continue
        if current is None:
            if _URL_IN_TEXT.search(line):
                errors.append((number, "link outside any review"))
            continue
        has_url = _URL_IN_TEXT.search(line) is not None
        if last_item is not None and not has_url and line.startswith(_QUOTE_OPENERS):
            last_item.quote = _clip(line, MAX_TEXT)
            last_item = None
            continue
        if not has_url and line.endswith(":") and len(line) <= MAX_TITLE:
            pending_lead = line
            last_item = None
            continue
        record = _parse_item_line(line, number)
        if record is None:
            errors.append((number, f"no URL: {line[:80]}"))
            last_item, pending_lead = None, None
            run.append(len(errors) - 1)
            if len(current.records) >= 2 and len(run) >= _PROSE_RUN:
                # A review of linked items followed by paragraphs without links: the review
                # is over and a blog post of prose begins; its lines are not bad items.
                del errors[run[0] :]
                current, run = None, []
            continue
        run = []
        if pending_lead and record.lead is None:
            record.lead = _collapsed(pending_lead)
        pending_lead = None
        record.review = current.ref
        current.records.append(record)
        last_item = record
    records: list[ImportRecord] = []
    for review in reviews:
        urls = [r.url for r in review.records if r.url]
        try:
            start, end = _resolve_dates(review.days, year, urls)
        except ValueError as exc:
            # Its items are kept; the dates are what is skipped (the review is undated).
            errors.append((review.line, f"the review's dates: {exc}"))
            start, end = None, None
        review.ref.start, review.ref.end = start, end
        if end is not None:
            # Dated inside the review's range, so that composing that range gives it back.
            for record in review.records:
                day = _day_in_review(record.url, start, end)
                # Noon of the curator's day: their range of that day finds it.
                record.added_at = midday(day, zone)
        records.extend(review.records)
    return ImportResult("review-text", records, errors)
