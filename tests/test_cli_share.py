"""share one item, and --copy (share and compose) to the clipboard: OSC 52 on a terminal,
else a clipboard tool, saying which."""

from __future__ import annotations

import base64
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from revue.clipboard import osc52, terminal_supports_osc52
from revue.errors import ExitCode
from revue.review.social import PLATFORMS, graphemes, x_length

from clihelp import run, run_on_terminal

URL = "https://www.lapresse.ca/affaires/techno/2023-11-06/openai.php"
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"


@pytest.fixture
def item(tmp_path: Path) -> int:
    (tmp_path / "config.toml").write_text('hashtags = ["Analyweb"]\n', encoding="utf-8")
    run("add", "--no-fetch", URL, "--title", "OpenAI promet des superpouvoirs", "--note",
        "= À suivre de près #IA")  # fmt: skip
    conn = sqlite3.connect(tmp_path / "revue.db")  # a fetched page's twitter:site
    conn.execute("UPDATE items SET via = 'lapresse' WHERE id = 1")
    conn.commit()
    conn.close()
    return 1


def test_share_prints_the_classic_line(item: int) -> None:
    result = run("share", str(item))
    assert result.stdout == (
        f"OpenAI promet des superpouvoirs {URL} via @lapresse = À suivre de près #IA #Analyweb\n"
    )


@pytest.mark.parametrize("platform", ["mastodon", "bluesky", "x"])
def test_share_for_a_platform_fits_its_limit(platform: str) -> None:
    note = f"= Déjà {FAMILY} vu, e\u0301te\u0301 🇨🇦 " * 40
    run("add", "--no-fetch", URL, "--title", "Titre accentué é", "--note", note)
    result = run("share", "1", "--for", platform)
    text = result.stdout.rstrip("\n")
    rules = PLATFORMS[platform]
    assert rules.count(text, (URL,)) <= rules.limit
    assert URL in text and text.startswith("Titre accentué é ") and "…" in text
    assert f"shortened to {rules.count(text, (URL,))} of {platform}'s {rules.limit}" in (
        result.stderr
    )
    if platform == "bluesky":
        assert len(graphemes(text)) <= 300
    if platform == "x":
        assert x_length(text, (URL,)) <= 280


def test_share_refuses_what_it_cannot_share() -> None:
    run("add", "--text", "Un mot")
    assert "text block" in run("share", "1", code=ExitCode.BAD_INPUT).stderr
    assert "#9" in run("share", "9", code=ExitCode.BAD_INPUT).stderr
    run("add", "--no-fetch", URL)
    assert (
        "--for 'threads'" in run("share", "2", "--for", "threads", code=ExitCode.BAD_INPUT).stderr
    )


def test_share_copy_on_a_terminal_sends_osc52(item: int) -> None:
    code, screen = run_on_terminal("share", str(item), "--copy", env={"TERM": "xterm-256color"})
    assert code == ExitCode.OK, screen
    text = f"OpenAI promet des superpouvoirs {URL} via @lapresse = À suivre de près #IA #Analyweb"
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    assert f"\x1b]52;c;{payload}\x07" in screen
    assert "copied the post to the clipboard through the terminal (OSC 52)" in screen


def test_compose_copy_on_a_terminal_sends_the_review(item: int, tmp_path: Path) -> None:
    code, screen = run_on_terminal("compose", "--copy")
    assert code == ExitCode.OK, screen
    written = next((tmp_path / "reviews").glob("*.md")).read_text(encoding="utf-8")
    assert osc52(written) in screen
    assert "copied the review to the clipboard" in screen


def fake_tool(folder: Path, name: str) -> Path:
    """A stand-in clipboard tool on PATH that keeps what it was given (no X server here)."""
    folder.mkdir(exist_ok=True)
    script = folder / name
    script.write_text(f'#!/bin/sh\ncat > "{folder}/{name}.got"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return folder / f"{name}.got"


def test_without_a_terminal_a_clipboard_tool_is_used(
    item: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    got = fake_tool(tmp_path / "bin", "xclip")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    result = run("share", str(item), "--copy")
    assert got.read_text(encoding="utf-8") == result.stdout.rstrip("\n")
    assert "copied the post to the clipboard with xclip" in result.stderr
    assert "\x1b]52" not in result.stdout + result.stderr


def test_with_nothing_to_copy_with_it_says_so_and_exits_1(
    item: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    result = run("share", str(item), "--copy", code=ExitCode.PARTIAL)
    assert result.stdout.startswith("OpenAI promet")  # the post was printed all the same
    assert "could not copy to the clipboard" in result.stderr


def test_terminals_known_to_ignore_osc52_use_the_tool_first() -> None:
    assert terminal_supports_osc52({"TERM": "xterm-256color"})
    assert not terminal_supports_osc52({"TERM": "xterm-256color", "VTE_VERSION": "7200"})
    assert not terminal_supports_osc52({"TERM": "xterm-256color", "TERM_PROGRAM": "Apple_Terminal"})
    assert not terminal_supports_osc52({"TERM": "linux"})
    assert not terminal_supports_osc52({})


def test_share_of_a_social_post_keeps_the_comment_and_its_tags(tmp_path: Path) -> None:
    """`share --for x` of a tweet: the curator's comment and its #TikTok stay; the quoted
    post is what gets shortened."""
    (tmp_path / "config.toml").write_text('hashtags = ["Analyweb"]\n', encoding="utf-8")
    tweet = "https://x.com/pika_labs/status/1767573414223565051"
    said = "Sorry, we were on mute. Today we're launching Sound Effects on Pika. " * 8
    run("add", "--no-fetch", tweet, "--title", said.strip(), "--note",
        "= C'est STU-PÉ-FIANT #TikTok")  # fmt: skip
    for platform in PLATFORMS:
        result = run("share", "1", "--for", platform)
        text = result.stdout.rstrip("\n")
        assert text.startswith("C'est STU-PÉ-FIANT #TikTok #Analyweb via RT@pika_labs « Sorry")
        assert text.endswith(f"… » {tweet}") and "shortened" in result.stderr
        assert PLATFORMS[platform].count(text, (tweet,)) <= PLATFORMS[platform].limit
