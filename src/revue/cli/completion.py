"""Shell completion. `--install-completion` (bash, zsh, fish) makes the shell run `revue`
with _REVUE_COMPLETE set at each Tab; these give the values of the options that have a fixed
or stored set (typer keeps those that start with what was typed). They run only then, so
their imports cost ordinary commands nothing, and a completion never fails aloud: at worst
it offers nothing.
"""

import sqlite3
from typing import get_args

import typer

from revue.config import LANGS, db_path, load_config
from revue.models import Status

EXPORT_FORMATS = ("json", "csv", "netscape", "md")
STATUSES: tuple[str, ...] = get_args(Status)


def complete_compose_format() -> list[str]:
    from revue.review.outputs import FORMATS

    return list(FORMATS)


def complete_import_format() -> list[str]:
    from revue.formats.importers import FORMATS

    return ["auto", *FORMATS]


def complete_export_format() -> list[str]:
    return list(EXPORT_FORMATS)


def complete_week_format() -> list[str]:
    from revue.app.week import PREVIEW_FORMATS

    return list(PREVIEW_FORMATS)


def complete_platform() -> list[str]:
    from revue.review.social import PLATFORMS

    return list(PLATFORMS)


def complete_post_status() -> list[str]:
    from revue.publish.wordpress import STATUSES as POST_STATUSES

    return list(POST_STATUSES)


def complete_style() -> list[str]:
    from revue.review.render import STYLES

    return list(STYLES)


def complete_lang() -> list[str]:
    return list(LANGS)


def complete_status() -> list[str]:
    return list(STATUSES)


def stored_tags(db_option: str | None) -> list[str]:
    """The tags of the database, read-only and without waiting; [] when it cannot be read
    (no database yet, a bad config, locked, damaged): a Tab must never print an error."""
    try:
        path = db_path(db_option, load_config())
        if not path.is_file():
            return []  # opening would create it
        uri = f"{path.resolve().as_uri()}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=0.2)
        try:
            return [name for (name,) in conn.execute("SELECT name FROM tags ORDER BY name")]
        finally:
            conn.close()
    except Exception:
        return []


def complete_tag(ctx: typer.Context) -> list[str]:
    return stored_tags(ctx.find_root().params.get("db"))


def complete_tag_change(ctx: typer.Context, incomplete: str) -> list[str]:
    """`edit --tag`: +T adds a tag, the sign typed is kept. (-T is not completed: a word
    starting with "-" is completed as an option name.)"""
    sign = "+" if incomplete.startswith("+") else ""
    return [sign + tag for tag in complete_tag(ctx)]
