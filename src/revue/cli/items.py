"""Commands on items: add, fetch, list, show, edit, rm, search, extract, move."""

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from revue.cli.completion import STATUSES, complete_status, complete_tag, complete_tag_change
from revue.cli.frame import (
    COUNT,
    ITEM_ID,
    MAX_PAGE_FILE_BYTES,
    MAX_TEXT_FILE_BYTES,
    NO_RANGE,
    JsonFlag,
    RangeArgs,
    collect_links,
    creates_data,
    env_of,
    exit_for,
    handled,
    item_query,
    json_option,
    no_items,
    range_args,
    typed,
    typed_list,
)
from revue.cli.output import (
    describe,
    emit_json,
    emit_json_items,
    items_table,
    plain_rows,
    review_phrase,
    run_fetch,
    terminal_line,
    to_pipe,
)
from revue.console import plain
from revue.errors import BadInput, ExitCode
from revue.files import read_bounded, read_bounded_text
from revue.models import Item, iso
from revue.sanitize import clean_text

if TYPE_CHECKING:
    pass


# -- commands ---------------------------------------------------------------------------


@creates_data
def add(
    ctx: typer.Context,
    links: Annotated[
        list[str] | None, typer.Argument(help="URLs; '-' reads them from stdin.")
    ] = None,
    note: Annotated[
        str | None,
        typer.Option("--note", "-n", help="Your comment (Markdown; #hashtags become tags)."),
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", "-t", help="A tag (repeatable).", autocompletion=complete_tag),
    ] = None,
    section: Annotated[
        str | None, typer.Option(help="Section of the review, e.g. 'Mes entrevues'.")
    ] = None,
    title: Annotated[
        str | None, typer.Option(help="Title typed by hand (kept over the page's).")
    ] = None,
    quote: Annotated[str | None, typer.Option(help="An excerpt to quote under the item.")] = None,
    lead: Annotated[str | None, typer.Option(help="A lead-in shown before the title.")] = None,
    file: Annotated[
        str | None, typer.Option("--file", "-f", help="Read URLs from a file, one a line.")
    ] = None,
    text: Annotated[
        str | None, typer.Option("--text", help="Add a free text block (no URL) instead.")
    ] = None,
    no_fetch: Annotated[bool, typer.Option("--no-fetch", help="Store only; fetch later.")] = False,
    append_note: Annotated[
        bool,
        typer.Option(
            "--append-note",
            help="On a link already here, add --note after its note (default: replace it).",
        ),
    ] = False,
    as_json: Annotated[bool, json_option("Print the items as JSON.")] = False,
) -> None:
    """Store links (before any network call), then fetch and extract their pages."""
    from revue.app.add import hashtags_in, store_links
    from revue.models import iso

    env = env_of(ctx)
    ui = env.ui
    note, section, title, quote, lead, text = map(typed, (note, section, title, quote, lead, text))
    tag = typed_list(tag)
    if text is not None:
        if links or file:
            raise BadInput("--text adds a text block: give no URL with it")
        if not text.strip():
            raise BadInput("--text: empty text")
        item = env.store.add_text(text, now=iso(env.now()), section=section, tags=tag or [])
        env.store.update(item.id, {}, add_tags=hashtags_in(text), hashtags=hashtags_in(text))
        ui.info(f"#{item.id} text block stored")
        if as_json:
            emit_json(ui, env.store.get(item.id).to_json())
        return
    given = collect_links(links or [], file)
    for problem in given.skipped:
        ui.error(problem)
    if not given.links:
        if given.skipped:
            raise BadInput(f"no link to add ({len(given.skipped)} line(s) skipped)")
        raise BadInput("no URL given (pass URLs, '-' for stdin, or --file)")
    curator = {
        "note": note,
        "tags": tag or [],
        "section": section,
        "title": title,
        "quote": quote,
        "lead": lead,
    }
    outcomes = store_links(
        env.store,
        [link for link, _ in given.links],
        now=env.now(),
        curator=curator,
        append_note=append_note,
        titles=[title for _, title in given.links],
    )
    to_fetch: list[Item] = []
    for outcome in outcomes:
        item = outcome.item
        if outcome.created:
            ui.detail(f"#{item.id} stored: {item.url}")
            to_fetch.append(item)
            continue
        added = f"; added {', '.join(outcome.merged_fields)}" if outcome.merged_fields else ""
        if outcome.replaced_note is not None:
            added += f"; note replaced (was: {terminal_line(outcome.replaced_note)})"
        ui.info(f"already here: #{item.id}, added {env.days.day_text(item.added_at)}{added}")
        if item.review:
            ui.warn(f"#{item.id} is already in the review of {review_phrase(item, env.cfg.lang)}")
        if item.status != "ok" and not no_fetch:
            to_fetch.append(item)
        elif len(outcomes) == 1 and not as_json:
            describe(ui, item)
    failed: list[Item] = []
    if not no_fetch:
        failed = run_fetch(env, to_fetch, single=len(given.links) == 1 and not as_json, typed=True)
    elif len(given.links) == 1 and outcomes[0].created and not as_json:
        ui.say(f"#{outcomes[0].item.id} stored (not fetched): {outcomes[0].item.url}", markup=False)
    if as_json:
        ids = []
        for o in outcomes:
            found = env.store.find_by_url(o.item.url or "")
            ids.append(found.id if found else o.item.id)
        emit_json(ui, [i.to_json() for i in env.store.get_many(dict.fromkeys(ids))])
    exit_for(len(failed) + len(given.skipped))


@handled
def fetch(
    ctx: typer.Context,
    ids: Annotated[
        list[int] | None,
        typer.Argument(help="Item ids (default: pending and due failed items).", parser=ITEM_ID),
    ] = None,
    pending: Annotated[bool, typer.Option("--pending", help="Items never fetched.")] = False,
    failed: Annotated[
        bool, typer.Option("--failed", help="Failed or blocked items whose retry time has come.")
    ] = False,
    all_items: Annotated[
        bool, typer.Option("--all", help="Every link (curator's fields are kept).")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Ignore retry times and the attempts limit.")
    ] = False,
) -> None:
    """(Re)fetch pages and update their metadata; what cron runs."""
    env = env_of(ctx)
    if ids:
        items = env.store.get_many(ids)
    else:
        if not (pending or failed or all_items):
            pending = failed = True
        items = env.store.due_for_fetch(
            now=iso(env.now()),  # UTC, as next_attempt_at is stored: compared as text
            pending=pending,
            failed=failed,
            all_items=all_items,
            force=force,
            max_attempts=env.cfg.max_attempts,
        )
    if not items:
        env.ui.info("nothing to fetch")
        return
    bad = run_fetch(env, items, single=len(items) == 1)
    exit_for(len(bad))


@handled
@range_args
def list_items(
    ctx: typer.Context,
    asked: RangeArgs = NO_RANGE,
    tag: Annotated[
        str | None, typer.Option(help="Only items with this tag.", autocompletion=complete_tag)
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(help="pending, ok, failed or blocked.", autocompletion=complete_status),
    ] = None,
    unpublished: Annotated[
        bool, typer.Option("--unpublished", help="Only items no review published.")
    ] = False,
    limit: Annotated[int | None, typer.Option(help="At most this many.", parser=COUNT)] = None,
    order: Annotated[
        str,
        typer.Option(
            "--order", help="newest (first), or review: the order a review shows them in."
        ),
    ] = "newest",
    as_json: Annotated[bool, json_option("JSON, one object per item.")] = False,
) -> None:
    """Items, newest first (the range is on the day each was added)."""
    env = env_of(ctx)
    if status and status not in STATUSES:
        raise BadInput(f"--status {status!r}: choose pending, ok, failed or blocked")
    if order not in ("newest", "review"):
        raise BadInput(f"--order {order!r}: choose newest or review")
    query = item_query(
        env,
        asked,
        tag=tag,
        status=status,
        unpublished=unpublished,
        limit=limit,
        order="newest" if order == "newest" else "position",
    )
    # Streamed: listing a million items holds a few hundred at a time.
    items = env.store.iter_items(query)
    if as_json:
        emit_json_items(env.ui, items)
    elif not items_table(env.ui, items, env.cfg.stale_days, env.days):
        env.ui.info(no_items(env, asked, filtered=bool(tag or status or unpublished)))


@handled
def show(
    ctx: typer.Context,
    item_id: Annotated[int, typer.Argument(help="Item id.", parser=ITEM_ID)],
    as_json: JsonFlag = False,
) -> None:
    """One item, all fields (fields you typed are marked)."""
    env = env_of(ctx)
    item = env.store.get(item_id)
    if as_json:
        emit_json(env.ui, item.to_json())
        return
    rows: list[tuple[str, str]] = []
    data = item.to_json()
    # Shown beside `published` (the page's last update), and only when it says more.
    first = data.pop("first_published", None)
    original = data.pop("canonical", None)
    days = env.days
    for key, value in data.items():
        if key in ("added_at", "fetched_at") and value:
            value = days.instant_text(value)  # the curator's time; --json keeps UTC
        if key == "title" and not value:
            rows.append(("title", f"(no title; shown as: {item.display_title()})"))
        elif value not in (None, [], False, ""):
            label = key + (" (yours)" if key in item.user_fields else "")
            rows.append((label, ", ".join(value) if isinstance(value, list) else str(value)))
        if key == "published" and first and first != value:
            rows.append(("first published", str(first)))
        if key == "url" and original:
            rows.append(("syndicated from", str(original)))
    if item.is_stale(env.cfg.stale_days, days.zone):
        rows.append(
            ("stale", f"first published more than {env.cfg.stale_days} days before it was added")
        )
    if to_pipe(env.ui):
        plain_rows(env.ui, rows)
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for label, shown in rows:
        # A note keeps its lines; every value is text (a title may hold "[/b]").
        table.add_row(label, Text(plain(shown)))
    env.ui.print(table)


def _split_tags(changes: Sequence[str]) -> tuple[list[str], list[str]]:
    add_tags, remove_tags = [], []
    for change in changes:
        if change.startswith("-"):
            remove_tags.append(change[1:])
        else:
            add_tags.append(change.removeprefix("+"))
    return [t for t in add_tags if t.strip()], [t for t in remove_tags if t.strip()]


EDIT_FORM_KEYS = ("title", "summary", "note", "lead", "quote", "section", "tags")


def _edit_in_editor(item: Item) -> dict[str, Any]:
    """Open $EDITOR on a small TOML form of the curator's fields; return what changed."""
    import subprocess
    import tempfile
    import tomllib

    if not sys.stdin.isatty():
        raise BadInput("edit: give at least one option (no terminal to open $EDITOR in)")
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    lines = [f"# revue: item #{item.id} {item.url or ''}", "# Empty a value to clear it."]
    for key in EDIT_FORM_KEYS:
        value = getattr(item, key)
        lines.append(
            f"{key} = {json.dumps(value if value is not None else '', ensure_ascii=False)}"
        )
    with tempfile.NamedTemporaryFile("w+", suffix=".toml", delete=False, encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
        name = fh.name
    try:
        subprocess.run([*editor.split(), name], check=False)
        form = read_bounded_text(name, MAX_TEXT_FILE_BYTES, "edit: the form")
        try:
            data = tomllib.loads(form)
        except (tomllib.TOMLDecodeError, RecursionError) as exc:
            reason = "nested too deeply" if isinstance(exc, RecursionError) else exc
            raise BadInput(f"edit: the form does not parse ({reason}); nothing changed") from None
    finally:
        Path(name).unlink(missing_ok=True)
    changes: dict[str, Any] = {}
    for key in EDIT_FORM_KEYS:
        if key in data and data[key] != (getattr(item, key) or ("" if key != "tags" else [])):
            changes[key] = data[key]
    return changes


@handled
def edit(
    ctx: typer.Context,
    item_id: Annotated[int, typer.Argument(help="Item id.", parser=ITEM_ID)],
    title: Annotated[
        str | None, typer.Option(help="Replace the title (yours from now on).")
    ] = None,
    summary: Annotated[
        str | None, typer.Option(help="Replace the summary (yours from now on).")
    ] = None,
    note: Annotated[str | None, typer.Option(help="Your comment ('' clears it).")] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option(
            "--tag",
            "-t",
            help="+T adds, -T removes (repeatable).",
            autocompletion=complete_tag_change,
        ),
    ] = None,
    section: Annotated[str | None, typer.Option(help="Section ('' clears it).")] = None,
    lead: Annotated[str | None, typer.Option(help="Lead-in ('' clears it).")] = None,
    quote: Annotated[str | None, typer.Option(help="Quote ('' clears it).")] = None,
    as_json: Annotated[bool, json_option("Print the item as JSON.")] = False,
) -> None:
    """Change curator fields; with no option, open $EDITOR."""
    from revue.app.add import edit_item

    env = env_of(ctx)
    title, summary, note, section, lead, quote = map(
        typed, (title, summary, note, section, lead, quote)
    )
    tag = typed_list(tag)
    fields = {
        k: v
        for k, v in dict(
            title=title, summary=summary, note=note, section=section, lead=lead, quote=quote
        ).items()
        if v is not None
    }
    add_tags, remove_tags = _split_tags(tag or [])
    if not fields and not tag:
        item = env.store.get(item_id)
        changes = _edit_in_editor(item)
        if "tags" in changes:
            new_tags = typed_list([str(t) for t in changes.pop("tags")])
            add_tags = [t for t in new_tags if t not in item.tags]
            remove_tags = [t for t in item.tags if t not in new_tags]
        fields = {k: clean_text(str(v)) for k, v in changes.items()}
        if not fields and not add_tags and not remove_tags:
            env.ui.info("nothing changed")
            return
    item = edit_item(env.store, item_id, fields, add_tags=add_tags, remove_tags=remove_tags)
    if as_json:
        emit_json(env.ui, item.to_json())
    else:
        env.ui.info(f"#{item.id} updated")


@handled
def rm(
    ctx: typer.Context,
    ids: Annotated[list[int], typer.Argument(help="Item ids.", parser=ITEM_ID)],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Remove items (asks on a terminal; elsewhere needs --yes)."""
    env = env_of(ctx)
    ids = list(dict.fromkeys(ids))  # `rm 1 1 1` removes one item, and says one
    items = env.store.get_many(ids)
    if not yes:
        if not env.ui.interactive:
            raise BadInput("rm: refusing to remove without --yes when not on a terminal")
        for item in items:
            env.ui.err.print(plain(f"#{item.id} {item.display_title()}"), markup=False)
        if not typer.confirm(f"Remove {len(items)} item(s)?", default=False, err=True):
            env.ui.info("nothing removed")
            return
    env.store.remove(ids)
    env.ui.info(f"removed {len(items)} item(s): {', '.join('#' + str(i.id) for i in items)}")


@handled
def search(
    ctx: typer.Context,
    query: Annotated[
        str, typer.Argument(help="Words to find in titles, summaries, notes, quotes.")
    ],
    as_json: JsonFlag = False,
) -> None:
    """Full-text search, best match first."""
    env = env_of(ctx)
    items = env.store.search(query)
    if as_json:
        emit_json(env.ui, [i.to_json() for i in items])
    elif items:
        items_table(env.ui, items, env.cfg.stale_days, env.days)
    else:
        env.ui.info(f"nothing matches {query!r}")


@handled
def extract(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="A URL to fetch, or a saved page's file.")],
    url: Annotated[str | None, typer.Option(help="The address a saved page came from.")] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json/--text",
            help="JSON, the page part of an item (the default); or a 'field: value' line each.",
            show_default=False,
        ),
    ] = True,
) -> None:
    """Print the metadata extracted from a page; store nothing."""
    from revue.app.refresh import extract_source

    env = env_of(ctx)
    out = extract_source(
        source,
        url=url,
        settings=env.fetch_settings(),
        on_request=env.request_logger(),
        read_file=lambda path: read_bounded(path, MAX_PAGE_FILE_BYTES, ""),
    )
    if out.meta is None:
        env.ui.error(f"{out.link}: {out.error}")
        raise typer.Exit(int(ExitCode.PARTIAL))
    meta = out.meta
    data = meta.to_json()
    if as_json:
        emit_json(env.ui, data)
    else:
        for key, value in data.items():
            env.ui.print(f"{key}: {value}", markup=False)


@handled
def move(
    ctx: typer.Context,
    item_id: Annotated[int, typer.Argument(help="The item to move.", parser=ITEM_ID)],
    before: Annotated[
        int | None,
        typer.Option("--before", help="Place it just before this item.", parser=ITEM_ID),
    ] = None,
    after: Annotated[
        int | None,
        typer.Option("--after", help="Place it just after this item.", parser=ITEM_ID),
    ] = None,
) -> None:
    """Set an item's place in the review by hand."""
    env = env_of(ctx)
    if (before is None) == (after is None):
        raise BadInput("move: give exactly one of --before ID or --after ID")
    env.store.move(item_id, before=before, after=after)
    env.ui.info(f"#{item_id} moved {'before' if before else 'after'} #{before or after}")
