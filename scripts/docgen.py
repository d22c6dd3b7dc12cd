"""The reference pages of docs/, written from the code by cog (https://cog.readthedocs.io).

Each generated page holds cog blocks that call a function below; `cog -r -I scripts docs/...`
rewrites them, and tests/test_docs.py fails when a committed page differs from what this
makes (`python scripts/docgen.py` regenerates every page). So a new command, option, config
key or exit code reaches the docs by regenerating them, never by hand.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from revue import config, errors
from revue.cli import app

ROOT = Path(__file__).resolve().parents[1]
# Every page of docs/ that holds cog blocks.
PAGES = [
    "docs/reference/commands.md",
    "docs/reference/configuration.md",
    "docs/reference/exit-codes.md",
    "docs/reference/json.md",
    "docs/design.md",
]
# The help as an 80-column terminal shows it, the same on every machine.
HELP_ENV = {"COLUMNS": "80", "LINES": "24", "NO_COLOR": "1", "TERM": "dumb"}


def _commands(group: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    # Typer ships its own copy of click: a group is whatever has subcommands.
    for name, command in group.commands.items():
        if command.hidden:
            continue
        yield (*path, name)
        if getattr(command, "commands", None):
            yield from _commands(command, (*path, name))


def command_paths() -> list[tuple[str, ...]]:
    """Every command and subcommand of `revue`, in the order `revue --help` lists them."""
    return list(_commands(typer.main.get_command(app)))


def help_text(path: tuple[str, ...]) -> str:
    result = CliRunner().invoke(
        app, [*path, "--help"], env=HELP_ENV, prog_name="revue", catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return "\n".join(line.rstrip() for line in result.stdout.strip("\n").splitlines())


def commands_reference() -> str:
    """`revue --help`, then every command's `--help`, each under its own heading."""
    parts = ["## revue", "", "```text", help_text(()), "```"]
    for path in command_paths():
        parts += ["", f"## revue {' '.join(path)}", "", "```text", help_text(path), "```"]
    return "\n".join(parts)


def _show(value: object) -> str:
    if value is None:
        return "—"
    return f"`{config._show(value)}`"


def _kind(spec: config.Setting) -> str:
    if spec.table:
        return "table"
    return {
        str: "string",
        bool: "boolean",
        int: "integer",
        float: "number",
        list: "list of strings",
        dict: "table of strings",
    }[spec.kind]


def _table(keys: Mapping[str, config.Setting], prefix: str) -> str:
    rows = ["| key | type | default | allowed | meaning |", "|---|---|---|---|---|"]
    for name, spec in keys.items():
        assert spec.doc, f"config key {prefix}{name} has no meaning: give it doc= in config/keys.py"
        allowed = "" if spec.table else spec.describe()
        cells = [f"`{prefix}{name}`", _kind(spec), _show(spec.default), allowed, spec.doc]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows)


def config_reference() -> str:
    """One table per table of config.toml, from the declarations load_config checks against."""
    parts = ["## Top-level keys", "", _table(config.KEYS, "")]
    for lang in config.LANGS:
        parts += ["", f"## `[compose.{lang}]`", "", _table(config.LANG_KEYS, f"compose.{lang}.")]
    parts += ["", "## `[wordpress]`", "", _table(config.WORDPRESS_KEYS, "wordpress.")]
    parts += ["", "## `[publish]`", "", _table(config.PUBLISH_TABLES, "publish.")]
    for name, keys in config.PUBLISH_KEYS.items():
        parts += ["", f"## `[publish.{name}]`", "", _table(keys, f"publish.{name}.")]
    parts += ["", "## `[inbox]`", "", _table(config.INBOX_KEYS, "inbox.")]
    parts += ["", "## `[fetch]`", "", _table(config.FETCH_KEYS, "fetch.")]
    return "\n".join(parts)


def _error_classes() -> list[type[errors.RevueError]]:
    found: list[type[errors.RevueError]] = []
    todo: list[type[errors.RevueError]] = [errors.RevueError]
    while todo:
        cls = todo.pop(0)
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return [c for c in found if c.__module__ == errors.__name__]


def exit_codes() -> str:
    """The exit codes, what each means, and the errors in errors.py that carry each."""
    rows = ["| code | name | meaning |", "|---|---|---|"]
    for code in errors.ExitCode:
        rows.append(f"| {int(code)} | `{code.name}` | {errors.MEANING[code]} |")
    rows += ["", "| error (in `revue.errors`) | exit code | raised when |", "|---|---|---|"]
    for cls in _error_classes():
        doc = " ".join((cls.__doc__ or "").split())
        rows.append(f"| `{cls.__name__}` | {int(cls.exit_code)} | {doc} |")
    return "\n".join(rows)


def field_table() -> str:
    """Extraction's field table: each field and its sources, in order (web/extract/fields.py)."""
    from revue.web.extract import fields

    return fields.precedence()


def item_keys() -> str:
    """The keys of an item in JSON, in their order, from `Item.to_json()`."""
    from revue.models import Item

    keys = list(Item(id=1, url="https://example.org/").to_json())
    return ", ".join(f"`{key}`" for key in keys)


SAMPLE_PAGE = """<html lang="fr"><head>
<title>OpenAI promet des « superpouvoirs » pour tous | La Presse</title>
<meta property="og:title" content="OpenAI promet des « superpouvoirs » pour tous">
<meta property="og:site_name" content="La Presse">
<meta name="twitter:site" content="@lp_lapresse">
<meta name="description" content="Première conférence annuelle des développeurs d'OpenAI.">
<meta property="article:published_time" content="2023-11-06T17:30:00-05:00">
</head><body><p>Texte.</p></body></html>
"""
SAMPLE_OPML = """<?xml version="1.0"?><opml version="2.0"><head><title>Flux</title></head><body>
<outline type="rss" text="Le Devoir" xmlUrl="https://www.ledevoir.com/rss/manchettes.xml"/>
</body></opml>
"""
SAMPLE_URL = "https://www.lapresse.ca/affaires/techno/2023-11-06/openai.php"
# A link `check` finds dead without leaving the machine: nothing listens on port 9 (discard).
GONE_URL = "http://127.0.0.1:9/gone"
SAMPLE_CONFIG = """hashtags = ["Analyweb"]
[wordpress]
url = "https://blog.example.org"
user = "marie"
[fetch]
retries = 0
"""
# The instants the sample's commands stamp with the time they ran: one fixed value each.
STAMPED = ("composed_at", "fetched_at", "pulled_at", "next_attempt_at")


def _fixed_times(data: Any) -> Any:
    if isinstance(data, dict):
        return {
            k: "2024-03-19T14:05:00+00:00" if k in STAMPED and v else _fixed_times(v)
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [_fixed_times(v) for v in data]
    return data


def json_examples() -> str:
    """Real `--json` output of the commands, from a sample database made on the spot (no
    request leaves the machine: the links are stored unfetched, the dry run sends nothing)."""
    import json
    import sqlite3
    import tempfile

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "config.toml").write_text(SAMPLE_CONFIG, encoding="utf-8")
        (folder / "page.html").write_text(SAMPLE_PAGE, encoding="utf-8")
        (folder / "feeds.opml").write_text(SAMPLE_OPML, encoding="utf-8")
        env: dict[str, str | None] = {
            **HELP_ENV,
            "REVUE_DB": str(folder / "revue.db"),
            "REVUE_CONFIG": str(folder / "config.toml"),
            "REVUE_REVIEWS_DIR": str(folder / "reviews"),
            "TZ": "UTC",
            # The curator's own blog settings, when set where this runs, stay out of it.
            "REVUE_WORDPRESS_URL": None,
            "REVUE_WORDPRESS_USER": None,
            "REVUE_WORDPRESS_PASSWORD": None,
        }

        def run(*args: str, code: int = 0) -> str:
            result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
            assert result.exit_code == code, result.output
            return result.stdout

        def added(item_id: int, when: str) -> None:
            conn = sqlite3.connect(folder / "revue.db")
            conn.execute("UPDATE items SET added_at = ? WHERE id = ?", [when, item_id])
            conn.commit()
            conn.close()

        run("add", "--no-fetch", SAMPLE_URL, "--title", "OpenAI promet des superpouvoirs",
            "--note", "À suivre #IA")  # fmt: skip
        run("add", "--no-fetch", GONE_URL, "--title", "Une page disparue")
        run("feed", "import", str(folder / "feeds.opml"))
        conn = sqlite3.connect(folder / "revue.db")
        conn.execute("UPDATE feeds SET added_at = ?", ["2024-03-12T08:00:00+00:00"])
        conn.commit()
        conn.close()
        added(1, "2024-03-12T14:05:00+00:00")
        added(2, "2024-03-20T09:30:00+00:00")
        run("compose", "--from", "2024-03-12", "--to", "2024-03-19")
        run("compose", "--from", "2024-03-20", "--to", "2024-03-26")
        page = str(folder / "page.html")
        shown: list[tuple[str, str]] = [
            ("revue show 1 --json", run("show", "1", "--json")),
            ("revue list --json", run("list", "--json", "--limit", "1")),
            (f"revue extract page.html --url {SAMPLE_URL} --json",
             run("extract", page, "--url", SAMPLE_URL, "--json")),
            ("revue reviews --json", run("reviews", "--json")),
            ("revue check 2 --json", run("check", "2", "--json", code=1)),
            ("revue publish 1 --dry-run --json", run("publish", "1", "--dry-run", "--json")),
            ("revue feed list --json", run("feed", "list", "--json")),
        ]  # fmt: skip
        parts = []
        for command, out in shown:
            data = _fixed_times(json.loads(out))
            text = json.dumps(data, ensure_ascii=False, indent=2).replace(str(folder) + "/", "")
            parts += [f"### `{command}`", "", "```json", text, "```", ""]
    return "\n".join(parts).rstrip("\n")


def store_schema() -> str:
    """The tables and indexes of a new database, as the migrations leave them."""
    import sqlite3
    import tempfile

    from revue.store.db import Store

    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "revue.db")
        store.close()
        conn = sqlite3.connect(Path(folder) / "revue.db")
        rows = conn.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"
            " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts_%' ORDER BY type DESC, name"
        ).fetchall()
        conn.close()
    return "```sql\n" + ";\n".join(sql for (sql,) in rows) + ";\n```"


def main() -> None:
    from cogapp import Cog

    status = Cog().main(["cog", "-r", "-I", str(ROOT / "scripts"), *(str(ROOT / p) for p in PAGES)])
    sys.exit(status)


if __name__ == "__main__":
    main()
