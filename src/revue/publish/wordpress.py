"""Publish a review as a WordPress post, through the REST API with an application password.

Contract:

- The API is found from the configured address: `/wp-json/` first, then `?rest_route=/`
  (a site without pretty permalinks answers only there). The answer must be WordPress's
  index listing the `wp/v2` namespace, else the site is "not a WordPress site" or has its
  REST API turned off (in the blog's words when it gives them).
- The application password goes only to the configured origin (scheme, host, port), over
  https or to this machine (WordPress itself accepts application passwords over plain http
  only on a `local` site). Discovery follows redirects within that origin, and from http to
  https on the same host; a redirect anywhere else is refused. Every URL requested is
  checked, not only the configured one.
- Every call goes through the injected `Http` client: the fetcher's limits (connect and read
  timeouts, a total deadline, a cap on bytes) and its `--verbose` report. Idempotent requests
  (GET, an update) are retried on timeouts, connection errors, 429 and 5xx; a create only
  when it surely was not received (no connection, 429, 503).
- Every field read from the blog is checked for type and range: ids are whole numbers from 1
  to 2**63-1, text is made valid Unicode without control characters and bounded. A bad
  answer is `Refused` (one line, exit 1); a post made before it is still recorded
  (`BadAnswer.result`).
- Once per review: with a recorded post, that post is updated (title, content, tags,
  category; its status only when asked), never a second one. A recorded post that is gone
  (404 or in the trash) is re-created only with `new`; one edited on the blog since revue's
  last write (its `modified_gmt` moved, or its title and content are no longer those revue
  wrote: a hash of them is recorded) is overwritten only with `force`.
- A new post gets a slug that marks it as this review's (`<title>-r<review id>`): before
  creating, revue looks that slug up, so a create whose answer was lost (a timeout after
  the blog made the post) is found and updated, never made twice.
- Tags and the category are sent by id, looked up by name and created when missing.
- Errors are one line: the blog's own message (401 wrong password, 403 no right, ...), TLS
  and connection failures, timeouts. A refusal is `Refused` (exit 1), the guards `Conflict`
  (exit 1).
- A dry run sends nothing and needs no password: it prints the request it would send.
"""

from __future__ import annotations

import base64
import hashlib
import html
import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit, urlunsplit

from revue.errors import BadInput, ConfigError, Conflict, Refused
from revue.models import FetchResult
from revue.publish.base import Action, BadAnswer, Publication, Result, slug_words
from revue.sanitize import clean_json, clean_text
from revue.urls import strip_credentials

STATUSES = ("draft", "publish", "future", "pending", "private")
MAX_MESSAGE = 300  # characters of a blog's message we show
MAX_LINK = 2000  # characters of a post's link we keep
ID_MAX = 2**63 - 1  # SQLite's largest integer: a post id past it cannot be recorded
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 8
_TAG = re.compile(r"<[^>]*>")
_STATUS = re.compile(r"[a-z0-9_-]{1,40}\Z")
_GMT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\Z")
_HINTS = {
    401: ": wrong user or application password?",
    403: ": this user may not do that (an author or editor can publish, a contributor cannot)",
}


class Http(Protocol):
    """What the target sends its requests through (revue.web.fetch.ApiClient): it never
    raises, follows no redirect, and bounds every call (time, bytes)."""

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
    ) -> FetchResult: ...


@dataclass(frozen=True)
class WordPressSettings:
    """Where and as whom to publish."""

    url: str  # the site's address, without a trailing slash
    user: str
    password: str | None = field(default=None, repr=False)  # None: dry runs only
    category: str | None = None


@dataclass(frozen=True)
class PostOptions:
    status: str | None = None  # None: a new post is a draft, an update keeps the blog's
    date_gmt: str | None = None  # "YYYY-MM-DDTHH:MM:SS", UTC (scheduling)
    force: bool = False  # overwrite a post edited on the blog
    new: bool = False  # publish as a new post even when one is recorded
    dry_run: bool = False


def site_key(url: str) -> str:
    """The configured address as revue records posts under it: no trailing slash."""
    return url.strip().rstrip("/")


def check_url(url: str, where: str) -> str:
    """The blog's address, checked: absolute http(s), a valid host and port, no query or
    fragment; its `user:password@` taken off (never shown nor stored). ConfigError else."""
    shown = strip_credentials(url.strip())
    try:
        parts = urlsplit(shown)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
        host = parts.hostname
    except ValueError:
        raise ConfigError(f"{where}: {shown!r} is not a valid blog address") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigError(f"{where}: {shown!r} is not a blog address (https://…)")
    if parts.query or parts.fragment:
        raise ConfigError(f"{where}: {shown!r}: give the blog's address without ?query or #part")
    return site_key(shown)


def marker_slug(title: str, review_id: int) -> str:
    """The slug of a review's new post: its title's, then `-r<id>`, the mark revue looks
    for before creating (so a create whose answer was lost is found, not made twice)."""
    words = slug_words(title)[:150].rstrip("-")
    return f"{words or 'revue'}-r{review_id}"


def post_hash(post: Mapping[str, Any]) -> str | None:
    """A hash of a post's raw title and content as the blog holds them (edit context), None
    when the answer does not carry them: tells an edit made on the blog within the second
    of revue's own write, which `modified_gmt` cannot."""
    title, content = post.get("title"), post.get("content")
    raw_title = title.get("raw") if isinstance(title, dict) else None
    raw_content = content.get("raw") if isinstance(content, dict) else None
    if not isinstance(raw_title, str) or not isinstance(raw_content, str):
        return None
    data = json.dumps([raw_title, raw_content], ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of `url`; ValueError when it has none."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def _show_origin(origin: tuple[str, str, int | None]) -> str:
    scheme, host, port = origin
    default = {"http": 80, "https": 443}.get(scheme)
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}" + (f":{port}" if port != default else "")


def _message_line(text: str) -> str:
    """The blog's (HTML) message as one plain line of an error: tags gone, bounded."""
    text = " ".join(clean_text(html.unescape(_TAG.sub("", text)), keep_bidi=False).split())
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def _id(value: Any) -> int | None:
    """A WordPress id: a JSON whole number from 1 to 2**63-1 (not `true`, not "12")."""
    return value if type(value) is int and 0 < value <= ID_MAX else None


def _text(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    text = clean_text(value, keep_bidi=False).strip()
    return text if text and len(text) <= limit else None


def _link(value: Any) -> str | None:
    link = _text(value, MAX_LINK)
    if link is None or any(c.isspace() for c in link):
        return None
    try:
        ok = urlsplit(link).scheme in ("http", "https") and bool(urlsplit(link).hostname)
    except ValueError:
        return None
    return strip_credentials(link) if ok else None


class _Api:
    """Route -> URL, in the style the site answered to."""

    def __init__(self, base: str, query_style: bool) -> None:
        self.base = base  # ".../wp-json" or the site's root (for ?rest_route=)
        self.query_style = query_style

    def url(self, route: str) -> tuple[str, dict[str, str]]:
        if self.query_style:
            return self.base + "/", {"rest_route": route}
        return self.base + route, {}


_NOT_JSON = object()


class WordPress:
    """A WordPress blog as a publish target (see the module docstring)."""

    name = "wordpress"

    def __init__(
        self,
        settings: WordPressSettings,
        options: PostOptions | None = None,
        *,
        http: Http | None = None,
    ) -> None:
        self.settings = settings
        self.options = options or PostOptions()
        self.site = site_key(settings.url)
        self._http = http
        self._api: _Api | None = None
        self._origin = _origin(self.site)
        if self.options.status is not None and self.options.status not in STATUSES:
            raise BadInput(f"--status {self.options.status!r}: choose from {', '.join(STATUSES)}")

    # -- the target ----------------------------------------------------------------------

    def publish(self, review: Publication) -> Result:
        if self.options.dry_run:
            return self._dry_run(review)
        if not self.settings.password:
            raise ConfigError("no WordPress application password (see `revue publish --help`)")
        if self._http is None:
            raise ConfigError("no HTTP client to reach the blog with")
        self._check_sendable(self.site, config=True)
        return self._publish(review)

    def _publish(self, review: Publication) -> Result:
        # Signing in first: a wrong password then reads as one, not as a refusal to create a
        # tag (WordPress treats a failed application password as an anonymous visitor).
        me = self._request("GET", "/wp/v2/users/me", params={"context": "edit"})
        my_id = _id(me.get("id")) if isinstance(me, dict) else None
        previous = review.previous
        notes: list[str] = []
        existing: dict[str, Any] | None = None
        post_id: int | None = None
        if previous is not None and not self.options.new:
            existing = self._current(previous.post_id)
            if existing is None or existing.get("status") == "trash":
                where = "deleted" if existing is None else "moved to the trash"
                raise Conflict(
                    f"post #{previous.post_id} was {where} on {self.site}; "
                    "use --new to publish the review as a new post"
                )
            self._guard(previous.post_id, previous.modified_gmt, previous.content_sha256, existing)
            post_id = previous.post_id
        elif previous is not None:
            notes.append(f"post #{previous.post_id} left as it is (--new)")
        slug = marker_slug(review.title, review.review_id) if review.review_id else None
        if post_id is None and slug is not None:
            found = self._made_before(slug, my_id, previous.post_id if previous else None)
            if found is not None:
                post_id = found
                notes.append(
                    f"post #{found} was made by an earlier publish whose answer was lost: "
                    "it is updated, not made twice"
                )
        body = self._body(review, creating=post_id is None)
        body["tags"] = [self._term("tags", name) for name in review.tags]
        if self.settings.category:
            body["categories"] = [self._term("categories", self.settings.category)]
        action: Action
        if post_id is not None:
            post = self._request("POST", f"/wp/v2/posts/{post_id}", json_body=body)
            action = "updated" if existing is not None else "created"
        else:
            if slug is not None:
                body["slug"] = slug
            post = self._request("POST", "/wp/v2/posts", json_body=body, idempotent=False)
            action = "created"
        return self._result(post, action, notes, expected=post_id)

    def _guard(
        self,
        post_id: int,
        modified_gmt: str | None,
        content_sha256: str | None,
        existing: Mapping[str, Any],
    ) -> None:
        """Conflict when the post was edited on the blog since revue wrote it (unless force)."""
        if self.options.force:
            return
        moved = _text(existing.get("modified_gmt"), 40)
        if modified_gmt and moved != modified_gmt:
            raise Conflict(
                f"post #{post_id} on {self.site} was edited on the blog since revue "
                f"wrote it (modified {modified_gmt} -> {moved} GMT); "
                "use --force to overwrite it"
            )
        now = post_hash(existing)
        if content_sha256 and now != content_sha256:
            raise Conflict(
                f"post #{post_id} on {self.site} was edited on the blog since revue "
                "wrote it (its title or content is not what revue sent); "
                "use --force to overwrite it"
            )

    def _result(
        self, post: Any, action: Action, notes: list[str], *, expected: int | None
    ) -> Result:
        """The blog's answer to a create or update, checked field by field."""
        post_id = _id(post.get("id")) if isinstance(post, dict) else None
        if post_id is None or (expected is not None and post_id != expected):
            what = "a create" if expected is None else f"the update of post #{expected}"
            raise BadAnswer(
                f"{self.site}: the blog's answer to {what} names no valid post id"
                + ("; publishing again finds the post if it was made" if expected is None else ""),
                None if expected is None else Result(action=action, post_id=expected, notes=notes),
            )
        assert isinstance(post, dict)
        status = _text(post.get("status"), 40)
        result = Result(
            action=action,
            post_id=post_id,
            link=_link(post.get("link")),
            status=status if status and _STATUS.match(status) else None,
            modified_gmt=_gmt(post.get("modified_gmt")),
            content_sha256=post_hash(post),
            notes=notes,
        )
        return result

    def _body(self, review: Publication, *, creating: bool) -> dict[str, Any]:
        body: dict[str, Any] = {"title": review.title, "content": review.html}
        status = self.options.status or ("draft" if creating else None)
        if status:
            body["status"] = status
        if self.options.date_gmt:
            body["date_gmt"] = self.options.date_gmt
        return body

    def _dry_run(self, review: Publication) -> Result:
        previous = review.previous
        updating = previous is not None and not self.options.new
        route = f"/wp/v2/posts/{previous.post_id}" if updating and previous else "/wp/v2/posts"
        body = self._body(review, creating=not updating)
        body["tags"] = list(review.tags)
        if self.settings.category:
            body["categories"] = [self.settings.category]
        if not updating and review.review_id:
            body["slug"] = marker_slug(review.title, review.review_id)
        lines = [
            f"POST {self.site}/wp-json{route}",
            f"Authorization: Basic (user {self.settings.user!r}, application password not shown)",
            "Content-Type: application/json",
            "",
            json.dumps(body, ensure_ascii=False, indent=2),
            "",
            "# tags and categories go by id: revue looks them up by name, creating the "
            "missing ones;",
            "# a site without pretty permalinks is sent ?rest_route=" + route,
        ]
        if updating and previous:
            lines.append(
                f"# updates post #{previous.post_id} unless it was deleted or edited on the blog"
            )
        elif "slug" in body:
            lines.append(
                f"# first looks for a post with the slug {body['slug']} (an earlier publish "
                "whose answer was lost) and updates it instead"
            )
        return Result(
            action="dry-run",
            post_id=previous.post_id if updating and previous else None,
            link=previous.link if updating and previous else None,
            request="\n".join(lines) + "\n",
        )

    # -- WordPress's resources -------------------------------------------------------------

    def _current(self, post_id: int) -> dict[str, Any] | None:
        """The post as the blog has it now (edit context: raw fields), None when gone."""
        try:
            post = self._request("GET", f"/wp/v2/posts/{post_id}", params={"context": "edit"})
        except _Missing:
            return None
        if not isinstance(post, dict):
            raise Refused(f"{self.site}: the blog's answer for post #{post_id} is not a post")
        return post

    def _made_before(self, slug: str, my_id: int | None, skip: int | None) -> int | None:
        """The id of a post of ours that carries `slug` (made by a create whose answer was
        lost), other than `skip` (the post --new leaves as it is)."""
        found = self._request(
            "GET",
            "/wp/v2/posts",
            params={"slug": slug, "status": "any", "context": "edit", "per_page": "10"},
        )
        if not isinstance(found, list):
            raise Refused(f"{self.site}: the blog's answer to a search of posts is not a list")
        for post in found:
            post_id = _id(post.get("id")) if isinstance(post, dict) else None
            if post_id is None:
                raise Refused(f"{self.site}: the blog's answer names a post with no valid id")
            assert isinstance(post, dict)
            if post.get("slug") != slug:
                continue
            author = post.get("author")
            if post_id != skip and (my_id is None or author == my_id):
                return post_id
        return None

    def _term(self, taxonomy: str, name: str) -> int:
        """The id of the tag or category `name`, created when the blog has none by that name."""
        what = taxonomy[:-1] if taxonomy == "tags" else "category"
        found = self._request(
            "GET", f"/wp/v2/{taxonomy}", params={"search": name, "per_page": "100"}
        )
        wanted = name.casefold()
        for term in found if isinstance(found, list) else []:
            if (
                isinstance(term, dict)
                and isinstance(term.get("name"), str)
                and html.unescape(term["name"]).casefold() == wanted
            ):
                term_id = _id(term.get("id"))
                if term_id is None:
                    raise Refused(
                        f"{self.site}: the blog's answer for the {what} {name!r} names no valid id"
                    )
                return term_id
        try:
            made = self._request(
                "POST", f"/wp/v2/{taxonomy}", json_body={"name": name}, idempotent=False
            )
        except _TermExists as exc:
            return exc.term_id
        term_id = _id(made.get("id")) if isinstance(made, dict) else None
        if term_id is None:
            raise Refused(
                f"{self.site}: could not create the {what} {name!r} (no valid id in the answer)"
            )
        return term_id

    # -- HTTP ------------------------------------------------------------------------------

    def _check_sendable(self, url: str, *, config: bool = False) -> None:
        """The password goes to the configured origin only, over https or on this machine."""
        try:
            origin = _origin(url)
        except ValueError:
            raise Refused(f"{self.site}: {url!r} is not a valid address") from None
        if origin != self._origin:
            raise Refused(
                f"{self.site}: revue sends the application password only to "
                f"{_show_origin(self._origin)}, not to {_show_origin(origin)}"
            )
        if origin[0] != "https" and not _is_loopback(origin[1]):
            message = (
                f"{self.site}: revue sends the application password only over https "
                "(or to this machine)"
            )
            raise ConfigError(message) if config else Refused(message)

    def _follow(self, url: str, location: str) -> str:
        """Where a redirect of discovery may lead: the same origin, or from http to https
        on the same host (the origin is then the https one). Refused anywhere else."""
        try:
            target = strip_credentials(urljoin(url, location.strip()))
            origin = _origin(target)
        except ValueError:
            raise Refused(f"{self.site}: the blog redirects to a bad address") from None
        scheme, host, _ = self._origin
        upgrade = scheme == "http" and origin[0] == "https" and origin[1] == host
        if origin != self._origin and not upgrade:
            raise Refused(
                f"{self.site}: the blog redirects to {_show_origin(origin)}; revue sends the "
                f"application password only to {_show_origin(self._origin)} "
                "(set [wordpress] url to the blog's own address)"
            )
        self._origin = origin
        parts = urlsplit(target)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))

    def _discover(self) -> _Api:
        """Find the REST API: /wp-json/, else ?rest_route=/ (no pretty permalinks)."""
        if self._api is not None:
            return self._api
        seen: list[str] = []
        for candidate, params, query_style in (
            (self.site + "/wp-json/", {}, False),
            (self.site + "/", {"rest_route": "/"}, True),
        ):
            url = candidate
            for _ in range(MAX_REDIRECTS + 1):
                response = self._send("GET", url, params=params, auth=False)
                location = response.headers.get("location")
                if response.status not in REDIRECT_STATUSES or not location:
                    break
                url = self._follow(url, location)
            else:
                raise Refused(f"{self.site}: too many redirects from {candidate}")
            data = self._json(response, f"GET {candidate}")
            final = url.rstrip("/")
            if isinstance(data, dict) and isinstance(data.get("namespaces"), list):
                if "wp/v2" not in data["namespaces"]:
                    raise Refused(
                        f"{self.site}: its REST API does not offer wp/v2 (turned off by a plugin?)"
                    )
                self._api = _Api(final, query_style)
                return self._api
            status = response.status or 0
            if isinstance(data, dict) and data.get("code") and status >= 400:
                # A plugin that turns the REST API off answers in WordPress's error format.
                raise self._refusal(response, data)
            seen.append(f"{candidate}{'?rest_route=/' if params else ''}: HTTP {status}")
        raise Refused(
            f"{self.site}: not a WordPress site, or its REST API is off "
            f"(no WordPress answer at {'; '.join(seen)})"
        )

    def _request(
        self,
        method: str,
        route: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        idempotent: bool = True,
    ) -> Any:
        api = self._discover()
        url, route_params = api.url(route)
        response = self._send(
            method,
            url,
            params={**route_params, **(params or {})},
            json_body=json_body,
            idempotent=idempotent,
        )
        data = self._json(response, f"{method} {route}")
        status = response.status or 0
        if 200 <= status < 300:
            if data is _NOT_JSON:
                raise Refused(f"{self.site}: {method} {route}: HTTP {status}, not a JSON answer")
            return data
        if isinstance(data, dict):
            code = data.get("code")
            if status == 404 and code in ("rest_post_invalid_id", "rest_not_found"):
                raise _Missing()
            if code == "term_exists":
                extra = data.get("data")
                term_id = _id(extra.get("term_id")) if isinstance(extra, dict) else None
                if term_id is not None:
                    raise _TermExists(term_id)
        raise self._refusal(response, data)

    def _json(self, response: FetchResult, what: str) -> Any:
        """The answer's JSON, made valid Unicode and bounded in depth; _NOT_JSON when it is
        not JSON. A body cut at the byte cap is refused: half a JSON answer is none."""
        if "json" not in response.headers.get("content-type", ""):
            return _NOT_JSON
        if response.truncated:
            raise Refused(
                f"{self.site}: {what}: the answer is larger than {len(response.body):,} bytes"
            )
        try:
            data = json.loads(response.body.decode("utf-8", "replace"))
        except (ValueError, RecursionError):
            return _NOT_JSON
        return clean_json(data)

    def _refusal(self, response: FetchResult, data: Any) -> Refused:
        status = response.status
        if isinstance(data, dict) and isinstance(data.get("message"), str) and data["message"]:
            code = data.get("code")
            code = f", {_message_line(code)[:80]}" if isinstance(code, str) and code else ""
            hint = _HINTS.get(status or 0, "")
            return Refused(
                f"{self.site}: {_message_line(data['message'])} (HTTP {status}{code}){hint}"
            )
        return Refused(f"{self.site}: HTTP {status} (not a WordPress answer)")

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        idempotent: bool = True,
        auth: bool = True,
    ) -> FetchResult:
        assert self._http is not None
        headers: dict[str, str] = {}
        if auth:
            self._check_sendable(url)
            s = self.settings
            token = f"{s.user}:{s.password or ''}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(token).decode("ascii")
        response = self._http.request(
            method,
            url,
            params=params,
            json_body=json_body,
            headers=headers,
            idempotent=idempotent,
        )
        if response.status is None:
            reason = response.error or "no answer"
            unsent = reason in ("connection refused", "connection failed")
            if unsent:
                reason = f"cannot connect ({reason})"
            # A create that got no answer may still have made the post (see marker_slug).
            lost = not idempotent and isinstance(json_body, dict) and "content" in json_body
            hint = "; publishing again finds the post if the blog made it" if lost else ""
            if unsent:
                hint = ""
            raise Refused(f"{self.site}: {reason}{hint}")
        return response


class _Missing(Exception):
    """The post asked for is not on the blog (404)."""


class _TermExists(Exception):
    def __init__(self, term_id: int) -> None:
        super().__init__(term_id)
        self.term_id = term_id


def _gmt(value: Any) -> str | None:
    return value if isinstance(value, str) and _GMT.match(value) else None
