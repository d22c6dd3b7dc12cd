"""Commands that make the review: compose, and the week's workbench."""

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from revue.cli.completion import (
    complete_compose_format,
    complete_lang,
    complete_style,
    complete_week_format,
)
from revue.cli.frame import (
    MAX_TEXT_FILE_BYTES,
    NO_RANGE,
    RangeArgs,
    env_of,
    handled,
    range_args,
    range_options,
    typed,
)
from revue.cli.output import copy_to_clipboard
from revue.errors import BadInput, ExitCode
from revue.files import read_bounded_text
from revue.review.outputs import FORMATS, OUTPUT_FORMATS  # the --format help: a light table
from revue.sanitize import clean_text

if TYPE_CHECKING:
    from revue.app.compose import ComposeResult
    from revue.cli.frame import Env


@handled
@range_args
def compose(
    ctx: typer.Context,
    asked: RangeArgs = NO_RANGE,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help=f"{', '.join(FORMATS[:-1])} or {FORMATS[-1]}.",
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
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Exit 1 when a link is shown with a stand-in title (for cron)."
        ),
    ] = False,
) -> None:
    """Write the review of a date range and record what it published.

    Without --from, --to, --week, --since-last or --review, the range is the last 7 days
    ending today; --to alone: the 7 days ending on that day; --from alone: from that day to
    today."""
    from revue.app.compose import compose as run_compose
    from revue.app.compose import compose_options

    env = env_of(ctx)
    cfg = env.cfg
    span = range_options(env, asked)
    assert span is not None  # compose has a default range
    recorded = span.review
    opts = compose_options(
        cfg,
        span.start,
        span.end,
        recorded=recorded,
        lang=lang,
        style=style,
        fmt=fmt or cfg.format,
        suffix=typed(suffix),
        out=out,
        dry_run=dry_run or preview,
        include_published=include_published,
        force=force,
        template=template,
        show_dates=show_dates,
        summaries=summaries,
        include_failed=include_failed,
        allow_empty=allow_empty,
        review=recorded.id if recorded else None,
    )
    if template is not None and not template.is_file():
        problem = "not a regular file" if template.exists() else "no such file"
        raise BadInput(f"--template {template}: {problem}")
    if span.empty:
        last_id, last_end = (span.since.id, span.since.end) if span.since else (None, None)
        env.ui.info(
            f"nothing to compose: --since-last starts the day after the last review "
            f"(#{last_id}), which already reaches {last_end} "
            f"(--review {last_id} composes that review again; revue week opens it)"
        )
        return

    def read_text(path: Path | None, option: str) -> str | None:
        if path is None:
            return None
        # As --template: a file, not a FIFO or a device to wait on.
        return clean_text(read_bounded_text(path, MAX_TEXT_FILE_BYTES, option, regular=True))

    opts.intro = read_text(intro, "--intro")
    opts.outro = read_text(outro, "--outro")
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
            f"nothing to publish from {opts.start} to {opts.end}: {result.why_empty}; "
            "nothing written (--allow-empty writes the title-only post)"
        )
        return
    if preview:
        from rich.markdown import Markdown

        env.ui.print(Markdown(result.text))
        days = env.days
        for item in result.items:
            first = item.first_date(days.zone)
            if first and item.is_stale(cfg.stale_days, days.zone):
                env.ui.warn(
                    f"#{item.id} is stale: first published {first.isoformat()}, "
                    f"added {days.day_text(item.added_at)}"
                )
        report_stand_ins(env, result, strict=strict)
        return
    if dry_run or out == "-":
        env.ui.raw(result.text)
        if copy:
            copy_to_clipboard(env, result.text, "the review")
        report_stand_ins(env, result, strict=strict)
        return
    env.ui.info(f"{len(result.items)} item(s): {result.title}")
    env.ui.say(str(result.path), markup=False, soft_wrap=True)
    if copy:
        copy_to_clipboard(env, result.text, "the review")
    report_stand_ins(env, result, strict=strict)
    if open_it:
        if not OUTPUT_FORMATS[opts.fmt].html or result.path is None:
            env.ui.warn(
                "--open: only an HTML review can be opened in a browser (use --format html)"
            )
        else:
            import webbrowser

            if not webbrowser.open(result.path.resolve().as_uri()):
                env.ui.warn("--open: no browser available here")


def report_stand_ins(env: "Env", result: "ComposeResult", *, strict: bool) -> None:
    """One line on stderr per link shown with a stand-in title, with the command that gives
    it its title; with `strict`, each is an error and the exit is 1 (cron mails it)."""
    for item, shown in result.stand_ins:
        why = {
            "pending": "not fetched yet",
            "blocked": "blocked",
            "failed": f"failed: {item.error}" if item.error else "failed",
        }.get(item.status, "its page has no title")
        # A social post without its text is fixed by quoting it; any other link by a title.
        field = "--quote" if shown.startswith("via RT") else "--title"
        line = f'#{item.id} shown as "{shown}" ({why}): revue edit {item.id} {field} "…"'
        (env.ui.error if strict else env.ui.warn)(line)
    if strict and result.stand_ins:
        raise typer.Exit(int(ExitCode.PARTIAL))


@handled
@range_args
def week_command(
    ctx: typer.Context,
    asked: RangeArgs = NO_RANGE,
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
    from revue.app.week import Workbench, week_options

    env = env_of(ctx)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise BadInput(
            "week: needs a terminal (a full-screen app); in a script use revue list, move, "
            "edit and compose"
        )
    given = asked.date_from or asked.date_to or asked.week or asked.review is not None
    span = range_options(env, replace(asked, since_last=asked.since_last or not given))
    assert span is not None  # a default range
    cfg = env.cfg
    opts = week_options(
        span, cfg, fmt=fmt, lang=lang, style=style, include_published=include_published
    )
    bench = Workbench(env.store, cfg, opts, clock=env.now)
    # Textual only now: the other commands never pay for its import.
    from revue.workbench import run

    run(bench)
