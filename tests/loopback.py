"""A real HTTP server on 127.0.0.1 for tests: static routes and hand-written handlers.

`server.route("/a", body=b"...", status=200, headers={...})` serves a fixed answer;
`server.route("/slow", handler=fn)` calls `fn(request_handler)` to misbehave at will.
`LoopbackServer(host="127.0.0.2")` listens on another loopback address (the tests' "internet").
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    handler: Handler | None = None
    hits: int = 0


class LoopbackServer:
    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        outer = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _serve(self) -> None:
                outer.requests.append((self.command, self.path, dict(self.headers)))
                path = self.path.split("?", 1)[0]
                route = outer.routes.get(self.path) or outer.routes.get(path)
                if route is None:
                    self._send(404, b"<html><head><title>Not found</title></head></html>", {})
                    return
                route.hits += 1
                if route.handler is not None:
                    route.handler(self)
                    return
                self._send(route.status, route.body, route.headers)

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                lower = {k.lower() for k in headers}
                if "content-type" not in lower:
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = _serve
            do_HEAD = _serve

        self.errors: list[BaseException] = []

        class _Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                # socketserver prints a handler's exception and carries on: kept instead, and
                # raised by stop(), so that a test's own server failing fails the test. A
                # client hanging up (a timeout under test) is not the server failing.
                error = sys.exc_info()[1]
                if error is not None and not isinstance(error, ConnectionError):
                    outer.errors.append(error)

        self.httpd = _Server((host, port), _Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://{host}:{self.port}"
        # A short poll interval: shutting down then takes 20 ms, not 0.5 s, per test.
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self.errors:
            raise AssertionError(f"the test server failed: {self.errors!r}") from self.errors[0]

    def url(self, path: str) -> str:
        return self.base + path

    def route(
        self,
        path: str,
        body: bytes | str = b"",
        status: int = 200,
        headers: dict[str, str] | None = None,
        handler: Handler | None = None,
    ) -> str:
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.routes[path] = Route(status, body, dict(headers or {}), handler)
        return self.url(path)
