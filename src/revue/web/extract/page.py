"""One page being read: its text cut at `</head>`, what the head declares, its JSON-LD, and
(built only when a field's sources reach them) the parsed body, its microdata and its scans.

The head is parsed once (lxml) and read by every source; the body is parsed at most once and
only when something still needs it (a title from `<h1>`, a summary paragraph, metas misplaced
in the body, block detection); microdata and the body scan are regex passes over the raw
text, built on first use.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from revue.web.extract.bodyscan import BodyScan
from revue.web.extract.dates import writes_month_first
from revue.web.extract.head import (
    Facts,
    declared_url,
    handle_from,
    name_meta,
    parse_html,
    split_head,
)
from revue.web.extract.jsonld import LD, ld_blocks
from revue.web.extract.microdata import Microdata
from revue.web.extract.tags import element_text, tag_at
from revue.web.extract.text import BODY_PARSE_CAP, abs_url, clean
from revue.web.extract.titles import (
    handle_keys,
    site_keys,
    split_around,
    split_short_suffix,
    split_title,
)


class Page:
    """The sources of one HTML page, and the values of the fields resolved so far."""

    def __init__(self, text: str, base_url: str, headers: Mapping[str, str] | None) -> None:
        self.text = text
        self.base_url = base_url
        self.headers = headers
        self.head_text, self.rest = split_head(text)
        self.facts = Facts()
        self.head_root = parse_html(self.head_text)
        if self.head_root is not None:
            self.facts.collect(self.head_root)
        self.ld = LD(ld_blocks(text))
        self.base = (
            (abs_url(self.facts.base, base_url) or base_url) if self.facts.base else base_url
        )
        # Field values in table order: a source may read the fields resolved before its own.
        self.values: dict[str, Any] = {}
        # The site part of the title source that gave the title (see `titled`).
        self.chosen_title_site: str | None = None
        self._body_root: list[Any] = []
        if not self.facts.meta.get("og:title") and not self.facts.title and self.rest:
            self.body_root()  # metas misplaced in the body (seen on some CMS and social sites)

    # ----------------------------------------------------------------- lazily built sources

    def body_root(self) -> Any:
        """The page parsed whole (up to `BODY_PARSE_CAP` after the head); the metas found in
        the body are added to the head's (the head's win)."""
        if not self._body_root:
            root = (
                parse_html(self.head_text + self.rest[:BODY_PARSE_CAP])
                if self.rest
                else self.head_root
            )
            self._body_root.append(root)
            if root is not None and self.rest:
                self.facts.collect(root)
        return self._body_root[0]

    def parsed_body(self) -> Any:
        """The body's parse if some source already paid for it, else None."""
        return self._body_root[0] if self._body_root else None

    @cached_property
    def microdata(self) -> Microdata:
        return Microdata(self.rest[:BODY_PARSE_CAP])

    def microdata_scanned(self) -> Microdata | None:
        """The microdata if a source already scanned it, else None."""
        value = self.__dict__.get("microdata")
        return value if isinstance(value, Microdata) else None

    @cached_property
    def scan(self) -> BodyScan:
        parts = urlsplit(self.base_url)
        root = f"{parts.scheme}://{parts.netloc}/" if parts.netloc else ""
        return BodyScan(self.rest[:BODY_PARSE_CAP], root)

    # ----------------------------------------------------------------- shared readings

    @property
    def month_first(self) -> bool:
        """Is `03/08/2015` March 8th on this page? Its language (resolved before the dates)
        says."""
        return writes_month_first(self.values.get("lang"))

    @property
    def page_url(self) -> str:
        """The page's own address: its resolved `url`, else the fetched one."""
        return self.values.get("url") or self.base_url

    @cached_property
    def handle(self) -> str | None:
        return handle_from(
            self.facts.first("twitter:site", "twitter:creator-site", "twitter:site:username")
        )

    @cached_property
    def og_site(self) -> str | None:
        return self.facts.first("og:site_name")

    @cached_property
    def app_name(self) -> str | None:
        return self.facts.first("application-name", "apple-mobile-web-app-title")

    @cached_property
    def publisher(self) -> str | None:
        return self.ld.names(self.ld.resolve(self.ld.get("publisher")), limit=1)

    @cached_property
    def website_name(self) -> str | None:
        return clean(self.ld.website.get("name"), markup=True) if self.ld.website else None

    @cached_property
    def meta_publisher(self) -> str | None:
        return name_meta(self.facts.first("publisher", "dc.publisher", "dcterms.publisher"))

    @cached_property
    def site_keys(self) -> list[str]:
        """What names the site, to recognise it in a title: its declared names, its domain
        and its Twitter handle."""
        names = [self.og_site, self.app_name, self.publisher, self.website_name,
                 self.meta_publisher]  # fmt: skip
        return site_keys(names, self.page_url) + handle_keys(self.handle)

    @cached_property
    def raw_title(self) -> str | None:
        return clean(self.facts.title)

    @cached_property
    def og_title(self) -> str | None:
        return self.facts.first("og:title")

    @cached_property
    def title_site(self) -> str | None:
        """The site part of `<title>` ("Titre | La Presse" -> "La Presse")."""
        return split_title(self.raw_title, self.site_keys)[1] if self.raw_title else None

    def titled(self, candidate: str | None, *, bare: bool = False) -> str | None:
        """A title source's value without its site part (remembered for the site name).

        `bare`: a `<title>` may also end with a short site name nothing else declares."""
        if not candidate:
            return None
        title, site = split_title(candidate, self.site_keys)
        if site is None and bare:
            title, site = split_short_suffix(candidate)
        if site is None and bare:
            title, site = split_around(candidate, self.h1_text)
        self.chosen_title_site = site
        return title

    def og_title_value(self) -> str | None:
        """`og:title`, without the site name only when it clearly ends with `og:site_name`."""
        if not self.og_title:
            return None
        keys = site_keys([self.og_site], self.page_url) if self.og_site else []
        stripped, site_part = split_title(self.og_title, keys)
        return stripped if site_part and self.og_site else self.og_title

    @cached_property
    def canonical_link(self) -> str | None:
        links = [href for href, _t, _ in self.facts.links.get("canonical", [])]
        return declared_url(links, self.base)

    @cached_property
    def og_url(self) -> str | None:
        return declared_url([self.facts.meta.get("og:url") or ""], self.base)

    def title_around(self) -> str | None:
        """The rest of `<title>` when it is `og:title` plus a short name before or after it
        ("Le carnet de Jean: Les hirondelles sont revenues")."""
        raw, og = self.raw_title, self.og_title
        if not raw or not og or raw == og or len(og) < 8:
            return None
        if raw.endswith(og):
            rest = raw[: -len(og)]
        elif raw.startswith(og):
            rest = raw[len(og) :]
        else:
            return None
        rest = rest.strip(" :|-–—·»")
        if not rest or len(rest) > 40 or len(rest.split()) > 6:
            return None
        return rest

    @cached_property
    def h1_text(self) -> str | None:
        """The first `<h1>`'s text, scanned (no parse)."""
        start = self.rest.find("<h1")
        tag = tag_at(self.rest, start + 1) if start >= 0 else None
        return element_text(self.rest, "h1", tag[2]) if tag and tag[0] == "h1" else None

    def h1(self) -> str | None:
        if not self.rest:
            return None
        root = self.body_root()
        h1 = root.find(".//h1") if root is not None else None
        return clean(h1.text_content()) if h1 is not None else None
