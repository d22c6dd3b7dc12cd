"""The command line: opens the store, calls the use cases, prints, and turns errors into exit
codes. One module per command group; `shell` holds the frame every command runs in (the
environment, the one error boundary, the shared options), `output` what they print.

The only package that imports typer and the only one that exits. Heavy libraries (httpx,
bs4, Jinja2) are imported inside the commands that need them, so `revue --help` and
`revue list` start fast.
"""

import sys

import typer

from revue.cli import compose, feeds, items, reviews, shell, stats, transfer
from revue.console import plain
from revue.errors import ConfigError, StoreError

__all__ = ["app", "hoist_globals", "main"]


app = typer.Typer(
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="revue: collect links from the terminal, compose dated press reviews.",
)
feed_app = typer.Typer(no_args_is_help=True, help="RSS/Atom sources pulled by cron.")
app.add_typer(feed_app, name="feed")
# `revue reviews` lists them; `revue reviews rm N` forgets one.
reviews_app = typer.Typer(invoke_without_command=True)

# The commands, in the order `revue --help` lists them.
app.callback()(shell.main_callback)
app.command()(items.add)
app.command()(items.fetch)
app.command("list")(items.list_items)
app.command()(items.show)
app.command()(items.edit)
app.command()(items.rm)
app.command()(items.search)
app.command()(items.extract)
app.command()(compose.compose)
app.command("week")(compose.week_command)
app.command("import")(transfer.import_)
app.command()(transfer.export)
app.command()(transfer.backup)
reviews_app.callback()(reviews.reviews)
reviews_app.command("rm")(reviews.reviews_rm)
app.add_typer(reviews_app, name="reviews")
app.command()(reviews.publish)
app.command()(reviews.share)
app.command()(items.move)
app.command()(reviews.check)
app.command()(stats.stats)
app.command()(stats.star)
app.command()(stats.unstar)
app.command()(stats.recap)
feed_app.command("add")(feeds.feed_add)
feed_app.command("list")(feeds.feed_list)
feed_app.command("rm")(feeds.feed_rm)
feed_app.command("pull")(feeds.feed_pull)
feed_app.command("import")(feeds.feed_import)
feed_app.command("export")(feeds.feed_export)


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
