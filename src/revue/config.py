"""Where files live and what the curator configured: the only reader of environment and config.

Lookup order for the database (first wins):
  1. `--db PATH` on the command line
  2. the `REVUE_DB` environment variable
  3. `db = "..."` in the config file
  4. `revue.db` in the platform's user data dir (platformdirs)

The config file is `REVUE_CONFIG` if set, else `config.toml` in the platform's user config dir.
A missing config file is fine (defaults); one that does not parse, or holds a value of the
wrong type, raises `ConfigError` naming the file and the key.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from revue.errors import ConfigError

APP = "revue"


@dataclass
class Config:
    path: Path | None = None  # the config file read, if any
    db: str | None = None
    reviews_dir: str = "reviews"
    lang: str = "fr"
    title_prefix: str | None = None  # None: the language's default
    suffix: str | None = None
    hashtags: list[str] = field(default_factory=list)
    style: str = "classic"
    format: str = "md"
    sections: list[str] = field(default_factory=list)
    paywall_marker: str | None = None
    show_dates: bool = False
    stale_days: int = 30
    intro: str | None = None
    outro: str | None = None
    templates_dir: str | None = None
    max_attempts: int = 5
    fetch: dict[str, Any] = field(default_factory=dict)  # FetchSettings fields, by name
    wordpress: dict[str, Any] = field(default_factory=dict)  # url, user, category


# What each key must hold: the type the TOML value must have.
_TYPES: dict[str, type | tuple[type, ...]] = {
    "db": str,
    "reviews_dir": str,
    "lang": str,
    "title_prefix": str,
    "suffix": str,
    "hashtags": list,
    "style": str,
    "format": str,
    "sections": list,
    "paywall_marker": str,
    "show_dates": bool,
    "stale_days": int,
    "intro": str,
    "outro": str,
    "templates_dir": str,
    "max_attempts": int,
    "fetch": dict,
    "wordpress": dict,
}


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("REVUE_CONFIG"):
        return Path(env["REVUE_CONFIG"]).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP)) / "config.toml"


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read the config file (defaults when it does not exist)."""
    env = os.environ if env is None else env
    path = path or config_path(env)
    cfg = Config()
    if env.get("REVUE_REVIEWS_DIR"):
        cfg.reviews_dir = env["REVUE_REVIEWS_DIR"]
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return cfg
    except OSError as exc:
        raise ConfigError(f"config {path}: cannot read ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"config {path}: not valid TOML ({exc})") from None
    known = {f.name for f in fields(Config)} - {"path"}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(f"config {path}: unknown key {key!r}")
        expected = _TYPES[key]
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            want = expected.__name__ if isinstance(expected, type) else "value"
            raise ConfigError(f"config {path}: {key!r} must be a {want}, not {value!r}")
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            raise ConfigError(f"config {path}: {key!r} must be a list of strings")
        setattr(cfg, key, value)
    if cfg.lang not in ("fr", "en"):
        raise ConfigError(f'config {path}: \'lang\' must be "fr" or "en", not {cfg.lang!r}')
    if key_reviews := env.get("REVUE_REVIEWS_DIR"):
        cfg.reviews_dir = key_reviews
    cfg.hashtags = [h.lstrip("#").strip() for h in cfg.hashtags if h.strip("# ")]
    cfg.path = path
    return cfg


def db_path(cli_value: str | None, cfg: Config, env: Mapping[str, str] | None = None) -> Path:
    """The database file, by the numbered lookup order of the module docstring."""
    env = os.environ if env is None else env
    for candidate in (cli_value, env.get("REVUE_DB"), cfg.db):
        if candidate:
            return Path(candidate).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP)) / "revue.db"


KEYRING_SERVICE = "revue-wordpress"
_WORDPRESS_KEYS = {"url", "user", "category"}


@dataclass(frozen=True)
class WordPressAccount:
    """The blog to publish to: `[wordpress]` in the config, overridden by the environment."""

    url: str | None
    user: str | None
    category: str | None
    password: str | None = field(default=None, repr=False)
    password_from: str = ""  # "REVUE_WORDPRESS_PASSWORD", "keyring" or "" (none found)
    keyring_note: str = ""  # why the keyring gave nothing, when it did not


def wordpress_account(
    cfg: Config, env: Mapping[str, str] | None = None, *, with_password: bool = True
) -> WordPressAccount:
    """The `[wordpress]` settings; the application password from REVUE_WORDPRESS_PASSWORD,
    else the system keyring (service "revue-wordpress", the user's name), never from the
    config file. Raises ConfigError for an unknown key, a wrong type or a password in it."""
    env = os.environ if env is None else env
    where = f"config {cfg.path}: [wordpress]"
    table = cfg.wordpress
    if "password" in table:
        raise ConfigError(
            f"{where} holds a password in clear: remove it, and set REVUE_WORDPRESS_PASSWORD "
            f"or store it with `keyring set {KEYRING_SERVICE} USER`"
        )
    for key, value in table.items():
        if key not in _WORDPRESS_KEYS:
            raise ConfigError(f"{where}: unknown key {key!r} (url, user, category)")
        if not isinstance(value, str):
            raise ConfigError(f"{where}: {key!r} must be a string, not {value!r}")
    url = env.get("REVUE_WORDPRESS_URL") or table.get("url") or None
    user = env.get("REVUE_WORDPRESS_USER") or table.get("user") or None
    category = table.get("category") or None
    if not with_password:
        return WordPressAccount(url, user, category)
    password = env.get("REVUE_WORDPRESS_PASSWORD") or None
    if password:
        return WordPressAccount(url, user, category, password, "REVUE_WORDPRESS_PASSWORD")
    password, note = _keyring_password(user) if user else (None, "")
    return WordPressAccount(
        url, user, category, password, "keyring" if password else "", keyring_note=note
    )


def _keyring_password(user: str) -> tuple[str | None, str]:
    """(the password the keyring holds for `user`, or None and why)."""
    try:
        # Optional: most servers running revue from cron have no keyring; the variable does.
        import keyring
        import keyring.errors
    except ImportError:
        return None, "the keyring package is not installed"
    try:
        password = keyring.get_password(KEYRING_SERVICE, user)
    except keyring.errors.KeyringError as exc:
        return None, f"the keyring is not usable here ({exc})"
    if not password:
        return None, f"the keyring holds no password for {KEYRING_SERVICE} / {user}"
    return str(password), ""
