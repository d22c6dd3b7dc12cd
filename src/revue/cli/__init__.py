"""The command line: opens the store, calls the use cases, prints, and turns errors into exit
codes. One module per command group; `frame` holds the frame every command runs in (the
environment, the one error boundary, the shared options), `output` what they print.

The only package that imports typer and the only one that exits. Heavy libraries (httpx,
bs4, Jinja2) are imported inside the commands that need them, so `revue --help` and
`revue list` start fast.
"""

import sys

import typer

from revue.cli import compose, feeds, frame, inbox, items, reviews, stats, transfer
from revue.cli.completion import RevueGroup
from revue.console import plain
from revue.errors import ConfigError, StoreError

__all__ = ["app", "hoist_globals", "main"]


def example(text: str) -> str:
    """A command's epilog: one example, kept on its line (click rewraps other paragraphs)."""
    return f"\b\nExample:\n  {text}"


app = typer.Typer(
    cls=RevueGroup,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="revue: collect links from the terminal, compose dated press reviews.",
)
feed_app = typer.Typer(
    no_args_is_help=True, help="RSS/Atom sources pulled by cron.", epilog=example("revue feed list")
)
app.add_typer(feed_app, name="feed")
inbox_app = typer.Typer(
    no_args_is_help=True,
    help="Links mailed to revue, and newsletters.",
    epilog=example("revue inbox pull"),
)
app.add_typer(inbox_app, name="inbox")
# `revue reviews` lists them; `revue reviews rm N` forgets one.
reviews_app = typer.Typer(invoke_without_command=True)

DOCS = (
    "The manual (tutorial, how-to pages, every command and setting): the docs/ folder of "
    "revue's source, or `mkdocs serve` there. Each command: revue COMMAND --help."
)
app.info.epilog = DOCS


# The commands, in the order `revue --help` lists them, each with one example of its use.
app.callback()(frame.main_callback)
for group, name, function, use in (
    (app, "add", items.add, "revue add https://example.org/article --note '= À lire #IA'"),
    (app, "fetch", items.fetch, "revue fetch --failed"),
    (app, "list", items.list_items, "revue list --from 2026-12-07 --to 2026-12-13 --tag IA"),
    (app, "show", items.show, "revue show 12 --json"),
    (app, "edit", items.edit, "revue edit 12 --title 'Le vrai titre' --tag +Réseaux"),
    (app, "rm", items.rm, "revue rm 12 13 --yes"),
    (app, "search", items.search, "revue search 'intelligence artificielle'"),
    (app, "extract", items.extract, "revue extract https://example.org/article"),
    (app, "compose", compose.compose, "revue compose --since-last --format text --out -"),
    (app, "week", compose.week_command, "revue week --since-last"),
    (app, "import", transfer.import_, "revue import bookmarks.html --no-fetch"),
    (app, "export", transfer.export, "revue export --format csv --out links.csv"),
    (app, "backup", transfer.backup, "revue backup ~/revue-backup.db"),
    (reviews_app, "rm", reviews.reviews_rm, "revue reviews rm 7 --yes"),
    (app, "publish", reviews.publish, "revue publish --dry-run"),
    (app, "share", reviews.share, "revue share 12 --for mastodon --copy"),
    (app, "move", items.move, "revue move 14 --before 12"),
    (app, "check", reviews.check, "revue check"),
    (app, "stats", stats.stats, "revue stats --by site --top 10"),
    (app, "star", stats.star, "revue star 12 14"),
    (app, "unstar", stats.unstar, "revue unstar 12"),
    (app, "recap", stats.recap, "revue recap 2025 --top 20 --by tag"),
    (feed_app, "add", feeds.feed_add, "revue feed add https://example.org/ --tag Veille"),
    (feed_app, "list", feeds.feed_list, "revue feed list --json"),
    (feed_app, "rm", feeds.feed_rm, "revue feed rm 3"),
    (feed_app, "pull", feeds.feed_pull, "revue feed pull --quiet"),
    (feed_app, "import", feeds.feed_import, "revue feed import subscriptions.opml"),
    (feed_app, "export", feeds.feed_export, "revue feed export > subscriptions.opml"),
    (inbox_app, "pull", inbox.inbox_pull, "revue inbox pull --dry-run"),
):
    group.command(name, epilog=example(use))(function)
    if function is transfer.backup:
        # `revue reviews` sits here in --help's order, between backup and publish.
        reviews_app.callback(epilog=example("revue reviews --json"))(reviews.reviews)
        app.add_typer(reviews_app, name="reviews")


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
