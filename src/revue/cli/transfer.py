"""Commands that move links in and out: import, export, backup."""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from revue.cli.completion import complete_export_format, complete_import_format, complete_tag
from revue.cli.output import run_fetch
from revue.cli.shell import (
    NO_RANGE,
    RangeArgs,
    env_of,
    exit_for,
    handled,
    item_filters,
    range_args,
    read_input_file,
    typed_list,
)
from revue.errors import BadInput
from revue.models import Item

if TYPE_CHECKING:
    pass


@handled
def import_(
    ctx: typer.Context,
    file: Annotated[
        str,
        typer.Argument(
            help="Links file, bookmarks, Pocket/Pinboard/CSV export, revue JSON, past review text; '-' for stdin."
        ),
    ],
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="auto, or a format name (see README).",
            autocompletion=complete_import_format,
        ),
    ] = "auto",
    tag: Annotated[
        list[str] | None,
        typer.Option(
            "--tag", "-t", help="Add this tag to every item.", autocompletion=complete_tag
        ),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(
            help="Year of a past review's dates when its text does not say.", min=1, max=9999
        ),
    ] = None,
    no_fetch: Annotated[bool, typer.Option("--no-fetch", help="Store only; fetch later.")] = False,
) -> None:
    """Bring links in: all stored in one transaction, duplicates merged, bad lines reported."""
    from revue.app.curate import import_parsed
    from revue.formats.importers import parse_import

    env = env_of(ctx)
    ui = env.ui
    data = read_input_file(file, "import")
    try:
        parsed = parse_import(
            data, format=fmt, filename=None if file == "-" else Path(file).name, year=year
        )
    except ValueError as exc:
        raise BadInput(f"import {file}: {exc}") from None
    try:
        report = import_parsed(env.store, parsed, now=env.now(), extra_tags=typed_list(tag))
    except ValueError as exc:
        raise BadInput(f"import {file}: {exc}") from None
    for line, reason in report.warnings:
        where = f"{file}, {parsed.position} {line}" if line else file
        ui.warn(f"{where}: {reason} (skipped)")
    unreadable = len(parsed.unreadable)
    if unreadable:
        ui.warn(f"{file}: {unreadable} part(s) of the file could not be read (see above)")
    ui.info(report.summary())
    bad: list[Item] = [] if no_fetch else run_fetch(env, report.fresh, single=False)
    exit_for(len(bad) + unreadable)


@handled
@range_args
def export(
    ctx: typer.Context,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="json (complete backup), csv, netscape or md.",
            autocompletion=complete_export_format,
        ),
    ] = "json",
    asked: RangeArgs = NO_RANGE,
    tag: Annotated[
        str | None, typer.Option(help="Only items with this tag.", autocompletion=complete_tag)
    ] = None,
    out: Annotated[str, typer.Option("--out", "-o", help="File to write ('-': stdout).")] = "-",
) -> None:
    """Give links back: a lossless JSON dump, CSV for spreadsheets, bookmarks for browsers."""
    from revue.files import atomic_write, database_files, write_failure
    from revue.models import iso

    env = env_of(ctx)
    start, end, ids = item_filters(env, asked)
    if fmt == "json":
        from revue.store.db import dump

        data = dump(env.store, now=iso(env.now()))
        if start or end or tag or ids is not None:
            kept = {i.id for i in env.store.list_items(start=start, end=end, tag=tag, ids=ids)}
            data["items"] = [i for i in data["items"] if i["id"] in kept]
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    elif fmt in ("csv", "netscape", "md"):
        from revue.formats import exporters

        items = env.store.list_items(start=start, end=end, tag=tag, ids=ids, order="id")
        render_export = {
            "csv": exporters.export_csv,
            "netscape": exporters.export_netscape,
            "md": exporters.export_markdown,
        }[fmt]
        text = render_export(items)
    else:
        raise BadInput(f"--format {fmt!r}: choose json, csv, netscape or md")
    if out == "-":
        env.ui.raw(text)
    else:
        target = Path(out)
        try:
            atomic_write(target, text, protect=database_files(env.store.path))
        except OSError as exc:
            raise write_failure(exc, f"--out {out}: cannot write") from None
        env.ui.info(f"wrote {target}")


@handled
def backup(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Where to write the copy (a new file).")],
) -> None:
    """A consistent copy of the live database, safe while other commands run."""
    from revue.store.db import backup as run_backup

    env = env_of(ctx)
    run_backup(env.store, path)
    env.ui.info(f"backed up {env.store.count()} item(s) to {path}")
