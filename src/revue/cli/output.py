"""What commands print: items as tables and lines, JSON, progress, the clipboard."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from revue.clock import Clock
from revue.console import NORMAL, UI, plain
from revue.models import Item

if TYPE_CHECKING:
    from rich.text import Text

    from revue.cli.frame import Env


def terminal_line(text: str) -> str:
    """`text` on one line, fit for a terminal or a pipe (console.plain)."""
    return " ".join(plain(text).split())


def cell(text: str | None) -> Text:
    """A table cell holding `text` as text: never read as rich markup, on one line."""
    from rich.text import Text

    return Text(terminal_line(text or ""))


def cell_lines(lines: Iterable[str]) -> Text:
    """A table cell of several lines, each as `cell` holds it."""
    from rich.text import Text

    return Text("\n".join(terminal_line(line) for line in lines))


def to_pipe(ui: UI) -> bool:
    """Whether stdout is a pipe or a file rather than a terminal: then tables are plain
    tab-separated lines (a box drawn with `┃` or a row folded at 80 columns defeats grep)."""
    return not ui.stdout.isatty()


def plain_rows(ui: UI, rows: Iterable[Sequence[str | None]]) -> None:
    """Each row as one line of tab-separated cells, each cell on one line (`terminal_line`)."""
    ui.raw("".join("\t".join(terminal_line(c or "") for c in row) + "\n" for row in rows))


def emit_json(ui: UI, data: Any) -> None:
    ui.raw(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def emit_json_items(ui: UI, items: Iterable[Item], piece: int = 200) -> None:
    """`emit_json` of a list of items, written as they come: the same text, a few hundred
    items at a time, so that listing a million items does not hold them all."""
    batch: list[str] = []
    opened = False
    for item in items:
        text = json.dumps(item.to_json(), ensure_ascii=False, indent=2)
        batch.append("  " + text.replace("\n", "\n  "))  # JSON strings hold no raw newline
        if len(batch) >= piece:
            ui.raw((",\n" if opened else "[\n") + ",\n".join(batch))
            opened, batch = True, []
    if batch:
        ui.raw((",\n" if opened else "[\n") + ",\n".join(batch))
        opened = True
    ui.raw("\n]\n" if opened else "[]\n")


def short(text: str | None, width: int = 160) -> str:
    text = terminal_line(text or "")
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def review_phrase(item: Item, lang: str) -> str:
    from revue.review.datephrase import date_phrase

    if not item.review_date:
        return f"#{item.review}"
    try:
        day = dt.date.fromisoformat(item.review_date[:10])
    except ValueError:  # a review row an older revue imported unchecked
        return f"#{item.review} (its date is not a date: revue reviews rm {item.review})"
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


def titled_by_curator(item: Item) -> bool:
    """An item the review shows under the title the curator typed: its page failing is
    news, not an error (the review is right without it)."""
    return bool(item.title) and "title" in item.user_fields


def fetch_failed(ui: UI, item: Item) -> None:
    """A page that could not be fetched: a failure (exit 1), so on stderr even with --quiet;
    for an item with the curator's title, a line of information (cron stays quiet)."""
    again = f"retry with: revue fetch {item.id}"
    if item.status == "failed" and item.next_attempt_at is None:
        again = f"gone, not tried again on its own; {again}"
    line = f"#{item.id} {item.status}: {item.url}: {item.error} (kept; {again})"
    if titled_by_curator(item):
        ui.info(f"{line}; shown with your title")
    else:
        ui.error(line)


def items_table(ui: UI, items: Iterable[Item], stale_days: int, days: Clock) -> int:
    """A rich table on a terminal; plain tab-separated lines in a pipe (scripts use --json),
    written as the items come; the day each was added is the curator's (`days`). Returns
    how many items were shown."""
    count = 0
    if to_pipe(ui):
        lines: list[str] = []
        for item in items:
            count += 1
            lines.append(
                "\t".join(
                    [
                        str(item.id),
                        days.day_text(item.added_at),
                        status_text(item, stale_days, days.zone),
                        terminal_line(item.display_title()),
                        terminal_line(" ".join(item.tags)),
                        terminal_line(item.via or ""),
                    ]
                )
                + "\n"
            )
            if len(lines) >= 500:
                ui.raw("".join(lines))
                lines = []
        if lines:
            ui.raw("".join(lines))
        return count
    items = list(items)
    if not items:
        return 0
    from rich.table import Table

    table = Table(show_lines=False, pad_edge=False, expand=False)
    for col in ("id", "added", "status", "title", "tags", "via"):
        table.add_column(col, overflow="fold" if col == "title" else "ellipsis")
    for item in items:
        table.add_row(
            str(item.id),
            cell(days.day_text(item.added_at)),
            cell(status_text(item, stale_days, days.zone)),
            cell(short(item.display_title(), 90)),
            cell(" ".join(item.tags)),
            cell(item.via),
        )
    ui.print(table)
    return len(items)


def status_text(item: Item, stale_days: int, zone: dt.tzinfo) -> str:
    """The status with what the curator should notice: stale news, published before, paywall."""
    flags = [
        flag
        for flag, on in (
            ("stale", item.is_stale(stale_days, zone)),
            (f"in review #{item.review}", bool(item.review)),
            ("paywall", item.paywalled),
        )
        if on
    ]
    return item.status + (f" ({', '.join(flags)})" if flags else "")


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

    from revue.web.fetch import error_kind

    groups = Counter(
        "blocked" if item.status == "blocked" else error_kind(item.error or item.status)
        for item in failed_items
    )
    detail = ", ".join(f"{n} {reason}" for reason, n in sorted(groups.items(), key=lambda g: -g[1]))
    ui.info(f"{ok} ok, {len(failed_items)} failed" + (f" ({detail})" if detail else ""))


def run_fetch(env: Env, items: Sequence[Item], *, single: bool, typed: bool = False) -> list[Item]:
    """Fetch items, report each, return the ones that failed (an item with the curator's
    title is not one: the review shows it right). `typed`: links the curator just typed
    (see `fetch_items`)."""
    from revue.app.add import Progress
    from revue.app.refresh import fetch_items

    ui = env.ui
    if not items:
        return []
    failed: list[Item] = []
    # With a bar, each link's line waits for the bar to go: id and title, or the failure.
    after_bar: list[Item] = []
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
                after_bar.append(item)
            elif item.status == "ok":
                ui.info(f"#{item.id} ok: {short(item.display_title(), 100)}")
            else:
                fetch_failed(ui, item)

        report = fetch_items(
            env.store,
            items,
            env.fetcher_factory(),
            clock=env.now,
            progress=Progress(fetched=fetched),
            typed=typed,
        )
    failed = report.failed
    if single:
        for item in report.items:
            if item.status == "ok":
                describe(ui, item)
            else:
                fetch_failed(ui, item)
    else:
        order = {item.id: n for n, item in enumerate(items)}
        for item in sorted(after_bar, key=lambda i: order.get(i.id, len(order))):
            if item.status == "ok":
                ui.say(f"#{item.id} {short(item.display_title(), 100)}", markup=False)
            else:
                fetch_failed(ui, item)
        summarize(ui, len(report.ok), failed)
    return [item for item in failed if not titled_by_curator(item)]


def copy_to_clipboard(env: Env, text: str, what: str) -> None:
    """Copy and say how; a failure is one line and exit 1 (what was printed stays)."""
    from revue.clipboard import copy

    how = copy(text, [env.ui.stdout, env.ui.stderr])
    env.ui.info(f"copied {what} to the clipboard {how}")
