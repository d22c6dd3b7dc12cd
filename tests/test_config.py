"""Every config key has a type and a range; a bad value stops every command before any work.

Issue 13, point 5: `[fetch] connect_timeout = "fast"` made every fetch fail as "unexpected
error: TypeError" (and later cron runs exit 0), negative timeouts were accepted, and
`concurrency = 9223372036854775807` hung `add`.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import revue
from revue.config import FETCH_KEYS, KEYS, Config, load_config
from revue.errors import ExitCode
from revue.web.fetch import FetchSettings

from clihelp import run
from loopback import LoopbackServer

SRC = str(Path(revue.__file__).resolve().parents[1])
# The configuration reference (the README's Configuration section moved there).
CONFIG_PAGE = Path(__file__).resolve().parents[1] / "docs" / "reference" / "configuration.md"

# (the file's text, what the one error line must show: the key and the bad value)
BAD_CONFIGS = [
    # wrong type
    ('[fetch]\nconnect_timeout = "fast"\n', 'fetch.connect_timeout = "fast"'),
    ('show_dates = "yes"\n', 'show_dates = "yes"'),
    ("lang = 3\n", "lang = 3"),
    ('stale_days = "thirty"\n', 'stale_days = "thirty"'),
    ("[fetch]\nper_host = 2.5\n", "fetch.per_host = 2.5"),
    ("[fetch]\nconcurrency = 4.0\n", "fetch.concurrency = 4.0"),
    ("db = 1979-05-27\n", "db = 1979-05-27"),
    ("hashtags = [1, 2]\n", "hashtags = [1, 2]"),
    ('sections = "Mes entrevues"\n', 'sections = "Mes entrevues"'),
    # a bool where a number is due (bool is an int in Python) and a number for a bool
    ("[fetch]\nconcurrency = true\n", "fetch.concurrency = true"),
    ("[fetch]\nread_timeout = false\n", "fetch.read_timeout = false"),
    ("max_attempts = true\n", "max_attempts = true"),
    ("show_dates = 1\n", "show_dates = 1"),
    # out of range: negative, zero, huge, past 64 bits
    ("[fetch]\nconnect_timeout = -1\n", "fetch.connect_timeout = -1"),
    ("[fetch]\ntotal_timeout = 0\n", "fetch.total_timeout = 0"),
    ("[fetch]\nretries = -2\n", "fetch.retries = -2"),
    ("[fetch]\nconcurrency = 9223372036854775807\n", "fetch.concurrency = 9223372036854775807"),
    ("[fetch]\nmax_bytes = 99999999999999999999999\n", "fetch.max_bytes = 99999999999999999999999"),
    ("[fetch]\nread_timeout = 31536000\n", "fetch.read_timeout = 31536000"),
    ("stale_days = -1\n", "stale_days = -1"),
    ("max_attempts = 0\n", "max_attempts = 0"),
    # NaN and infinities
    ("[fetch]\nconnect_timeout = nan\n", "fetch.connect_timeout = nan"),
    ("[fetch]\ntotal_timeout = inf\n", "fetch.total_timeout = inf"),
    ("[fetch]\nbackoff = -inf\n", "fetch.backoff = -inf"),
    # a table where a value is due, a value or an array where a table is due
    ("fetch = 3\n", "fetch = 3"),
    ("[[fetch]]\nretries = 1\n", "fetch = an array of tables"),
    ("[lang]\nfr = true\n", "lang = a table"),
    ('[fetch]\noembed_endpoints = "x"\n', 'fetch.oembed_endpoints = "x"'),
    ('[fetch.oembed_endpoints]\nyoutube = "ftp://x"\n', 'youtube = "ftp://x"'),
    ("[fetch.oembed_endpoints]\nyoutube = 1\n", "youtube = 1"),
    # a choice not offered
    ('lang = "de"\n', 'lang = "de"'),
    ('style = "fancy"\n', 'style = "fancy"'),
    ('format = "pdf"\n', 'format = "pdf"'),
    # strings: empty, control characters (a header split, a path cut at NUL), too long
    ('[fetch]\nuser_agent = "revue\\r\\nX-Evil: 1"\n', "fetch.user_agent"),
    ('db = "a\\u0000b.db"\n', "db"),
    ('reviews_dir = ""\n', 'reviews_dir = ""'),
    ('sections = ["", "Mes entrevues"]\n', "sections"),
    ('title_prefix = "' + "x" * 300 + '"\n', "title_prefix"),
    # unknown keys, with the likely one
    ("[fetch]\nconcurency = 4\n", "'fetch.concurency' (did you mean 'concurrency'?)"),
    ("stael_days = 3\n", "'stael_days' (did you mean 'stale_days'?)"),
]


@pytest.mark.parametrize(("text", "shown"), BAD_CONFIGS)
def test_a_bad_value_is_exit_3_naming_the_file_the_key_and_the_value(
    tmp_path: Path, text: str, shown: str
) -> None:
    config = tmp_path / "config.toml"  # REVUE_CONFIG (conftest)
    config.write_text(text, encoding="utf-8")
    result = run("add", "https://a.example/1", "--no-fetch", code=ExitCode.STORE)
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert str(config) in line and shown in line, line
    assert "expected" in line or "unknown key" in line, line
    assert not (tmp_path / "revue.db").exists()  # before any work: no database made


def test_every_command_checks_the_config_first(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[fetch]\nconnect_timeout = -5\n", encoding="utf-8")
    for args in (
        ["list"],
        ["extract", str(tmp_path / "config.toml")],
        ["reviews"],
        ["feed", "list"],
        ["backup", str(tmp_path / "copy.db")],
        ["compose", "--dry-run"],
    ):
        result = run(*args, code=ExitCode.STORE)
        assert "fetch.connect_timeout = -5" in result.stderr, args
    assert not (tmp_path / "copy.db").exists()
    assert run("add", "--help").exit_code == ExitCode.OK  # help still works, to fix the file with


def test_good_values_are_read_as_the_program_uses_them(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'lang = "en"\nstale_days = 0\nmax_attempts = 1000\nhashtags = ["#Analyweb"]\n'
        'intro = "Bonne lecture!\\n\\n\\tÀ lundi."\n'
        "[fetch]\nconnect_timeout = 3\nconcurrency = 256\nretries = 0\nbackoff = 0\n"
        'user_agent = "Mozilla/5.0 (revue test)"\n'
        '[fetch.oembed_endpoints]\nyoutube = ""\n"127.0.0.1:8080" = "http://127.0.0.1:8080/o"\n',
        encoding="utf-8",
    )
    cfg = load_config(config)
    assert (cfg.lang, cfg.stale_days, cfg.max_attempts, cfg.hashtags) == (
        "en",
        0,
        1000,
        ["Analyweb"],
    )
    settings = FetchSettings(**cfg.fetch)
    assert settings.connect_timeout == 3.0 and isinstance(settings.connect_timeout, float)
    assert (settings.concurrency, settings.retries, settings.backoff) == (256, 0, 0.0)
    assert settings.read_timeout == FetchSettings().read_timeout  # not given: the default
    assert settings.oembed_endpoints == {"youtube": "", "127.0.0.1:8080": "http://127.0.0.1:8080/o"}


def test_the_declared_defaults_are_the_programs_defaults() -> None:
    """KEYS and FETCH_KEYS are the one table of what the config may hold: they name every
    field of Config and FetchSettings, and their defaults are those the program runs with."""
    assert set(KEYS) == {f.name for f in dataclasses.fields(Config)} - {"path"}
    assert set(FETCH_KEYS) == {f.name for f in dataclasses.fields(FetchSettings)}
    from_config = FetchSettings(**Config().fetch)
    assert dataclasses.replace(from_config, oembed_endpoints={}) == dataclasses.replace(
        FetchSettings(), oembed_endpoints={}
    )
    assert not from_config.oembed_endpoints  # merged over the built-in endpoints by Fetcher
    for name, spec in KEYS.items():
        if name != "fetch":
            assert getattr(Config(), name) == spec.default, name


def test_the_docs_example_shows_every_key_with_its_range(tmp_path: Path) -> None:
    section = CONFIG_PAGE.read_text(encoding="utf-8")
    example = section[section.index("```toml\n") + 8 :]
    example = example[: example.index("```")]
    for name in [*KEYS, *FETCH_KEYS]:
        assert re.search(rf"^\[?(fetch\.)?{name}\b", example, re.M), name
    for name, low, high in re.findall(r"^(\w+) = .*\[(> 0|\d+), (\d+)\]$", example, re.M):
        spec = FETCH_KEYS[name]
        assert (spec.low, spec.high) == (0.001 if low == "> 0" else int(low), int(high)), name
    (tmp_path / "example.toml").write_text(example, encoding="utf-8")
    load_config(tmp_path / "example.toml")  # the example itself is a valid config


def test_a_bad_fetch_value_fails_every_cron_run_before_any_request(
    tmp_path: Path, server: LoopbackServer
) -> None:
    """The reported case, through the installed entry point in a real process: before, `add`
    stored the link and failed it as "unexpected error: TypeError", and `revue --quiet fetch`
    then exited 0 in silence on every later cron run."""
    server.route("/a", body=b"<title>A</title>")
    (tmp_path / "config.toml").write_text('[fetch]\nconnect_timeout = "fast"\n', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": SRC}
    for args in (["add", server.url("/a")], ["--quiet", "fetch"], ["--quiet", "fetch"]):
        proc = subprocess.run(
            [sys.executable, "-m", "revue", *args],
            capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=60,
        )  # fmt: skip
        assert proc.returncode == ExitCode.STORE, (args, proc.stdout, proc.stderr)
        assert proc.stdout == ""
        assert 'fetch.connect_timeout = "fast"' in proc.stderr and "TypeError" not in proc.stderr
    assert server.requests == []
    assert not (tmp_path / "revue.db").exists()
