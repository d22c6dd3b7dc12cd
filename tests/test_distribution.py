"""The name on PyPI (issue 22, point 9): `revue` there is an unrelated project, so
`pip install 'revue[keyring]'` would install it over the command. The distribution is
`revue-de-presse`; the command and the import package stay `revue`."""

from __future__ import annotations

import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest

import revue
from revue.config import DISTRIBUTION, Config, wordpress_account

ROOT = Path(__file__).resolve().parents[1]
# `pip install` naming this project as `revue` (with or without extras), up to the end of that
# shell command (the quickstart runs `revue` right after installing).
OLD_NAME = re.compile(r"""pip install\b[^\n;&|)]*?(?<![\w.-])['"]?revue(?![\w-])""")


def test_the_distribution_is_revue_de_presse_and_the_command_revue() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == DISTRIBUTION == "revue-de-presse"
    assert project["scripts"] == {"revue": "revue.cli:main"}
    installed = importlib.metadata.distribution(DISTRIBUTION)
    assert installed.version == revue.__version__
    [script] = [e for e in installed.entry_points if e.group == "console_scripts"]
    assert (script.name, script.value) == ("revue", "revue.cli:main")


def test_every_install_line_names_the_distribution() -> None:
    texts = {"README.md": (ROOT / "README.md").read_text(encoding="utf-8")}
    for path in (ROOT / "docs").rglob("*.md"):
        texts[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
    for path in (ROOT / "src").rglob("*.py"):
        texts[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
    wrong = [
        f"{name}: {m.group(0)}" for name, text in texts.items() for m in OLD_NAME.finditer(text)
    ]
    assert wrong == []
    assert "pip install 'revue-de-presse[keyring]'" in texts["docs/howto/wordpress.md"]


def test_the_missing_keyring_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # not installed: the import fails
    monkeypatch.delenv("REVUE_WORDPRESS_PASSWORD", raising=False)
    cfg = Config(wordpress={"url": "https://blog.example.org", "user": "marie"})
    account = wordpress_account(cfg)
    assert account.password is None
    assert "pip install 'revue-de-presse[keyring]'" in account.keyring_note
