"""Commands that move links in and out: import, export, backup."""

import gc
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO

import typer

from revue.cli.completion import complete_export_format, complete_import_format, complete_tag
from revue.cli.frame import (
    NO_RANGE,
    YEAR,
    RangeArgs,
    creates_data,
    env_of,
    exit_for,
    handled,
    item_query,
    range_args,
    typed_list,
)
from revue.cli.output import run_fetch
from revue.errors import BadInput
from revue.models import Item

if TYPE_CHECKING:
    pass


# revue's own export is read as it is stored (no cap); other files whole, up to this.
MAX_IMPORT_BYTES = 200 * 1024 * 1024


@contextmanager
def open_input_file(path: str, what: str) -> Iterator[BinaryIO]:
    """A file the user named (or stdin for "-"), opened for reading bytes."""
    if path == "-":
        yield sys.stdin.buffer
        return
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, after the caller's block
    except OSError as exc:
        raise BadInput(f"{what} {path}: cannot read ({exc.strerror})") from None
    with handle:
        yield handle


def read_or_fail(handle: BinaryIO, size: int, path: str, what: str) -> bytes:
    try:
        return handle.read(size)
    except OSError as exc:
        raise BadInput(f"{what} {path}: cannot read ({exc.strerror})") from None


@contextmanager
def seekable_input(
    handle: BinaryIO, head: bytes, path: str, what: str, cap: int
) -> Iterator[BinaryIO]:
    """The file `handle` (of which `head` is read already) as a file that can be read again
    from its start, as an import reads it (its encoding first, then its text): the file
    itself when it can seek, else (standard input, a pipe) a temporary copy on disk, not in
    memory. BadInput when it is larger than `cap` bytes."""
    if handle.seekable():
        try:
            size = handle.seek(0, 2)
            handle.seek(0)
        except OSError as exc:
            raise BadInput(f"{what} {path}: cannot read ({exc.strerror})") from None
        if size > cap:
            raise BadInput(f"{what} {path}: larger than {cap // 2**20} MB")
        yield handle
        return
    with tempfile.TemporaryFile() as copy:
        copy.write(head)
        size = len(head)
        while chunk := read_or_fail(handle, 1 << 20, path, what):
            size += len(chunk)
            if size > cap:
                raise BadInput(f"{what} {path}: larger than {cap // 2**20} MB")
            copy.write(chunk)
        copy.seek(0)
        yield copy


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cycle collector off for the block. An import of a whole file keeps every
    record and every new item alive until it ends: each collection walks them all again,
    about a quarter of a 100k-line import's time, and frees nothing (they form no cycles)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@creates_data
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
        typer.Option(help="Year of a past review's dates when its text does not say.", parser=YEAR),
    ] = None,
    no_fetch: Annotated[bool, typer.Option("--no-fetch", help="Store only; fetch later.")] = False,
) -> None:
    """Bring links in: all stored in one transaction, duplicates merged, bad lines reported."""
    from revue.app.imports import import_parsed, import_revue_export
    from revue.formats.imports import (
        ImportResult,
        ImportStream,
        format_of_file,
        header_first,
        looks_like_revue_export,
        open_import,
    )

    env = env_of(ctx)
    ui = env.ui
    parsed: ImportResult | ImportStream  # what was skipped, for the messages below
    with open_input_file(file, "import") as handle:
        head = read_or_fail(handle, 65536, file, "import")
        if fmt == "revue-json" or (fmt == "auto" and looks_like_revue_export(head)):
            # revue's own export: read as it is stored, so no size cap (memory stays flat).
            def chunks() -> Iterator[bytes]:
                yield head
                while chunk := read_or_fail(handle, 1 << 20, file, "import"):
                    yield chunk

            try:
                report = import_revue_export(env.store, chunks(), now=env.now())
            except ValueError as exc:
                raise BadInput(f"import {file}: {exc}") from None
            parsed = ImportResult("revue-json", [], [(n or 0, r) for n, r in report.warnings])
        else:
            with (
                seekable_input(handle, head, file, "import", MAX_IMPORT_BYTES) as source,
                gc_paused(),
            ):
                try:
                    name = None if file == "-" else Path(file).name
                    found = format_of_file(source, name) if fmt == "auto" else fmt
                    if found == "revue-json":  # an export whose "format" comes late
                        late = [header_first(source.read())]
                        report = import_revue_export(env.store, late, now=env.now())
                        parsed = ImportResult(found, [], [(n or 0, r) for n, r in report.warnings])
                    else:
                        parsed = open_import(source, format=found, year=year, zone=env.days.zone)
                        report = import_parsed(
                            env.store, parsed, now=env.now(), extra_tags=typed_list(tag),
                            keep_fresh=not no_fetch,
                        )  # fmt: skip
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
    query = item_query(env, asked, tag=tag, order="id")
    pieces: Iterator[str]
    if fmt == "json":
        from revue.store.db import iter_dump

        pieces = iter_dump(env.store, now=iso(env.now()), query=query)
    elif fmt in ("csv", "netscape", "md"):
        from revue.formats import exporters

        items = env.store.iter_items(query)
        render_export = {
            "csv": exporters.iter_csv,
            "netscape": exporters.iter_netscape,
            "md": exporters.iter_markdown,
        }[fmt]
        pieces = render_export(items)
    else:
        raise BadInput(f"--format {fmt!r}: choose json, csv, netscape or md")
    # Written as it is read: a million items never sit in memory at once.
    if out == "-":
        for piece in pieces:
            env.ui.raw(piece)
    else:
        target = Path(out)
        try:
            atomic_write(target, pieces, protect=database_files(env.store.path))
        except OSError as exc:
            raise write_failure(exc, f"--out {out}: cannot write") from None
        env.ui.info(f"wrote {target}")


@handled
def backup(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Where to write the copy (a new file).")],
) -> None:
    """A consistent copy of the live database, safe while other commands run."""
    env = env_of(ctx)
    env.store.backup(path)
    env.ui.info(f"backed up {env.store.count()} item(s) to {path}")
