"""The bounded HTTP client publish targets receive: `Fetcher.request`, synchronously."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import httpx

from revue.models import FetchResult
from revue.web.fetch import Fetcher
from revue.web.limits import DEFAULT_SETTINGS, FetchSettings, RequestCallback


class ApiClient:
    """Synchronous calls to a web API for a command that talks to one (`revue publish`):
    `Fetcher.request` run on one event loop that lives as long as the `with` block, so the
    calls share a connection and keep every limit of the fetcher."""

    def __init__(
        self,
        settings: FetchSettings = DEFAULT_SETTINGS,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        on_request: RequestCallback | None = None,
    ) -> None:
        self.settings = settings
        self._fetcher = Fetcher(settings, transport=transport, on_request=on_request)
        self._runner: asyncio.Runner | None = None

    def __enter__(self) -> ApiClient:
        self._runner = asyncio.Runner()
        self._runner.run(self._fetcher.__aenter__())
        return self

    def __exit__(self, *exc: object) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            try:
                runner.run(self._fetcher.__aexit__())
            finally:
                runner.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
    ) -> FetchResult:
        """See `Fetcher.request`."""
        if self._runner is None:
            raise RuntimeError("ApiClient.request outside its `with` block")
        return self._runner.run(
            self._fetcher.request(
                method,
                url,
                params=params,
                json_body=json_body,
                headers=headers,
                idempotent=idempotent,
            )
        )
