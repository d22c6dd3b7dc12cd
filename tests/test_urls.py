import pytest

from revue import urls
from revue.errors import BadInput


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "ftp://example.com/x",
        "javascript:alert(1)",
        "example.com/page",
        "http://",
        "https://exa mple.com",
        "mailto:a@b.c",
        "file:///etc/passwd",
    ],
)
def test_validate_rejects_non_http_urls(bad: str) -> None:
    with pytest.raises(BadInput):
        urls.validate(bad)


def test_validate_accepts_and_strips() -> None:
    assert urls.validate("  https://www.lapresse.ca/a.php \n") == "https://www.lapresse.ca/a.php"
    assert urls.validate("http://127.0.0.1:8000/x") == "http://127.0.0.1:8000/x"


def test_clean_removes_tracking_fragment_default_port_and_case() -> None:
    url = "HTTPS://WWW.LaPresse.CA:443/affaires/a.php?utm_source=tw&utm_medium=x&id=3&fbclid=Z#top"
    assert urls.clean(url) == "https://www.lapresse.ca/affaires/a.php?id=3"


def test_clean_keeps_query_order_and_spelling() -> None:
    assert urls.clean("https://x.com/s?b=2&a=a%20b&gclid=1") == "https://x.com/s?b=2&a=a%20b"


@pytest.mark.parametrize(
    "variant",
    [
        "https://www.lapresse.ca/a/b.php?utm_source=x",
        "http://www.lapresse.ca/a/b.php",
        "https://lapresse.ca/a/b.php#frag",
        "https://m.lapresse.ca/a/b.php",
        "https://WWW.LAPRESSE.CA:443/a/b.php/",
        "https://www.lapresse.ca/a/b.php?fbclid=abc&mc_cid=1",
        "https://www.lapresse.ca/a/b.php/amp",
    ],
)
def test_dedup_key_is_one_story(variant: str) -> None:
    assert urls.dedup_key(variant) == urls.dedup_key("https://www.lapresse.ca/a/b.php")


def test_dedup_key_sorts_query_and_keeps_meaningful_params() -> None:
    assert urls.dedup_key("https://x.org/p?b=2&a=1") == urls.dedup_key("https://x.org/p?a=1&b=2")
    assert urls.dedup_key("https://x.org/p?id=1") != urls.dedup_key("https://x.org/p?id=2")


def test_dedup_key_keeps_non_default_port() -> None:
    assert urls.dedup_key("http://127.0.0.1:8080/a") != urls.dedup_key("http://127.0.0.1:8081/a")


def test_path_words_for_title_less_items() -> None:
    url = "https://www.lapresse.ca/affaires/2023-11-06/openai-promet-des-superpouvoirs.php"
    assert urls.path_words(url) == "openai promet des superpouvoirs"
    assert urls.domain(url) == "lapresse.ca"


@pytest.mark.parametrize(
    ("url", "want"),
    [
        ("https://e.com/plain?x=1", "https://e.com/plain?x=1"),
        ("https://e.com/a%253Ab", "https://e.com/a%3Ab"),  # encoded twice
        ("https://e.com/%7Euser/caf%c3%a9", "https://e.com/~user/caf%C3%A9"),
        ("https://e.com/a%2Fb%3Fc", "https://e.com/a%2Fb%3Fc"),  # reserved: kept encoded
        ("https://e.com/café ok?q=é&r=%25", "https://e.com/caf%C3%A9%20ok?q=%C3%A9&r=%25"),
        ("https://e.com/%E9t%E9", "https://e.com/%E9t%E9"),  # not UTF-8: left as it is
        ("https://e.com/img//2023///a.jpg", "https://e.com/img/2023/a.jpg"),
        ("https://e.com/fetch/https://b.org/a.jpg", "https://e.com/fetch/https://b.org/a.jpg"),
    ],
)
def test_normalize_escapes(url: str, want: str) -> None:
    assert urls.normalize_escapes(url) == want
    assert urls.normalize_escapes(want) == want


def test_clean_keeps_parameters_that_may_name_the_content() -> None:
    url = "https://www.example.com/article.php?cid=42&partner=acme&share=1&utm_source=x"
    assert urls.clean(url) == "https://www.example.com/article.php?cid=42&partner=acme&share=1"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.lapresse.ca/affaires/techno/2023-11-06/openai.php",
        "https://m.example.com/a/b/",
        "https://amp.example.com/a/amp",
        "https://example.com/a.amp.html",
        "https://example.com",
        "https://example.com/",
        "http://www.a.b/~user/x(1)!$&'*+,;=:@-._",
        "https://Example.com/A",
        "HTTPS://example.com/a",
        "https://example.com:443/a",
        "https://example.com/a?utm_source=x&b=1#frag",
        "https://example.com/caf%C3%A9/%7Euser",
        "https://example.com/café",
        "https://user@example.com/a",
        "https://www.example.com./a",
        "https://www.co.uk/",
        "https://m.co/a//b",
        "https://x.org/AMP/page",
        "http://127.0.0.1:8080/a",
        "https://x.com/u/status/1",
        "https://twitter.com/u/status/1",
        "https://mastodon.social/@bob/42",
        "https://bsky.app/profile/a.bsky.social/post/3k",
    ],
)
def test_stored_keys_are_clean_and_dedup_key_whatever_the_path_taken(url: str) -> None:
    cleaned, keys = urls.stored_keys(url)
    assert cleaned == urls.clean(url)
    assert keys == list(dict.fromkeys([urls.dedup_key(url), urls.dedup_key(cleaned)]))


@pytest.mark.parametrize(
    ("url", "want"),
    [
        # Percent-decoded UTF-8: accents and apostrophes (straight or curly) as written.
        (
            "https://www.ledevoir.com/x/l%27%C3%A9t%C3%A9-d%E2%80%99une-demande",
            "l'été d’une demande",
        ),
        ("https://www.ledevoir.com/x/l’été-québécois", "l’été québécois"),
        # An older site's windows-1252 escapes read as such, not as U+FFFD.
        ("https://x.example/caf%E9-cr%E8me-br%FBl%E9e", "café crème brûlée"),
        # Controls never reach a title.
        ("https://x.example/une-%00demande-%1B%5B31m-rouge", "une demande [31m rouge"),
    ],
)
def test_path_words_keep_the_addresses_accents(url: str, want: str) -> None:
    assert urls.path_words(url) == want


@pytest.mark.parametrize(
    ("variants", "published"),
    [
        (
            [
                "https://x.com/u/status/1?s=20",
                "https://x.com/u/status/1",
                "https://twitter.com/u/status/1?s=46&t=abc",
                "http://mobile.twitter.com/U/status/1/",
                "https://www.twitter.com/u/status/1?ref_src=twsrc%5Etfw&ref_url=https%3A%2F%2Fa.b",
                "https://fxtwitter.com/u/status/1",
                "https://vxtwitter.com/u/status/1",
                "https://fixupx.com/u/status/1",
                "https://x.com/u/status/1/photo/1",
                "https://x.com/i/web/status/1",
            ],
            "https://x.com/u/status/1",
        ),
        (
            [
                "https://bsky.app/profile/alice.bsky.social/post/3kabc",
                "https://bsky.app/profile/Alice.bsky.social/post/3kabc?s=1",
                "https://www.bsky.app/profile/alice.bsky.social/post/3kabc/",
            ],
            "https://bsky.app/profile/alice.bsky.social/post/3kabc",
        ),
        (
            [
                "https://mastodon.social/@bob/109876",
                "https://mastodon.social/users/bob/statuses/109876",
                "https://mastodon.social/@Bob/109876?utm_source=x",
            ],
            "https://mastodon.social/@bob/109876",
        ),
    ],
)
def test_a_social_post_is_one_key_and_published_in_its_platforms_current_form(
    variants: list[str], published: str
) -> None:
    assert {urls.dedup_key(v) for v in variants} == {urls.dedup_key(published)}
    assert urls.clean(variants[0]) == published
    assert urls.clean("https://twitter.com/u/status/1?s=46&t=abc") == "https://x.com/u/status/1"
    # Another post, another key; a handle's DID form stays apart until a fetch tells.
    assert urls.dedup_key("https://x.com/u/status/2") != urls.dedup_key("https://x.com/u/status/1")
    did = "https://bsky.app/profile/did:plc:abc/post/3kabc"
    assert urls.dedup_key(did) != urls.dedup_key("https://bsky.app/profile/a.b/post/3kabc")
