"""What the curator read, at a glance: `revue stats` (terminal, numbers, a page), the stars,
and the year's recap.

The terminal's charts are rich's own bars (`rich.bar.Bar`, eighth-of-a-cell precision) in
tables: rich is what every command prints with already, so the charts cost no import at
start-up (plotext, the other candidate, takes 0.7 s to import: its help module), their
labels are `Text`, never read as markup (a site named `[x]` prints as `[x]`), and rich
honours NO_COLOR and the terminal's width. The bars are block characters: without colour
they read the same.
"""

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from revue.cli.frame import (
    COUNT,
    ITEM_ID,
    NO_RANGE,
    YEAR,
    JsonFlag,
    RangeArgs,
    env_of,
    handled,
    parse_date,
    range_args,
    range_options,
)
from revue.cli.output import emit_json, plain_rows, terminal_line, to_pipe
from revue.errors import BadInput

if TYPE_CHECKING:
    from rich.console import RenderableType

    from revue.app.stats import Count, Stats
    from revue.cli.frame import Env

BAR_WIDTH = 30
NAME_WIDTH = 26


def stats_range(env: "Env", asked: RangeArgs) -> tuple[dt.date, dt.date]:
    """The range options' days; without any, the curator's year so far (from 1 January of
    --to's year, or this year's, to --to or today)."""
    found = range_options(env, asked, default_days=None)
    if found is not None:
        return found.start, found.end
    today = env.days.today()
    end = parse_date(asked.date_to, "--to") or today
    start = parse_date(asked.date_from, "--from") or dt.date(end.year, 1, 1)
    if end < start:
        raise BadInput(f"--from {start} is after --to {end}")
    return start, end


@handled
@range_args
def stats(
    ctx: typer.Context,
    asked: RangeArgs = NO_RANGE,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Only one view: site, tag, week, lang or status."),
    ] = None,
    top: Annotated[
        int, typer.Option("--top", help="How many sites and tags (default 10).", parser=COUNT)
    ] = 10,
    html: Annotated[
        Path | None,
        typer.Option("--html", help="Write a standalone page of charts (inline SVG) to FILE."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """What was read: links per site, tag, week, language and status, reviews, dead links.

    Without range options: this year so far. On a terminal, charts; in a pipe,
    tab-separated numbers; --json, the numbers as JSON; --html FILE, a page of charts."""
    from revue.app.stats import BY
    from revue.app.stats import stats as compute

    if by is not None and by not in BY:
        raise BadInput(f"--by {by!r}: choose {', '.join(BY[:-1])} or {BY[-1]}")
    if html is not None and by is not None:
        raise BadInput("--html draws every view: leave out --by")
    env = env_of(ctx)
    start, end = stats_range(env, asked)
    figures = compute(
        env.store,
        start,
        end,
        zone=env.cfg.zone,
        today=env.days.today(),
        top=top,
        by=by,
    )
    if html is not None:
        from revue.app.stats import write_page

        written = write_page(
            figures, html, generated=env.days.today().isoformat(), database=env.store.path
        )
        env.ui.say(str(written), markup=False, soft_wrap=True)
        return
    if as_json:
        emit_json(env.ui, figures.to_json(by))
        return
    if to_pipe(env.ui):
        plain_rows(env.ui, pipe_rows(figures, by))
        return
    for part in terminal(figures, by):
        env.ui.print(part)


def pipe_rows(figures: "Stats", by: str | None) -> list[list[str]]:
    """The numbers as tab-separated rows: the view's name first (unless --by chose one)."""
    data = figures.to_json(by)
    rows: list[list[str]] = []
    if by is None:
        rows.append(["range", data["from"], data["to"]])
        rows += [["totals", name, str(n)] for name, n in data["totals"].items()]
    views = [by] if by is not None else ["site", "tag", "week", "lang", "status", "rot"]
    for view in views:
        for entry in data[view]:
            cells = [str(v) for v in entry.values()]
            rows.append(cells if by is not None else [view, *cells])
    return rows


def _bars(title: str, counts: "list[Count]", whole: int) -> "RenderableType":
    from rich.bar import Bar
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, title_justify="left", box=None, show_header=False, pad_edge=False)
    table.add_column(no_wrap=True, overflow="ellipsis", max_width=NAME_WIDTH)
    table.add_column(width=BAR_WIDTH)
    table.add_column(justify="right", no_wrap=True)
    most = max((c.count for c in counts), default=0) or 1
    for c in counts:
        table.add_row(
            Text(terminal_line(c.name)),
            Bar(most, 0, c.count, width=BAR_WIDTH, color="cyan"),
            Text(f"{c.count} {c.share:.0%}"),
        )
    if not counts:
        table.add_row(Text("(none)"), Text(""), Text(""))
    return table


def _weeks(figures: "Stats") -> "RenderableType":
    from rich.bar import Bar
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title="Links per week: added, published by that week's reviews",
        title_justify="left",
        box=None,
        pad_edge=False,
    )
    half = BAR_WIDTH // 2 + 2
    table.add_column("week", no_wrap=True)
    table.add_column("added", width=half)
    table.add_column("", justify="right", no_wrap=True)
    table.add_column("published", width=half)
    table.add_column("", justify="right", no_wrap=True)
    most = max((max(w.added, w.published) for w in figures.weeks), default=0) or 1
    for w in figures.weeks:
        table.add_row(
            Text(w.week),
            Bar(most, 0, w.added, width=half, color="cyan"),
            Text(str(w.added)),
            Bar(most, 0, w.published, width=half, color="green"),
            Text(str(w.published) + ("" if w.reviews else " (no review)")),
        )
    return table


def _rot(figures: "Stats") -> "RenderableType":
    from rich.bar import Bar
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title="Dead links since publication, by the review's age",
        title_justify="left",
        box=None,
        pad_edge=False,
    )
    table.add_column("age", no_wrap=True)
    table.add_column("dead", width=BAR_WIDTH)
    table.add_column("of published", justify="right", no_wrap=True)
    for r in figures.rot:
        table.add_row(
            Text(r.age),
            Bar(r.links or 1, 0, r.dead, width=BAR_WIDTH, color="red"),
            Text(f"{r.dead}/{r.links} in {r.reviews} review(s)"),
        )
    return table


def terminal(figures: "Stats", by: str | None) -> "list[RenderableType]":
    """The figures as a person reads them on a terminal, at 80 columns."""
    from rich.text import Text

    t = figures.totals
    links = t["links"]
    if by == "week":
        return [_weeks(figures)]
    if by is not None:
        counts = {
            "site": figures.sites,
            "tag": figures.tags,
            "lang": figures.langs,
            "status": figures.statuses,
        }[by]
        whole = t["items"] if by == "tag" else links
        return [_bars(f"Links by {by}", counts, whole)]
    share = f" ({t['published'] / links:.0%})" if links else ""
    head = Text(
        f"{figures.start} to {figures.end}: {links} link(s) added, {t['published']} "
        f"published{share}, {t['starred']} starred, {t['dead']} dead "
        f"({t['dead_published']} after a review published them)\n"
        f"{t.get('reviews', 0)} review(s), {t.get('late_reviews', 0)} late, "
        f"{t.get('weeks_without_review', 0)} week(s) without one"
    )
    return [
        head,
        Text(""),
        _bars("Top sites", figures.sites, links),
        Text(""),
        _bars("Top tags", figures.tags, t["items"]),
        Text(""),
        _weeks(figures),
        Text(""),
        _rot(figures),
    ]


@handled
def star(
    ctx: typer.Context,
    ids: Annotated[list[int], typer.Argument(help="Item ids.", parser=ITEM_ID)],
) -> None:
    """Star items: the year's recap (revue recap) starts with them."""
    _star(ctx, ids, True)


@handled
def unstar(
    ctx: typer.Context,
    ids: Annotated[list[int], typer.Argument(help="Item ids.", parser=ITEM_ID)],
) -> None:
    """Take the star off items."""
    _star(ctx, ids, False)


def _star(ctx: typer.Context, ids: list[int], on: bool) -> None:
    env = env_of(ctx)
    changed = set(env.store.set_starred(ids, on))
    for item_id in ids:
        word = "starred" if on else "unstarred"
        env.ui.info(f"#{item_id} {word}" if item_id in changed else f"#{item_id} was {word}")


@handled
def recap(
    ctx: typer.Context,
    year: Annotated[int, typer.Argument(help="The year, e.g. 2025.", parser=YEAR)],
    top: Annotated[
        int | None,
        typer.Option("--top", help="At most N items (the starred first).", parser=COUNT),
    ] = None,
    by: Annotated[str, typer.Option("--by", help="Group the items by tag or by section.")] = "tag",
    fmt: Annotated[str | None, typer.Option("--format", help="md, text, html, ...")] = None,
    style: Annotated[str | None, typer.Option(help="classic or linked.")] = None,
    lang: Annotated[str | None, typer.Option(help="fr or en.")] = None,
    out: Annotated[
        str | None, typer.Option("--out", help="Folder to write in, or '-' for stdout.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the recap; write and record nothing.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite a recap file edited by hand.")
    ] = False,
) -> None:
    """Compose "Le meilleur de YEAR" / "The best of YEAR": the year's published items the
    curator starred (revue star), by tag or section, each with the date of its review.
    It is a review of its own: revue publish sends it."""
    from revue.app.recap import RecapOptions
    from revue.app.recap import recap as run_recap

    if by not in ("tag", "section"):
        raise BadInput(f"--by {by!r}: choose tag or section")
    env = env_of(ctx)
    cfg = env.cfg
    chosen_lang = lang or cfg.lang
    if chosen_lang not in ("fr", "en"):
        raise BadInput(f"--lang {chosen_lang!r}: choose fr or en")
    opts = RecapOptions(
        year=year,
        top=top,
        by=by,
        fmt=fmt or cfg.format,
        style=style or cfg.style,
        lang=chosen_lang,
        out=out,
        dry_run=dry_run,
        force=force,
    )
    result = run_recap(env.store, cfg, opts, now=env.now())
    if dry_run or out == "-":
        env.ui.raw(result.text)
        return
    env.ui.info(f"{len(result.items)} item(s): {result.title} (review #{result.review_id})")
    env.ui.say(str(result.path), markup=False, soft_wrap=True)
