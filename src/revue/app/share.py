"""Share one item as a social post: Title URL via @handle = comment #hashtags, fit to a
platform's limit when one is named."""

from __future__ import annotations

from dataclasses import dataclass

from revue.config import Config
from revue.errors import BadInput
from revue.store.db import Store


@dataclass
class Shared:
    text: str
    shortened: str | None = None  # what was cut to fit, said to the curator


def share_item(store: Store, cfg: Config, item_id: int, platform: str | None = None) -> Shared:
    """Item `item_id` as a post; with `platform` (mastodon, bluesky, x), within its limit.
    Raises BadInput for an unknown platform, NotFound for an unknown item."""
    from revue.review.social import PLATFORMS, fit, length, post_for

    if platform is not None and platform not in PLATFORMS:
        raise BadInput(f"--for {platform!r}: choose from {', '.join(PLATFORMS)}")
    post = post_for(store.get(item_id), cfg.hashtags, cfg.lang)
    if platform is None:
        return Shared(post.text())
    rules = PLATFORMS[platform]
    whole = length(post, rules)
    post = fit(post, rules)
    note = None
    if (size := length(post, rules)) < whole:
        note = f"shortened to {size} of {rules.name}'s {rules.limit} {rules.unit}"
    return Shared(post.text(), note)
