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
from typing import Any, Self

Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    handler: Handler | None = None
    hits: int = 0


class ThreadedServer:
    """An HTTP server on a loopback address, in a thread of its own. socketserver prints a
    handler's exception and carries on: it is kept instead and raised by `stop()`, so that a
    test's own server failing fails the test (a client hanging up, as a timeout under test
    does, is not the server failing)."""

    def __init__(
        self,
        handler: type[BaseHTTPRequestHandler],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        name: str = "the test server",
    ) -> None:
        self.errors: list[BaseException] = []
        self.name = name
        errors = self.errors

        class _Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                error = sys.exc_info()[1]
                if error is not None and not isinstance(error, ConnectionError):
                    errors.append(error)

        self.httpd = _Server((host, port), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://{host}:{self.port}"
        # A short poll interval: shutting down then takes 20 ms, not 0.5 s, per test.
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self.errors:
            raise AssertionError(f"{self.name} failed: {self.errors!r}") from self.errors[0]


def quiet_handler(
    serve: Callable[[BaseHTTPRequestHandler], None],
    methods: tuple[str, ...] = ("GET", "POST", "PATCH", "DELETE"),
) -> type[BaseHTTPRequestHandler]:
    """A request handler (HTTP/1.1, no log lines) that gives every request of `methods` to
    `serve`."""

    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

    for method in methods:
        setattr(_Handler, f"do_{method}", lambda handler: serve(handler))
    return _Handler


class LoopbackServer(ThreadedServer):
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

        super().__init__(_Handler, host=host, port=port)

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
