"""The store at scale: every command on 10k, 100k (and 1M) items, beside its floor (a script, not a test).

Usage (from the repository root):

    python benchmarks/store_scale.py [--sizes 10000 100000] [--million] [--workdir DIR]
                                     [--src PATH] [--repeat 3] [--only WORK ...]

It builds one database per size (cached in --workdir: a second run reuses it), the way a
curator's would look after years of `revue import` and `revue compose`: 200 items a week,
each with a title, a summary, two tags (one a #hashtag), a note on every third, its keys;
one composed review a week (its items and file) except for the last four weeks; 10 feeds.
The rows go in with one executemany transaction through a database migrated by the revue
under test (`--src`), so FTS triggers and indexes are the real ones. Building takes about
2 s for 10k, 20 s for 100k and 4 minutes for 1M (about 1.3 GB) on a 2-core machine.

Each piece of work is timed twice, as a whole process (wall clock, and CPU seconds, which a
shared machine disturbs less) and in process:

- revue: `python -m revue --db DB ...` as a subprocess (REVUE_CONFIG pointing to an empty
  file, stdout to a file); peak RSS is the child's `ru_maxrss` (os.wait4). In process: the
  typer app called in this process, stdout to /dev/null (so start-up is left out).
- the floor: the same query through the sqlite3 CLI (`-json`, `-csv`, `.backup`) as a
  process, and through the `sqlite3` module in process; for an import, one Python process
  that parses the file with the standard library (json.load, csv, lxml for bookmarks) and
  inserts the same rows with one executemany transaction into a fresh migrated database.

Work: a week's `list`, `compose --dry-run` and `search` (the last week, unpublished; its
200 items share a word), `list` of every item (plain lines in a pipe), `export` in each
format, `backup`, `import` of revue's own JSON export into an empty database (then the
round trip is checked: every item, review and feed back), and imports of CSV, Netscape
bookmarks and a links file made from the same items, and of revue's own CSV and Netscape
exports (10k and 100k only: at 1M the file importers are timed only with --million-files).
Peak RSS is given beside the floor's, and their ratio.

Goals (issue 18): a week's list/compose/search flat from 10k to 1M; list-all, exports and
backup under 100 MB peak RSS at 1M, JSON export within 1.5x of `sqlite3 -json`; the revue-json
import within 1.2x of its floor at 100k and under 150 MB at any size; other imports within
2x of their floor at 100k. Issue 25: every import under 150 MB peak RSS at 100k, whatever the
file's size, and within 1.5x of its floor's peak RSS. The machine is shared: look at ratios more than seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PER_WEEK = 200
UNPUBLISHED_WEEKS = 4
END = dt.datetime(2025, 6, 2, tzinfo=dt.UTC)  # a Monday: the last week starts here
WORDS = [
    "marketing", "techno", "données", "réseaux", "sociaux", "publicité", "intelligence",
    "artificielle", "commerce", "mobile", "vidéo", "recherche", "moteur", "plateforme",
    "abonnés", "médias", "québec", "montréal", "entreprise", "startup", "financement",
    "sécurité", "vie", "privée", "algorithme", "influenceurs",
]  # fmt: skip
TAGS = [f"Sujet{i}" for i in range(40)]
ITEM_COLS = (
    "id, kind, url, original_url, title, summary, site_name, via, author, published, "
    "first_published, lang, image, note, lead, quote, section, status, error, http_status, "
    "content_type, paywalled, user_fields, added_at, fetched_at, attempts, next_attempt_at, "
    "position, source"
)


def store_class() -> Any:
    """revue's Store, wherever the revue measured keeps it (`--src` may be an older one)."""
    try:
        from revue.store.db import Store
    except ImportError:
        from revue.db import Store  # type: ignore[no-redef]
    return Store


def week_start(n: int, week: int) -> dt.datetime:
    weeks = (n + PER_WEEK - 1) // PER_WEEK
    return END - dt.timedelta(weeks=weeks - 1 - week)


def stamp(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def item_rows(n: int, dedup_key: Callable[[str], str]) -> Iterator[tuple[Any, ...]]:
    """(item row, keys, [(tag index, hashtag)]) for items 1..n, 200 a week, oldest first."""
    for i in range(1, n + 1):
        week, rank = divmod(i - 1, PER_WEEK)
        added = week_start(n, week) + dt.timedelta(seconds=rank * 3000)
        site = f"site{i % 500}.example"
        url = f"https://www.{site}/{added.year}/{added.month:02d}/article-{i}"
        words = [WORDS[(i * k) % len(WORDS)] for k in (3, 5, 7, 11, 13)]
        title = f"Article {i}: {' '.join(words[:3])} sem{week:05d}"
        summary = f"Résumé de l'article {i} sur {' '.join(words)}. " * 2
        t1, t2 = TAGS[i % len(TAGS)], TAGS[(i * 7 + 3) % len(TAGS)]
        tags = [(t1, 0)] + ([(t2, 1)] if t2 != t1 else [])
        note = f"= À lire, {words[4]} #{t2}" if i % 3 == 0 else None
        row = (
            i, "link", url, url, title, summary.strip(), site, "@" + site.split(".")[0],
            "Auteur " + str(i % 97), stamp(added - dt.timedelta(days=1)), None, "fr",
            f"https://{site}/img/{i}.jpg", note, None, None, None, "ok", None, 200,
            "text/html", 0, "[]", stamp(added), stamp(added + dt.timedelta(minutes=1)), 1,
            None, None, "import:csv",
        )  # fmt: skip
        yield row, [dedup_key(url)], tags


def build(n: int, path: Path) -> None:
    """A database of n items like a curator's (see the module docstring)."""
    from revue import urls

    Store = store_class()

    store = Store.open(path)
    store.close()
    conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    tag_ids = {name: k + 1 for k, name in enumerate(TAGS)}
    with conn:
        conn.executemany("INSERT INTO tags (id, name) VALUES (?, ?)", list(enumerate(TAGS, 1)))
        marks = ", ".join("?" * len(ITEM_COLS.split(",")))
        batch: list[tuple[Any, ...]] = []
        keys: list[tuple[str, int]] = []
        tagrows: list[tuple[int, int, int]] = []

        def flush() -> None:
            conn.executemany(f"INSERT INTO items ({ITEM_COLS}) VALUES ({marks})", batch)
            conn.executemany("INSERT OR IGNORE INTO item_keys (key, item_id) VALUES (?, ?)", keys)
            conn.executemany(
                "INSERT INTO item_tags (item_id, tag_id, hashtag) VALUES (?, ?, ?)", tagrows
            )
            batch.clear(), keys.clear(), tagrows.clear()

        for row, item_keys, tags in item_rows(n, urls.dedup_key):
            batch.append(row)
            keys.extend((k, row[0]) for k in item_keys)
            tagrows.extend((row[0], tag_ids[t], h) for t, h in tags)
            if len(batch) >= 10_000:
                flush()
        flush()
        weeks = (n + PER_WEEK - 1) // PER_WEEK
        for week in range(max(weeks - UNPUBLISHED_WEEKS, 0)):
            start = week_start(n, week).date()
            end = start + dt.timedelta(days=6)
            path_ = f"reviews/{end}-revue-de-presse.md"
            conn.execute(
                "INSERT INTO reviews (id, title, start, end, lang, style, format, path, sha256, "
                "composed_at, item_count, imported) VALUES (?, ?, ?, ?, 'fr', 'classic', 'md', "
                "?, ?, ?, ?, 0)",
                [week + 1, f"Revue de presse du {start} au {end}", str(start), str(end), path_,
                 f"{week:064x}", f"{end}T07:00:00+00:00", PER_WEEK],
            )  # fmt: skip
            first = week * PER_WEEK + 1
            conn.executemany(
                "INSERT INTO review_items (review_id, item_id, position) VALUES (?, ?, ?)",
                [(week + 1, first + p, p) for p in range(min(PER_WEEK, n - first + 1))],
            )
            conn.execute(
                "INSERT INTO review_files (path, review_id, format, sha256, written_at) "
                "VALUES (?, ?, 'md', ?, ?)",
                [path_, week + 1, f"{week:064x}", f"{end}T07:00:00+00:00"],
            )
        conn.executemany(
            "INSERT INTO feeds (id, url, title, site_url, tags, added_at, status) "
            "VALUES (?, ?, ?, ?, '[]', '2024-01-01T00:00:00+00:00', 'ok')",
            [(k, f"https://feed{k}.example/rss", f"Feed {k}", f"https://feed{k}.example/")
             for k in range(1, 11)],
        )  # fmt: skip
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def write_import_files(n: int, folder: Path) -> dict[str, Path]:
    """The same n items as a CSV, a Netscape bookmarks file and a links file."""
    import html

    files = {"csv": folder / "items.csv", "netscape": folder / "items.html",
             "links": folder / "items.txt"}  # fmt: skip
    with (
        files["csv"].open("w", encoding="utf-8", newline="") as c,
        files["netscape"].open("w", encoding="utf-8") as h,
        files["links"].open("w", encoding="utf-8") as t,
    ):
        writer = csv.writer(c)
        writer.writerow(["url", "title", "note", "tags", "created"])
        h.write("<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<TITLE>Bookmarks</TITLE>\n<DL><p>\n")
        for row, _keys, tags in item_rows(n, lambda u: u):
            url, title, note, added = row[2], row[4], row[13], row[23]
            names = ",".join(t for t, _ in tags)
            writer.writerow([url, title, note or "", names, added])
            epoch = int(dt.datetime.fromisoformat(added).timestamp())
            h.write(
                f'<DT><A HREF="{html.escape(url)}" ADD_DATE="{epoch}" '
                f'TAGS="{html.escape(names)}">{html.escape(title)}</A>\n'
            )
            if note:
                h.write(f"<DD>{html.escape(note)}\n")
            t.write(f"{url} {title}\n")
        h.write("</DL><p>\n")
    return files


# --------------------------------------------------------------------------- floors


def fresh_db(path: Path) -> sqlite3.Connection:
    Store = store_class()
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    Store.open(path).close()
    conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def floor_import(fmt: str, source: Path, target: Path) -> int:
    """Parse `source` with the standard library and insert its rows with one executemany
    transaction: the least any importer can do. Returns the number of items stored."""
    conn = fresh_db(target)
    if fmt == "revue-json":
        with source.open("rb") as handle:
            dump = json.load(handle)
        cols = [c.strip() for c in ITEM_COLS.split(",")]
        marks = ", ".join("?" * len(cols))
        tag_ids: dict[str, int] = {}
        item_tags = []
        for item in dump["items"]:
            for name in item["tags"]:
                tid = tag_ids.setdefault(name.casefold(), len(tag_ids) + 1)
                item_tags.append((item["id"], tid, int(name in item["hashtags"])))
        with conn:
            conn.executemany(
                f"INSERT INTO items ({', '.join(cols)}) VALUES ({marks})",
                ([json.dumps(v) if c == "user_fields" else v for c in cols
                  for v in (item.get(c),)] for item in dump["items"]),
            )  # fmt: skip
            conn.executemany(
                "INSERT INTO item_keys (key, item_id) VALUES (?, ?)",
                ((k, item["id"]) for item in dump["items"] for k in item["keys"]),
            )
            conn.executemany(
                "INSERT INTO tags (id, name) VALUES (?, ?)", [(v, k) for k, v in tag_ids.items()]
            )
            conn.executemany("INSERT INTO item_tags VALUES (?, ?, ?)", item_tags)
            for review in dump["reviews"]:
                conn.execute(
                    "INSERT INTO reviews (id, title, start, end, composed_at) VALUES (?, ?, ?, ?, ?)",
                    [review["id"], review["title"], review["start"], review["end"],
                     review["composed_at"]],
                )  # fmt: skip
                conn.executemany(
                    "INSERT INTO review_items VALUES (?, ?, ?)",
                    [(review["id"], i, p) for p, i in enumerate(review["items"])],
                )
            conn.executemany(
                "INSERT INTO feeds (id, url, title) VALUES (?, ?, ?)",
                [(f["id"], f["url"], f["title"]) for f in dump["feeds"]],
            )
        count = len(dump["items"])
    else:
        # (url, title, added_at, tags): the rows revue stores, tags included.
        records: list[tuple[str, str | None, str | None, list[str]]] = []
        if fmt == "csv":
            with source.open(encoding="utf-8", newline="") as handle:
                records = [  # the file made here ("created"), or revue's CSV export ("added_at")
                    (r["url"], r["title"], r.get("created") or r.get("added_at"),
                     [t for t in r["tags"].split(",") if t])
                    for r in csv.DictReader(handle)
                ]  # fmt: skip
        elif fmt == "netscape":
            import lxml.html

            root = lxml.html.parse(str(source)).getroot()
            records = [
                (a.get("href"), a.text_content(), a.get("add_date"),
                 [t for t in (a.get("tags") or "").split(",") if t])
                for a in root.iter("a")
            ]  # fmt: skip
        else:
            with source.open(encoding="utf-8") as handle:
                for line in handle:
                    url, _, title = line.strip().partition(" ")
                    records.append((url, title, None, []))
        now = stamp(dt.datetime.now(dt.UTC))
        tag_ids: dict[str, int] = {}
        item_tags = [
            (k, tag_ids.setdefault(name, len(tag_ids) + 1), 0)
            for k, (_u, _t, _a, names) in enumerate(records, 1)
            for name in names
        ]
        with conn:
            conn.executemany(
                "INSERT INTO items (id, url, original_url, title, added_at, status, source) "
                "VALUES (?, ?, ?, ?, ?, 'pending', 'import')",
                ((k, u, u, t, a or now) for k, (u, t, a, _n) in enumerate(records, 1)),
            )
            conn.executemany(
                "INSERT OR IGNORE INTO item_keys (key, item_id) VALUES (?, ?)",
                ((u, k) for k, (u, _t, _a, _n) in enumerate(records, 1)),
            )
            conn.executemany(
                "INSERT INTO tags (id, name) VALUES (?, ?)", [(v, k) for k, v in tag_ids.items()]
            )
            conn.executemany("INSERT INTO item_tags VALUES (?, ?, ?)", item_tags)
        count = len(records)
    conn.close()
    return count


def week_sql(n: int) -> tuple[str, str, str]:
    weeks = (n + PER_WEEK - 1) // PER_WEEK
    start = week_start(n, weeks - 1)
    lo, hi = stamp(start), stamp(start + dt.timedelta(days=7))
    week_items = (
        f"SELECT {ITEM_COLS}, (SELECT group_concat(t.name) FROM item_tags it JOIN tags t "
        "ON t.id = it.tag_id WHERE it.item_id = items.id) AS tags FROM items "
        f"WHERE added_at >= '{lo}' AND added_at < '{hi}'"
    )
    return week_items, str(start.date()), str((start + dt.timedelta(days=6)).date())


# --------------------------------------------------------------------------- timing


@dataclass
class Run:
    seconds: float | None = None
    rss_mb: float | None = None
    code: int = 0
    cpu: float | None = None  # user + system seconds: steadier than the clock on a busy machine
    note: str = ""


# Linux carries a process's peak RSS over exec (and a fork copies the parent's pages), so a
# child started from this process, grown by the in-process runs, would report this process's
# peak. Children are started by this small launcher instead; it reports their own figures.
LAUNCHER = """
import os, sys, time
result, argv = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.posix_spawnp(argv[0], argv, os.environ)
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - start
with open(result, "w") as out:
    cpu = usage.ru_utime + usage.ru_stime
    out.write(f"{elapsed} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)} {cpu}")
"""


def run_process(argv: list[str], *, stdout: Path | None, env: dict[str, str]) -> Run:
    """Time a child process; its peak RSS from wait4 in the launcher (never this process's)."""
    with contextlib.ExitStack() as stack:
        out = stack.enter_context((stdout or Path(os.devnull)).open("wb"))
        err = stack.enter_context(tempfile.TemporaryFile())
        result = stack.enter_context(tempfile.NamedTemporaryFile("r", suffix=".txt"))
        subprocess.run(
            [sys.executable, "-I", "-S", "-c", LAUNCHER, result.name, *argv],
            stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, check=True,
        )  # fmt: skip
        seconds, rss_kb, code_text, cpu = Path(result.name).read_text().split()
        err.seek(0)
        message = err.read().decode("utf-8", "replace").strip().splitlines()
    code = int(code_text)
    return Run(
        float(seconds) if code == 0 else None,
        int(rss_kb) / 1024,
        code,
        float(cpu),
        ""
        if code == 0
        else f"exit {code}: {message[-1].partition('error: ')[2][-70:] if message else ''}",
    )


def best(runs: list[Run]) -> Run:
    ok = [r for r in runs if r.seconds is not None]
    if not ok:
        return runs[-1]
    return min(ok, key=lambda r: r.seconds or 0.0)


def repeat_process(argv: list[str], *, stdout: Path | None, env: dict[str, str], times: int,
                   before: Callable[[], None] = lambda: None) -> Run:  # fmt: skip
    runs = []
    for _ in range(times):
        before()
        run = run_process(argv, stdout=stdout, env=env)
        runs.append(run)
        if run.seconds is None or run.seconds > 5:
            break  # a slow or failed command is timed once
    return best(runs)


def in_process(
    func: Callable[[], Any], times: int, before: Callable[[], None] = lambda: None
) -> float:
    timings = []
    for _ in range(times):
        before()
        start = time.perf_counter()
        func()
        timings.append(time.perf_counter() - start)
        if timings[-1] > 5:
            break
    return min(timings)


def revue_in_process(args: list[str]) -> Callable[[], Any]:
    def call() -> Any:
        from revue.cli import app, hoist_globals

        with (
            open(os.devnull, "w", encoding="utf-8") as sink,
            contextlib.redirect_stdout(sink),
            contextlib.redirect_stderr(sink),
        ):
            code = app(hoist_globals(["-q", *args]), standalone_mode=False, prog_name="revue")
        if code not in (None, 0):
            raise RuntimeError(f"revue {' '.join(args)}: exit {code}")

    return call


@dataclass
class Row:
    work: str
    n: int
    revue: Run
    floor: Run
    revue_in: float | None = None
    floor_in: float | None = None
    notes: list[str] = field(default_factory=list)


def fmt_s(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else "—"


# --------------------------------------------------------------------------- the run


def bench_size(n: int, args: argparse.Namespace, env: dict[str, str]) -> list[Row]:
    work = Path(args.workdir)
    db = work / f"store-{n}.db"
    if not db.exists():
        started = time.perf_counter()
        build(n, work / f"building-{n}.db")
        (work / f"building-{n}.db").rename(db)
        print(f"  built {n:,} items in {time.perf_counter() - started:.1f} s", flush=True)
    scratch = work / f"scratch-{n}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    rows: list[Row] = []
    py = [sys.executable, "-m", "revue", "--db", str(db)]
    week_items, first_day, last_day = week_sql(n)
    last_week = (n + PER_WEEK - 1) // PER_WEEK - 1
    few = args.repeat

    def wanted(name: str) -> bool:
        return not args.only or any(o in name for o in args.only)

    def floor_q(sql: str) -> Callable[[], Any]:
        def call() -> None:
            conn = sqlite3.connect(str(db))
            for _ in conn.execute(sql):
                pass
            conn.close()

        return call

    def add(name: str, revue_args: list[str], floor_argv: list[str], floor_fn: Callable[[], Any],
            *, out: Path | None = None, before: Callable[[], None] = lambda: None,
            check: Callable[[], str] | None = None) -> None:  # fmt: skip
        if not wanted(name):
            return
        print(f"  {name} ...", end="", flush=True)
        revue = repeat_process([*py, *revue_args], stdout=out, env=env, times=few, before=before)
        note = check() if check and revue.seconds is not None else ""
        floor = repeat_process(floor_argv, stdout=out, env=env, times=few, before=before)
        row = Row(name, n, revue, floor, notes=[x for x in (revue.note, note) if x])
        if revue.seconds is not None and not args.no_in_process:
            row.revue_in = in_process(revue_in_process(["--db", str(db), *revue_args]), few,
                                      before)  # fmt: skip
        if not args.no_in_process:
            row.floor_in = in_process(floor_fn, few, before)
        rows.append(row)
        print(f" {fmt_s(revue.seconds)} / floor {fmt_s(floor.seconds)}", flush=True)

    sqlite = ["sqlite3", str(db)]
    add("list --from --to (a week)", ["list", "--from", first_day, "--to", last_day],
        [*sqlite, week_items + " ORDER BY added_at DESC"],
        floor_q(week_items + " ORDER BY added_at DESC"))  # fmt: skip
    unpublished = week_items + " AND id NOT IN (SELECT item_id FROM review_items)"
    add("compose --dry-run (a week)",
        ["compose", "--from", first_day, "--to", last_day, "--dry-run"],
        [*sqlite, unpublished], floor_q(unpublished))  # fmt: skip
    fts = (
        f"SELECT {', '.join('items.' + c.strip() for c in ITEM_COLS.split(','))} FROM items "
        f"JOIN items_fts ON items_fts.rowid = items.id WHERE items_fts MATCH "
        f"'\"sem{last_week:05d}\"*' ORDER BY rank LIMIT 100"
    )
    add("search (a week's word)", ["search", f"sem{last_week:05d}"], [*sqlite, fts], floor_q(fts))
    every = f"SELECT {ITEM_COLS} FROM items ORDER BY added_at DESC, id DESC"
    add("list (all items)", ["list"], [*sqlite, every], floor_q(every), out=scratch / "list.txt")
    export_json = scratch / "export.json"

    def json_floor() -> None:
        conn = sqlite3.connect(str(db))
        with (scratch / "floor.json").open("w", encoding="utf-8") as handle:
            cur = conn.execute(f"SELECT {ITEM_COLS} FROM items ORDER BY id")
            names = [d[0] for d in cur.description]
            for row in cur:
                handle.write(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False))
        conn.close()

    add("export --format json", ["export", "--format", "json", "--out", str(export_json)],
        [*sqlite, "-json", f"SELECT {ITEM_COLS} FROM items ORDER BY id"], json_floor,
        out=scratch / "floor.json")  # fmt: skip
    for fmt in ("csv", "netscape", "md"):
        add(f"export --format {fmt}", ["export", "--format", fmt, "--out", str(scratch / f"x.{fmt}")],
            [*sqlite, "-csv", f"SELECT {ITEM_COLS} FROM items ORDER BY id"],
            floor_q(f"SELECT {ITEM_COLS} FROM items ORDER BY id"), out=scratch / "floor.csv")  # fmt: skip
    copy = scratch / "backup.db"

    def no_copy() -> None:
        copy.unlink(missing_ok=True)

    def backup_floor() -> None:
        src, dest = sqlite3.connect(str(db)), sqlite3.connect(str(copy))
        src.backup(dest)
        src.close(), dest.close()

    add("backup", ["backup", str(copy)], [*sqlite, f".backup '{copy}'"], backup_floor,
        before=no_copy)  # fmt: skip
    target = scratch / "imported.db"

    def no_target() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)

    def round_trip() -> str:
        a, b = sqlite3.connect(str(db)), sqlite3.connect(str(target))
        checks = []
        for what, sql in (
            ("items", f"SELECT {ITEM_COLS} FROM items ORDER BY id"),
            ("tags", "SELECT it.item_id, t.name, it.hashtag FROM item_tags it JOIN tags t "
                     "ON t.id = it.tag_id ORDER BY 1, 2"),
            ("keys", "SELECT key, item_id FROM item_keys ORDER BY key"),
            ("reviews", "SELECT id, title, start, end, composed_at, path FROM reviews ORDER BY id"),
            ("review items", "SELECT * FROM review_items ORDER BY 1, 2"),
            ("feeds", "SELECT id, url, title FROM feeds ORDER BY id"),
        ):  # fmt: skip
            same = all(x == y for x, y in zip(a.execute(sql), b.execute(sql), strict=False))
            counts = (a.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0],
                      b.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0])  # fmt: skip
            if not same or counts[0] != counts[1]:
                checks.append(f"{what} differ ({counts[0]:,} → {counts[1]:,})")
        a.close(), b.close()
        return "round trip: " + ("every item, tag, key, review and feed back" if not checks
                                 else "; ".join(checks))  # fmt: skip

    floor_py = [sys.executable, str(Path(__file__).resolve()), "--floor-import"]
    if export_json.exists() and wanted("import revue-json"):
        print("  import revue-json ...", end="", flush=True)
        argv = [sys.executable, "-m", "revue", "--db", str(target), "import", str(export_json),
                "--no-fetch"]  # fmt: skip
        revue = repeat_process(argv, stdout=None, env=env, times=few, before=no_target)
        note = round_trip() if revue.seconds is not None else ""
        floor = repeat_process([*floor_py, "revue-json", str(export_json), str(target)],
                               stdout=None, env=env, times=few, before=no_target)  # fmt: skip
        row = Row("import (revue-json, into empty)", n, revue, floor,
                  notes=[x for x in (revue.note, note) if x])  # fmt: skip
        if not args.no_in_process:
            if revue.seconds is not None:
                row.revue_in = in_process(revue_in_process(["--db", str(target), "import",
                                                            str(export_json), "--no-fetch"]),
                                          few, no_target)  # fmt: skip
            row.floor_in = in_process(lambda: floor_import("revue-json", export_json, target),
                                      few, no_target)  # fmt: skip
        rows.append(row)
        print(f" {fmt_s(revue.seconds)} / floor {fmt_s(floor.seconds)}", flush=True)
    if n <= 100_000 or args.million_files:
        files = write_import_files(n, scratch)
        # revue's own CSV and Netscape exports, read back (more columns, longer rows).
        for fmt in ("csv", "netscape"):
            if not wanted(f"import {fmt} (revue export)"):
                continue
            exported = scratch / f"x.{fmt}"
            if not exported.exists():
                subprocess.run([*py, "export", "--format", fmt, "--out", str(exported)],
                               env=env, check=True)  # fmt: skip
            files[f"{fmt} (revue export)"] = exported
        for label, path in files.items():
            fmt = label.split()[0]
            if not wanted(f"import {label}"):
                continue
            print(f"  import {label} ...", end="", flush=True)
            argv = [sys.executable, "-m", "revue", "--db", str(target), "import", str(path),
                    "--no-fetch"]  # fmt: skip
            revue = repeat_process(argv, stdout=None, env=env, times=few, before=no_target)
            floor = repeat_process([*floor_py, fmt, str(path), str(target)], stdout=None,
                                   env=env, times=few, before=no_target)  # fmt: skip
            row = Row(f"import ({label})", n, revue, floor,
                      notes=[revue.note] if revue.note else [])  # fmt: skip
            if not args.no_in_process:
                if revue.seconds is not None:
                    row.revue_in = in_process(revue_in_process(
                        ["--db", str(target), "import", str(path), "--no-fetch"]), few, no_target)  # fmt: skip
                row.floor_in = in_process(lambda f=fmt, p=path: floor_import(f, p, target),  # type: ignore[misc]
                                          few, no_target)  # fmt: skip
            rows.append(row)
            print(f" {fmt_s(revue.seconds)} / floor {fmt_s(floor.seconds)}", flush=True)
    shutil.rmtree(scratch, ignore_errors=True)
    return rows


def report(rows: list[Row], sizes: list[int]) -> str:
    out = io.StringIO()
    out.write("| work | N | revue (process) | peak RSS | floor (process) | floor RSS | RSS ratio "
              "| ratio | CPU revue / floor | revue (in process) | floor (in process) | ratio "
              "| note |\n")  # fmt: skip
    out.write("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
    for r in rows:
        out.write(
            f"| {r.work} | {r.n:,} | {fmt_s(r.revue.seconds)} | {r.revue.rss_mb or 0:.0f} MB "
            f"| {fmt_s(r.floor.seconds)} | {r.floor.rss_mb or 0:.0f} MB "
            f"| {ratio(r.revue.rss_mb, r.floor.rss_mb)} "
            f"| {ratio(r.revue.seconds, r.floor.seconds)} "
            f"| {fmt_s(r.revue.cpu)} / {fmt_s(r.floor.cpu)} ({ratio(r.revue.cpu, r.floor.cpu)}) "
            f"| {fmt_s(r.revue_in)} "
            f"| {fmt_s(r.floor_in)} | {ratio(r.revue_in, r.floor_in)} | {'; '.join(r.notes)} |\n"
        )
    works = list(dict.fromkeys(r.work for r in rows))
    out.write(
        "\n| work | "
        + " | ".join(f"{n:,}" for n in sizes)
        + f" | growth {sizes[0]:,} → {sizes[-1]:,} |\n"
    )
    out.write("|---|" + "---|" * (len(sizes) + 1) + "\n")
    for w in works:
        cells = []
        by_n = {r.n: r for r in rows if r.work == w}
        for n in sizes:
            r = by_n.get(n)
            if r is None:
                cells.append("—")
            elif r.revue.seconds is None:
                cells.append(f"**fails** ({r.revue.note[:60]}), {r.revue.rss_mb or 0:.0f} MB")
            else:
                cells.append(f"{fmt_s(r.revue.seconds)}, {r.revue.rss_mb or 0:.0f} MB")
        first, last = by_n.get(sizes[0]), by_n.get(sizes[-1])
        growth = ratio(last.revue.seconds, first.revue.seconds) if first and last else "—"
        out.write(f"| {w} | " + " | ".join(cells) + f" | {growth} |\n")
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--million", action="store_true", help="also 1,000,000 items")
    parser.add_argument("--million-files", action="store_true",
                        help="also time the CSV/Netscape/links imports at 1M")  # fmt: skip
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "revue-store-scale"))
    parser.add_argument("--src", default=str(ROOT / "src"), help="the revue to measure")
    parser.add_argument("--repeat", type=int, default=3, help="runs of a fast command (best kept)")
    parser.add_argument("--only", nargs="*", help="only the work whose name holds one of these")
    parser.add_argument("--no-in-process", action="store_true")
    parser.add_argument("--floor-import", nargs=3, metavar=("FORMAT", "FILE", "DB"),
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args()
    sys.path.insert(0, str(Path(args.src).resolve()))
    if args.floor_import:
        fmt, source, target = args.floor_import
        floor_import(fmt, Path(source), Path(target))
        return
    if not shutil.which("sqlite3"):
        sys.exit("the floors need the sqlite3 command-line shell (apt-get install sqlite3)")
    sizes = sorted(set(args.sizes + ([1_000_000] if args.million else [])))
    Path(args.workdir).mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.endswith("_PROXY")}
    env["PYTHONPATH"] = str(Path(args.src).resolve())
    config = Path(args.workdir) / "empty-config.toml"  # the defaults (it must exist)
    config.touch()
    env["REVUE_CONFIG"] = str(config)
    env["REVUE_REVIEWS_DIR"] = str(Path(args.workdir) / "reviews")
    os.environ["REVUE_CONFIG"] = env["REVUE_CONFIG"]
    os.environ["REVUE_REVIEWS_DIR"] = env["REVUE_REVIEWS_DIR"]
    print(f"revue from {args.src}; sqlite {sqlite3.sqlite_version}; workdir {args.workdir}")
    rows: list[Row] = []
    for n in sizes:
        print(f"N = {n:,}", flush=True)
        rows += bench_size(n, args, env)
    print()
    print(report(rows, sizes))


if __name__ == "__main__":
    main()
