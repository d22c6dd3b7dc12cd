"""Publish a review as a Buttondown draft email, through its REST API (v1).

Contract (Buttondown's API reference: https://docs.buttondown.com/api-emails-create):

- A new review is `POST {api}/v1/emails` with its subject, its body (the review in Markdown,
  which Buttondown renders) and `"status": "draft"`, set explicitly on every call: revue
  never relies on a default that could mean "send". A recorded one is updated in place,
  `PATCH {api}/v1/emails/{id}`, after checking it is still a draft (one sent, scheduled or
  deleted on Buttondown is left alone: `--new` makes a new draft).
- `Authorization: Token …` (REVUE_BUTTONDOWN_TOKEN or the keyring, never the config), sent
  only to the configured API's origin, over https or to this machine.
- Every call goes through the injected `Http` client (the fetcher's limits, `--verbose`
  report, retries of 429 honouring `Retry-After` up to `[fetch] max_retry_after`). Errors
  are one line with Buttondown's own `detail`: 401 a wrong token, 403 a key without
  email access, 400 a refused field, 429 rate limited (with how long to wait).
- Every field read from the answer is checked; a bad answer is `Refused`.
- A dry run sends nothing and needs no token: it prints the request it would send.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from revue.errors import ConfigError, Conflict, Refused
from revue.models import FetchResult
from revue.publish.base import Action, BadAnswer, Publication, Result
from revue.publish.wordpress import Http
from revue.sanitize import clean_json, clean_text
from revue.urls import strip_credentials

DEFAULT_API = "https://api.buttondown.com"
MAX_MESSAGE = 300
_ID = re.compile(r"[A-Za-z0-9_-]{1,100}\Z")
_STATUS = re.compile(r"[a-z_]{1,40}\Z")
_HINTS = {
    401: ": wrong token? (REVUE_BUTTONDOWN_TOKEN, or the keyring's revue-buttondown)",
    403: ": this API key has no write access to emails",
    429: ": rate limited",
}


@dataclass(frozen=True)
class ButtondownSettings:
    api: str = DEFAULT_API  # without a trailing slash
    token: str | None = field(default=None, repr=False)  # None: dry runs only


@dataclass(frozen=True)
class ButtondownOptions:
    dry_run: bool = False
    new: bool = False  # a new draft even when one is recorded


def check_api(url: str, where: str = "[publish.buttondown] api") -> str:
    shown = strip_credentials(url.strip())
    try:
        parts = urlsplit(shown)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise ConfigError(f"{where}: {shown!r} is not a valid address") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}: {shown!r} is not an http(s) address")
    if parts.query or parts.fragment:
        raise ConfigError(f"{where}: {shown!r}: give the API's address without ?query or #part")
    return shown.rstrip("/")


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _message_line(text: str) -> str:
    """The server's message as one line of an error: cleaned, single-spaced, bounded."""
    text = " ".join(clean_text(text, keep_bidi=False).split())
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


class Buttondown:
    """A Buttondown newsletter as a publish target (see the module docstring)."""

    name = "buttondown"
    site = "buttondown"

    def __init__(
        self,
        settings: ButtondownSettings,
        options: ButtondownOptions | None = None,
        *,
        http: Http | None = None,
    ) -> None:
        self.settings = settings
        self.options = options or ButtondownOptions()
        self.api = check_api(settings.api)
        self._http = http

    def _body(self, review: Publication) -> dict[str, Any]:
        # "status" every time: an update must never turn a draft into a sent email.
        return {"subject": review.title, "body": review.markdown, "status": "draft"}

    def publish(self, review: Publication) -> Result:
        previous = review.previous
        recorded = previous.ref if previous is not None and not self.options.new else None
        if self.options.dry_run:
            return self._dry_run(review, recorded)
        if not self.settings.token:
            raise ConfigError(
                "no Buttondown token: set REVUE_BUTTONDOWN_TOKEN, or store it with "
                "`keyring set revue-buttondown token`"
            )
        parts = urlsplit(self.api)
        if parts.scheme != "https" and not _is_loopback(parts.hostname or ""):
            raise ConfigError(
                f"{self.api}: revue sends the token only over https (or to this machine)"
            )
        notes: list[str] = []
        action: Action
        if recorded is not None:
            current = self._request("GET", f"/v1/emails/{recorded}", missing_ok=True)
            if current is None:
                raise Conflict(
                    f"Buttondown email {recorded} was deleted; use --new to make a new draft"
                )
            status = current.get("status") if isinstance(current, dict) else None
            if status != "draft":
                shown = _message_line(status) if isinstance(status, str) else "not a draft"
                raise Conflict(
                    f"Buttondown email {recorded} is {shown}, not a draft: revue leaves it "
                    "alone; use --new to make a new draft"
                )
            answer = self._request("PATCH", f"/v1/emails/{recorded}", json_body=self._body(review))
            action = "updated"
        else:
            if previous is not None and previous.ref:
                notes.append(f"Buttondown email {previous.ref} left as it is (--new)")
            answer = self._request(
                "POST", "/v1/emails", json_body=self._body(review), idempotent=False
            )
            action = "created"
        return self._result(answer, action, notes, expected=recorded)

    def _result(
        self, answer: Any, action: Action, notes: list[str], *, expected: str | None
    ) -> Result:
        email_id = answer.get("id") if isinstance(answer, dict) else None
        if not isinstance(email_id, str) or not _ID.match(email_id):
            raise BadAnswer(
                f"{self.api}: Buttondown's answer names no valid email id",
                None if expected is None else Result(action=action, ref=expected, notes=notes),
            )
        if expected is not None and email_id != expected:
            raise BadAnswer(f"{self.api}: Buttondown answered for another email ({email_id})")
        assert isinstance(answer, dict)
        status = answer.get("status")
        link = answer.get("absolute_url")
        if isinstance(link, str):
            link = strip_credentials(link.strip())
            if not link.startswith(("https://", "http://")) or any(c.isspace() for c in link):
                link = None
        else:
            link = None
        if status != "draft":
            notes.append(f"Buttondown says the email is {status!r}, not a draft")
        return Result(
            action=action,
            ref=email_id,
            link=link,
            status=status if isinstance(status, str) and _STATUS.match(status) else None,
            notes=notes,
        )

    def _dry_run(self, review: Publication, recorded: str | None) -> Result:
        route = f"/v1/emails/{recorded}" if recorded else "/v1/emails"
        lines = [
            f"{'PATCH' if recorded else 'POST'} {self.api}{route}",
            "Authorization: Token (not shown)",
            "Content-Type: application/json",
            "",
            json.dumps(self._body(review), ensure_ascii=False, indent=2),
        ]
        if recorded:
            lines.append(f"# updates the draft {recorded} unless it was sent or deleted")
        return Result(action="dry-run", ref=recorded, request="\n".join(lines) + "\n")

    def _request(
        self,
        method: str,
        route: str,
        *,
        json_body: Any = None,
        idempotent: bool = True,
        missing_ok: bool = False,
    ) -> Any:
        assert self._http is not None
        response = self._http.request(
            method,
            self.api + route,
            json_body=json_body,
            headers={"Authorization": f"Token {self.settings.token}"},
            idempotent=idempotent,
        )
        if response.status is None:
            reason = response.error or "no answer"
            lost = "; publishing again may make a second draft" if not idempotent else ""
            if reason in ("connection refused", "connection failed"):
                reason, lost = f"cannot connect ({reason})", ""
            raise Refused(f"{self.api}: {reason}{lost}")
        data = self._json(response)
        status = response.status
        if 200 <= status < 300:
            if data is None:
                raise Refused(f"{self.api}: {method} {route}: HTTP {status}, not a JSON answer")
            return data
        if status == 404 and missing_ok:
            return None
        raise self._refusal(response, data)

    def _json(self, response: FetchResult) -> Any:
        if "json" not in response.headers.get("content-type", ""):
            return None
        if response.truncated:
            raise Refused(f"{self.api}: the answer is larger than {len(response.body):,} bytes")
        try:
            return clean_json(json.loads(response.body.decode("utf-8", "replace")))
        except (ValueError, RecursionError):
            return None

    def _refusal(self, response: FetchResult, data: Any) -> Refused:
        status = response.status or 0
        detail = data.get("detail") if isinstance(data, dict) else None
        if isinstance(detail, list):  # a validation error: one entry a field
            detail = "; ".join(
                str(d.get("msg", d)) if isinstance(d, dict) else str(d) for d in detail[:3]
            )
        code = data.get("code") if isinstance(data, dict) else None
        said = f"{_message_line(detail)} " if isinstance(detail, str) and detail.strip() else ""
        code_text = f", {_message_line(code)[:80]}" if isinstance(code, str) and code else ""
        hint = _HINTS.get(status, "")
        if status == 429 and response.retry_after is not None:
            hint += f"; try again in {response.retry_after:.0f} s"
        return Refused(f"{self.api}: {said}(HTTP {status}{code_text}){hint}")
