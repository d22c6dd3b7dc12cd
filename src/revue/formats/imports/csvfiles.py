"""CSV files: a spreadsheet of links (revue's own CSV export among them) and Pocket's CSV
export."""

from __future__ import annotations

import csv
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import chain

from revue.formats.imports.records import (
    MAX_TAG,
    MAX_TEXT,
    MAX_TITLE,
    ImportRecord,
    _clip,
    _collapsed,
    _tags,
    _to_iso,
    _url_problem,
    _why,
)
from revue.models import STATUSES

_URL_COLUMNS = ("url", "link", "href", "uri", "address", "bookmark")


_DATE_COLUMNS = (
    "created",
    "created_at",
    "added",
    "added_at",
    "date_added",
    "time_added",
    "saved",
    "date",
    "timestamp",
)


def _delimiter(text: str) -> str:
    """The separator of a CSV file, read off its header line (spreadsheets in French locales
    write semicolons). csv.Sniffer is not used: on a header without quotes it guesses
    doublequote=False and then misreads every "" in the rows."""
    first = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=first.count)


def _column(name: str) -> str:
    """A header cell as a lookup key: "Date Added" -> "date_added"."""
    return re.sub(r"[\s-]+", "_", name.strip().strip('"').strip().lower())


def _csv_header(text: str) -> list[str] | None:
    first = text.split("\n", 1)[0].strip()
    if "," not in first and ";" not in first and "\t" not in first:
        return None
    try:
        row = next(csv.reader([first], delimiter=_delimiter(first)))
    except (csv.Error, StopIteration):
        return None
    names = [_column(c) for c in row]
    if any(name in _URL_COLUMNS for name in names):
        return names
    return None


_ERR = "\x00error"  # key of a pseudo-row reporting a CSV syntax error


# The guard of a cell: one quote, then any quotes the text itself starts with, then a
# formula sign (revue's exporter adds one quote before "'=x" too, so "''=x" reads "'=x").
_FORMULA_GUARD = re.compile("''*[=+\\-@\t\r]")


def _undefuse(cell: str) -> str:
    """Take off the quote a CSV exporter (ours included) puts before =, +, -, @ so that a
    spreadsheet does not run the cell as a formula."""
    if _FORMULA_GUARD.match(cell):
        return cell[1:]
    return cell


_CSV_FIELD_LIMIT = 256 * 1024 * 1024  # above any file import accepts: no cell is cut short


def _csv_rows(lines: Iterable[str], delimiter: str) -> Iterator[tuple[int, int, dict[str, str]]]:
    """(first and last line numbers of the record, row keyed by lower-case column name)."""
    # The csv module's default cap (128 KB a cell) would report a long note as a broken row;
    # the cell is read whole and cut to size like any other text.
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = [_column(c) for c in next(reader)]
    except (StopIteration, csv.Error):
        return
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, reader.line_num, {_ERR: str(exc)}
            start = reader.line_num + 1
            continue
        if any(cell.strip() for cell in row):
            cells = {name: _undefuse(value) for name, value in zip(header, row, strict=False)}
            yield start, reader.line_num, cells
        start = reader.line_num + 1


class _Lines:
    """The physical lines of a CSV file as the csv module reads them, counted; the lines of
    the record being read are kept (a quote left open is found in them, and reading starts
    again at one of them), the others let go."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self._kept: deque[str] = deque()
        self._low = 1  # the number of the first line kept
        self._replay: deque[str] = deque()

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._replay:
            return self._replay.popleft()
        line = next(self._lines)
        self._kept.append(line)
        return line

    def line(self, number: int) -> str:
        """Line `number` (kept), without its line break."""
        index = number - self._low
        if not 0 <= index < len(self._kept):
            return ""
        return self._kept[index].rstrip("\r\n")

    def forget_before(self, number: int) -> None:
        while self._low < number and self._kept:
            self._kept.popleft()
            self._low += 1

    def again_from(self, number: int) -> _Lines:
        """Read again from line `number` (kept) on, then on through the file."""
        self._replay = deque(list(self._kept)[number - self._low :])
        return self


def _row_url(
    line: str, delimiter: str, header: list[str], url_of: Callable[[dict[str, str]], str | None]
) -> str | None:
    """The usable link of one physical line read as a row on its own, if it holds one."""
    try:
        cells = next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return None
    url = (url_of(dict(zip(header, cells, strict=False))) or "").strip()
    return url if url and _url_problem(url) is None else None


def _swallowed_row(
    lines: _Lines,
    start: int,
    end: int,
    delimiter: str,
    header: list[str],
    url_of: Callable[[dict[str, str]], str | None],
) -> int | None:
    """The first line after `start` of a record spanning lines `start`..`end` that reads as
    a row of its own with a usable link: a quote left open has made it part of a cell, and
    the rows up to the next quote would vanish into one cell without a word. The last line
    closes the cell: it counts only when the record's own link came before the quote (a
    title cell breaking over lines legitimately ends with the rest of its row)."""
    for number in range(start + 1, end + 1):
        if number == end and _row_url(lines.line(start), delimiter, header, url_of) is None:
            break
        if _row_url(lines.line(number), delimiter, header, url_of) is not None:
            return number
    return None


def _csv_links(
    physical: Iterable[str],
    errors: list[tuple[int, str]],
    url_of: Callable[[dict[str, str]], str | None],
) -> Iterator[tuple[int, dict[str, str], str]]:
    """(line, row, URL) for each CSV row holding a usable link, read as the lines come; a row
    that does not parse or whose URL is unusable goes to `errors` with its line number. A
    quote left open (which would make the rows after it one cell) is reported, and reading
    starts again at the first row it swallowed."""
    lines = _Lines(physical)
    first = next(lines, None)
    if first is None:
        return
    delimiter = _delimiter(first)
    header_line = first.rstrip("\r\n")
    header = [_column(c) for c in next(csv.reader([header_line], delimiter=delimiter), [])]
    offset = 0  # lines of the file before the part being read (its header line aside)
    part: Iterable[str] = chain([first], lines)
    while True:
        resume: int | None = None
        for line, last, row in _csv_rows(part, delimiter):
            line, last = line + offset, last + offset
            lines.forget_before(line)
            if _ERR in row:
                errors.append((line, f"bad CSV: {row[_ERR]}"))
                continue
            if last > line:  # a cell holds line breaks: did an open quote swallow rows?
                resume = _swallowed_row(lines, line, last, delimiter, header, url_of)
                if resume is not None:
                    errors.append(
                        (line, f"bad CSV: a quote opened here is never closed (read again "
                         f"from line {resume})")
                    )  # fmt: skip
                    break
            url = (url_of(row) or "").strip()
            problem = _url_problem(url)
            if problem:
                errors.append((line, _why(problem, url)))
                continue
            yield line, row, url
        if resume is None:
            return
        offset = resume - 2
        part = chain([first], lines.again_from(resume))


def _pick(row: Mapping[str, str], *names: str) -> str | None:
    for name in names:
        value = row.get(name)
        if value is not None and value.strip():
            return value
    return None


def _split_tags(cell: str | None) -> list[str]:
    if not cell:
        return []
    for separator in ("|", ",", ";"):
        if separator in cell:
            return _tags(cell.split(separator))
    return _tags([cell])


def read_pocket_csv(lines: Iterable[str], errors: list[tuple[int, str]]) -> Iterator[ImportRecord]:
    """Pocket's CSV export, a row at a time (`lines`: the file's physical lines)."""
    for line, row, url in _csv_links(lines, errors, lambda row: row.get("url")):
        title = _collapsed(row.get("title"))
        record = ImportRecord(
            url=url,
            title=None if title == url else title,  # Pocket writes the URL when untitled
            tags=_tags((row.get("tags") or "").split("|")),
            added_at=_to_iso(row.get("time_added")),
            line=line,
        )
        if row.get("status"):
            record.extra["status"] = row["status"].strip()
        yield record


_STORED_COLUMNS = {  # column: longest value kept
    "site_name": MAX_TITLE,
    "author": MAX_TITLE,
    "published": 64,
    "first_published": 64,
    "lang": 35,
}


def _stored_fields(row: Mapping[str, str]) -> dict[str, str]:
    """The page fields and fetch status a revue CSV export carries, as they were stored."""
    out: dict[str, str] = {}
    for name, limit in _STORED_COLUMNS.items():
        value = _collapsed(row.get(name), limit)
        if value:
            out[name] = value
    status = (row.get("status") or "").strip().lower()
    if status in STATUSES:  # other tools' "unread" or "archive" are not a fetch status
        out["status"] = status
    return out


_CSV_FIELDS: dict[str, tuple[str, ...]] = {  # a record's field: its columns, first found wins
    "hashtag": ("hashtags",),
    "title": ("title", "name"),
    "note": ("note", "comment", "comments", "notes"),
    "summary": ("summary", "excerpt", "description"),
    "tag": ("tags", "tag", "labels", "keywords"),
    "date": _DATE_COLUMNS,
    "via": ("via",),
    "section": ("section",),
    "lead": ("lead",),
    "quote": ("quote",),
    "folder": ("folder", "collection"),
}


def read_csv(lines: Iterable[str], errors: list[tuple[int, str]]) -> Iterator[ImportRecord]:
    """Any CSV with a header naming a URL column (Raindrop, Instapaper, spreadsheets...), a
    row at a time (`lines`: the file's physical lines)."""
    # Each field's candidate columns narrowed to those the rows have (the header's), again
    # only when a row brings a new key: a million lookups of absent names cost more than
    # the rest of a row.
    columns: set[str] = set()
    names: dict[str, tuple[str, ...]] = {}
    for line, row, url in _csv_links(lines, errors, lambda row: _pick(row, *_URL_COLUMNS)):
        if not columns.issuperset(row):
            columns.update(row)
            names = {
                field: present
                for field, candidates in _CSV_FIELDS.items()
                if (present := tuple(name for name in candidates if name in columns))
            }
        cell = {field: _pick(row, *candidates) for field, candidates in names.items()}.get
        hashtags = _split_tags(cell("hashtag"))
        record = ImportRecord(
            url=url,
            title=_collapsed(cell("title")),
            note=_clip(cell("note"), MAX_TEXT),
            summary=_clip(cell("summary"), MAX_TEXT),
            tags=_split_tags(cell("tag")),
            hashtags=hashtags,
            added_at=_to_iso(cell("date")),
            via=_collapsed(cell("via"), MAX_TAG),
            section=_collapsed(cell("section"), MAX_TAG),
            lead=_collapsed(cell("lead")),
            quote=_clip(cell("quote"), MAX_TEXT),
            stored=_stored_fields(row),
            line=line,
        )
        lone_description = "excerpt" not in row and "summary" not in row
        if record.note is None and record.summary is not None and lone_description:
            # A lone "description" column is the curator's text more often than the page's.
            record.note, record.summary = record.summary, None
        folder = _collapsed(cell("folder"), MAX_TITLE)
        if folder:
            record.extra["folder"] = folder
        yield record
