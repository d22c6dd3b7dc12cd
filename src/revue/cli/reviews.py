"""Commands on composed reviews: reviews, publish, share, check."""

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from revue.cli.completion import complete_platform, complete_post_status
from revue.cli.frame import REVIEW_ID, Env, JsonFlag, env_of, exit_for, handled
from revue.cli.output import (
    cell,
    cell_lines,
    copy_to_clipboard,
    emit_json,
    plain_rows,
    progress_bar,
    short,
    terminal_line,
    to_pipe,
)
from revue.console import QUIET, plain
from revue.errors import BadInput

if TYPE_CHECKING:
    from revue.publish.base import Result, Target


@handled
def reviews(
    ctx: typer.Context,
    as_json: JsonFlag = False,
) -> None:
    """The reviews composed (and imported), newest first; `reviews rm N` forgets one."""
    if ctx.invoked_subcommand is not None:
        return
    env = env_of(ctx)
    rows = env.store.reviews()
    posts = env.store.review_posts()
    if as_json:
        emit_json(
            env.ui,
            [
                {**row.to_json(), "posts": [post.to_json() for post in posts.get(row.id, [])]}
                for row in rows
            ],
        )
        return
    if not rows:
        env.ui.info("no reviews yet")
        return
    if to_pipe(env.ui):
        plain_rows(
            env.ui,
            (
                (
                    str(row.id),
                    row.start or "?",
                    row.end or "?",
                    str(row.item_count),
                    row.format,
                    row.path or ("(imported)" if row.imported else ""),
                    " ".join(
                        f"{post.status or '?'}:{post.link or post.site}"
                        for post in posts.get(row.id, [])
                    ),
                )
                for row in rows
            ),
        )
        return
    from rich.table import Table

    table = Table(pad_edge=False)
    for col in ("id", "range", "items", "format", "file", "post"):
        table.add_column(col, overflow="fold")
    for row in rows:
        span = f"{row.start or '?'} → {row.end or '?'}"
        if row.kind:
            span += " (recap)"  # revue recap's best-of, not a week's review
        table.add_row(
            str(row.id),
            cell(span),
            str(row.item_count),
            cell(row.format),
            cell(row.path or ("(imported)" if row.imported else "")),
            cell_lines(
                f"{post.status or '?'} {post.link or post.site}" for post in posts.get(row.id, [])
            ),
        )
    env.ui.print(table)


@handled
def reviews_rm(
    ctx: typer.Context,
    review_id: Annotated[int, typer.Argument(help="The review's id.", parser=REVIEW_ID)],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Forget a review: its record, item order, files, blog posts and skips; never an item
    (its items become unpublished). Asks on a terminal; elsewhere needs --yes."""
    env = env_of(ctx)
    review = env.store.get_review(review_id)
    posts = env.store.review_posts().get(review_id, [])
    span = f"{review.start or '?'} → {review.end or '?'}"
    if not yes:
        if not env.ui.interactive:
            raise BadInput("reviews rm: refusing to remove without --yes when not on a terminal")
        env.ui.err.print(
            plain(f"#{review_id} {span} {terminal_line(review.title or '')}"), markup=False
        )
        if not typer.confirm(f"Remove review #{review_id}?", default=False, err=True):
            env.ui.info("nothing removed")
            return
    env.store.remove_review(review_id)
    env.ui.info(f"removed review #{review_id} ({span}); its items stay")
    for post in posts:
        # The post itself is the blog's: revue only forgets where it is.
        env.ui.info(f"its post stays on the blog: {terminal_line(post.link or post.site)}")


def parse_at(value: str, now: dt.datetime, zone: dt.tzinfo) -> str:
    """--at as WordPress's date_gmt ("YYYY-MM-DDTHH:MM:SS", UTC); a time without a zone is
    the curator's (`zone`). BadInput when it does not parse or is not in the future."""
    try:
        when = dt.datetime.fromisoformat(value.strip())
        if when.tzinfo is None:
            when = when.replace(tzinfo=zone)
        when = when.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        # OverflowError: 0001-01-01T00:00 in a zone east of UTC is before year 1.
        raise BadInput(f"--at {value!r}: not a date and time (2024-03-20T07:00)") from None
    if when <= now:
        raise BadInput(f"--at {value}: in the past; give a time to come")
    return when.strftime("%Y-%m-%dT%H:%M:%S")


@handled
def publish(
    ctx: typer.Context,
    review_id: Annotated[
        int | None, typer.Argument(help="The review (default: the most recent one composed).")
    ] = None,
    to: Annotated[
        list[str] | None,
        typer.Option(
            "--to",
            help="Where: wordpress, email, buttondown, hugo, jekyll, pelican (repeat, or "
            "comma-separated: --to wordpress,email). Default: [publish] to in the config, "
            "else wordpress.",
        ),
    ] = None,
    site: Annotated[
        str | None,
        typer.Option(
            "--site",
            help="The static site's folder (else site under [publish.hugo|jekyll|pelican]).",
        ),
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            help="WordPress: draft (a new post's default), publish, future (with --at), "
            "pending or private. An update keeps the post's status unless given.",
            autocompletion=complete_post_status,
        ),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at", help="Schedule: when to publish (2024-03-20T07:00, in your time zone)."
        ),
    ] = None,
    new: Annotated[
        bool,
        typer.Option(
            "--new", help="A new post or draft, even if the review was published there before."
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Overwrite a post edited on the blog (a page edited by hand) since."
        ),
    ] = False,
    resend: Annotated[
        bool,
        typer.Option("--resend", help="Email: send the review again to the whole list."),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Print what it would send (never a password or token), the page it would "
            "write; send nothing.",
        ),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Send a review to its readers: the WordPress blog of the config (a draft, updated in
    place on a re-publish), an email newsletter (SMTP, once per review), a Buttondown
    draft, a page of a static site (--to hugo|jekyll|pelican). Secrets come from the
    environment or the keyring, never the config."""
    from pathlib import Path

    from revue.app.publish import (
        STATIC_SITES,
        TARGETS,
        PublishOptions,
        TargetContext,
        target_names,
    )
    from revue.app.publish import publish as run_publish
    from revue.errors import RevueError
    from revue.files import compose_lock, database_files

    env = env_of(ctx)
    names = target_names(to or [], env.cfg)
    # An option no target asked for would be silently ignored: a mistake worth naming.
    if at is not None and "wordpress" not in names:
        raise BadInput("--at schedules a WordPress post: add --to wordpress")
    if status is not None and not {"wordpress", *STATIC_SITES} & set(names):
        raise BadInput("--status is for WordPress and static sites: add --to wordpress")
    if resend and "email" not in names:
        raise BadInput("--resend is for the newsletter: add --to email")
    sites = [name for name in names if name in STATIC_SITES]
    if site is not None and not sites:
        raise BadInput("--site is a static site's folder: add --to hugo, jekyll or pelican")
    if site is not None and len(sites) > 1:
        raise BadInput(f"--site names one site: publish to {' and '.join(sites)} one at a time")
    if at is not None:
        if status not in (None, "future"):
            raise BadInput(f"--at schedules a post: it goes with --status future, not {status}")
        status = "future"
    elif status == "future":
        raise BadInput("--status future needs --at DATETIME")
    options = PublishOptions(
        dry_run=dry_run,
        force=force,
        new=new,
        resend=resend,
        status=status,
        date_gmt=parse_at(at, env.now(), env.days.zone) if at is not None else None,
    )
    from revue.web.api import ApiClient

    done_json: list[dict[str, object]] = []
    failures: list[RevueError] = []
    # The fetcher's limits (connect and read timeouts, total deadline, bytes) bound every
    # call to a web API, and --verbose reports each one as it does for pages.
    with ApiClient(env.fetch_settings(), on_request=env.request_logger()) as http:
        store = env.store
        context = TargetContext(
            cfg=env.cfg,
            options=options,
            http=http,
            detail=env.ui.detail,
            lock=compose_lock(store.path),
            protect=database_files(store.path),
            site=Path(site) if site is not None else None,
        )
        # Every target is built (its settings checked) before any sends: a bad setting of
        # the second one is exit 3 before the first has sent anything.
        targets = [TARGETS[name](context) for name in names]
        for target in targets:
            try:
                done = run_publish(store, env.cfg, target, review_id, now=env.now())
            except RevueError as exc:
                if len(targets) == 1:
                    raise
                env.ui.error(f"{target.name}: {exc.message}")
                failures.append(exc)
                continue
            result = done.result
            if as_json:
                done_json.append(
                    {
                        "review": done.review.id,
                        "target": target.name,
                        "site": target.site,
                        **result.to_json(),
                    }
                )
                continue
            if result.request is not None:
                env.ui.raw(result.request)
                for note in result.notes:
                    env.ui.warn(note)
                continue
            _say_published(env, target, done.review.id, result)
    if as_json:
        emit_json(env.ui, done_json[0] if len(names) == 1 else done_json)
    if failures:
        raise typer.Exit(max(int(f.exit_code) for f in failures))


def _say_published(env: Env, target: "Target", review_id: object, result: "Result") -> None:
    for note in result.notes:
        env.ui.info(note)
    name, site = target.name, target.site
    if result.path is not None and name not in ("wordpress", "email", "buttondown"):
        done_as = {"created": "wrote", "updated": "updated", "unchanged": "left as it was"}
        env.ui.info(
            f"review #{review_id}: {done_as.get(result.action, result.action)} the "
            f"{'draft' if result.status == 'draft' else 'published'} page on {site}"
        )
        env.ui.say(result.path, markup=False, soft_wrap=True)
        return
    if name == "email":
        env.ui.info(f"review #{review_id}: sent to {site.removeprefix('email:')}")
        env.ui.say(result.ref or site, markup=False, soft_wrap=True)
        return
    if name == "buttondown":
        verb = "updated" if result.action == "updated" else "created"
        env.ui.info(
            f"review #{review_id}: {verb} {result.status or 'draft'} {result.ref} on {site}"
        )
        env.ui.say(result.link or result.ref or site, markup=False, soft_wrap=True)
        return
    what = f"{result.status or 'post'} #{result.post_id}"
    if result.action == "updated":
        env.ui.info(f"review #{review_id}: updated {what} on {site} (the same post)")
    else:
        env.ui.info(f"review #{review_id}: created {what} on {site}")
    env.ui.say(result.link or site, markup=False, soft_wrap=True)


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
    from revue.app.share import share_item

    env = env_of(ctx)
    shared = share_item(env.store, env.cfg, item_id, platform)
    if shared.shortened:
        env.ui.info(shared.shortened)
    text = shared.text
    env.ui.raw(text + "\n")
    if copy:
        copy_to_clipboard(env, text, "the post")


@handled
def check(
    ctx: typer.Context,
    review_id: Annotated[
        int | None,
        typer.Argument(
            help="The review (default: the most recent one composed).", parser=REVIEW_ID
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Re-check every link of a review: dead and moved links, Wayback addresses of dead ones."""
    from revue.app.check import LinkCheck, check_review, choose_review, split_checkable

    env = env_of(ctx)
    ui = env.ui
    review = choose_review(env.store, review_id)
    total = len(split_checkable(env.store.review_items(int(review.id)))[0])
    with progress_bar(ui, total, "checking", bad="to look at") as advance:

        def checked(result: LinkCheck) -> None:
            if advance is not None:
                advance(result.status == "ok")
            elif result.status != "ok":
                ui.detail(f"#{result.item.id} {result.status}: {result.item.url}")

        report = check_review(env.store, int(review.id), env.fetcher_factory(), progress=checked)
    counts = {s: report.count(s) for s in ("ok", "moved", "blocked", "dead")}
    if as_json:
        emit_json(
            ui,
            {
                "review": {k: review.to_json()[k] for k in ("id", "title", "start", "end", "path")},
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
            ui.raw("\t".join(terminal_line(f) for f in fields) + "\n")
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
                Text(f"{short(r.item.display_title(), 70)}\n{terminal_line(r.item.url or '')}"),
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
    span = f"{review.start or '?'} → {review.end or '?'}"
    ui.info(
        f"review #{review.id} ({span}): {len(report.results)} link(s), "
        + ", ".join(f"{n} {s}" for s, n in counts.items())
        + (f"; {len(report.skipped)} without a link skipped" if report.skipped else "")
    )
    exit_for(counts["dead"])
