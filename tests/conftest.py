from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from loopback import LoopbackServer


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No proxy, no user config, no user database: every test starts from nothing."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("REVUE_DB", str(tmp_path / "revue.db"))
    monkeypatch.setenv("REVUE_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("REVUE_REVIEWS_DIR", str(tmp_path / "reviews"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("COLUMNS", "120")


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    srv = LoopbackServer().start()
    try:
        yield srv
    finally:
        srv.stop()
