"""Publish a review as a WordPress post, through the REST API with an application password.

Contract:

- The API is found from the configured address: `/wp-json/` first, then `?rest_route=/`
  (a site without pretty permalinks answers only there). The answer must be WordPress's
  index listing the `wp/v2` namespace, else the site is "not a WordPress site" or has its
  REST API turned off (in the blog's words when it gives them).
- Once per review: with a recorded post, that post is updated (title, content, tags,
  category; its status only when asked), never a second one. A recorded post that is gone
  (404 or in the trash) is re-created only with `new`; one whose `modified_gmt` moved since
  revue's last write (edited on the blog) is overwritten only with `force`.
- Tags and the category are sent by id, looked up by name and created when missing.
- The application password goes only over https, or to this machine (WordPress itself
  accepts application passwords over plain http only on a `local` site).
- Errors are one line: the blog's own message (401 wrong password, 403 no right, ...), TLS
  and connection failures, timeouts. A refusal is `Refused` (exit 1), the guards `Conflict`
  (exit 1). Idempotent requests (GET, an update) are retried on timeouts, connection errors,
  429 and 5xx; a create only when it surely was not received (the connection never opened),
  so that a slow answer never makes two posts.
- A dry run sends nothing and needs no password: it prints the request it would send.
"""

from __future__ import annotations

import html
import ipaddress
import json
import random
import re
import ssl
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from revue import __version__
from revue.errors import BadInput, ConfigError, Conflict, Refused
from revue.publish.base import Action, Publication, Result

STATUSES = ("draft", "publish", "future", "pending", "private")
MAX_MESSAGE = 300  # characters of a blog's message we show
_TAG = re.compile(r"<[^>]*>")
_HINTS = {
    401: ": wrong user or application password?",
    403: ": this user may not do that (an author or editor can publish, a contributor cannot)",
}


@dataclass(frozen=True)
class WordPressSettings:
    """Where and as whom to publish, and the `[fetch]` limits the requests keep."""

    url: str  # the site's address, without a trailing slash
    user: str
    password: str | None = field(default=None, repr=False)  # None: dry runs only
    category: str | None = None
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    retries: int = 2
    backoff: float = 0.5
    max_retry_after: float = 10.0
    max_redirects: int = 8
    user_agent: str = f"revue/{__version__}"


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
    """The blog's address, checked: absolute http(s), no query or fragment. ConfigError else."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}: {url!r} is not a blog address (https://…)")
    if parts.query or parts.fragment:
        raise ConfigError(f"{where}: {url!r}: give the blog's address without ?query or #part")
    return site_key(url)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _one_line(text: str) -> str:
    text = " ".join(html.unescape(_TAG.sub("", text)).split())
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


class _Api:
    """Route -> URL, in the style the site answered to."""

    def __init__(self, base: str, query_style: bool) -> None:
        self.base = base  # ".../wp-json" or the site's root (for ?rest_route=)
        self.query_style = query_style

    def url(self, route: str) -> tuple[str, dict[str, str]]:
        if self.query_style:
            return self.base + "/", {"rest_route": route}
        return self.base + route, {}


class WordPress:
    """A WordPress blog as a publish target (see the module docstring)."""

    name = "wordpress"

    def __init__(
        self,
        settings: WordPressSettings,
        options: PostOptions | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Any = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.options = options or PostOptions()
        self.site = site_key(settings.url)
        self._transport = transport
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._client: httpx.Client | None = None
        self._api: _Api | None = None
        if self.options.status is not None and self.options.status not in STATUSES:
            raise BadInput(f"--status {self.options.status!r}: choose from {', '.join(STATUSES)}")

    # -- the target ----------------------------------------------------------------------

    def publish(self, review: Publication) -> Result:
        if self.options.dry_run:
            return self._dry_run(review)
        if not self.settings.password:
            raise ConfigError("no WordPress application password (see `revue publish --help`)")
        parts = urlsplit(self.site)
        if parts.scheme != "https" and not _is_loopback(parts.hostname or ""):
            raise ConfigError(
                f"{self.site}: revue sends the application password only over https "
                "(or to this machine)"
            )
        with self._session():
            return self._publish(review)

    def _publish(self, review: Publication) -> Result:
        # Signing in first: a wrong password then reads as one, not as a refusal to create a
        # tag (WordPress treats a failed application password as an anonymous visitor).
        self._request("GET", "/wp/v2/users/me", params={"context": "edit"})
        previous = review.previous
        notes: list[str] = []
        existing: dict[str, Any] | None = None
        if previous is not None and not self.options.new:
            existing = self._current(previous.post_id)
            if existing is None or existing.get("status") == "trash":
                where = "deleted" if existing is None else "moved to the trash"
                raise Conflict(
                    f"post #{previous.post_id} was {where} on {self.site}; "
                    "use --new to publish the review as a new post"
                )
            moved = existing.get("modified_gmt")
            if previous.modified_gmt and moved != previous.modified_gmt and not self.options.force:
                raise Conflict(
                    f"post #{previous.post_id} on {self.site} was edited on the blog since revue "
                    f"wrote it (modified {previous.modified_gmt} -> {moved} GMT); "
                    "use --force to overwrite it"
                )
        elif previous is not None:
            notes.append(f"post #{previous.post_id} left as it is (--new)")
        body = self._body(review, creating=existing is None)
        body["tags"] = [self._term("tags", name) for name in review.tags]
        if self.settings.category:
            body["categories"] = [self._term("categories", self.settings.category)]
        action: Action
        if existing is not None:
            assert previous is not None
            post = self._request("POST", f"/wp/v2/posts/{previous.post_id}", json_body=body)
            action = "updated"
        else:
            post = self._request("POST", "/wp/v2/posts", json_body=body, idempotent=False)
            action = "created"
        if not isinstance(post, dict) or not isinstance(post.get("id"), int):
            raise Refused(f"{self.site}: the blog's answer names no post")
        return Result(
            action=action,
            post_id=int(post["id"]),
            link=_str(post.get("link")),
            status=_str(post.get("status")),
            modified_gmt=_str(post.get("modified_gmt")),
            notes=notes,
        )

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
        return post if isinstance(post, dict) else None

    def _term(self, taxonomy: str, name: str) -> int:
        """The id of the tag or category `name`, created when the blog has none by that name."""
        found = self._request(
            "GET", f"/wp/v2/{taxonomy}", params={"search": name, "per_page": "100"}
        )
        wanted = name.casefold()
        for term in found if isinstance(found, list) else []:
            if (
                isinstance(term, dict)
                and html.unescape(str(term.get("name", ""))).casefold() == wanted
            ):
                return int(term["id"])
        try:
            made = self._request(
                "POST", f"/wp/v2/{taxonomy}", json_body={"name": name}, idempotent=False
            )
        except _TermExists as exc:
            return exc.term_id
        if not isinstance(made, dict) or "id" not in made:
            raise Refused(f"{self.site}: could not create the {taxonomy[:-1]} {name!r}")
        return int(made["id"])

    # -- HTTP ------------------------------------------------------------------------------

    def _session(self) -> httpx.Client:
        s = self.settings
        self._client = httpx.Client(
            transport=self._transport,
            timeout=httpx.Timeout(
                connect=s.connect_timeout, read=s.read_timeout, write=s.read_timeout, pool=None
            ),
            headers={"User-Agent": s.user_agent, "Accept": "application/json"},
            follow_redirects=False,
        )
        return self._client

    def _discover(self) -> _Api:
        """Find the REST API: /wp-json/, else ?rest_route=/ (no pretty permalinks)."""
        if self._api is not None:
            return self._api
        seen: list[str] = []
        for candidate, params, query_style in (
            (self.site + "/wp-json/", {}, False),
            (self.site + "/", {"rest_route": "/"}, True),
        ):
            response = self._send("GET", candidate, params=params, auth=False, follow=True)
            data = _json(response)
            final = str(response.url.copy_with(query=None)).rstrip("/")
            if isinstance(data, dict) and isinstance(data.get("namespaces"), list):
                if "wp/v2" not in data["namespaces"]:
                    raise Refused(
                        f"{self.site}: its REST API does not offer wp/v2 (turned off by a plugin?)"
                    )
                self._api = _Api(final, query_style)
                return self._api
            if isinstance(data, dict) and data.get("code") and response.status_code >= 400:
                # A plugin that turns the REST API off answers in WordPress's error format.
                raise self._refusal(response, data)
            seen.append(
                f"{candidate}{'?rest_route=/' if params else ''}: HTTP {response.status_code}"
            )
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
        data = _json(response)
        if response.is_success:
            if data is None:
                raise Refused(
                    f"{self.site}: {method} {route}: HTTP {response.status_code}, not a JSON answer"
                )
            return data
        if isinstance(data, dict):
            code = str(data.get("code") or "")
            if response.status_code == 404 and code in ("rest_post_invalid_id", "rest_not_found"):
                raise _Missing()
            if code == "term_exists":
                extra = data.get("data")
                term_id = extra.get("term_id") if isinstance(extra, dict) else None
                if isinstance(term_id, int):
                    raise _TermExists(term_id)
        raise self._refusal(response, data)

    def _refusal(self, response: httpx.Response, data: Any) -> Refused:
        status = response.status_code
        if isinstance(data, dict) and data.get("message"):
            code = f", {data['code']}" if data.get("code") else ""
            hint = _HINTS.get(status, "")
            return Refused(
                f"{self.site}: {_one_line(str(data['message']))} (HTTP {status}{code}){hint}"
            )
        reason = response.reason_phrase or ""
        return Refused(
            f"{self.site}: HTTP {status} {reason}".rstrip() + " (not a WordPress answer)"
        )

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        idempotent: bool = True,
        auth: bool = True,
        follow: bool = False,
    ) -> httpx.Response:
        assert self._client is not None
        s = self.settings
        attempt = 0
        redirects = 0
        while True:
            try:
                response = self._client.request(
                    method,
                    url,
                    params=params,
                    json=json_body,
                    auth=(s.user, s.password or "") if auth else None,
                )
            except httpx.ConnectError as exc:
                if _is_tls(exc):
                    raise Refused(f"{self.site}: TLS error ({_tls_reason(exc)})") from None
                failure = f"{self.site}: cannot connect ({_reason(exc)})"
                retry = True  # nothing was received by the blog
            except httpx.TimeoutException as exc:
                if isinstance(exc, httpx.ConnectTimeout):
                    failure = f"{self.site}: no connection within {s.connect_timeout:g} s"
                    retry = True
                else:
                    failure = f"{self.site}: no answer within {s.read_timeout:g} s"
                    retry = idempotent
            except httpx.TransportError as exc:
                failure = f"{self.site}: {_reason(exc)}"
                retry = idempotent
            else:
                if follow and response.is_redirect and redirects < s.max_redirects:
                    # Only the unauthenticated discovery follows redirects (http -> https,
                    # a moved blog): the password never follows a Location header.
                    redirects += 1
                    url = str(response.url.join(response.headers["location"]))
                    params = None
                    continue
                retryable = response.status_code == 429 or (
                    response.status_code >= 500 and idempotent
                )
                if response.status_code == 503 and not idempotent:
                    # 503 means the server did not handle it (maintenance, overload).
                    retryable = True
                if not retryable or attempt >= s.retries:
                    return response
                self._sleep(self._wait(attempt, response.headers.get("retry-after")))
                attempt += 1
                continue
            if not retry or attempt >= s.retries:
                raise Refused(failure)
            self._sleep(self._wait(attempt, None))
            attempt += 1

    def _wait(self, attempt: int, retry_after: str | None) -> float:
        if retry_after and retry_after.strip().isdigit():
            return min(float(retry_after.strip()), self.settings.max_retry_after)
        return float(self.settings.backoff * (2**attempt) * (0.5 + self._rng.random()))


class _Missing(Exception):
    """The post asked for is not on the blog (404)."""


class _TermExists(Exception):
    def __init__(self, term_id: int) -> None:
        super().__init__(term_id)
        self.term_id = term_id


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _json(response: httpx.Response) -> Any:
    if "json" not in response.headers.get("content-type", ""):
        return None
    try:
        return json.loads(response.content.decode("utf-8", "replace"))
    except ValueError:
        return None


def _is_tls(exc: BaseException) -> bool:
    seen: Sequence[BaseException | None] = (exc, exc.__cause__, exc.__context__)
    return any(isinstance(e, ssl.SSLError) for e in seen) or "SSL" in str(exc)


def _tls_reason(exc: BaseException) -> str:
    for e in (exc.__cause__, exc.__context__, exc):
        if isinstance(e, ssl.SSLError) and getattr(e, "reason", None):
            verify = getattr(e, "verify_message", None)
            return f"{e.reason}: {verify}" if verify else str(e.reason)
    return _reason(exc)


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
