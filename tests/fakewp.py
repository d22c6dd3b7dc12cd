"""A small fake WordPress REST API on 127.0.0.1, for the hostile answers a real one never gives.

It keeps posts, tags and categories in memory and answers the routes `revue publish` uses
(pretty permalinks: /wp-json/...). `blog.hook = fn` runs first on every request:
`fn(handler, method, path, query, body)` may answer itself (and return True) to misbehave —
a redirect, a slow drip, a huge body, malformed JSON, an answer that never comes in time.
The real WordPress is in tests/wordpress.py (test_publish_wordpress.py).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from loopback import ThreadedServer, quiet_handler

Hook = Callable[[BaseHTTPRequestHandler, str, str, dict[str, str], Any], bool]

USER = "marie"
PASSWORD = "abcd EFGH ijkl MNOP qrst UVWX"


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    data: Any = None,
    *,
    raw: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    body = raw if raw is not None else json.dumps(data).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json; charset=UTF-8")
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class FakeWordPress(ThreadedServer):
    def __init__(self) -> None:
        self.posts: dict[int, dict[str, Any]] = {}
        self.terms: dict[str, dict[int, str]] = {"tags": {}, "categories": {}}
        self.next_id = 1
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.hook: Hook | None = None
        self.lock = threading.Lock()
        super().__init__(quiet_handler(self._serve, ("GET", "POST")), name="the fake blog")

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        parts = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.requests.append((handler.command, handler.path, dict(handler.headers)))
        if self.hook is not None and self.hook(handler, handler.command, parts.path, query, body):
            return
        self.answer(handler, handler.command, parts.path, query, body)

    def signed(self) -> list[tuple[str, str]]:
        """The requests that carried an Authorization header."""
        return [(m, p) for m, p, h in self.requests if "Authorization" in h]

    # -- WordPress, the well-behaved part --

    def post_json(self, post: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": post["id"],
            "slug": post["slug"],
            "status": post["status"],
            "author": 1,
            "link": f"{self.base}/?p={post['id']}",
            "modified_gmt": post["modified_gmt"],
            "title": {"raw": post["title"], "rendered": post["title"]},
            "content": {"raw": post["content"], "rendered": post["content"]},
            "tags": post["tags"],
            "categories": post["categories"],
        }

    def write_post(self, post_id: int, body: dict[str, Any]) -> dict[str, Any]:
        post = self.posts.setdefault(
            post_id,
            {"id": post_id, "slug": "", "status": "draft", "tags": [], "categories": []},
        )
        for key in ("title", "content", "status", "slug", "tags", "categories"):
            if key in body:
                post[key] = body[key]
        post["modified_gmt"] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
        return post

    def answer(
        self,
        h: BaseHTTPRequestHandler,
        method: str,
        path: str,
        query: dict[str, str],
        body: Any,
    ) -> None:
        if path == "/wp-json/":
            send(h, 200, {"name": "Fake", "namespaces": ["oembed/1.0", "wp/v2"]})
            return
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        if h.headers.get("Authorization") != f"Basic {token}":
            send(h, 401, {"code": "rest_not_logged_in", "message": "You are not logged in."})
            return
        route = path.removeprefix("/wp-json")
        with self.lock:
            if route == "/wp/v2/users/me":
                send(h, 200, {"id": 1, "name": USER})
            elif route in ("/wp/v2/tags", "/wp/v2/categories"):
                terms = self.terms[route.rsplit("/", 1)[1]]
                if method == "GET":
                    wanted = query.get("search", "").casefold()
                    found = [
                        {"id": i, "name": n} for i, n in terms.items() if wanted in n.casefold()
                    ]
                    send(h, 200, found)
                else:
                    term_id = 100 + len(self.terms["tags"]) + len(self.terms["categories"])
                    terms[term_id] = body["name"]
                    send(h, 201, {"id": term_id, "name": body["name"]})
            elif route == "/wp/v2/posts" and method == "GET":
                found = [
                    self.post_json(p)
                    for p in self.posts.values()
                    if p["slug"] == query.get("slug") and p["status"] != "trash"
                ]
                send(h, 200, found)
            elif route == "/wp/v2/posts":
                post_id, self.next_id = self.next_id, self.next_id + 1
                send(h, 201, self.post_json(self.write_post(post_id, body)))
            elif route.startswith("/wp/v2/posts/"):
                post_id = int(route.rsplit("/", 1)[1])
                if post_id not in self.posts:
                    send(h, 404, {"code": "rest_post_invalid_id", "message": "Invalid post ID."})
                elif method == "GET":
                    send(h, 200, self.post_json(self.posts[post_id]))
                else:
                    send(h, 200, self.post_json(self.write_post(post_id, body)))
            else:
                send(h, 404, {"code": "rest_no_route", "message": "No route was found."})
