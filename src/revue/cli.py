"""The command line: opens the store, calls the library, prints, and turns errors into exit codes.

The only module that imports typer and the only one that exits. Heavy libraries (httpx, bs4,
Jinja2) are imported inside the commands that need them, so `revue --help` and `revue list`
start fast.
"""

import datetime as dt
import errno
import functools
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, get_args

import typer

from revue import __version__, urls
from revue.config import LANGS, Config, db_path, load_config
from revue.console import NORMAL, QUIET, UI, VERBOSE, make_ui, plain
from revue.errors import BadInput, ConfigError, ExitCode, RevueError, StoreError
from revue.files import read_bounded, read_bounded_text
from revue.models import Item, Status
from revue.sanitize import clean_optional, clean_text

if TYPE_CHECKING:
    from rich.text import Text

    from revue.compose import DateRange
    from revue.db import Store
    from revue.fetch import Fetcher, FetchSettings, RequestCallback, RequestEvent
    from revue.publish.wordpress import WordPressSettings

app = typer.Typer(
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="revue: collect links from the terminal, compose dated press reviews.",
)
feed_app = typer.Typer(no_args_is_help=True, help="RSS/Atom sources pulled by cron.")
app.add_typer(feed_app, name="feed")

F = TypeVar("F", bound=Callable[..., Any])

# SQLite's largest integer: an id or a limit past it is refused where it is typed.
ID_MAX = 2**63 - 1
# What revue reads from the files and streams it is given, at most (exit 2 past it).
MAX_LIST_BYTES = 20 * 2**20  # `add -` / `add --file`: some 200,000 URLs
MAX_PAGE_FILE_BYTES = 64 * 2**20  # `extract FILE`: a saved page or a PDF
MAX_TEXT_FILE_BYTES = 2**20  # `compose --intro/--outro`, the `edit` form: paragraphs of text


@dataclass
class Env:
    """What every command shares: options of the global callback, opened lazily."""

    db_option: str | None = None
    level: int = NORMAL
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))
    _ui: UI | None = None
    _cfg: Config | None = None
    _store: "Store | None" = None

    @property
    def ui(self) -> UI:
        if self._ui is None:
            self._ui = make_ui(self.level)
        return self._ui

    @property
    def cfg(self) -> Config:
        if self._cfg is None:
            self._cfg = load_config()
        return self._cfg

    @property
    def store(self) -> "Store":
        if self._store is None:
            from revue.db import Store

            self._store = Store.open(db_path(self.db_option, self.cfg))
        return self._store

    def now(self) -> dt.datetime:
        return self.clock()

    def fetch_settings(self) -> "FetchSettings":
        from revue.fetch import FetchSettings

        # config.py checked every key and value against FETCH_KEYS.
        return FetchSettings(**self.cfg.fetch)

    def fetcher_factory(self) -> "Callable[[], Fetcher]":
        from revue.fetch import Fetcher

        settings = self.fetch_settings()
        on_request = self.request_logger()
        return lambda: Fetcher(settings, on_request=on_request)

    def request_logger(self) -> "RequestCallback | None":
        """With --verbose, one line per HTTP request: method, address, status, time."""
        if self.level < VERBOSE:
            return None
        ui = self.ui

        def log(event: "RequestEvent") -> None:
            outcome = str(event.status) if event.status is not None else ""
            if event.error:
                outcome = f"{outcome} {event.error}".strip()
            ui.detail(f"{event.method} {printable(event.url)} {outcome} in {event.seconds:.3f} s")

        return log

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def _env(ctx: typer.Context) -> Env:
    obj = ctx.find_root().obj
    if not isinstance(obj, Env):
        obj = Env()
        ctx.find_root().obj = obj
    return obj


def handled(func: F) -> F:
    """Turn domain errors into one line on stderr and their exit code (the one boundary)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        env = _env(kwargs["ctx"])
        try:
            # The whole config is checked before any work: a bad value is exit 3 before a
            # link is stored, a file read or a page fetched.
            env.cfg  # noqa: B018
            return func(*args, **kwargs)
        except RevueError as exc:
            env.ui.error(exc.message)
            raise typer.Exit(int(exc.exit_code)) from None
        except sqlite3.Error as exc:
            where = f" {env._store.path}" if env._store is not None else ""
            env.ui.error(f"database{where}: {exc}")
            raise typer.Exit(int(ExitCode.STORE)) from None
        except OSError as exc:
            if isinstance(exc, BrokenPipeError):
                raise
            # A file revue reads or writes outside the database (a review, an export, a lock):
            # still one line naming it, never a traceback. A full disk is exit 3 like the DB's.
            env.ui.error(f"{exc.filename or 'file'}: {exc.strerror or exc}")
            disk = exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS)
            raise typer.Exit(int(ExitCode.STORE if disk else ExitCode.BAD_INPUT)) from None
        except KeyboardInterrupt:
            env.ui.error("interrupted")
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:
            # A bug, not the user's doing: cron still gets one line (the traceback with -v).
            if env.level >= VERBOSE:
                import traceback

                env.ui.stderr.write(plain(traceback.format_exc()))
            env.ui.error(f"internal error: {type(exc).__name__}: {exc} (run with -v for details)")
            raise typer.Exit(int(ExitCode.PARTIAL)) from None
        finally:
            env.close()

    return wrapper  # type: ignore[return-value]


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"revue {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database file (default: REVUE_DB, config, user data dir)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on stderr.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="More detail on stderr.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=version_callback, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """revue: collect links from the terminal, compose dated press reviews."""
    env = _env(ctx)
    env.db_option = db
    env.level = QUIET if quiet else VERBOSE if verbose else NORMAL


# -- shell completion -------------------------------------------------------------------
# `--install-completion` (bash, zsh, fish) makes the shell run `revue` with _REVUE_COMPLETE set
# at each Tab; these give the values of the options that have a fixed or stored set (typer
# keeps those that start with what was typed). They run only then, so their imports cost
# ordinary commands nothing, and a completion never fails aloud: at worst it offers nothing.

EXPORT_FORMATS = ("json", "csv", "netscape", "md")
STATUSES: tuple[str, ...] = get_args(Status)


def complete_compose_format() -> list[str]:
    from revue.render import FORMATS

    return list(FORMATS)


def complete_import_format() -> list[str]:
    from revue.importers import FORMATS

    return ["auto", *FORMATS]


def complete_export_format() -> list[str]:
    return list(EXPORT_FORMATS)


def complete_week_format() -> list[str]:
    from revue.week import PREVIEW_FORMATS

    return list(PREVIEW_FORMATS)


def complete_platform() -> list[str]:
    from revue.social import PLATFORMS

    return list(PLATFORMS)


def complete_post_status() -> list[str]:
    from revue.publish.wordpress import STATUSES as POST_STATUSES

    return list(POST_STATUSES)


def complete_style() -> list[str]:
    from revue.render import STYLES

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


# -- helpers ----------------------------------------------------------------------------


def parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{option} {value!r}: not an ISO date (YYYY-MM-DD)") from None


# The range options, shared by the commands that work on a range of days (compose, list,
# export): one spelling, one parser (range_options).
FromOption = Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD).")]
ToOption = Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD).")]
WeekOption = Annotated[
    str | None, typer.Option("--week", help="An ISO week, e.g. 2024-W11 (Monday to Sunday).")
]
SinceLastOption = Annotated[
    bool,
    typer.Option("--since-last", help="From the day after the last review's end to today."),
]
ReviewOption = Annotated[
    int | None, typer.Option("--review", help="The range (and items) of review N.", max=ID_MAX)
]


def range_options(
    env: "Env",
    date_from: str | None,
    date_to: str | None,
    week: str | None,
    since_last: bool,
    review: int | None,
    *,
    default_days: int | None = 7,
) -> "DateRange | None":
    """The range the shared range options ask for. A command without a default range
    (`default_days=None`: list, export) gets None unless --week, --since-last or --review is
    given, and reads an open-ended --from/--to itself."""
    from revue.compose import resolve_range

    start = parse_date(date_from, "--from")
    end = parse_date(date_to, "--to")
    if default_days is None and not (week or since_last or review is not None):
        return None
    return resolve_range(
        lambda: env.store,
        today=env.now().date(),
        start=start,
        end=end,
        week=week,
        since_last=since_last,
        review=review,
        days=default_days or 7,
    )


def item_filters(
    env: "Env",
    date_from: str | None,
    date_to: str | None,
    week: str | None,
    since_last: bool,
    review: int | None,
) -> tuple[str | None, str | None, list[int] | None]:
    """The range options as list/export filters: first and last day the items were added
    (either open), or the ids of review N's items."""
    span = range_options(env, date_from, date_to, week, since_last, review, default_days=None)
    if span is None:
        start = parse_date(date_from, "--from")
        end = parse_date(date_to, "--to")
        return (start.isoformat() if start else None, end.isoformat() if end else None, None)
    if span.review is not None:
        return None, None, [i.id for i in env.store.review_items(span.review["id"])]
    return span.start.isoformat(), span.end.isoformat(), None


def read_lines(source: str) -> Iterator[tuple[int, str]]:
    """Numbered non-blank, non-comment lines of a file or of stdin ("-"), read whole first
    (at most MAX_LIST_BYTES: an endless line is refused, not gathered)."""
    text = read_bounded_text(source, MAX_LIST_BYTES, "")
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if line and not line.startswith("#"):
            yield number, line


def collect_links(args: Sequence[str], file: str | None) -> list[str]:
    """Every URL given, validated before anything is stored (one bad URL stores nothing)."""
    links: list[str] = []
    sources: list[tuple[str, Iterator[tuple[int, str]] | None, str]] = []
    for arg in args:
        if arg == "-":
            sources.append(("standard input", read_lines("-"), ""))
        else:
            sources.append((arg, None, arg))
    if file:
        sources.append((file, read_lines(file), ""))
    for name, lines, single in sources:
        if lines is None:
            links.append(urls.validate(single))
            continue
        for number, line in lines:
            candidate = line.split()[0]
            try:
                links.append(urls.validate(candidate))
            except BadInput as exc:
                raise BadInput(f"{name}, line {number}: {exc.message}") from None
    seen: set[str] = set()
    unique = []
    for link in links:
        key = urls.dedup_key(link)
        if key not in seen:
            seen.add(key)
            unique.append(link)
    return unique


def typed(value: str | None) -> str | None:
    """Text the curator typed (an option, the edit form), as it is stored: valid Unicode
    without control characters (sanitize.py); a NUL or an ESC has no place in a review."""
    return clean_optional(value)


def typed_list(values: Sequence[str] | None) -> list[str]:
    return [clean_text(v) for v in values or []]


def one_line(text: str) -> str:
    """`text` on one line, fit for a terminal or a pipe (console.plain)."""
    return " ".join(plain(text).split())


def cell(text: str | None) -> "Text":
    """A table cell holding `text` as text: never read as rich markup, on one line."""
    from rich.text import Text

    return Text(one_line(text or ""))


def cell_lines(lines: Iterable[str]) -> "Text":
    """A table cell of several lines, each as `cell` holds it."""
    from rich.text import Text

    return Text("\n".join(one_line(line) for line in lines))


def printable(text: str) -> str:
    """Text from outside (an address a redirect gave) with its control characters escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def emit_json(ui: UI, data: Any) -> None:
    ui.raw(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def short(text: str | None, width: int = 160) -> str:
    text = one_line(text or "")
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def review_phrase(item: Item, lang: str) -> str:
    from revue.datephrase import date_phrase

    if not item.review_date:
        return f"#{item.review}"
    day = dt.date.fromisoformat(item.review_date[:10])
    return f"{date_phrase(day, day, lang)} (#{item.review})"


def describe(ui: UI, item: Item) -> None:
    """What the curator sees after an add or a fetch: title, via, summary, or the reason
    (on stdout, not with --quiet: a fetch that fails is reported by `fetch_failed`)."""
    head = f"#{item.id} {item.display_title()}"
    if item.status in ("failed", "blocked"):
        ui.say(
            f"{head}\n  {item.status}: {item.error}  (kept; retry with: revue fetch {item.id})",
            markup=False,
        )
        return
    ui.say(head, markup=False)
    bits = [b for b in (item.via and f"via {item.via}", item.site_name, item.url) if b]
    ui.say("  " + " · ".join(bits), markup=False)
    if item.summary:
        ui.say("  " + short(item.summary, 200), markup=False)


def fetch_failed(ui: UI, item: Item) -> None:
    """A page that could not be fetched: a failure (exit 1), so on stderr even with --quiet."""
    ui.error(
        f"#{item.id} {item.status}: {item.url}: {item.error} "
        f"(kept; retry with: revue fetch {item.id})"
    )


def items_table(ui: UI, items: Sequence[Item], stale_days: int) -> None:
    """A rich table on a terminal; plain tab-separated lines in a pipe (scripts use --json)."""
    if not ui.stdout.isatty():
        for item in items:
            ui.raw(
                "\t".join(
                    [
                        str(item.id),
                        item.added_at[:10],
                        status_text(item, stale_days),
                        one_line(item.display_title()),
                        one_line(" ".join(item.tags)),
                        one_line(item.via or ""),
                    ]
                )
                + "\n"
            )
        return
    from rich.table import Table

    table = Table(show_lines=False, pad_edge=False, expand=False)
    for col in ("id", "added", "status", "title", "tags", "via"):
        table.add_column(col, overflow="fold" if col == "title" else "ellipsis")
    for item in items:
        table.add_row(
            str(item.id),
            cell(item.added_at[:10]),
            cell(status_text(item, stale_days)),
            cell(short(item.display_title(), 90)),
            cell(" ".join(item.tags)),
            cell(item.via),
        )
    ui.print(table)


def status_text(item: Item, stale_days: int) -> str:
    """The status with what the curator should notice: stale news, published before, paywall."""
    flags = [
        flag
        for flag, on in (
            ("stale", item.is_stale(stale_days)),
            (f"in review #{item.review}", bool(item.review)),
            ("paywall", item.paywalled),
        )
        if on
    ]
    return item.status + (f" ({', '.join(flags)})" if flags else "")


def exit_for(failed: int) -> None:
    if failed:
        raise typer.Exit(int(ExitCode.PARTIAL))


@contextmanager
def progress_bar(
    ui: UI, total: int, label: str, bad: str = "failed"
) -> Iterator[Callable[[bool], None] | None]:
    """A rich progress bar when a person watches a terminal: yields `advance(ok)`. Otherwise
    (a pipe, cron, --quiet, one item) yields None and the caller prints lines instead."""
    if not (ui.interactive and total > 1 and ui.level >= NORMAL):
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    counts = {"ok": 0, "bad": 0}
    with Progress(
        TextColumn(label, markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(
            "{task.fields[ok]} ok, {task.fields[bad]} " + bad + ", {task.fields[rate]}",
            markup=False,
        ),
        TimeRemainingColumn(),
        console=ui.err,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total, ok=0, bad=0, rate="")

        def advance(ok: bool) -> None:
            counts["ok" if ok else "bad"] += 1
            done = counts["ok"] + counts["bad"]
            elapsed = bar.tasks[0].elapsed or 0.0
            rate = f"{done / elapsed:.1f}/s" if elapsed > 0 else ""
            bar.update(task, advance=1, ok=counts["ok"], bad=counts["bad"], rate=rate)

        yield advance


def summarize(ui: UI, ok: int, failed_items: Sequence[Item]) -> None:
    from collections import Counter

    from revue.fetch import error_kind

    groups = Counter(
        "blocked" if item.status == "blocked" else error_kind(item.error or item.status)
        for item in failed_items
    )
    detail = ", ".join(f"{n} {reason}" for reason, n in sorted(groups.items(), key=lambda g: -g[1]))
    ui.info(f"{ok} ok, {len(failed_items)} failed" + (f" ({detail})" if detail else ""))


def run_fetch(env: Env, items: Sequence[Item], *, single: bool) -> list[Item]:
    """Fetch items, report each, return the ones that failed."""
    from revue.curate import Progress, fetch_items

    ui = env.ui
    if not items:
        return []
    failed: list[Item] = []
    with progress_bar(ui, len(items), "fetching") as advance:

        def fetched(item: Item, dup: Item | None) -> None:
            if dup is not None:
                ui.info(f"same story as #{dup.id} (found after fetching): merged into it")
                if dup.review:
                    ui.warn(
                        f"#{dup.id} is already in the review of {review_phrase(dup, env.cfg.lang)}"
                    )
            if single:
                return
            if advance is not None:
                advance(item.status == "ok")
            elif item.status == "ok":
                ui.info(f"#{item.id} ok: {short(item.display_title(), 100)}")
            if item.status != "ok":
                fetch_failed(ui, item)  # above the progress bar when there is one

        report = fetch_items(
            env.store,
            items,
            env.fetcher_factory(),
            clock=env.now,
            progress=Progress(fetched=fetched),
        )
    failed = report.failed
    if single:
        for item in report.items:
            if item.status == "ok":
                describe(ui, item)
            else:
                fetch_failed(ui, item)
    else:
        summarize(ui, len(report.ok), failed)
    return failed


# -- commands ---------------------------------------------------------------------------


@app.command()
@handled
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
    as_json: Annotated[bool, typer.Option("--json", help="Print the items as JSON.")] = False,
) -> None:
    """Store links (before any network call), then fetch and extract their pages."""
    from revue.curate import hashtags_in, iso, store_links

    env = _env(ctx)
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
    if not given:
        raise BadInput("no URL given (pass URLs, '-' for stdin, or --file)")
    curator = {
        "note": note,
        "tags": tag or [],
        "section": section,
        "title": title,
        "quote": quote,
        "lead": lead,
    }
    outcomes = store_links(env.store, given, now=env.now(), curator=curator)
    to_fetch: list[Item] = []
    for outcome in outcomes:
        item = outcome.item
        if outcome.created:
            ui.detail(f"#{item.id} stored: {item.url}")
            to_fetch.append(item)
            continue
        added = f"; added {', '.join(outcome.merged_fields)}" if outcome.merged_fields else ""
        ui.info(f"already here: #{item.id}, added {item.added_at[:10]}{added}")
        if item.review:
            ui.warn(f"#{item.id} is already in the review of {review_phrase(item, env.cfg.lang)}")
        if item.status != "ok" and not no_fetch:
            to_fetch.append(item)
        elif len(outcomes) == 1 and not as_json:
            describe(ui, item)
    failed: list[Item] = []
    if not no_fetch:
        failed = run_fetch(env, to_fetch, single=len(given) == 1 and not as_json)
    elif len(given) == 1 and outcomes[0].created and not as_json:
        ui.say(f"#{outcomes[0].item.id} stored (not fetched): {outcomes[0].item.url}", markup=False)
    if as_json:
        ids = []
        for o in outcomes:
            found = env.store.find_by_url(o.item.url or "")
            ids.append(found.id if found else o.item.id)
        emit_json(ui, [i.to_json() for i in env.store.get_many(dict.fromkeys(ids))])
    exit_for(len(failed))


@app.command()
@handled
def fetch(
    ctx: typer.Context,
    ids: Annotated[
        list[int] | None,
        typer.Argument(help="Item ids (default: pending and due failed items).", max=ID_MAX),
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
    env = _env(ctx)
    if ids:
        items = env.store.get_many(ids)
    else:
        if not (pending or failed or all_items):
            pending = failed = True
        items = env.store.due_for_fetch(
            now=env.now().isoformat(timespec="seconds"),
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


@app.command("list")
@handled
def list_items(
    ctx: typer.Context,
    date_from: FromOption = None,
    date_to: ToOption = None,
    week: WeekOption = None,
    since_last: SinceLastOption = False,
    review: ReviewOption = None,
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
    limit: Annotated[int | None, typer.Option(help="At most this many.", min=0, max=ID_MAX)] = None,
    order: Annotated[
        str,
        typer.Option(
            "--order", help="newest (first), or review: the order a review shows them in."
        ),
    ] = "newest",
    as_json: Annotated[bool, typer.Option("--json", help="JSON, one object per item.")] = False,
) -> None:
    """Items, newest first (the range is on the day each was added)."""
    env = _env(ctx)
    if status and status not in STATUSES:
        raise BadInput(f"--status {status!r}: choose pending, ok, failed or blocked")
    if order not in ("newest", "review"):
        raise BadInput(f"--order {order!r}: choose newest or review")
    start, end, ids = item_filters(env, date_from, date_to, week, since_last, review)
    items = env.store.list_items(
        start=start,
        end=end,
        tag=tag,
        status=status,
        unpublished=unpublished,
        ids=ids,
        limit=limit,
        order="newest" if order == "newest" else "position",
    )
    if as_json:
        emit_json(env.ui, [i.to_json() for i in items])
    elif items:
        items_table(env.ui, items, env.cfg.stale_days)
    else:
        env.ui.info("no items")


@app.command()
@handled
def show(
    ctx: typer.Context,
    item_id: Annotated[int, typer.Argument(help="Item id.", max=ID_MAX)],
    as_json: Annotated[bool, typer.Option("--json", help="JSON.")] = False,
) -> None:
    """One item, all fields (fields you typed are marked)."""
    env = _env(ctx)
    item = env.store.get(item_id)
    if as_json:
        emit_json(env.ui, item.to_json())
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    data = item.to_json()
    # Shown beside `published` (the page's last update), and only when it says more.
    first = data.pop("first_published", None)
    original = data.pop("canonical", None)
    for key, value in data.items():
        if value not in (None, [], False) or key in ("title", "url", "status"):
            label = key + (" (yours)" if key in item.user_fields else "")
            shown = ", ".join(value) if isinstance(value, list) else str(value)
            # A note keeps its lines; every value is text (a title may hold "[/b]").
            table.add_row(label, Text(plain(shown)))
        if key == "published" and first and first != value:
            table.add_row("first published", str(first))
        if key == "url" and original:
            table.add_row("syndicated from", str(original))
    if item.is_stale(env.cfg.stale_days):
        table.add_row(
            "stale", f"first published more than {env.cfg.stale_days} days before it was added"
        )
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


@app.command()
@handled
def edit(
    ctx: typer.Context,
    item_id: Annotated[int, typer.Argument(help="Item id.", max=ID_MAX)],
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
    as_json: Annotated[bool, typer.Option("--json", help="Print the item as JSON.")] = False,
) -> None:
    """Change curator fields; with no option, open $EDITOR."""
    from revue.curate import edit_item

    env = _env(ctx)
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


@app.command()
@handled
def rm(
    ctx: typer.Context,
    ids: Annotated[list[int], typer.Argument(help="Item ids.", max=ID_MAX)],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Remove items (asks on a terminal; elsewhere needs --yes)."""
    env = _env(ctx)
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


@app.command()
@handled
def search(
    ctx: typer.Context,
    query: Annotated[
        str, typer.Argument(help="Words to find in titles, summaries, notes, quotes.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="JSON.")] = False,
) -> None:
    """Full-text search, best match first."""
    env = _env(ctx)
    items = env.store.search(query)
    if as_json:
        emit_json(env.ui, [i.to_json() for i in items])
    elif items:
        items_table(env.ui, items, env.cfg.stale_days)
    else:
        env.ui.info(f"nothing matches {query!r}")


@app.command()
@handled
def extract(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="A URL to fetch, or a saved page's file.")],
    url: Annotated[str | None, typer.Option(help="The address a saved page came from.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="JSON (the page part of an item).")
    ] = True,
) -> None:
    """Print the metadata extracted from a page; store nothing."""
    from revue.curate import meta_from_result
    from revue.models import FetchResult

    env = _env(ctx)
    if source.lower().startswith(("http://", "https://")):
        from revue.fetch import fetch_one

        link = urls.validate(source)
        result = fetch_one(link, env.fetch_settings(), on_request=env.request_logger())
        if not result.ok:
            env.ui.error(f"{link}: {result.error}")
            raise typer.Exit(int(ExitCode.PARTIAL))
    else:
        path = Path(source)
        body = read_bounded(path, MAX_PAGE_FILE_BYTES, "")
        base = urls.validate(url) if url else path.resolve().as_uri()
        ctype = "application/pdf" if body[:5] == b"%PDF-" else "text/html"
        result = FetchResult(url=base, final_url=base, status=200, content_type=ctype, body=body)
    meta = meta_from_result(result)
    if meta.url and urls.is_http_url(meta.url):
        meta.url = urls.clean(meta.url)
    elif result.final_url and urls.is_http_url(result.final_url):
        meta.url = urls.clean(result.final_url)
    else:
        meta.url = None
    data = meta.to_json()
    if as_json:
        emit_json(env.ui, data)
    else:
        for key, value in data.items():
            env.ui.print(f"{key}: {value}", markup=False)


@app.command()
@handled
def compose(
    ctx: typer.Context,
    date_from: FromOption = None,
    date_to: ToOption = None,
    week: WeekOption = None,
    since_last: SinceLastOption = False,
    review: ReviewOption = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="md, text, html, html-fragment or json.",
            autocompletion=complete_compose_format,
        ),
    ] = None,
    out: Annotated[
        str | None, typer.Option("--out", help="Folder to write in, or '-' for stdout.")
    ] = None,
    style: Annotated[
        str | None, typer.Option(help="classic or linked.", autocompletion=complete_style)
    ] = None,
    suffix: Annotated[str | None, typer.Option(help="Words after the date in the title.")] = None,
    lang: Annotated[
        str | None, typer.Option(help="fr or en.", autocompletion=complete_lang)
    ] = None,
    template: Annotated[
        Path | None, typer.Option(help="A Jinja2 template file to render with.")
    ] = None,
    intro: Annotated[
        Path | None, typer.Option(help="A Markdown file shown before the items.")
    ] = None,
    outro: Annotated[
        Path | None, typer.Option(help="A Markdown file shown after the items.")
    ] = None,
    show_dates: Annotated[
        bool | None,
        typer.Option("--show-dates/--no-show-dates", help="Publication date next to each link."),
    ] = None,
    include_published: Annotated[
        bool, typer.Option("--include-published", help="Also items an earlier review published.")
    ] = False,
    summaries: Annotated[
        bool | None,
        typer.Option("--summaries/--no-summaries", help="Each page's summary under its item."),
    ] = None,
    include_failed: Annotated[
        bool,
        typer.Option("--include-failed", help="Keep dead links (404, 410, no such host, refused)."),
    ] = False,
    allow_empty: Annotated[
        bool, typer.Option("--allow-empty", help="Write the title-only post of an empty range.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the review; write and record nothing.")
    ] = False,
    preview: Annotated[
        bool, typer.Option("--preview", help="Show the review in the terminal; write nothing.")
    ] = False,
    open_it: Annotated[
        bool, typer.Option("--open", help="Open the written HTML review in a browser.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite a review file edited by hand.")
    ] = False,
    copy: Annotated[
        bool,
        typer.Option("--copy", help="Also put the review on the clipboard (through the terminal)."),
    ] = False,
) -> None:
    """Write the review of a date range and record what it published."""
    from revue.compose import ComposeOptions
    from revue.compose import compose as run_compose

    env = _env(ctx)
    cfg = env.cfg
    span = range_options(env, date_from, date_to, week, since_last, review)
    assert span is not None  # compose has a default range
    recorded = span.review or {}
    chosen_lang = lang or recorded.get("lang") or cfg.lang
    if chosen_lang not in ("fr", "en"):
        raise BadInput(f"--lang {chosen_lang!r}: choose fr or en")
    if template is not None and not template.is_file():
        problem = "not a regular file" if template.exists() else "no such file"
        raise BadInput(f"--template {template}: {problem}")
    if span.empty:
        last = span.since or {}
        env.ui.info(
            f"nothing to compose: the last review (#{last.get('id')}) already reaches "
            f"{last.get('end')}"
        )
        return

    def read_text(path: Path | None, option: str) -> str | None:
        if path is None:
            return None
        return clean_text(read_bounded_text(path, MAX_TEXT_FILE_BYTES, option))

    opts = ComposeOptions(
        start=span.start,
        end=span.end,
        fmt=fmt or cfg.format,
        style=style or recorded.get("style") or cfg.style,
        lang=chosen_lang,
        suffix=typed(suffix),
        out=out,
        dry_run=dry_run or preview,
        include_published=include_published,
        force=force,
        template=template,
        intro=read_text(intro, "--intro"),
        outro=read_text(outro, "--outro"),
        show_dates=show_dates,
        summaries=summaries,
        include_failed=include_failed,
        allow_empty=allow_empty,
        review=recorded.get("id"),
    )
    if preview:
        opts.fmt = "md"
    result = run_compose(env.store, cfg, opts, now=env.now())
    for item, reason in result.left_out:
        env.ui.warn(
            f"#{item.id} left out, its page is gone ({reason}): {item.url} "
            "(--include-failed keeps it)"
        )
    if result.skipped:
        env.ui.info(
            f"{len(result.skipped)} item(s) skipped in revue week, kept unpublished for later: "
            + ", ".join(f"#{i.id}" for i in result.skipped)
        )
    if result.empty:
        env.ui.info(
            f"no items from {opts.start} to {opts.end}: nothing written "
            "(--allow-empty writes the title-only post)"
        )
        return
    if preview:
        from rich.markdown import Markdown

        env.ui.print(Markdown(result.text))
        for item in result.items:
            first = item.first_date()
            if first and item.is_stale(cfg.stale_days):
                env.ui.warn(
                    f"#{item.id} is stale: first published {first.isoformat()}, "
                    f"added {item.added_at[:10]}"
                )
            if item.status in ("failed", "blocked", "pending"):
                env.ui.warn(f"#{item.id} has no page metadata yet ({item.status}): {item.url}")
        return
    if dry_run or out == "-":
        env.ui.raw(result.text)
        if copy:
            copy_to_clipboard(env, result.text, "the review")
        return
    env.ui.info(f"{len(result.items)} item(s): {result.title}")
    env.ui.say(str(result.path), markup=False, soft_wrap=True)
    if copy:
        copy_to_clipboard(env, result.text, "the review")
    if open_it:
        if opts.fmt not in ("html", "html-fragment") or result.path is None:
            env.ui.warn(
                "--open: only an HTML review can be opened in a browser (use --format html)"
            )
        else:
            import webbrowser

            if not webbrowser.open(result.path.resolve().as_uri()):
                env.ui.warn("--open: no browser available here")


@app.command("week")
@handled
def week_command(
    ctx: typer.Context,
    date_from: FromOption = None,
    date_to: ToOption = None,
    week: WeekOption = None,
    since_last: SinceLastOption = False,
    review: ReviewOption = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="Preview as text, md or html-fragment.",
            autocompletion=complete_week_format,
        ),
    ] = None,
    style: Annotated[
        str | None, typer.Option(help="classic or linked.", autocompletion=complete_style)
    ] = None,
    lang: Annotated[
        str | None, typer.Option(help="fr or en.", autocompletion=complete_lang)
    ] = None,
    include_published: Annotated[
        bool, typer.Option("--include-published", help="Also items an earlier review published.")
    ] = False,
) -> None:
    """The week's workbench on a terminal: keep or skip, order, notes, the post previewed."""
    from revue.compose import ComposeOptions
    from revue.week import PREVIEW_FORMATS, Workbench, workbench_range

    env = _env(ctx)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise BadInput(
            "week: needs a terminal (a full-screen app); in a script use revue list, move, "
            "edit and compose"
        )
    if fmt is not None and fmt not in PREVIEW_FORMATS:
        raise BadInput(f"--format {fmt!r}: choose {', '.join(PREVIEW_FORMATS)}")
    cfg = env.cfg
    given = date_from or date_to or week or review is not None
    span = range_options(env, date_from, date_to, week, since_last or not given, review)
    assert span is not None  # a default range
    recorded = span.review or {}
    chosen_lang = lang or recorded.get("lang") or cfg.lang
    if chosen_lang not in ("fr", "en"):
        raise BadInput(f"--lang {chosen_lang!r}: choose fr or en")
    from revue.render import STYLES

    chosen_style = style or recorded.get("style") or cfg.style
    if chosen_style not in STYLES:
        raise BadInput(f"--style {chosen_style!r}: choose {' or '.join(STYLES)}")
    start, end = workbench_range(span)
    opts = ComposeOptions(
        start=start,
        end=end,
        fmt=fmt or "text",
        style=chosen_style,
        lang=chosen_lang,
        include_published=include_published,
    )
    bench = Workbench(env.store, cfg, opts, clock=env.now)
    # Textual only now: the other commands never pay for its import.
    from revue.workbench import run

    run(bench)


MAX_IMPORT_BYTES = 200 * 1024 * 1024


def read_input_file(path: str, what: str) -> bytes:
    """The bytes of a file the user named (or stdin for "-"), bounded in size."""
    return read_bounded(path, MAX_IMPORT_BYTES, what)


@app.command("import")
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
    from revue.curate import import_parsed
    from revue.importers import parse_import

    env = _env(ctx)
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


@app.command()
@handled
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
    date_from: FromOption = None,
    date_to: ToOption = None,
    week: WeekOption = None,
    since_last: SinceLastOption = False,
    review: ReviewOption = None,
    tag: Annotated[
        str | None, typer.Option(help="Only items with this tag.", autocompletion=complete_tag)
    ] = None,
    out: Annotated[str, typer.Option("--out", "-o", help="File to write ('-': stdout).")] = "-",
) -> None:
    """Give links back: a lossless JSON dump, CSV for spreadsheets, bookmarks for browsers."""
    from revue.curate import iso
    from revue.files import atomic_write, database_files, write_failure

    env = _env(ctx)
    start, end, ids = item_filters(env, date_from, date_to, week, since_last, review)
    if fmt == "json":
        from revue.db import dump

        data = dump(env.store, now=iso(env.now()))
        if start or end or tag or ids is not None:
            kept = {i.id for i in env.store.list_items(start=start, end=end, tag=tag, ids=ids)}
            data["items"] = [i for i in data["items"] if i["id"] in kept]
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    elif fmt in ("csv", "netscape", "md"):
        from revue import exporters

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


@app.command()
@handled
def backup(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Where to write the copy (a new file).")],
) -> None:
    """A consistent copy of the live database, safe while other commands run."""
    from revue.db import backup as run_backup

    env = _env(ctx)
    run_backup(env.store, path)
    env.ui.info(f"backed up {env.store.count()} item(s) to {path}")


@app.command()
@handled
def reviews(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="JSON.")] = False,
) -> None:
    """The reviews composed (and imported), newest first."""
    env = _env(ctx)
    rows = env.store.reviews()
    posts = env.store.review_posts()
    if as_json:
        emit_json(env.ui, [{**row, "posts": posts.get(row["id"], [])} for row in rows])
        return
    if not rows:
        env.ui.info("no reviews yet")
        return
    from rich.table import Table

    table = Table(pad_edge=False)
    for col in ("id", "range", "items", "format", "file", "post"):
        table.add_column(col, overflow="fold")
    for row in rows:
        span = f"{row['start'] or '?'} → {row['end'] or '?'}"
        table.add_row(
            str(row["id"]),
            cell(span),
            str(row["item_count"]),
            cell(row["format"]),
            cell(row["path"] or ("(imported)" if row["imported"] else "")),
            cell_lines(
                f"{post['status'] or '?'} {post['link'] or post['site']}"
                for post in posts.get(row["id"], [])
            ),
        )
    env.ui.print(table)


def parse_at(value: str, now: dt.datetime) -> str:
    """--at as WordPress's date_gmt ("YYYY-MM-DDTHH:MM:SS", UTC); a time without a zone is
    this machine's local time. BadInput when it does not parse or is not in the future."""
    try:
        when = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(f"--at {value!r}: not a date and time (2024-03-20T07:00)") from None
    when = when.astimezone(dt.UTC)  # naive: local time
    if when <= now:
        raise BadInput(f"--at {value}: in the past; give a time to come")
    return when.strftime("%Y-%m-%dT%H:%M:%S")


@app.command()
@handled
def publish(
    ctx: typer.Context,
    review_id: Annotated[
        int | None, typer.Argument(help="The review (default: the most recent one composed).")
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            help="draft (a new post's default), publish, future (with --at), pending or "
            "private. An update keeps the post's status unless given.",
            autocompletion=complete_post_status,
        ),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option("--at", help="Schedule: when to publish (2024-03-20T07:00, local time)."),
    ] = None,
    new: Annotated[
        bool, typer.Option("--new", help="A new post, even if the review was published before.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite a post edited on the blog since.")
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print the request it would send (not the password)."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON.")] = False,
) -> None:
    """Send a review to the WordPress blog of the config ([wordpress] url, user; the
    application password from REVUE_WORDPRESS_PASSWORD or the keyring), once: publishing
    it again updates the same post."""
    from revue.publish.wordpress import PostOptions, WordPress
    from revue.publishing import publish as run_publish

    env = _env(ctx)
    if at is not None:
        if status not in (None, "future"):
            raise BadInput(f"--at schedules a post: it goes with --status future, not {status}")
        status = "future"
    elif status == "future":
        raise BadInput("--status future needs --at DATETIME")
    options = PostOptions(
        status=status,
        date_gmt=parse_at(at, env.now()) if at is not None else None,
        force=force,
        new=new,
        dry_run=dry_run,
    )
    target = WordPress(_wordpress_settings(env, dry_run=dry_run), options)
    done = run_publish(env.store, env.cfg, target, review_id, now=env.now())
    result = done.result
    if as_json:
        emit_json(env.ui, {"review": done.review["id"], "site": target.site, **result.to_json()})
        return
    if result.request is not None:
        env.ui.raw(result.request)
        return
    for note in result.notes:
        env.ui.info(note)
    what = f"{result.status or 'post'} #{result.post_id}"
    if result.action == "updated":
        env.ui.info(f"review #{done.review['id']}: updated {what} on {target.site} (the same post)")
    else:
        env.ui.info(f"review #{done.review['id']}: created {what} on {target.site}")
    env.ui.say(result.link or target.site, markup=False, soft_wrap=True)


def _wordpress_settings(env: Env, *, dry_run: bool) -> "WordPressSettings":
    """The blog of the config and the environment, with the [fetch] limits; ConfigError
    (exit 3) when the address, the user or (to send) the password is missing."""
    from revue.config import KEYRING_SERVICE, wordpress_account
    from revue.publish.wordpress import WordPressSettings, check_url

    account = wordpress_account(env.cfg, with_password=not dry_run)
    if not account.url:
        raise ConfigError(
            "no blog to publish to: set url under [wordpress] in the config, or REVUE_WORDPRESS_URL"
        )
    url = check_url(account.url, "[wordpress] url")
    if not account.user:
        raise ConfigError(
            "no WordPress user: set user under [wordpress] in the config, or REVUE_WORDPRESS_USER"
        )
    if not dry_run and not account.password:
        raise ConfigError(
            f"no application password for {account.user} on {url}: set "
            f"REVUE_WORDPRESS_PASSWORD, or store it with `keyring set {KEYRING_SERVICE} "
            f"{account.user}` ({account.keyring_note})"
        )
    if account.password_from:
        env.ui.detail(f"application password from {account.password_from}")
    fs = env.fetch_settings()
    return WordPressSettings(
        url=url,
        user=account.user,
        password=account.password,
        category=account.category,
        connect_timeout=fs.connect_timeout,
        read_timeout=fs.read_timeout,
        retries=fs.retries,
        backoff=fs.backoff,
        max_retry_after=fs.max_retry_after,
        max_redirects=fs.max_redirects,
        user_agent=fs.user_agent,
    )


@app.command()
@handled
def share(
    ctx: typer.Context,
    item_id: Annotated[int, typer.Argument(help="The item to share.")],
    platform: Annotated[
        str | None,
        typer.Option(
            "--for",
            help="mastodon (500), bluesky (300 graphemes) or x (280): fit its limit.",
            autocompletion=complete_platform,
        ),
    ] = None,
    copy: Annotated[
        bool, typer.Option("--copy", help="Also put it on the clipboard (through the terminal).")
    ] = False,
) -> None:
    """Print one item as a social post: Title URL via @handle = comment #hashtags."""
    from revue.social import PLATFORMS, fit, length, post_for

    env = _env(ctx)
    if platform is not None and platform not in PLATFORMS:
        raise BadInput(f"--for {platform!r}: choose from {', '.join(PLATFORMS)}")
    item = env.store.get(item_id)
    post = post_for(item, env.cfg.hashtags, env.cfg.lang)
    if platform is not None:
        rules = PLATFORMS[platform]
        whole = length(post, rules)
        post = fit(post, rules)
        if (size := length(post, rules)) < whole:
            env.ui.info(f"shortened to {size} of {rules.name}'s {rules.limit} {rules.unit}")
    text = post.text()
    env.ui.raw(text + "\n")
    if copy:
        copy_to_clipboard(env, text, "the post")


def copy_to_clipboard(env: Env, text: str, what: str) -> None:
    """Copy and say how; a failure is one line and exit 1 (what was printed stays)."""
    from revue.clipboard import copy

    how = copy(text, [env.ui.stdout, env.ui.stderr])
    env.ui.info(f"copied {what} to the clipboard {how}")


@app.command()
@handled
def move(
    ctx: typer.Context,
    item_id: Annotated[int, typer.Argument(help="The item to move.", max=ID_MAX)],
    before: Annotated[
        int | None, typer.Option("--before", help="Place it just before this item.", max=ID_MAX)
    ] = None,
    after: Annotated[
        int | None, typer.Option("--after", help="Place it just after this item.", max=ID_MAX)
    ] = None,
) -> None:
    """Set an item's place in the review by hand."""
    env = _env(ctx)
    if (before is None) == (after is None):
        raise BadInput("move: give exactly one of --before ID or --after ID")
    env.store.move(item_id, before=before, after=after)
    env.ui.info(f"#{item_id} moved {'before' if before else 'after'} #{before or after}")


@app.command()
@handled
def check(
    ctx: typer.Context,
    review_id: Annotated[
        int | None,
        typer.Argument(help="The review (default: the most recent one composed).", max=ID_MAX),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON.")] = False,
) -> None:
    """Re-check every link of a review: dead and moved links, Wayback addresses of dead ones."""
    from revue.linkcheck import LinkCheck, check_review, choose_review, split_checkable

    env = _env(ctx)
    ui = env.ui
    review = choose_review(env.store, review_id)
    total = len(split_checkable(env.store.review_items(int(review["id"])))[0])
    with progress_bar(ui, total, "checking", bad="to look at") as advance:

        def checked(result: LinkCheck) -> None:
            if advance is not None:
                advance(result.status == "ok")
            elif result.status != "ok":
                ui.detail(f"#{result.item.id} {result.status}: {result.item.url}")

        report = check_review(env.store, int(review["id"]), env.fetcher_factory(), progress=checked)
    counts = {s: report.count(s) for s in ("ok", "moved", "blocked", "dead")}
    if as_json:
        emit_json(
            ui,
            {
                "review": {k: review.get(k) for k in ("id", "title", "start", "end", "path")},
                "counts": counts,
                "links": [r.to_json() for r in report.results],
            },
        )
    elif ui.level == QUIET:
        pass  # the dead links, the only failures, are reported on stderr below
    elif not ui.stdout.isatty():
        # One tab-separated line a link: id, status, HTTP status, URL, final URL, reason, Wayback.
        for r in report.results:
            fields = [
                str(r.item.id),
                r.status,
                str(r.http_status or ""),
                r.item.url or "",
                r.final_url if r.status == "moved" and r.final_url else "",
                r.reason or "",
                r.wayback_url or "",
            ]
            ui.raw("\t".join(one_line(f) for f in fields) + "\n")
    elif report.results:
        from rich.table import Table
        from rich.text import Text

        colours = {"ok": "green", "moved": "yellow", "blocked": "cyan", "dead": "bold red"}
        table = Table(pad_edge=False)
        for col in ("id", "status", "http", "link", "detail"):
            table.add_column(col, overflow="fold")
        for r in report.results:
            detail = {
                "moved": r.reason or "",
                "dead": r.reason or "",
                "blocked": f"{r.reason} (the site refuses robots: check it in a browser)",
            }.get(r.status, "")
            table.add_row(
                str(r.item.id),
                Text(r.status, style=colours[r.status]),
                str(r.http_status or ""),
                Text(f"{short(r.item.display_title(), 70)}\n{one_line(r.item.url or '')}"),
                cell(detail),
            )
        ui.print(table)
        # Full addresses below the table, one a line, so that a folded cell never breaks a copy.
        for r in report.results:
            if r.status == "moved":
                ui.print(f"#{r.item.id} moved to {r.final_url}", markup=False, soft_wrap=True)
    # A dead link is a failure (exit 1): one line on stderr each, whatever the output and level.
    for r in report.results:
        if r.status == "dead":
            ui.error(f"#{r.item.id} dead: {r.item.url}: {r.reason}; archived: {r.wayback_url}")
    span = f"{review.get('start') or '?'} → {review.get('end') or '?'}"
    ui.info(
        f"review #{review['id']} ({span}): {len(report.results)} link(s), "
        + ", ".join(f"{n} {s}" for s, n in counts.items())
        + (f"; {len(report.skipped)} without a link skipped" if report.skipped else "")
    )
    exit_for(counts["dead"])


def _discover_feed(env: Env, url: str) -> tuple[str, Any]:
    """The feed at `url`, or the first one a home page advertises; raises BadInput."""
    from revue.feeds import discover_feeds, parse_feed
    from revue.fetch import fetch_one

    settings = env.fetch_settings()
    result = fetch_one(url, settings, on_request=env.request_logger())
    if not result.ok:
        raise BadInput(f"feed {url}: {result.error}")
    try:
        return result.final_url or url, parse_feed(
            result.body, result.final_url or url, result.headers
        )
    except ValueError:
        pass
    for candidate in discover_feeds(result.body, result.final_url or url)[:3]:
        found = fetch_one(candidate, settings, on_request=env.request_logger())
        if not found.ok:
            continue
        try:
            return found.final_url or candidate, parse_feed(found.body, candidate, found.headers)
        except ValueError:
            continue
    raise BadInput(f"feed {url}: not a feed, and the page links to no working feed")


@feed_app.command("add")
@handled
def feed_add(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="A feed, or a site's home page (its feed is found).")],
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", "-t", help="Tag every item from it.", autocompletion=complete_tag),
    ] = None,
    match: Annotated[
        str | None, typer.Option(help='Keep only entries with these words ("phrase", -word).')
    ] = None,
) -> None:
    """Follow a feed."""
    from revue.curate import iso

    env = _env(ctx)
    link = urls.validate(url)
    feed_url, parsed = _discover_feed(env, link)
    feed, created = env.store.add_feed(
        {
            "url": feed_url,
            "title": parsed.title,
            "site_url": parsed.link,
            "tags": json.dumps(typed_list(tag)),
            "match": typed(match),
            "added_at": iso(env.now()),
        }
    )
    if created:
        env.ui.info(
            f"feed #{feed['id']} added: {feed['title'] or feed_url} ({len(parsed.entries)} entries)"
        )
    else:
        env.ui.info(f"feed #{feed['id']} already followed: {feed_url}")


@feed_app.command("list")
@handled
def feed_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="JSON.")] = False,
) -> None:
    """The feeds followed, with their last pull."""
    env = _env(ctx)
    feeds = env.store.feeds()
    if as_json:
        emit_json(env.ui, feeds)
        return
    if not feeds:
        env.ui.info("no feeds")
        return
    for feed in feeds:
        state = feed["status"] or "never pulled"
        if feed["error"]:
            state += f": {feed['error']}"
        fields = [feed["url"], feed["title"] or "", " ".join(feed["tags"]), feed["match"] or ""]
        env.ui.raw("\t".join([str(feed["id"]), *map(one_line, fields), one_line(state)]) + "\n")


@feed_app.command("rm")
@handled
def feed_rm(
    ctx: typer.Context,
    feed_id: Annotated[int, typer.Argument(help="Feed id (see revue feed list).", max=ID_MAX)],
) -> None:
    """Stop following a feed (its items stay)."""
    env = _env(ctx)
    feed = env.store.remove_feed(feed_id)
    env.ui.info(f"feed #{feed_id} removed: {feed['url']}")


@feed_app.command("pull")
@handled
def feed_pull(
    ctx: typer.Context,
    ids: Annotated[
        list[int] | None, typer.Argument(help="Feed ids (default: all).", max=ID_MAX)
    ] = None,
    no_fetch: Annotated[
        bool, typer.Option("--no-fetch", help="Do not fetch pages of new entries.")
    ] = False,
) -> None:
    """Pull new entries from feeds; a broken feed is reported and the others go on."""
    from revue.curate import pull_feeds

    env = _env(ctx)
    feeds = [env.store.get_feed(i) for i in ids] if ids else env.store.feeds()
    if not feeds:
        env.ui.info("no feeds")
        return
    outcomes = pull_feeds(env.store, feeds, env.fetcher_factory(), clock=env.now)
    failed = 0
    fresh: list[Item] = []
    for out in outcomes:
        name = out.feed["title"] or out.feed["url"]
        if out.status == "failed":
            failed += 1
            env.ui.error(f"feed #{out.feed['id']} {name}: {out.error}")
        else:
            env.ui.info(
                f"feed #{out.feed['id']} {name}: {out.status}, {len(out.added)} new, "
                f"{out.merged} already here, {out.filtered} filtered out"
            )
            fresh += [i for i in out.added if i.status == "pending"]
    if fresh and not no_fetch:
        failed += len(run_fetch(env, fresh, single=False))
    exit_for(failed)


@feed_app.command("import")
@handled
def feed_import(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="An OPML file of feeds.")],
) -> None:
    """Follow every feed of an OPML file."""
    from revue.curate import iso
    from revue.feeds import parse_opml

    env = _env(ctx)
    problems: list[tuple[int, str]] = []
    try:
        entries = parse_opml(read_input_file(file, "OPML"), problems)
    except ValueError as exc:
        raise BadInput(f"OPML {file}: {exc}") from None
    for line, reason in problems:
        env.ui.warn(f"{file}, line {line}: {reason} (skipped)")
    added = 0
    for entry in entries:
        if not entry.get("url") or not urls.is_http_url(entry["url"]):
            continue
        _, created = env.store.add_feed(
            {
                "url": entry["url"],
                "title": entry.get("title"),
                "site_url": entry.get("site_url"),
                "tags": "[]",
                "added_at": iso(env.now()),
            }
        )
        added += created
    env.ui.info(f"{added} feed(s) added, {len(entries) - added} already followed or skipped")
    exit_for(sum(1 for _, reason in problems if not reason.startswith("not an http(s) URL")))


@feed_app.command("export")
@handled
def feed_export(ctx: typer.Context) -> None:
    """The feeds followed, as OPML on stdout."""
    from revue.feeds import export_opml

    env = _env(ctx)
    env.ui.raw(export_opml(env.store.feeds()))


GLOBAL_FLAGS = ("--quiet", "-q", "--verbose", "-v")


def hoist_globals(argv: list[str]) -> list[str]:
    """Move the global options to the front, so `revue list --db x.db` works like
    `revue --db x.db list` (scripts write both). Stops at `--`."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest += argv[i:]
            break
        if arg == "--db" and i + 1 < len(argv):
            front += argv[i : i + 2]
            i += 2
            continue
        if arg.startswith("--db=") or (arg in GLOBAL_FLAGS and rest):
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


def main() -> None:
    """Console-script entry point."""
    sys.argv[1:] = hoist_globals(sys.argv[1:])
    try:
        # Named, so that `python -m revue` answers _REVUE_COMPLETE and says "revue" in usage.
        app(prog_name="revue")
    except (StoreError, ConfigError) as exc:  # raised outside a command (should not happen)
        sys.stderr.write(f"revue: error: {plain(exc.message)}\n")
        sys.exit(int(exc.exit_code))
