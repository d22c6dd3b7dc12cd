from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from loopback import LoopbackServer
from wordpress import PACKAGES, WordPressSite, missing


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No proxy, no user config, no user database: every test starts from nothing (an
    empty config file: REVUE_CONFIG names a file that must exist; no database: the read
    commands refuse a missing one, see `empty_db`)."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("REVUE_DB", str(tmp_path / "revue.db"))
    config = tmp_path / "config.toml"
    config.touch()
    monkeypatch.setenv("REVUE_CONFIG", str(config))
    monkeypatch.setenv("REVUE_REVIEWS_DIR", str(tmp_path / "reviews"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("COLUMNS", "120")


@pytest.fixture
def empty_db(tmp_path: Path) -> Path:
    """The database REVUE_DB names, created empty (migrated), for the tests of what a read
    command says when there is nothing in it."""
    from revue.store.db import Store

    path = tmp_path / "revue.db"
    Store.open(path).close()
    return path


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    srv = LoopbackServer().start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="session")
def wordpress() -> Iterator[WordPressSite]:
    """A real WordPress on 127.0.0.1, one per test session (per xdist worker: the tests that
    use it are in one xdist_group, so one worker starts it)."""
    absent = missing()
    if absent:
        reason = (
            f"a real WordPress is needed: {', '.join(absent)} missing "
            f"(apt-get install --no-install-recommends {PACKAGES})"
        )
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the WordPress tests: {reason}")
        pytest.skip(reason)
    site = WordPressSite().start()
    try:
        yield site
    finally:
        site.stop()
