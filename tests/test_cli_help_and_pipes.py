"""What the help says and what a pipe gets (issue 22, point 11): no `[x<=9223372036854775807]`
in the help, "'abc' is not an item id" rather than "not a valid int range", an `extract`
flag that can be turned off, the default range of `compose` said, plain lines from `show`
and `reviews` in a pipe, and no `title None`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from revue.cli import app
from revue.errors import ExitCode

from clihelp import run, run_on_terminal
from loopback import LoopbackServer

BOX = re.compile(r"[┃│┏┓┗┛━─┡┩╇╈]")


def every_command() -> list[list[str]]:
    found: list[list[str]] = []

    def walk(group: typer.core.TyperGroup, prefix: list[str]) -> None:
        for name, cmd in group.commands.items():
            if isinstance(cmd, typer.core.TyperGroup):
                walk(cmd, [*prefix, name])
            else:
                found.append([*prefix, name])

    walk(typer.main.get_command(app), [])  # type: ignore[arg-type]
    return found


@pytest.mark.parametrize("command", every_command(), ids=" ".join)
def test_help_shows_no_number_ranges_and_no_default_of_a_flag(command: list[str]) -> None:
    text = run(*command, "--help").stdout
    assert not re.search(r"x\s*<=|<=\s*x|x\s*>=|>=\s*x|9223372036854775807", text), text
    assert "[default: True]" not in text and "[default: False]" not in text, text


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["show", "abc"], "'abc' is not an item id"),
        (["edit", "1x", "--note", "n"], "'1x' is not an item id"),
        (["rm", "1", "deux", "--yes"], "'deux' is not an item id"),
        (["move", "1", "--after", "b"], "'b' is not an item id"),
        (["feed", "rm", "flux"], "'flux' is not a feed id"),
        (["check", "dernière"], "'dernière' is not a review id"),
        (["compose", "--review", "x"], "'x' is not a review id"),
        (["list", "--limit", "-3"], "'-3' is not a count"),
        (["show", str(2**63)], f"'{2**63}' is not an item id (at most {2**63 - 1})"),
    ],
)
def test_a_bad_number_is_named_for_what_it_is(args: list[str], said: str, empty_db: Path) -> None:
    result = run(*args, code=ExitCode.BAD_INPUT)
    assert said in result.stderr, result.stderr
    assert "int range" not in result.stderr and "integer" not in result.stderr


def test_compose_help_says_the_default_range(empty_db: Path) -> None:
    text = " ".join(run("compose", "--help").stdout.split())
    assert "the range is the last 7 days ending today" in text


def test_extract_prints_json_by_default_or_a_line_a_field(server: LoopbackServer) -> None:
    url = server.route("/p", "<html><head><title>Une page</title></head><body></body></html>")
    assert run("extract", url).stdout.startswith("{")
    lines = run("extract", url, "--text").stdout.splitlines()
    assert "title: Une page" in lines and not any(line.startswith("{") for line in lines)


def add_and_compose() -> None:
    run("add", "--no-fetch", "https://example.org/a", "--note", "À lire")
    run("add", "--no-fetch", "https://example.org/b", "--title", "Un très long titre " * 8)
    run("-q", "compose")


def test_show_and_reviews_print_plain_lines_into_a_pipe() -> None:
    add_and_compose()
    shown = run("show", "1").stdout
    assert not BOX.search(shown) and "None" not in shown, shown
    fields = dict(line.split("\t", 1) for line in shown.splitlines())
    assert fields["title"] == "(no title; shown as: example.org)"
    assert fields["note"] == "À lire" and fields["url"] == "https://example.org/a"
    # A long title stays on its line (a table would fold it at 80 columns).
    assert ("title (yours)\t" + ("Un très long titre " * 8).strip()) in run("show", "2").stdout
    listed = run("reviews").stdout
    assert not BOX.search(listed), listed
    [line] = listed.splitlines()
    cells = line.split("\t")
    assert cells[0] == "1" and cells[3] == "2" and cells[4] == "md"
    assert cells[5].endswith("-revue-de-presse.md")


def test_show_and_reviews_still_draw_tables_on_a_terminal() -> None:
    add_and_compose()
    code, screen = run_on_terminal("reviews")
    assert code == ExitCode.OK and BOX.search(screen), screen
    code, screen = run_on_terminal("show", "1")
    assert code == ExitCode.OK and "(no title; shown as: example.org)" in screen, screen
    assert "\t" not in screen
