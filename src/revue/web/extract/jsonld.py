"""JSON-LD: blocks located with `str.find` anywhere in the page (they are often in the
body), parsed with `json` (repaired when broken), flattened (`@graph`, arrays, `@id`
references); the main entity is the article node, else the page's main entity."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from revue.web.extract.dates import norm_date
from revue.web.extract.text import abs_url, clean

ARTICLE_TYPES = {
    "article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "technicalarticle",
    "techarticle", "scholarlyarticle", "report", "liveblogposting", "socialmediaposting",
    "discussionforumposting", "advertisercontentarticle", "satiricalarticle", "posting",
    "medicalscholarlyarticle", "newsarticlereportage", "podcastepisode", "videoobject",
    "creativework", "review", "recipe", "howto", "event", "product", "episode",
}  # fmt: skip
PAGE_TYPES = {"webpage", "itempage", "collectionpage", "aboutpage", "profilepage",
               "qapage", "faqpage", "searchresultspage", "medicalwebpage"}  # fmt: skip


def ld_blocks(text: str) -> list[Any]:
    """Every JSON-LD block's parsed value; broken blocks are repaired or skipped."""
    out: list[Any] = []
    pos = 0
    n = 0
    while n < 40:
        i = text.find("ld+json", pos)
        if i < 0:
            break
        pos = i + 7
        start = text.rfind("<", 0, i)
        if start < 0 or text[start + 1 : start + 7].lower() != "script":
            continue
        gt = text.find(">", i)
        if gt < 0:
            break
        end = text.find("</script", gt)
        if end < 0:
            end = text.find("</SCRIPT", gt)
        if end < 0:
            break
        pos = end
        n += 1
        raw = text[gt + 1 : end]
        if len(raw) > 2_000_000:
            continue
        value = _loads_tolerant(raw)
        if value is not None:
            out.append(value)
    return out


_TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")


def _loads_tolerant(raw: str) -> Any:
    raw = raw.strip()
    if raw.startswith("<!--"):
        raw = raw[4:]
    if raw.endswith("-->"):
        raw = raw[:-3]
    raw = raw.replace("<![CDATA[", "").replace("]]>", "").strip().rstrip(";")
    for attempt in range(3):
        try:
            return json.loads(raw, strict=False)
        except (ValueError, RecursionError):
            if attempt == 0:
                raw = _TRAILING_COMMA_RE.sub(r"\1", raw)
            elif attempt == 1:
                # Several objects back to back, or trailing junk: keep the first.
                try:
                    value, _ = json.JSONDecoder(strict=False).raw_decode(raw)
                    return value
                except (ValueError, RecursionError):
                    return None
    return None


def _ld_nodes(values: Iterable[Any]) -> list[dict[str, Any]]:
    """Flatten lists and @graph containers into a list of JSON-LD nodes (dicts)."""
    out: list[dict[str, Any]] = []
    stack = list(values)[::-1]
    while stack and len(out) < 500:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(reversed(value))
        elif isinstance(value, dict):
            graph = value.get("@graph")
            if isinstance(graph, (list, dict)):
                stack.append(graph)
            if "@type" in value or "headline" in value:
                out.append(value)
    return out


def _types(node: Mapping[str, Any]) -> set[str]:
    raw = node.get("@type")
    items = raw if isinstance(raw, list) else [raw]
    out = set()
    for item in items:
        if isinstance(item, str):
            out.add(item.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower())
    return out


class LD:
    """The JSON-LD facts of a page: its main entity and the nodes it points to."""

    def __init__(self, blocks: list[Any]) -> None:
        self.nodes = _ld_nodes(blocks)
        self.by_id: dict[str, dict[str, Any]] = {}
        for node in self.nodes:
            node_id = node.get("@id")
            if isinstance(node_id, str):
                self.by_id.setdefault(node_id, node)
        self.main = self._main()
        self.website = next((n for n in self.nodes if "website" in _types(n)), None)

    def _main(self) -> dict[str, Any] | None:
        articles = [n for n in self.nodes if _types(n) & ARTICLE_TYPES]
        # A real article type beats a generic creative work.
        articles.sort(key=lambda n: 0 if _types(n) - {"creativework", "videoobject"} else 1)
        if articles:
            return articles[0]
        pages = [n for n in self.nodes if _types(n) & PAGE_TYPES]
        for page in pages:
            entity = self.resolve(page.get("mainEntity"))
            if isinstance(entity, dict) and (entity.get("headline") or entity.get("author")):
                return entity
        if pages:
            return pages[0]
        return None

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if isinstance(value, dict) and set(value) <= {"@id", "@type"}:
            node_id = value.get("@id")
            if isinstance(node_id, str) and node_id in self.by_id:
                return self.by_id[node_id]
        return value

    def get(self, *keys: str) -> Any:
        """The first non-empty value of `keys` in the main entity."""
        if self.main is None:
            return None
        for key in keys:
            value = self.main.get(key)
            if value not in (None, "", [], {}):
                return value
        return None

    def date(self, key: str) -> str | None:
        """A date of the main entity, else of the page that holds it: Yoast-style graphs
        often date the `WebPage` node and not the `Article` one."""
        value = norm_date(self.get(key))
        if value is None:
            for node in self.nodes:
                if node is not self.main and _types(node) & (ARTICLE_TYPES | PAGE_TYPES):
                    value = norm_date(node.get(key))
                    if value:
                        break
        return value

    def names(self, value: Any, limit: int = 4) -> str | None:
        """Names of persons/organisations, joined with ", " (see `name_list`)."""
        out = self.name_list(value, limit)
        return ", ".join(out) if out else None

    def name_list(self, value: Any, limit: int = 4) -> list[str]:
        """Names of persons/organisations: "A", {"name": "A"}, lists, @id references."""
        out: list[str] = []
        items = value if isinstance(value, list) else [value]
        for item in items[:10]:
            item = self.resolve(item)
            name: Any = item
            if isinstance(item, dict):
                name = item.get("name")
                if isinstance(name, list):  # one Person node naming several ("name": [A, B])
                    out += [n for n in (self.name_list(name, limit)) if n not in out]
                    name = None
                if isinstance(name, dict):
                    name = None
                if not name and (item.get("givenName") or item.get("familyName")):
                    name = f"{item.get('givenName') or ''} {item.get('familyName') or ''}"
            text = clean(name, markup=True) if isinstance(name, str) else None
            if text and not text.startswith(("http://", "https://")) and text not in out:
                out.append(text)
            if len(out) >= limit:
                break
        return out

    def image(self, base: str) -> str | None:
        value = self.get("image", "thumbnailUrl")
        for _ in range(3):
            value = self.resolve(value)
            if isinstance(value, list):
                value = value[0] if value else None
            elif isinstance(value, dict):
                value = value.get("url") or value.get("contentUrl") or value.get("@id")
            else:
                break
        return abs_url(value, base)

    def paywalled(self) -> bool:
        for node in self.nodes:
            if _falsy(node.get("isAccessibleForFree")):
                return True
            parts = node.get("hasPart")
            for part in parts if isinstance(parts, list) else [parts]:
                if isinstance(part, dict) and _falsy(part.get("isAccessibleForFree")):
                    return True
        return False


def _falsy(value: Any) -> bool:
    if value is False:
        return True
    return isinstance(value, str) and value.strip().lower() in ("false", "no", "0")
