"""`revue stats --html`: one standalone page of charts, drawn as inline SVG from the numbers.

The SVG is written here rather than by a plotting library: the five charts are bars and
lines, which take a few dozen lines; a library that emits SVG (pygal) adds JavaScript for
its tooltips or, without it, a dependency for what this file does; matplotlib would weigh
more than revue itself. Written here, every label is escaped at the one place it enters
(`_t`), and the page asks for nothing at view time: no script, no font, no stylesheet from
elsewhere (its Content-Security-Policy forbids any), so it opens offline, in a mail or an
archive, as it was.

Pure: the figures in (app/stats.py's JSON), the page's text out.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

WIDTH = 760
COLORS = ("#2b6cb0", "#2f855a", "#c05621", "#6b46c1", "#b83280", "#2c7a7b", "#975a16")
FONT = "font-family:system-ui,sans-serif;font-size:12px"


def _t(text: object) -> str:
    """Text from the data (a site's name, a tag) as SVG/HTML text: escaped, quotes too."""
    return html.escape(str(text), quote=True)


def _short(text: object, size: int = 28) -> str:
    value = " ".join(str(text).split())
    return value if len(value) <= size else value[: size - 1] + "…"


def _svg(title: str, height: int, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" style="{FONT}"><title>{_t(title)}</title>'
        + "".join(body)
        + "</svg>"
    )


def hbars(title: str, rows: Sequence[tuple[str, float, str]]) -> str:
    """Horizontal bars: (label, value, the text after the bar), the longest bar the largest."""
    if not rows:
        return '<p class="none">None in this range.</p>'
    left, right, step = 190, 230, 24
    most = max(v for _, v, _ in rows) or 1
    room = WIDTH - left - right
    body: list[str] = []
    for i, (label, value, after) in enumerate(rows):
        y = 8 + i * step
        width = room * value / most
        body.append(
            f'<text x="{left - 8}" y="{y + 14}" text-anchor="end">{_t(_short(label))}</text>'
            f'<rect x="{left}" y="{y + 2}" width="{width:.1f}" height="{step - 8}" '
            f'fill="{COLORS[0]}"><title>{_t(label)}: {_t(after)}</title></rect>'
            f'<text x="{left + width + 6:.1f}" y="{y + 14}">{_t(after)}</text>'
        )
    return _svg(title, 16 + len(rows) * step, body)


def _nice(most: float) -> float:
    """The top of a y axis of four steps, each a round number (1, 2 or 5 times a power of
    ten, at least 1), at or above `most`."""
    power = 1
    while True:
        for m in (1, 2, 5):
            if m * power * 4 >= most:
                return float(m * power * 4)
        power *= 10


def lines(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]) -> str:
    """A line per series over the labels (weeks, months), with a legend and a y axis."""
    if not labels or not series:
        return '<p class="none">None in this range.</p>'
    left, top, bottom, height = 48, 30, 40, 300
    plot_w, plot_h = WIDTH - left - 40, height - top - bottom
    most = _nice(max((max(values, default=0) for _, values in series), default=0))
    n = len(labels)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h - plot_h * v / most

    body: list[str] = []
    for k in range(5):  # the grid and the y axis's numbers
        value = most * k / 4
        body.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="#ddd"/><text x="{left - 6}" y="{y(value) + 4:.1f}" '
            f'text-anchor="end">{round(value)}</text>'
        )
    every = max(1, -(-n // 9))  # at most 9 labels: a week label is 70 px wide
    for i, label in enumerate(labels):
        if i % every == 0:
            body.append(
                f'<text x="{x(i):.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                f'class="x">{_t(label)}</text>'
            )
    for s, (name, values) in enumerate(series):
        color = COLORS[s % len(COLORS)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        body.append(
            f'<polyline class="series" fill="none" stroke="{color}" stroke-width="2" '
            f'points="{points}"><title>{_t(name)}</title></polyline>'
        )
        lx = left + s * 150
        body.append(
            f'<rect x="{lx}" y="6" width="12" height="12" fill="{color}"/>'
            f'<text x="{lx + 16}" y="16">{_t(_short(name, 18))}</text>'
        )
    return _svg(title, height, body)


def stats_page(data: dict[str, Any], *, generated: str) -> str:
    """The page of `revue stats --html` for the figures `data` (Stats.to_json())."""
    totals = data["totals"]
    links = totals.get("links", 0)
    weeks = data.get("week", [])
    sections: list[tuple[str, str, str]] = [
        (
            "weeks",
            "Links per week: added, and published by that week's reviews",
            lines(
                "Links per week",
                [w["week"] for w in weeks],
                [
                    ("added", [w["added"] for w in weeks]),
                    ("published", [w["published"] for w in weeks]),
                ],
            ),
        ),
        (
            "sites",
            "Top sites",
            hbars(
                "Top sites",
                [(c["name"], c["count"], f"{c['count']} ({c['share']:.0%})") for c in data["site"]],
            ),
        ),
        (
            "tags",
            "Tags over time, month by month",
            lines(
                "Tags over time",
                data["tags_by_month"]["months"],
                list(data["tags_by_month"]["tags"].items()),
            ),
        ),
        (
            "langs",
            "Languages",
            hbars(
                "Languages",
                [(c["name"], c["share"], f"{c['share']:.0%} ({c['count']})") for c in data["lang"]],
            ),
        ),
        (
            "rot",
            "Link rot by review age: dead links now, of those published",
            hbars(
                "Link rot by review age",
                [
                    (r["age"], r["dead"] / r["links"] if r["links"] else 0, _rot_text(r))
                    for r in data["rot"]
                ],
            ),
        ),
    ]
    share = f" ({totals.get('published', 0) / links:.0%})" if links else ""
    summary = (
        f"{links} links added, {totals.get('published', 0)} published{share}, "
        f"{totals.get('starred', 0)} starred, {totals.get('dead', 0)} dead; "
        f"{totals.get('reviews', 0)} reviews, {totals.get('late_reviews', 0)} late, "
        f"{totals.get('weeks_without_review', 0)} weeks without one"
    )
    figures = "".join(
        f'<section id="{key}"><h2>{_t(heading)}</h2>{chart}</section>'
        for key, heading, chart in sections
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>revue stats {_t(data['from'])} to {_t(data['to'])}</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:2em auto;max-width:800px;"
        "color:#222}h1{font-size:1.4em}h2{font-size:1.05em;margin:1.6em 0 .4em}"
        "svg{max-width:100%;height:auto}.x{font-size:10px}.none{color:#777}</style>"
        "</head><body>"
        f"<h1>What was read, {_t(data['from'])} to {_t(data['to'])}</h1>"
        f'<p id="summary">{_t(summary)}</p>{figures}'
        f'<footer><p class="none">Made by revue stats on {_t(generated)}.</p></footer>'
        "</body></html>\n"
    )


def _rot_text(row: dict[str, Any]) -> str:
    share = f"{row['dead'] / row['links']:.0%}" if row["links"] else "-"
    return f"{share}: {row['dead']}/{row['links']} in {row['reviews']} reviews"
