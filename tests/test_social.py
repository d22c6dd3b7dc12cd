"""social: counting as each platform does (emoji, accents, combining marks), fitting a post."""

from __future__ import annotations

import pytest

from revue.errors import BadInput
from revue.review.social import (
    PLATFORMS,
    Post,
    bluesky_length,
    fit,
    fits,
    graphemes,
    length,
    mastodon_length,
    note_text,
    shorten,
    x_length,
)

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl
FLAG = "\U0001f1e8\U0001f1e6"  # CA
THUMB = "\U0001f44d\U0001f3fd"  # thumbs up, medium skin tone
KEYCAP = "1\ufe0f\u20e3"
E_ACUTE_COMBINING = "e\u0301"  # e + COMBINING ACUTE ACCENT
HANGUL_JAMO = "\u1112\u1161\u11ab"  # 한 spelled as three conjoining jamo
URL = "https://www.lapresse.ca/affaires/techno/2023-11-06/openai-promet-des-superpouvoirs.php"


@pytest.mark.parametrize(
    "cluster", [FAMILY, FLAG, THUMB, KEYCAP, E_ACUTE_COMBINING, "é", HANGUL_JAMO, "a\u0308\u0301"]
)
def test_one_grapheme_is_one(cluster: str) -> None:
    assert graphemes(cluster) == [cluster]
    assert bluesky_length(cluster) == 1
    assert mastodon_length(cluster) == 1


def test_bluesky_counts_graphemes_and_the_url_in_full() -> None:
    text = f"Déjà vu {FAMILY}{FLAG} {E_ACUTE_COMBINING}t{E_ACUTE_COMBINING} {URL}"
    # "Déjà vu " 8, family + flag 2, " " 1, "été" 3, " " 1, the URL as written.
    assert bluesky_length(text, (URL,)) == 8 + 2 + 1 + 3 + 1 + len(URL)
    assert len(text) > bluesky_length(text, (URL,))  # code points count more


def test_mastodon_counts_a_url_as_23_and_a_mention_without_its_server() -> None:
    assert mastodon_length(f"Lu {URL}", (URL,)) == 3 + 23
    assert mastodon_length("via @lapresse@mastodon.social", ()) == len("via @lapresse")
    assert mastodon_length(f"{THUMB} {E_ACUTE_COMBINING}", ()) == 3


def test_x_weighs_emoji_cjk_and_urls_like_twitter_text() -> None:
    assert x_length("abc é") == 5
    assert x_length(E_ACUTE_COMBINING) == 1  # NFC makes it é
    assert x_length(FAMILY) == 2 and x_length(FLAG) == 2 and x_length(THUMB) == 2
    assert x_length(KEYCAP) == 2
    assert x_length("日本語") == 6
    assert x_length("“quoted” — dash") == len("“quoted” — dash")  # general punctuation: 1
    assert x_length(f"Lu {URL}", (URL,)) == 3 + 23


def test_shorten_cuts_whole_graphemes_at_a_word_end_with_an_ellipsis() -> None:
    assert shorten("Encore une connerie", 19) == "Encore une connerie"
    assert shorten("Encore une connerie", 14) == "Encore une…"
    assert shorten("Encore une connerie", 0) == ""
    text = f"{FAMILY}{FAMILY}{FAMILY}{E_ACUTE_COMBINING}{E_ACUTE_COMBINING}"
    cut = shorten(text, 4)
    assert cut == f"{FAMILY}{FAMILY}{FAMILY}{E_ACUTE_COMBINING}…"
    assert "\u200d…" not in cut and not cut.startswith("\u0301")


def long_post(comment: str = "", title: str = "Un titre", hashtags: tuple[str, ...] = ()) -> Post:
    return Post(title=title, url=URL, via="@lapresse", comment=comment, hashtags=hashtags)


@pytest.mark.parametrize("name", list(PLATFORMS))
def test_a_long_comment_is_shortened_first_to_exactly_the_limit(name: str) -> None:
    platform = PLATFORMS[name]
    comment = f"Déjà {FAMILY} vu, e{E_ACUTE_COMBINING}t{E_ACUTE_COMBINING} {THUMB} " * 60
    post = long_post(comment, hashtags=("IA", "Analyweb"))
    assert not fits(post, platform)
    short = fit(post, platform)
    assert fits(short, platform)
    assert (short.title, short.url, short.via, short.hashtags) == (
        post.title,
        URL,
        "@lapresse",
        ("IA", "Analyweb"),
    )
    assert short.comment.endswith("…")
    kept = short.comment[:-1]
    assert comment.startswith(kept) and graphemes(comment)[: len(graphemes(kept))] == graphemes(
        kept
    )
    # As long as it can be, give or take the move back to a word's end.
    assert length(short, platform) > platform.limit - 20


def _fields(post: Post) -> dict[str, object]:
    return {k: getattr(post, k) for k in ("title", "url", "via", "comment", "hashtags")}


def test_then_the_title_then_hashtags_never_the_url_or_the_handle() -> None:
    platform = PLATFORMS["x"]
    post = long_post("Court", title="Titre " * 80, hashtags=("IA",))
    short = fit(post, platform)
    assert short.comment == "" and short.title.endswith("…") and short.hashtags == ("IA",)
    assert short.url == URL and short.via == "@lapresse"
    assert fits(short, platform)
    huge = Post(title="T", url=URL, via="@lapresse", hashtags=tuple(f"Tag{i}" for i in range(99)))
    trimmed = fit(huge, platform)
    assert trimmed.title == "" and 0 < len(trimmed.hashtags) < 99 and fits(trimmed, platform)


def test_a_link_too_long_for_the_platform_is_bad_input() -> None:
    url = "https://example.org/" + "a" * 400
    with pytest.raises(BadInput, match="bluesky's 300 graphemes"):
        fit(Post(title="T", url=url, via="@h"), PLATFORMS["bluesky"])
    # Mastodon counts any URL as 23: it fits there.
    assert fit(Post(title="T", url=url, via="@h"), PLATFORMS["mastodon"]).url == url


def test_bluesky_also_keeps_to_3000_bytes() -> None:
    comment = FAMILY * 280  # 280 graphemes but 18 bytes each
    short = fit(long_post(comment), PLATFORMS["bluesky"])
    assert len(short.text().encode("utf-8")) <= 3000
    assert bluesky_length(short.text()) <= 300


def test_the_note_is_plain_text_without_its_equals_sign() -> None:
    assert note_text("= Encore une **connerie** [ici](https://x.example) #TikTok") == (
        "Encore une connerie ici #TikTok"
    )
    assert note_text("<script>alert(1)</script> ok") == "<script>alert(1)</script> ok"


TWEET = "https://x.com/pika_labs/status/1767573414223565051"


@pytest.mark.parametrize("name", list(PLATFORMS))
def test_a_social_post_keeps_the_curators_words_and_tags_and_shortens_the_quote(
    name: str,
) -> None:
    """Shared, a post on X, Bluesky or Mastodon is the curator's comment and tags first, then
    the quoted post: too long, the quote gives way, never the comment or its #TikTok."""
    from revue.models import Item
    from revue.review.social import post_for

    text = "Sorry, we were on mute. Today we're launching Sound Effects on Pika. " * 8
    item = Item(
        id=1,
        url=TWEET,
        title=" ".join(text.split()),
        summary=text,
        note="= C'est STU-PÉ-FIANT, à suivre #TikTok",
        tags=["TikTok", "Veille"],
        hashtags=["TikTok"],
        added_at="2024-03-15T10:00:00+00:00",
        status="ok",
    )
    post = post_for(item, ["Analyweb"])
    assert post.text().startswith(
        "C'est STU-PÉ-FIANT, à suivre #TikTok #Analyweb via RT@pika_labs « Sorry"
    )
    assert post.text().endswith(f" » {TWEET}")
    short = fit(post, PLATFORMS[name])
    assert fits(short, PLATFORMS[name])
    assert short.comment == "C'est STU-PÉ-FIANT, à suivre #TikTok"
    assert short.hashtags == ("Analyweb",) and short.quote.endswith("…")
    assert short.text().startswith(
        "C'est STU-PÉ-FIANT, à suivre #TikTok #Analyweb via RT@pika_labs"
    )


def test_generic_hashtags_go_before_the_items_own() -> None:
    tags = ("Analyweb", *(f"Tag{i}" for i in range(60)))
    post = Post(title="T", url=URL, via="@h", hashtags=tags, generic=frozenset({"Analyweb"}))
    trimmed = fit(post, PLATFORMS["x"])
    assert fits(trimmed, PLATFORMS["x"])
    assert "Analyweb" not in trimmed.hashtags and trimmed.hashtags[0] == "Tag0"
