"""`revue feed`: the RSS/Atom sources pulled by cron."""

from typing import TYPE_CHECKING, Annotated

import typer

from revue.cli.completion import complete_tag
from revue.cli.frame import (
    FEED_ID,
    JsonFlag,
    creates_data,
    env_of,
    exit_for,
    handled,
    read_input_file,
    typed,
    typed_list,
)
from revue.cli.output import emit_json, run_fetch, terminal_line
from revue.models import Item

if TYPE_CHECKING:
    pass


@creates_data
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
    from revue.app.feeds import follow_feed

    env = env_of(ctx)
    out = follow_feed(
        env.store,
        url,
        env.fetch_settings(),
        now=env.now(),
        tags=typed_list(tag),
        match=typed(match),
        on_request=env.request_logger(),
    )
    feed = out.feed
    if out.created:
        env.ui.info(f"feed #{feed.id} added: {feed.title or feed.url} ({out.entries} entries)")
    else:
        env.ui.info(f"feed #{feed.id} already followed: {feed.url}")


@handled
def feed_list(
    ctx: typer.Context,
    as_json: JsonFlag = False,
) -> None:
    """The feeds followed, with their last pull."""
    env = env_of(ctx)
    feeds = env.store.feeds()
    if as_json:
        emit_json(env.ui, [feed.to_json() for feed in feeds])
        return
    if not feeds:
        env.ui.info("no feeds")
        return
    for feed in feeds:
        state = feed.status or "never pulled"
        if feed.error:
            state += f": {feed.error}"
        fields = [feed.url, feed.title or "", " ".join(feed.tags), feed.match or ""]
        env.ui.raw(
            "\t".join([str(feed.id), *map(terminal_line, fields), terminal_line(state)]) + "\n"
        )


@handled
def feed_rm(
    ctx: typer.Context,
    feed_id: Annotated[int, typer.Argument(help="Feed id (see revue feed list).", parser=FEED_ID)],
) -> None:
    """Stop following a feed (its items stay)."""
    env = env_of(ctx)
    feed = env.store.remove_feed(feed_id)
    env.ui.info(f"feed #{feed_id} removed: {feed.url}")


@handled
def feed_pull(
    ctx: typer.Context,
    ids: Annotated[
        list[int] | None, typer.Argument(help="Feed ids (default: all).", parser=FEED_ID)
    ] = None,
    no_fetch: Annotated[
        bool, typer.Option("--no-fetch", help="Do not fetch pages of new entries.")
    ] = False,
) -> None:
    """Pull new entries from feeds; a broken feed is reported and the others go on."""
    from revue.app.feeds import pull_feeds

    env = env_of(ctx)
    feeds = [env.store.get_feed(i) for i in ids] if ids else env.store.feeds()
    if not feeds:
        env.ui.info("no feeds")
        return
    outcomes = pull_feeds(env.store, feeds, env.fetcher_factory(), clock=env.now)
    failed = 0
    fresh: list[Item] = []
    for out in outcomes:
        name = out.feed.title or out.feed.url
        if out.status == "failed":
            failed += 1
            env.ui.error(f"feed #{out.feed.id} {name}: {out.error}")
        else:
            env.ui.info(
                f"feed #{out.feed.id} {name}: {out.status}, {len(out.added)} new, "
                f"{out.merged} already here, {out.filtered} filtered out"
            )
            fresh += [i for i in out.added if i.status == "pending"]
    if fresh and not no_fetch:
        failed += len(run_fetch(env, fresh, single=False))
    exit_for(failed)


@creates_data
def feed_import(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="An OPML file of feeds.")],
) -> None:
    """Follow every feed of an OPML file."""
    from revue.app.feeds import import_opml

    env = env_of(ctx)
    out = import_opml(env.store, read_input_file(file, "OPML"), name=file, now=env.now())
    for line, reason in out.problems:
        env.ui.warn(f"{file}, line {line}: {reason} (skipped)")
    env.ui.info(f"{out.added} feed(s) added, {out.listed - out.added} already followed or skipped")
    exit_for(out.failures)


@handled
def feed_export(ctx: typer.Context) -> None:
    """The feeds followed, as OPML on stdout."""
    from revue.app.feeds import feeds_opml

    env = env_of(ctx)
    env.ui.raw(feeds_opml(env.store))
