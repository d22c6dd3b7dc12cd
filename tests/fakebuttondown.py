"""A local stand-in for Buttondown's API (v1 emails), on 127.0.0.1.

No Buttondown server exists here, so this follows its published API reference
(docs.buttondown.com, "Emails" and "Authentication"; the OpenAPI schema of
github.com/buttondown/docs): `Authorization: Token <key>` else 401; `POST /v1/emails`
(subject required; status one of the email statuses) answers 201 with the email; `GET` and
`PATCH /v1/emails/{id}` answer 200, or 404 for an unknown id; a bad field is 400 with
`{"code": ..., "detail": ...}`; too many requests is 429 with `Retry-After`.
`api.throttle = [seconds, ...]` answers the next requests 429 with those Retry-After values;
`api.hook = fn(handler, method, path, body) -> bool` may answer first.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

from loopback import ThreadedServer, quiet_handler

TOKEN = "bd-0123456789abcdef0123456789abcdef"
STATUSES = (
    "draft",
    "about_to_send",
    "scheduled",
    "in_flight",
    "paused",
    "deleted",
    "errored",
    "sent",
    "imported",
    "throttled",
    "resending",
    "transactional",
    "managed_by_rss",
)
Hook = Callable[[BaseHTTPRequestHandler, str, str, Any], bool]


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    data: Any,
    headers: dict[str, str] | None = None,
) -> None:
    body = json.dumps(data).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class FakeButtondown(ThreadedServer):
    def __init__(self) -> None:
        self.emails: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, dict[str, str], Any]] = []
        self.throttle: list[float] = []
        self.hook: Hook | None = None
        self.lock = threading.Lock()
        super().__init__(quiet_handler(self._serve), name="the fake Buttondown")

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = ValueError
        with self.lock:
            self.requests.append((handler.command, handler.path, dict(handler.headers), body))
            self.answer(handler, handler.command, handler.path, body)

    def answer(self, handler: BaseHTTPRequestHandler, method: str, path: str, body: Any) -> None:
        if self.hook is not None and self.hook(handler, method, path, body):
            return
        if self.throttle:
            wait = self.throttle.pop(0)
            send(
                handler,
                429,
                {"detail": f"Request was throttled. Expected available in {wait:g} seconds."},
                {"Retry-After": f"{wait:g}"},
            )
            return
        if handler.headers.get("Authorization") != f"Token {TOKEN}":
            send(handler, 401, {"detail": "Unauthorized"})
            return
        parts = path.split("?", 1)[0].rstrip("/").split("/")
        if parts[:3] != ["", "v1", "emails"] or len(parts) > 4:
            send(handler, 404, {"code": "not_found", "detail": "Not found."})
            return
        email_id = parts[3] if len(parts) == 4 else None
        if email_id is None and method == "POST":
            self._create(handler, body)
        elif email_id is not None and email_id not in self.emails:
            send(handler, 404, {"code": "not_found", "detail": "Not found."})
        elif email_id is not None and method == "GET":
            send(handler, 200, self.emails[email_id])
        elif email_id is not None and method == "PATCH":
            self._update(handler, email_id, body)
        else:
            send(handler, 405, {"detail": "Method not allowed"})

    def _invalid(self, body: Any, *, creating: bool) -> str | None:
        if not isinstance(body, dict):
            return "The request body is not a JSON object."
        if creating and not isinstance(body.get("subject"), str):
            return "subject: field required"
        if "status" in body and body["status"] not in STATUSES:
            return f"status: {body['status']!r} is not a valid choice"
        return None

    def _create(self, handler: BaseHTTPRequestHandler, body: Any) -> None:
        problem = self._invalid(body, creating=True)
        if problem:
            send(handler, 400, {"code": "invalid_email", "detail": problem})
            return
        email_id = str(uuid.uuid4())
        # The API's own default status is not revue's business: revue always sends one.
        status = body.get("status", "about_to_send")
        email = {
            "id": email_id,
            "subject": body["subject"],
            "body": body.get("body", ""),
            "status": status,
            "email_type": "public",
            "creation_date": "2026-12-07T05:00:00Z",
            "modification_date": "2026-12-07T05:00:00Z",
            "publish_date": None,
            "slug": email_id[:8],
            "absolute_url": f"https://buttondown.com/revue/archive/{email_id[:8]}/",
        }
        self.emails[email_id] = email
        send(handler, 201, email)

    def _update(self, handler: BaseHTTPRequestHandler, email_id: str, body: Any) -> None:
        problem = self._invalid(body, creating=False)
        if problem:
            send(handler, 400, {"code": "invalid_email", "detail": problem})
            return
        email = self.emails[email_id]
        for key in ("subject", "body", "status"):
            if key in body:
                email[key] = body[key]
        email["modification_date"] = "2026-12-07T06:00:00Z"
        send(handler, 200, email)
