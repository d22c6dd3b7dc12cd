"""The shell's frame: the environment a command runs in (config, store, console), the one
error boundary, the global options, and the options and inputs commands share."""

import datetime as dt
import errno
import functools
import inspect
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from revue import __version__
from revue.clock import Clock
from revue.config import Config, db_path, load_config
from revue.console import NORMAL, QUIET, UI, VERBOSE, make_ui, plain
from revue.errors import BadInput, ExitCode, RevueError
from revue.files import read_bounded
from revue.models import ItemOrder, ItemQuery
from revue.sanitize import clean_optional, clean_text

if TYPE_CHECKING:
    from revue.app.add import GivenLinks
    from revue.app.compose import DateRange
    from revue.store.db import Store
    from revue.web.fetch import Fetcher, FetchSettings, RequestCallback, RequestEvent


F = TypeVar("F", bound=Callable[..., Any])


# SQLite's largest integer: an id or a limit past it is refused where it is typed.
ID_MAX = 2**63 - 1


def whole_number(what: str, low: int | None = None, high: int = ID_MAX) -> Callable[[Any], int]:
    """The parser (typer's `parser=`) of a whole number typed on the command line, named by
    what it is: "'abc' is not an item id" rather than "not a valid int range", and its bounds
    not spelt out in the help (`[x<=9223372036854775807]` says nothing to a curator)."""

    def parse(value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = int(str(value).strip(), 10)
            except ValueError:
                raise typer.BadParameter(f"{value!r} is not {what}") from None
        if number > high:
            raise typer.BadParameter(f"{value!r} is not {what} (at most {high})")
        if low is not None and number < low:
            raise typer.BadParameter(f"{value!r} is not {what} (at least {low})")
        return number

    parse.__name__ = "integer"  # the help's metavar, as for a plain int
    return parse


ITEM_ID = whole_number("an item id")
FEED_ID = whole_number("a feed id")
REVIEW_ID = whole_number("a review id")
COUNT = whole_number("a count", low=0)
YEAR = whole_number("a year", low=1, high=9999)


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
    # The command's job is to make data (add, import, feed add/import): it may create the
    # database. Every other command refuses one that does not exist: a mistyped --db or
    # REVUE_DB would otherwise answer "no items" from a new, empty file.
    creates: bool = False
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

    def db_file(self) -> Path:
        """The database file the options, environment and config name."""
        return db_path(self.db_option, self.cfg)

    @property
    def store(self) -> "Store":
        if self._store is None:
            from revue.store.db import Store

            path = self.db_file()
            new = self.creates and not path.exists()
            self._store = Store.open(path, create=self.creates)
            if new:
                self.ui.info(f"created database {path}")
        return self._store

    def now(self) -> dt.datetime:
        return self.clock()

    @property
    def days(self) -> Clock:
        """The curator's days: their zone (config `timezone`, else the system's) and now."""
        return Clock(self.cfg.zone, self.clock)

    def fetch_settings(self) -> "FetchSettings":
        from revue.web.fetch import FetchSettings

        # revue.config checked every key and value against FETCH_KEYS.
        return FetchSettings(**self.cfg.fetch)

    def fetcher_factory(self) -> "Callable[[], Fetcher]":
        from revue.web.fetch import Fetcher

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


def env_of(ctx: typer.Context) -> Env:
    obj = ctx.find_root().obj
    if not isinstance(obj, Env):
        obj = Env()
        ctx.find_root().obj = obj
    return obj


def handled(func: F) -> F:
    """Turn domain errors into one line on stderr and their exit code (the one boundary).
    The command may only open a database that exists (`creates_data` for those that may
    create it)."""
    return _handled(func, creates=False)


def creates_data(func: F) -> F:
    """`handled`, for a command whose job is to store data: it creates the database when
    there is none yet, and says so."""
    return _handled(func, creates=True)


def _handled(func: F, *, creates: bool) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        env = env_of(kwargs["ctx"])
        env.creates = creates
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
    env = env_of(ctx)
    env.db_option = db
    env.level = QUIET if quiet else VERBOSE if verbose else NORMAL


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
def json_option(help: str = "JSON.") -> Any:
    """The --json flag, spelt once for every command; `help` says what the JSON holds."""
    return typer.Option("--json", help=help)


JsonFlag = Annotated[bool, json_option()]
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
    int | None,
    typer.Option("--review", help="The range (and items) of review N.", parser=REVIEW_ID),
]


@dataclass(frozen=True)
class RangeArgs:
    """The shared range options as typed: --from, --to, --week, --since-last, --review."""

    date_from: str | None = None
    date_to: str | None = None
    week: str | None = None
    since_last: bool = False
    review: int | None = None


NO_RANGE = RangeArgs()
_RANGE_PARAMS = [
    inspect.Parameter(
        name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default, annotation=kind
    )
    for name, kind, default in (
        ("date_from", FromOption, None),
        ("date_to", ToOption, None),
        ("week", WeekOption, None),
        ("since_last", SinceLastOption, False),
        ("review", ReviewOption, None),
    )
]


def range_args(func: F) -> F:
    """Give a command the shared range options where its `asked: RangeArgs = NO_RANGE`
    parameter stands, and hand them to it together as `asked`."""
    signature = inspect.signature(func)
    params = list(signature.parameters.values())
    at = [p.name for p in params].index("asked")

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        asked = RangeArgs(**{p.name: kwargs.pop(p.name) for p in _RANGE_PARAMS})
        return func(*args, asked=asked, **kwargs)

    # typer reads the options from the signature: the five instead of `asked`.
    wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*params[:at], *_RANGE_PARAMS, *params[at + 1 :]]
    )
    return wrapper  # type: ignore[return-value]


def range_options(env: Env, span: RangeArgs, *, default_days: int | None = 7) -> "DateRange | None":
    """The range the shared range options ask for. A command without a default range
    (`default_days=None`: list, export) gets None unless --week, --since-last or --review is
    given, and reads an open-ended --from/--to itself."""
    from revue.app.compose import resolve_range

    start = parse_date(span.date_from, "--from")
    end = parse_date(span.date_to, "--to")
    if start and end and end < start:
        # Every command, the open-ended ones too: a reversed range is a typo, not "no items".
        raise BadInput(f"--from {start} is after --to {end}")
    if default_days is None and not (span.week or span.since_last or span.review is not None):
        return None
    return resolve_range(
        lambda: env.store,
        today=env.days.today(),
        start=start,
        end=end,
        week=span.week,
        since_last=span.since_last,
        review=span.review,
        days=default_days or 7,
    )


def item_query(
    env: Env,
    span: RangeArgs,
    *,
    tag: str | None = None,
    status: str | None = None,
    unpublished: bool = False,
    limit: int | None = None,
    order: ItemOrder = "newest",
) -> ItemQuery:
    """The items `list` and `export` read: the range options as the stored instants
    [since, before) of the curator's days the items were added on (either open), or the
    ids of the items review N shows now; and the other filters as given."""
    since: str | None = None
    before: str | None = None
    ids: tuple[int, ...] | None = None
    found = range_options(env, span, default_days=None)
    if found is None:
        start = parse_date(span.date_from, "--from")
        end = parse_date(span.date_to, "--to")
        since, before = env.days.span(start, end)
    elif found.review is not None:
        from revue.app.compose import select

        # Review N as it stands now (skips and all), as publish would send it.
        chosen = select(env.store, found.start, found.end, zone=env.cfg.zone, review=found.review)
        ids = tuple(i.id for i in chosen.items)
    else:
        since, before = env.days.span(found.start, found.end)
    return ItemQuery(
        since=since,
        before=before,
        tag=tag,
        status=status,
        unpublished=unpublished,
        ids=ids,
        limit=limit,
        order=order,
    )


def no_items(env: Env, span: RangeArgs, *, filtered: bool = False) -> str:
    """What `list` says when nothing matched: for --since-last right after a compose, why
    (its range starts tomorrow) and which option lists that review; else the range looked
    in (unless other filters had their say)."""
    found = range_options(env, span, default_days=None)
    if found is None:
        return "no items"
    if found.empty and found.since is not None:
        last = found.since
        return (
            f"no items: --since-last starts the day after the last review (#{last.id}), "
            f"which already reaches {last.end} (--review {last.id} lists its items)"
        )
    if filtered:
        return "no items"
    if found.review is not None:
        return f"no items: review #{found.review.id} shows none now"
    return f"no items added from {found.start} to {found.end}"


def collect_links(args: Sequence[str], file: str | None) -> "GivenLinks":
    """Every link given: URLs typed as arguments (one bad one stores nothing: BadInput),
    and lists of links read from stdin ("-") or `file`, at most MAX_LIST_BYTES each (an
    endless stream is refused, not gathered), whose bad lines are reported and skipped."""
    from revue.app.add import checked_links

    sources: list[tuple[str, bytes | None, str]] = []
    for arg in args:
        if arg == "-":
            sources.append(("standard input", read_bounded("-", MAX_LIST_BYTES, ""), ""))
        else:
            sources.append((arg, None, arg))
    if file:
        sources.append((file, read_bounded(file, MAX_LIST_BYTES, ""), ""))
    return checked_links(sources)


def typed(value: str | None) -> str | None:
    """Text the curator typed (an option, the edit form), as it is stored: valid Unicode
    without control characters (sanitize.py); a NUL or an ESC has no place in a review."""
    return clean_optional(value)


def typed_list(values: Sequence[str] | None) -> list[str]:
    return [clean_text(v) for v in values or []]


def printable(text: str) -> str:
    """Text from outside (an address a redirect gave) with its control characters escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def exit_for(failed: int) -> None:
    if failed:
        raise typer.Exit(int(ExitCode.PARTIAL))


MAX_IMPORT_BYTES = 200 * 1024 * 1024


def read_input_file(path: str, what: str) -> bytes:
    """The bytes of a file the user named (or stdin for "-"), bounded in size."""
    return read_bounded(path, MAX_IMPORT_BYTES, what)
