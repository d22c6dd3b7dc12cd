"""Every key config.toml may hold, as data: its type, bounds, default and meaning.

`revue.config` checks the file against these tables before any command runs, and
scripts/docgen.py generates the configuration reference (docs/) from them."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    """What one config key may hold.

    `kind` is the Python type of the value once read: `str`, `bool`, `int`, `float` (a TOML
    integer is accepted and made a float), `list` (of strings) or `dict` (string to string).
    `low`/`high` bound a number (inclusive) or the length of a string, list item or value.
    `choices` lists the only strings allowed; `text` allows newlines and tabs (Markdown);
    `url` requires an absolute http(s) address or "" in a dict's values; `zone` a time zone
    name of the IANA database ("America/Montreal"); `table` marks a
    table of further keys, declared apart (`[fetch]`).
    """

    kind: type
    default: Any
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    text: bool = False
    url: bool = False
    zone: bool = False  # an IANA time zone name zoneinfo knows
    table: bool = False
    what: str = ""  # how the error message describes a good value, when not obvious
    # What the key means, in one line: the configuration reference (docs/) is generated from it.
    doc: str = ""

    def describe(self) -> str:
        if self.what:
            return self.what
        if self.choices:
            return "one of " + ", ".join(json.dumps(c) for c in self.choices)
        noun = {
            str: "a string",
            bool: "true or false",
            int: "a whole number",
            float: "a number",
            list: "a list of strings",
            dict: "a table of strings",
        }[self.kind]
        if self.kind in (int, float) and self.low is not None and self.high is not None:
            return f"{noun} from {_num(self.low)} to {_num(self.high)}"
        if self.kind in (str, list, dict) and self.high is not None:
            return f"{noun} of at most {_num(self.high)} characters"
        return noun


NAME = 200  # characters: a title prefix, a hashtag, a section name
PATH = 4096  # characters: PATH_MAX on Linux
TEXT = 100_000  # characters: an intro or outro in Markdown

# The top-level keys of config.toml. The defaults of `Config` below are read from here.
KEYS: Mapping[str, Setting] = {
    "db": Setting(
        str,
        None,
        1,
        PATH,
        what="a file path",
        doc="the database file (else `REVUE_DB`, else `revue.db` in the user data folder)",
    ),
    "reviews_dir": Setting(
        str,
        "reviews",
        1,
        PATH,
        what="a folder path",
        doc="where `compose` writes reviews and their `feed.xml` (`REVUE_REVIEWS_DIR` overrides it)",
    ),
    "lang": Setting(
        str,
        "fr",
        choices=("fr", "en"),
        doc="the reviews' language: date phrases, titles, month names",
    ),
    "title_prefix": Setting(
        str,
        None,
        1,
        NAME,
        doc="the review's title before its dates, for reviews in `lang` (default: the language's)",
    ),  # None: the language's default
    "suffix": Setting(
        str, None, 0, NAME, doc="the default `--suffix`, after the dates, for reviews in `lang`"
    ),
    "hashtags": Setting(
        list, [], 1, NAME, doc='hashtags added to every link of the classic style (`["Analyweb"]`)'
    ),
    "style": Setting(
        str,
        "classic",
        choices=("classic", "linked"),
        doc="`classic` (`Title URL via @handle = note`) or `linked` (the title is the link)",
    ),
    "format": Setting(
        str,
        "md",
        choices=("md", "text", "html", "html-fragment", "json"),
        doc="what `compose` writes by default",
    ),
    "sections": Setting(
        list, [], 1, NAME, doc="named sections, in this order, after the unsectioned items"
    ),
    "paywall_marker": Setting(
        str, None, 0, NAME, doc='shown after paywalled links (`"(abonnés)"`)'
    ),
    "show_dates": Setting(
        bool, False, doc="each page's publication date next to its link (`compose --show-dates`)"
    ),
    "stale_days": Setting(
        int,
        30,
        0,
        36_500,
        doc="an item first published more than this many days before it was added is `stale`",
    ),
    "intro": Setting(
        str,
        None,
        0,
        TEXT,
        text=True,
        doc="Markdown before the items (or `compose --intro FILE`), in `lang`",
    ),
    "outro": Setting(
        str,
        None,
        0,
        TEXT,
        text=True,
        doc="Markdown after the items (or `compose --outro FILE`), in `lang`",
    ),
    "templates_dir": Setting(
        str,
        None,
        1,
        PATH,
        what="a folder path",
        doc="your templates: a file named like a built-in replaces it",
    ),
    "max_attempts": Setting(
        int, 5, 1, 1000, doc="`revue fetch --failed` stops retrying a link after this many tries"
    ),
    # The curator's days (clock.py); None: the system's local zone.
    "timezone": Setting(
        str,
        None,
        1,
        NAME,
        zone=True,
        what='an IANA time zone name, e.g. "America/Montreal"',
        doc="the curator's days: an IANA name (default: the system's zone, `TZ`)",
    ),
    "summaries": Setting(
        bool, False, doc="each page's summary under its item (`compose --summaries`)"
    ),
    "fetch": Setting(
        dict, None, table=True, what="a table ([fetch])", doc="the limits of every fetch (below)"
    ),
    "compose": Setting(
        dict,
        {},
        table=True,
        what="tables [compose.fr] and [compose.en]",
        doc="per language: `title_prefix`, `suffix`, `intro`, `outro` (below)",
    ),
    "wordpress": Setting(
        dict,
        {},
        table=True,
        what="a table ([wordpress])",
        doc="the blog `revue publish` sends reviews to (below)",
    ),
    "publish": Setting(
        dict,
        {},
        table=True,
        what="a table ([publish])",
        doc="the targets `revue publish` sends to by default, and each target's settings (below)",
    ),
    "inbox": Setting(
        dict,
        {},
        table=True,
        what="a table ([inbox])",
        doc="the mailbox `revue inbox pull` reads (below)",
    ),
}

LANGS = ("fr", "en")
# What a [compose.fr] / [compose.en] table may set, for the review of that language.
LANG_KEYS: Mapping[str, Setting] = {
    "title_prefix": KEYS["title_prefix"],
    "suffix": KEYS["suffix"],
    "intro": KEYS["intro"],
    "outro": KEYS["outro"],
}
# The [compose] table holds one table per language.
COMPOSE_KEYS: Mapping[str, Setting] = {
    lang: Setting(
        dict,
        None,
        table=True,
        what=f"a table ([compose.{lang}])",
        doc=f"`title_prefix`, `suffix`, `intro`, `outro` for reviews in `{lang}`",
    )
    for lang in LANGS
}

# The [wordpress] table: the blog `revue publish` sends reviews to. Never its password.
WORDPRESS_KEYS: Mapping[str, Setting] = {
    "url": Setting(
        str,
        None,
        1,
        PATH,
        url=True,
        what="the blog's http(s) address",
        doc="the blog's address (or `REVUE_WORDPRESS_URL`)",
    ),
    "user": Setting(
        str,
        None,
        1,
        NAME,
        doc="the blog user the application password belongs to (or `REVUE_WORDPRESS_USER`)",
    ),
    "category": Setting(
        str, None, 1, NAME, doc="the posts' category, created on the blog when missing"
    ),
    # Which tags become WordPress tags: the hashtags the post shows, or every tag of its
    # links (the curator's private ones, `--tag Veille`, too).
    "tags": Setting(
        str,
        "hashtags",
        choices=("hashtags", "all"),
        doc="which tags become WordPress tags: the hashtags the post shows, or all",
    ),
}

# The [publish.NAME] tables: each publish target's settings, by target (`revue publish --to`).
_SITE = Setting(
    str, None, 1, PATH, what="the site's folder", doc="the site's folder (else `--site DIR`)"
)
_DRAFT = Setting(
    bool, True, doc="a new page is a draft unless `--status publish` (`draft = false`: published)"
)
EMAIL = 320  # characters: the longest address SMTP allows (RFC 3696 errata)
# [publish.email]: the newsletter sent by SMTP (revue.publish.mail).
EMAIL_KEYS: Mapping[str, Setting] = {
    "smtp": Setting(
        str,
        None,
        1,
        PATH,
        what='the SMTP server, "smtp://host:port" or "smtps://host:port"',
        doc="the SMTP server: `smtp://host:port`, or `smtps://host:port` (TLS)",
    ),
    "starttls": Setting(bool, False, doc="upgrade an `smtp://` connection to TLS (STARTTLS)"),
    "user": Setting(
        str, None, 1, EMAIL, doc="the SMTP login (default: `from`); its password never here"
    ),
    "from": Setting(str, None, 3, EMAIL, what="the sender's address", doc="the sender's address"),
    # The list's own address: the visible To of every message (the readers are envelope only).
    "list": Setting(
        str,
        None,
        3,
        EMAIL,
        what="the list's address",
        doc="the list's own address, the visible `To` (default: `from`)",
    ),
    "list_name": Setting(str, None, 1, NAME, doc="the list's name, in `To` and `List-Id`"),
    "unsubscribe": Setting(
        str,
        None,
        1,
        PATH,
        what="a mailto: or https: address (List-Unsubscribe)",
        doc="a `mailto:` or `https:` address for `List-Unsubscribe`",
    ),
    "to": Setting(list, None, 3, EMAIL, what="a list of addresses", doc="the readers' addresses"),
    "to_file": Setting(
        str,
        None,
        1,
        PATH,
        what="a file of addresses, one a line",
        doc="a file of readers' addresses, one a line (beside the config when relative)",
    ),
    "batch_size": Setting(int, 50, 1, 1000, doc="envelope recipients per SMTP transaction"),
    "timeout": Setting(
        float,
        30.0,
        0.001,
        600,
        what="seconds, above 0 and at most 600",
        doc="seconds for each SMTP step",
    ),
}
# [publish.buttondown]: the review as a Buttondown draft (revue.publish.buttondown).
BUTTONDOWN_KEYS: Mapping[str, Setting] = {
    "api": Setting(
        str,
        "https://api.buttondown.com",
        1,
        PATH,
        url=True,
        what="an http(s) address",
        doc="Buttondown's API (its token never here: `REVUE_BUTTONDOWN_TOKEN`)",
    ),
}
PUBLISH_KEYS: Mapping[str, Mapping[str, Setting]] = {
    "hugo": {
        "site": _SITE,
        "draft": _DRAFT,
        "front_matter": Setting(
            str, "toml", choices=("toml", "yaml"), doc="the front matter's syntax"
        ),
    },
    "jekyll": {
        "site": _SITE,
        "draft": _DRAFT,
        "layout": Setting(str, "post", 0, NAME, doc="the page's `layout` in its front matter"),
    },
    "pelican": {"site": _SITE, "draft": _DRAFT},
    "email": EMAIL_KEYS,
    "buttondown": BUTTONDOWN_KEYS,
}
# The [publish] table itself: the targets `revue publish` sends to without --to, and one
# table per target. Never a password or a token: those come from the environment or the
# keyring (`secret`). WordPress keeps its own [wordpress] table.
PUBLISH_TABLES: Mapping[str, Setting] = {
    # Checked against the targets revue knows when `publish` runs (app/publish.py's table).
    "to": Setting(
        list,
        None,
        1,
        40,
        what='a list of target names (["wordpress", "email"])',
        doc="the targets of `revue publish` without `--to` (default: wordpress)",
    ),
    **{
        name: Setting(
            dict,
            None,
            table=True,
            what=f"a table ([publish.{name}])",
            doc=f"`revue publish --to {name}` (below)",
        )
        for name in PUBLISH_KEYS
    },
}
# The keys that would hold a secret in clear, by table: refused with the way to give it.
SECRET_KEYS: Mapping[str, tuple[str, str]] = {
    "password": ("REVUE_SMTP_PASSWORD", "revue-smtp"),
    "token": ("REVUE_BUTTONDOWN_TOKEN", "revue-buttondown"),
    "api_key": ("REVUE_BUTTONDOWN_TOKEN", "revue-buttondown"),
}

# The [inbox] table: the mailbox `revue inbox pull` reads. Never its password.
INBOX_KEYS: Mapping[str, Setting] = {
    # imaps://host[:port]/folder, or imap:// to 127.0.0.1 only (checked by `_check_inbox`).
    "url": Setting(
        str,
        None,
        1,
        PATH,
        what='"imaps://host/folder" (imap:// for 127.0.0.1)',
        doc="the IMAP folder: `imaps://host[:port]/folder` (`imap://` for 127.0.0.1 only)",
    ),
    "user": Setting(
        str,
        None,
        1,
        NAME,
        doc="the IMAP account (its password: `REVUE_IMAP_PASSWORD` or the keyring, `revue-imap`)",
    ),
    "maildir": Setting(
        str,
        None,
        1,
        PATH,
        what="a folder path",
        doc="a Maildir on this machine, read instead of an IMAP folder",
    ),
    "me": Setting(
        list,
        [],
        3,
        NAME,
        what="a list of e-mail addresses",
        doc="your addresses: the links you mail become items",
    ),
    "newsletters": Setting(
        list,
        [],
        1,
        NAME,
        what="a list of e-mail addresses or domains",
        doc="senders whose links are candidates for the week (any mail with a `List-Id` too)",
    ),
    "done_folder": Setting(
        str,
        None,
        1,
        NAME,
        doc="filed mails are moved there (default: flagged read where they are)",
    ),
    # A message larger than this is reported and skipped unread (a 5 MB image attached).
    "max_bytes": Setting(
        int,
        2_000_000,
        10_000,
        100_000_000,
        doc="a larger mail is reported and skipped, unread",
    ),
}

# The [fetch] table: `FetchSettings` fields, by name (a test checks the defaults agree).
# The upper bounds keep a typo from costing the machine: 10**18 workers or bytes would
# exhaust memory, a timeout of a year would hang cron.
FETCH_KEYS: Mapping[str, Setting] = {
    "connect_timeout": Setting(
        float, 5.0, 0.001, 600, what="seconds, above 0 and at most 600", doc="seconds to connect"
    ),
    "read_timeout": Setting(
        float, 10.0, 0.001, 600, what="seconds, above 0 and at most 600", doc="seconds per read"
    ),
    "total_timeout": Setting(
        float,
        20.0,
        0.001,
        3600,
        what="seconds, above 0 and at most 3600",
        doc="seconds per page, redirects and retries included",
    ),
    "max_bytes": Setting(
        int, 3_000_000, 1024, 200_000_000, doc="bytes read per page (decompressed)"
    ),
    "after_head_bytes": Setting(
        int, 400_000, 0, 200_000_000, doc="enough once `</head>` and this many more bytes are in"
    ),
    "max_redirects": Setting(int, 8, 0, 50, doc="redirects followed per page"),
    "concurrency": Setting(int, 16, 1, 256, doc="pages fetched at once"),
    "per_host": Setting(int, 4, 1, 64, doc="pages fetched at once on one host"),
    "retries": Setting(int, 2, 0, 10, doc="retries of connection errors, 5xx and 429"),
    "backoff": Setting(
        float,
        0.5,
        0,
        60,
        what="seconds, from 0 to 60",
        doc="seconds before the first retry, doubled each retry",
    ),
    "max_retry_after": Setting(
        float,
        10.0,
        0,
        600,
        what="seconds, from 0 to 600",
        doc="the longest `Retry-After` honoured, in seconds",
    ),
    "user_agent": Setting(
        str, None, 1, 500, doc="the User-Agent sent (default: revue and its version)"
    ),  # None: revue's own
    "oembed_endpoints": Setting(
        dict,
        {},
        0,
        2000,
        url=True,
        what='a table of provider = "http(s) URL" (or "")',
        doc='oEmbed endpoints by provider or host (`youtube`, `"mastodon.example"`); "" turns one off',
    ),
}


def _num(value: float) -> str:
    return f"{int(value):_}".replace("_", ",") if value == int(value) else f"{value:g}"


def _show(value: Any) -> str:
    """A bad value as the user wrote it (near enough), on one short line."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and not math.isfinite(value):
        text = "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    elif isinstance(value, dict):
        text = "a table"
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        text = "an array of tables"
    else:
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):  # a date or time: TOML has them
            text = str(value)
    # Control characters and the like are shown escaped: this line goes to a terminal.
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= 80 else text[:79] + "…"
