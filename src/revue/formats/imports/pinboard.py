"""Pinboard's JSON export."""

from __future__ import annotations

from typing import Any

from revue.formats.imports.records import (
    MAX_TEXT,
    ImportRecord,
    ImportResult,
    _clip,
    _collapsed,
    _json,
    _kind_of,
    _link_field,
    _tags,
    _text_field,
    _text_list_field,
    _to_iso,
    valid_text,
)


def _pinboard_record(entry: Any, index: int) -> ImportRecord:
    """One Pinboard bookmark; ValueError naming the field when it cannot be one."""
    if not isinstance(entry, dict):
        raise ValueError("not a bookmark object")
    url = _link_field(entry, "href")
    tags = entry.get("tags")
    # Pinboard writes a string; some tools that mimic it write a list.
    tag_list = tags.split() if isinstance(tags, str) else _text_list_field(entry, "tags")
    time = entry.get("time")
    if isinstance(time, bool) or not isinstance(time, str | int | float | None):
        raise ValueError(f"time is {_kind_of(time)}, not a date")
    record = ImportRecord(
        url=url,
        title=_collapsed(valid_text(_text_field(entry, "description") or "")),
        note=_clip(valid_text(_text_field(entry, "extended") or ""), MAX_TEXT),
        tags=_tags(valid_text(t) for t in tag_list),
        added_at=_to_iso(time),
        line=index,  # the entry's position: JSON has no useful line numbers
    )
    for key in ("toread", "shared"):
        flag = entry.get(key)
        if flag is not None and not isinstance(flag, str | bool):
            raise ValueError(f"{key} is {_kind_of(flag)}, not yes/no")
        if key in entry:
            record.extra[key] = flag is True or str(flag).lower() == "yes"
    return record


def _parse_pinboard(text: str) -> ImportResult:
    data = _json(text)
    if not isinstance(data, list):
        raise ValueError("not a Pinboard export: expected a JSON list of bookmarks")
    records: list[ImportRecord] = []
    errors: list[tuple[int, str]] = []
    for index, entry in enumerate(data, start=1):
        try:
            records.append(_pinboard_record(entry, index))
        except ValueError as exc:
            errors.append((index, str(exc)))
    return ImportResult("pinboard", records, errors)
