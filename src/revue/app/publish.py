"""Use case: send a composed review to a publish target and remember where it went.

The store and the target are passed in. The review's content is rendered again from what
it published (its items, its title, its style) as an HTML fragment, so a blog gets the
same text as `compose --format html-fragment`. What the target answered is recorded per
review and site, after the network call (never inside a write transaction), so that the
next publish updates that post instead of making a second one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from revue.config import Config
from revue.errors import BadInput
from revue.models import Item
from revue.publish.base import BadAnswer, PostRecord, Publication, Result, Target
from revue.store.db import Store


@dataclass(slots=True)
class Published:
    review: dict[str, Any]
    result: Result
    previous: PostRecord | None


def review_tags(
    items: list[Item], default_hashtags: list[str], *, style: str = "classic", every: bool = False
) -> tuple[str, ...]:
    """The hashtags the post shows (the config's in the classic style, then each link's), in
    order, each once (case-insensitively), without '#'. A link's other tags (`--tag Veille`)
    are the curator's own filing: they go too only with `every` ([wordpress] tags = "all")."""
    seen: set[str] = set()
    out: list[str] = []
    shown = default_hashtags if style == "classic" else []
    for tag in [*shown, *(t for item in items for t in (item.tags if every else item.hashtags))]:
        name = " ".join(tag.lstrip("#").split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    return tuple(out)


def publication(store: Store, cfg: Config, review: dict[str, Any]) -> tuple[Publication, list[int]]:
    """The review as a target receives it (title, HTML fragment in its style, tags), and
    the items it shows. Raises BadInput when it would show none."""
    from revue.app.compose import ComposeOptions, build_doc, review_span, select
    from revue.review.render import STYLES, render
    from revue.templates import user_templates

    review_id = int(review["id"])
    start, end = review_span(review)
    # Its current state (order, skips, sections, notes), as `revue week` and compose show it.
    items = select(store, start, end, zone=cfg.zone, review=review).items
    if not items:
        raise BadInput(
            f"review #{review_id}: nothing left to publish (every item is skipped or dead; "
            "see revue week)"
        )
    lang = review.get("lang") or cfg.lang
    style = str(review["style"]) if review.get("style") in STYLES else cfg.style
    if review.get("kind"):
        from revue.app.recap import recorded_doc

        # A recap: its items grouped and dated as `revue recap` wrote them.
        doc = recorded_doc(store, cfg, review)
        items = doc.items
    else:
        opts = ComposeOptions(start=start, end=end, lang=lang, style=style)
        # The title as composed (its --suffix included).
        doc = build_doc(items, opts, cfg, title=review.get("title") or None)
    template_dirs = [Path(cfg.templates_dir).expanduser()] if cfg.templates_dir else []
    html = render(
        doc,
        "html-fragment",
        style,
        templates=user_templates(dirs=template_dirs),
        options={"show_summary": cfg.summaries},
    )
    sent = Publication(
        review_id=review_id,
        title=doc.title,
        html=html,
        tags=review_tags(
            [i for i in items if i.kind != "text"],
            cfg.hashtags,
            style=style,
            every=cfg.wordpress.get("tags") == "all",
        ),
    )
    return sent, [i.id for i in items]


def publish(
    store: Store, cfg: Config, target: Target, review_id: int | None, *, now: dt.datetime
) -> Published:
    """Publish review `review_id` (default: the latest composed) to `target`; record the post
    unless it was a dry run. Raises NotFound for an unknown review, and whatever the target
    raises (Refused, Conflict: exit 1); what a target did before a bad answer (BadAnswer) is
    recorded first."""
    from dataclasses import replace

    from revue.app.check import choose_review

    review = choose_review(store, review_id)
    recorded = store.review_post(int(review["id"]), target.site)
    previous = (
        PostRecord(
            post_id=int(recorded["post_id"]),
            link=recorded.get("link"),
            status=recorded.get("status"),
            modified_gmt=recorded.get("modified_gmt"),
            content_sha256=recorded.get("content_sha256"),
        )
        if recorded
        else None
    )
    made, item_ids = publication(store, cfg, review)
    item = replace(made, previous=previous)
    try:
        result = target.publish(item)
    except BadAnswer as exc:
        if exc.result is not None:
            _record(store, item, item_ids, target, exc.result, now)
        raise
    _record(store, item, item_ids, target, result, now)
    return Published(review=review, result=result, previous=previous)


def _record(
    store: Store,
    item: Publication,
    item_ids: list[int],
    target: Target,
    result: Result,
    now: dt.datetime,
) -> None:
    if result.action == "dry-run" or result.post_id is None:
        return
    # What the blog now shows is what the review published.
    store.record_review({"item_count": len(item_ids)}, item_ids, review_id=item.review_id)
    store.record_post(
        {
            "review_id": item.review_id,
            "site": target.site,
            "post_id": result.post_id,
            "link": result.link,
            "status": result.status,
            "modified_gmt": result.modified_gmt,
            "content_sha256": result.content_sha256,
            "published_at": now.astimezone(dt.UTC).isoformat(timespec="seconds"),
        }
    )
