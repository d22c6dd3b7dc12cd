"""`revue week` driven key by key with Textual's pilot, on a real database of items fetched
from a loopback site: what the screen shows, then what the store and the review file hold."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from pages import JSONLD, LAPRESSE

from revue.app.compose import ComposeOptions
from revue.app.week import Workbench
from revue.config import load_config
from revue.errors import ExitCode
from revue.store.db import Store
from revue.workbench import WeekApp

from clihelp import run, run_json, run_on_terminal
from loopback import LoopbackServer

LIVE = """<html lang="fr"><head><meta charset="utf-8">
<title>[EN DIRECT] x [/y] | Le Devoir</title>
<meta property="og:title" content="[EN DIRECT] x [/y]">
<meta name="twitter:site" content="@LeDevoir">
</head><body><p>Suivi.</p></body></html>"""


@pytest.fixture
def fetched_links(server: LoopbackServer) -> list[str]:
    """Four items fetched from the loopback site, the last one a dead link (404)."""
    links = [
        server.route("/affaires/techno/2023-11-06/openai.php", LAPRESSE.format(base=server.base)),
        server.route("/chatgpt-gpts", JSONLD),
        server.route("/direct", LIVE),
    ]
    run("add", links[0], "--note", "À suivre")
    run("add", links[1], "--note", "Comment ça marche")
    run("add", links[2])
    run("add", server.url("/disparu"), code=ExitCode.PARTIAL)
    return links


def workbench(fmt: str = "text") -> Workbench:
    now = dt.datetime.now(dt.UTC)
    cfg = load_config()
    store = Store.open(Path(cfg_db()))
    opts = ComposeOptions(start=now.date() - dt.timedelta(days=6), end=now.date(), fmt=fmt)
    return Workbench(store, cfg, opts, clock=lambda: dt.datetime.now(dt.UTC))


def cfg_db() -> str:
    return os.environ["REVUE_DB"]


def screen(app: WeekApp) -> str:
    """The screen as drawn, one line a row."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def drive(app: WeekApp, script: Callable[..., Awaitable[None]]) -> None:
    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await script(pilot)

    asyncio.run(main())


def order() -> list[int]:
    return [i["id"] for i in run_json("list", "--order", "review")]


def test_keep_skip_reorder_edit_and_compose_from_the_keyboard(
    fetched_links: list[str], tmp_path: Path
) -> None:
    copied: list[str] = []
    opened: list[str] = []
    bench = workbench()
    app = WeekApp(
        bench,
        opener=lambda url: opened.append(url) or True,
        copier=lambda _app, text: copied.append(text) or "here",
    )
    shown: dict[str, str] = {}

    async def script(pilot: object) -> None:
        press = pilot.press  # type: ignore[attr-defined]
        pause = pilot.pause  # type: ignore[attr-defined]
        shown["first"] = screen(app)
        await press("space")  # skip #1
        await press("down", "J")  # #2 below #3
        await pause()
        shown["moved"] = screen(app)
        await press("e", *" #IA", "enter")  # the note of #2, edited in place
        await press("e", *"zzz", "escape")  # cancelled: nothing stored
        await press("s", *"Mes entrevues", "enter")
        await press("up", "up", "o")  # #2 went to its section, at the end
        await press("c")
        await pause()
        shown["composed"] = screen(app)
        await press("y", "m")
        await pause()
        shown["markdown"] = screen(app)
        await press("question_mark")
        await pause()
        shown["keys"] = screen(app)
        await press("escape", "q")

    drive(app, script)
    first = shown["first"]
    assert all(len(line) <= 80 for line in first.splitlines())
    # Page text drawn as text: the live blog's title is not read as markup, on either side.
    assert first.count("[EN DIRECT] x [/y]") == 2
    assert "✗ !dead 127.0.0.1: disparu" in first  # left out of the post: drawn so
    assert "space keep/skip" in first and "q quit" in first  # the footer: a toggle
    assert "#2 moved down" in shown["moved"]
    # The store holds every change, as the commands would have made it.
    assert Store.open(Path(cfg_db())).skipped_ids(review_id=1) == {1}  # honoured by `c`
    assert order() == [1, 3, 2, 4]
    item = run_json("show", "2")
    assert item["note"] == "Comment ça marche #IA" and "IA" in item["tags"]
    assert item["section"] == "Mes entrevues"
    assert opened == [fetched_links[2]]
    # `c` wrote the file compose writes, and said where.
    path = tmp_path / "reviews" / f"{dt.datetime.now(dt.UTC).date()}-revue-de-presse.txt"
    text = path.read_text(encoding="utf-8")
    assert "2 item(s) written:" in shown["composed"]
    assert str(path) in shown["composed"].replace(" \n ", "").replace("\n ", "")
    assert "[EN DIRECT] x [/y]" in text and "Comment ça marche #IA" in text
    assert "OpenAI" not in text and "disparu" not in text  # skipped, dead
    assert text.index("[EN DIRECT]") < text.index("ChatGPT")  # #2 went to its section
    assert sorted(i["id"] for i in run_json("list", "--unpublished")) == [1, 4]
    assert copied == [text]
    assert "· md" in shown["markdown"] and "# Revue de presse" in shown["markdown"]
    assert "keep or skip the item for this review" in shown["keys"]
    assert app.return_code == 0


def test_a_move_across_a_section_says_why_and_changes_nothing(fetched_links: list[str]) -> None:
    run("edit", "2", "--section", "Mes entrevues")  # rows: 1, 3, 4, then 2 in its section
    app = WeekApp(workbench())
    shown: dict[str, str] = {}

    async def script(pilot: object) -> None:
        await pilot.press("down", "down", "J")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        shown["screen"] = screen(app)

    drive(app, script)
    assert "#4 is the last of no section: s changes its section" in shown["screen"]
    assert order() == [1, 2, 3, 4]


def test_y_copies_the_post_through_the_terminal_as_compose_copy_does(
    fetched_links: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("TMUX", raising=False)
    bench = workbench()
    app = WeekApp(bench)  # the real copier: clipboard.copy, through Textual's writer
    shown: dict[str, str] = {}

    async def script(pilot: object) -> None:
        await pilot.press("y")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        shown["screen"] = screen(app)

    drive(app, script)
    assert app.clipboard == bench.post() and "[EN DIRECT] x [/y]" in app.clipboard
    assert "copied the post (text) through the terminal (OSC 52)" in shown["screen"]


def test_no_color_and_an_empty_week(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    Store.open(Path(cfg_db())).close()  # a database, with nothing in it
    app = WeekApp(workbench())
    shown: dict[str, str] = {}

    async def script(pilot: object) -> None:
        shown["screen"] = screen(app)
        await pilot.press("space", "e", "J", "c", "y", "o")  # type: ignore[attr-defined]

    drive(app, script)
    assert app.has_class("-no-color")
    # Nothing is skipped or dead: there is nothing at all, and the screen says how to add.
    flat = " ".join(shown["screen"].split())
    assert "no items from" in flat and "no link was added in it (revue add adds links)" in flat
    assert "(nothing to publish: no items from" in flat
    assert "skipped or dead" not in flat
    assert app.clipboard == ""  # nothing to copy


def test_week_needs_a_terminal() -> None:
    result = run("week", code=ExitCode.BAD_INPUT)
    assert "week: needs a terminal" in result.stderr
    assert result.stdout == ""


def test_week_refuses_a_bad_format_on_a_terminal(empty_db: Path) -> None:
    code, out = run_on_terminal("week", "--format", "json")
    assert code == ExitCode.BAD_INPUT, out
    assert "--format 'json': choose text, md, html-fragment" in out


def test_the_cursor_stops_at_the_ends(fetched_links: list[str]) -> None:
    """Holding ↓ past the last item, then K, moves the last item: not one at the top."""
    app = WeekApp(workbench())

    async def script(pilot: object) -> None:
        await pilot.press(*["down"] * 6, "K")  # type: ignore[attr-defined]
        await pilot.press(*["up"] * 6, "J")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]

    drive(app, script)
    assert order() == [2, 1, 4, 3]


def fake_tool(folder: Path, name: str) -> Path:
    """A stand-in clipboard tool on PATH that keeps what it was given (no X server here)."""
    import stat

    folder.mkdir(exist_ok=True)
    script = folder / name
    script.write_text(f'#!/bin/sh\ncat > "{folder}/{name}.got"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return folder / f"{name}.got"


def copy_says(app: WeekApp) -> str:
    shown: dict[str, str] = {}

    async def script(pilot: object) -> None:
        await pilot.press("y")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        shown["screen"] = screen(app)

    drive(app, script)
    return " ".join(shown["screen"].split())


def test_y_in_tmux_uses_a_clipboard_tool_else_says_osc52_may_not_arrive(
    fetched_links: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """tmux as it comes drops a program's OSC 52: `y` never claims a copy it cannot know."""
    monkeypatch.setenv("TERM", "tmux-256color")
    monkeypatch.setenv("TMUX", "/tmp/tmux-1000/default,1,0")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "SSH_TTY", "SSH_CONNECTION"):
        monkeypatch.delenv(name, raising=False)
    said = copy_says(WeekApp(workbench()))
    assert "if your terminal accepts OSC 52" in said and "set-clipboard on" in said
    # With a clipboard command at hand, that is used: a copy that surely arrives.
    got = fake_tool(tmp_path / "bin", "xclip")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    monkeypatch.setenv("DISPLAY", ":0")
    bench = workbench()
    app = WeekApp(bench)
    said = copy_says(app)
    assert "copied the post (text) with xclip" in said
    assert got.read_text(encoding="utf-8") == bench.post() and app.clipboard == ""


def test_the_split_changes_with_less_and_greater_and_is_remembered(
    fetched_links: list[str],
) -> None:
    from revue.app.week import state_path

    widths: dict[str, tuple[int, int]] = {}

    def sizes(app: WeekApp) -> tuple[int, int]:
        return (app.query_one("#items").size.width, app.query_one("#preview").size.width)

    app = WeekApp(workbench())

    async def wider(pilot: object) -> None:
        widths["before"] = sizes(app)
        await pilot.press("<", "<", "<")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        widths["after"] = sizes(app)
        widths["said"] = screen(app)  # type: ignore[assignment]

    drive(app, wider)
    assert widths["after"][1] >= widths["before"][1] + 10  # the preview gained 3 steps
    assert "list 35% of the width, preview 65%" in str(widths["said"])
    assert state_path(Path(cfg_db())).is_file()
    again = WeekApp(workbench())  # a new session: the same split

    async def look(pilot: object) -> None:
        widths["again"] = sizes(again)
        await pilot.press(*[">"] * 20)  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        widths["widest"] = screen(again)  # type: ignore[assignment]

    drive(again, look)
    assert widths["again"] == widths["after"]
    assert "the list is already at its widest" in str(widths["widest"])
    assert workbench().split == 80


def test_star_marks_the_item_for_the_recap(fetched_links: list[str]) -> None:
    bench = workbench()
    app = WeekApp(bench)
    shown: dict[str, str] = {}

    async def script(pilot: object) -> None:
        press = pilot.press  # type: ignore[attr-defined]
        await press("down", "asterisk")
        await pilot.pause()  # type: ignore[attr-defined]
        shown["starred"] = screen(app)
        await press("asterisk", "q")

    drive(app, script)
    assert (
        "✓ ★ !stale ChatGPT" in shown["starred"] and "#2 starred for the recap" in shown["starred"]
    )
    # The second press took it off; the first was stored at once, as `revue star` does.
    assert run_json("show", "2")["starred"] is False
    app = WeekApp(workbench())

    async def once(pilot: object) -> None:
        await pilot.press("down", "asterisk", "q")  # type: ignore[attr-defined]

    drive(app, once)
    assert run_json("show", "2")["starred"] is True
    assert [i["id"] for i in run_json("list") if i["starred"]] == [2]
