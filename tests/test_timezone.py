"""The curator's clock: every day in revue is a day of the curator's time zone (config
`timezone`, else the system's: TZ), while instants are stored in UTC.

The same links, at the same UTC instants, are read in Montréal, Auckland and UTC, in the week
Montréal's clocks go back (Sunday 1 November 2026, a day of 25 hours there)."""

from __future__ import annotations

import datetime as dt
import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from revue.app.compose import ComposeOptions
from revue.app.week import Workbench
from revue.cli import app
from revue.cli.frame import Env
from revue.clock import day_span, local_day
from revue.config import load_config, system_zone
from revue.errors import ExitCode
from revue.store.db import Store

runner = CliRunner()
MONTREAL = ZoneInfo("America/Montreal")


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def revue(*args: str, now: dt.datetime, code: int = ExitCode.OK) -> Any:
    """The real CLI at the instant `now` (the clock every command is handed)."""
    result = runner.invoke(app, list(args), obj=Env(clock=lambda: now), catch_exceptions=False)
    assert result.exit_code == code, (
        f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    return result


def titles(*args: str, now: dt.datetime) -> set[str]:
    return {i["title"] for i in json.loads(revue(*args, "--json", now=now).stdout)}


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[[str, str], None]]:
    """Set the curator's zone, by `TZ` (as the C library reads it too) or by the config."""

    def set_zone(name: str, how: str) -> None:
        if how == "env":
            monkeypatch.setenv("TZ", name)
        else:
            monkeypatch.setenv("TZ", "UTC")  # the machine's zone is not the curator's
            (tmp_path / "config.toml").write_text(f'timezone = "{name}"\n', encoding="utf-8")
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()


# The links, each added at one UTC instant; where each falls is worked out by hand below.
LINKS = {
    "A": "2026-10-25T12:00:00",  # Auckland Mon 26 Oct 01:00; Montréal Sun 25 Oct 08:00
    "B": "2026-10-26T02:00:00",  # Montréal Sun 25 Oct 22:00 (EDT)
    "E": "2026-10-26T04:30:00",  # Montréal Mon 26 Oct 00:30 (EDT): the week's first half hour
    "F": "2026-10-31T20:00:00",  # Auckland Sun 1 Nov 09:00; Montréal Sat 31 Oct 16:00
    "C": "2026-11-01T12:00:00",  # Auckland Mon 2 Nov 01:00; Montréal Sun 1 Nov 07:00 (EST)
    "D": "2026-11-02T04:30:00",  # Montréal Sun 1 Nov 23:30 (EST): the 25th hour's day
}
# Montréal, Sun 1 Nov 2026 at 23:45 (EST): 04:45 UTC on Monday.
NOW = utc("2026-11-02T04:45:00")


def add_links() -> None:
    for name, when in LINKS.items():
        revue("add", "--no-fetch", f"https://a.example/{name}", "--title", name, now=utc(when))


@pytest.mark.parametrize(
    ("name", "week", "default", "sunday"),
    [
        # Sunday 1 Nov in Montréal runs from 04:00 to 05:00 UTC the next day: 25 hours.
        ("America/Montreal", {"C", "D", "E", "F"}, {"C", "D", "E", "F"}, {"C", "D"}),
        # Auckland's week began on Sunday 25 Oct at 11:00 UTC; its "today" is Monday 2 Nov.
        ("Pacific/Auckland", {"A", "B", "E", "F"}, {"C", "D", "F"}, {"F"}),
        ("UTC", {"B", "C", "E", "F"}, {"C", "D", "F"}, {"C"}),
    ],
)
@pytest.mark.parametrize("how", ["env", "config"])
def test_the_same_week_in_three_zones_across_a_change_of_clocks(
    zone: Callable[[str, str], None],
    how: str,
    name: str,
    week: set[str],
    default: set[str],
    sunday: set[str],
) -> None:
    zone(name, how)
    add_links()
    assert titles("list", "--week", "2026-W44", now=NOW) == week
    assert titles("list", "--from", "2026-11-01", "--to", "2026-11-01", now=NOW) == sunday
    # compose's default range: the 7 days ending on the curator's today.
    composed = json.loads(revue("compose", "--format", "json", "--out", "-", now=NOW).stdout)
    assert {i["title"] for i in composed["items"]} == default
    # Instants are stored as they were: UTC, whatever the zone.
    stored = {
        i["title"]: i["added_at"] for i in json.loads(revue("list", "--json", now=NOW).stdout)
    }
    assert stored == {k: f"{v}+00:00" for k, v in LINKS.items()}


@pytest.mark.parametrize("how", ["env", "config"])
def test_a_sunday_evening_link_is_sundays(
    zone: Callable[[str, str], None], how: str, tmp_path: Path
) -> None:
    """21:05 on Sunday 13 December in Montréal is 02:05 UTC on the 14th: the link, the
    review's title and its file are Sunday's."""
    zone("America/Montreal", how)
    reviews = tmp_path / "reviews"
    revue(
        "add", "--no-fetch", "https://a.example/old", "--title", "Old", now=utc("2026-12-04T15:00")
    )
    revue("compose", "--from", "2026-11-30", "--to", "2026-12-06", now=utc("2026-12-07T01:00"))
    revue(
        "add",
        "--no-fetch",
        "https://a.example/monday",
        "--title",
        "Monday",
        now=utc("2026-12-07T05:30"),
    )
    evening = utc("2026-12-14T02:05")
    revue("add", "--no-fetch", "https://a.example/evening", "--title", "Evening", now=evening)

    assert titles("list", "--from", "2026-12-13", "--to", "2026-12-13", now=evening) == {"Evening"}
    assert titles("list", "--from", "2026-12-14", now=evening) == set()
    assert titles("list", "--week", "2026-W50", now=evening) == {"Monday", "Evening"}
    # The date `list` shows (a pipe: tab-separated) and the one `show` shows.
    lines = revue("list", now=evening).stdout.splitlines()
    assert [line.split("\t")[:2] for line in lines] == [
        ["3", "2026-12-13"], ["2", "2026-12-07"], ["1", "2026-12-04"],
    ]  # fmt: skip
    assert "2026-12-13T21:05:00-05:00" in revue("show", "3", now=evening).stdout
    again = revue("add", "--no-fetch", "https://a.example/evening", now=evening)
    assert "added 2026-12-13" in again.stderr

    result = revue("compose", "--since-last", now=evening)
    path = reviews / "2026-12-13-revue-de-presse.md"
    assert result.stdout.strip() == str(path)
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0].endswith(" du 7 décembre au 13 décembre")
    assert "Monday" in text and "Evening" in text and "Old" not in text
    # The review feed gives the curator's time: the same instant, Montréal's offset.
    feed = ET.parse(reviews / "feed.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    assert feed.findtext(f"{atom}updated") == "2026-12-13T21:05:00-05:00"
    [entry, _] = feed.findall(f"{atom}entry")
    assert entry.findtext(f"{atom}updated") == "2026-12-13T21:05:00-05:00"
    assert entry.findtext(f"{atom}summary") == "2 item(s), 2026-12-07 → 2026-12-13"
    # Right after it, --since-last has nothing left until Monday, Montréal's.
    assert "already reaches 2026-12-13" in revue("compose", "--since-last", now=evening).stderr


def test_the_workbench_week_is_the_curators(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('timezone = "America/Montreal"\n', encoding="utf-8")
    evening = utc("2026-12-14T02:05")
    revue("add", "--no-fetch", "https://a.example/evening", "--title", "Evening", now=evening)
    revue(
        "add",
        "--no-fetch",
        "https://a.example/next",
        "--title",
        "Next",
        now=utc("2026-12-14T05:00"),
    )
    store = Store.open(tmp_path / "revue.db")
    opts = ComposeOptions(start=dt.date(2026, 12, 7), end=dt.date(2026, 12, 13))
    bench = Workbench(store, load_config(), opts, clock=lambda: evening)
    assert [row.item.title for row in bench.rows] == ["Evening"]
    store.close()


def test_stale_news_counts_the_curators_days(tmp_path: Path) -> None:
    """First published on the 13th (the page's own day), added on the curator's 13th: not
    one day old, even though it is the 14th in UTC."""
    (tmp_path / "config.toml").write_text(
        'timezone = "America/Montreal"\nstale_days = 0\n', encoding="utf-8"
    )
    evening = utc("2026-12-14T02:05")
    revue("add", "--no-fetch", "https://a.example/e", "--title", "E", now=evening)
    store = Store.open(tmp_path / "revue.db")
    store.update(1, {"published": "2026-12-13T18:00:00-05:00"})
    store.close()
    assert revue("list", now=evening).stdout.split("\t")[2] == "pending"


def test_scheduling_at_a_time_without_zone_is_the_curators() -> None:
    from revue.cli.reviews import parse_at

    now = utc("2026-12-14T02:05")
    assert parse_at("2026-12-14T07:00", now, MONTREAL) == "2026-12-14T12:00:00"
    assert parse_at("2026-12-14T07:00+00:00", now, MONTREAL) == "2026-12-14T07:00:00"


def test_a_day_across_a_change_of_clocks_lasts_23_or_25_hours() -> None:
    assert day_span(dt.date(2026, 11, 1), dt.date(2026, 11, 1), MONTREAL) == (
        "2026-11-01T04:00:00+00:00",
        "2026-11-02T05:00:00+00:00",
    )
    assert day_span(dt.date(2026, 3, 8), dt.date(2026, 3, 8), MONTREAL) == (
        "2026-03-08T05:00:00+00:00",
        "2026-03-09T04:00:00+00:00",
    )
    # Where midnight itself is skipped (Santiago, September), the day starts at 01:00.
    santiago = ZoneInfo("America/Santiago")
    since, _ = day_span(dt.date(2026, 9, 6), None, santiago)
    assert since is not None
    assert dt.datetime.fromisoformat(since).astimezone(santiago).hour == 1
    assert local_day("2026-12-14T02:05:00+00:00", MONTREAL) == dt.date(2026, 12, 13)
    assert local_day("2026-12-14T02:05:00", MONTREAL) == dt.date(2026, 12, 13)  # stored: UTC
    assert local_day("2026-12-14", MONTREAL) == dt.date(2026, 12, 14)  # a day is a day
    assert local_day("pas une date", MONTREAL) is None


def test_an_unknown_zone_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    revue("add", "--no-fetch", "https://a.example/x", now=utc("2026-12-14T02:05"))
    for bad in ("Mars/Olympus_Mons", "../../etc/passwd", "America"):
        config.write_text(f'timezone = "{bad}"\n', encoding="utf-8")
        result = revue("list", now=utc("2026-12-14T02:05"), code=ExitCode.STORE)
        assert f"config {config}: timezone = " in result.stderr
        assert bad in result.stderr and "time zone" in result.stderr
        assert "Traceback" not in result.stderr


def test_the_system_zone_is_read_as_the_c_library_reads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert system_zone({"TZ": "America/Montreal"}) == MONTREAL
    assert system_zone({"TZ": ":Pacific/Auckland"}) == ZoneInfo("Pacific/Auckland")
    assert system_zone({"TZ": ""}) == dt.UTC
    montreal_file = system_zone({"TZ": "/usr/share/zoneinfo/America/Montreal"})
    assert dt.datetime(2026, 12, 14, tzinfo=montreal_file).utcoffset() == dt.timedelta(hours=-5)
    # A POSIX rule zoneinfo cannot read: the C library's offset (TZ set, then tzset).
    monkeypatch.setenv("TZ", "<-03>3")
    time.tzset()
    try:
        offset = dt.datetime.now(system_zone()).utcoffset()
    finally:
        monkeypatch.undo()
        time.tzset()
    assert offset == dt.timedelta(hours=-3)


def test_a_past_review_imported_in_auckland_keeps_its_days(
    zone: Callable[[str, str], None], tmp_path: Path
) -> None:
    """Items known only by their review's days are dated noon of the curator's day: in
    Auckland (UTC+13 in March) noon UTC would be 01:00 the next day, out of the review."""
    zone("Pacific/Auckland", "env")
    review = tmp_path / "review.txt"
    review.write_text(
        "Revue de presse marketing/techno du 12 mars au 19 mars\n\nUn titre https://x.example/t\n",
        encoding="utf-8",
    )
    now = utc("2024-03-25T00:00")
    revue("add", "--no-fetch", "https://a.example/x", now=now)  # the database exists
    revue("import", str(review), "--year", "2024", "--no-fetch", now=now)
    assert titles("list", "--from", "2024-03-19", "--to", "2024-03-19", now=now) == {"Un titre"}
    assert titles("list", "--from", "2024-03-20", "--to", "2024-03-24", now=now) == set()
    # Stored as the instant it is: noon in Auckland, 23:00 UTC the day before.
    listed = json.loads(revue("list", "--json", now=now).stdout)
    [item] = [i for i in listed if i["title"] == "Un titre"]
    assert item["added_at"] == "2024-03-18T23:00:00+00:00"
