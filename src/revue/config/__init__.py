"""Where files live and what the curator configured: the only reader of environment and config.

Lookup order for the database (first wins):
  1. `--db PATH` on the command line
  2. the `REVUE_DB` environment variable
  3. `db = "..."` in the config file
  4. `revue.db` in the platform's user data dir (platformdirs)

The config file is `REVUE_CONFIG` if set, else `config.toml` in the platform's user config dir.
A missing `config.toml` in the user config dir is fine (defaults); a missing `REVUE_CONFIG`
file is an error. Every key the file may hold is declared in `KEYS`
and the other tables of `config/keys.py`: its type, its bounds and its default, as data. `load_config` checks the
whole file against them before any command does any work; the first bad value (a wrong type,
a bool where a number is due, NaN or infinity, a number out of range, a choice not offered,
a control character, a key revue does not know) raises `ConfigError` naming the file, the key
and the value. Unknown keys are errors, not warnings: a misspelt limit (`concurency`) would
otherwise be silently ignored, and under `--quiet` (cron) a warning is never seen.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import functools
import math
import os
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from revue.config.keys import (
    BUTTONDOWN_KEYS,
    COMPOSE_KEYS,
    EMAIL,
    EMAIL_KEYS,
    FETCH_KEYS,
    INBOX_KEYS,
    KEYS,
    LANG_KEYS,
    LANGS,
    NAME,
    PATH,
    PUBLISH_KEYS,
    PUBLISH_TABLES,
    SECRET_KEYS,
    TEXT,
    WORDPRESS_KEYS,
    Setting,
    _num,
    _show,
)
from revue.errors import ConfigError
from revue.files import read_capped, size_text

# The key tables are read here too (scripts/docgen.py, the CLI, tests).
__all__ = [
    "BUTTONDOWN_KEYS",
    "COMPOSE_KEYS",
    "EMAIL",
    "EMAIL_KEYS",
    "FETCH_KEYS",
    "INBOX_KEYS",
    "KEYS",
    "LANGS",
    "LANG_KEYS",
    "NAME",
    "PATH",
    "PUBLISH_KEYS",
    "PUBLISH_TABLES",
    "SECRET_KEYS",
    "TEXT",
    "WORDPRESS_KEYS",
    "Setting",
]

APP = "revue"
# The name on PyPI (`revue` there is another project's): what `pip install` is told.
DISTRIBUTION = "revue-de-presse"
KEYRING_SERVICE = "revue-wordpress"  # the keyring entry of the WordPress password
IMAP_KEYRING_SERVICE = "revue-imap"  # the keyring entry of the inbox's IMAP password
MAX_CONFIG_BYTES = 2**20


def _default(name: str, keys: Mapping[str, Setting] = KEYS) -> Any:
    return copy.deepcopy(keys[name].default)


def _fetch_defaults() -> dict[str, Any]:
    return {k: _default(k, FETCH_KEYS) for k, s in FETCH_KEYS.items() if s.default is not None}


@dataclass
class Config:
    path: Path | None = None  # the config file read, if any
    db: str | None = _default("db")
    reviews_dir: str = _default("reviews_dir")
    lang: str = _default("lang")
    title_prefix: str | None = _default("title_prefix")
    suffix: str | None = _default("suffix")
    hashtags: list[str] = field(default_factory=lambda: _default("hashtags"))
    style: str = _default("style")
    format: str = _default("format")
    sections: list[str] = field(default_factory=lambda: _default("sections"))
    paywall_marker: str | None = _default("paywall_marker")
    show_dates: bool = _default("show_dates")
    stale_days: int = _default("stale_days")
    intro: str | None = _default("intro")
    outro: str | None = _default("outro")
    templates_dir: str | None = _default("templates_dir")
    max_attempts: int = _default("max_attempts")
    timezone: str | None = _default("timezone")  # None: the system's zone (system_zone)
    summaries: bool = _default("summaries")  # show each page's summary under its item
    # Every FetchSettings field but those left to revue's own default (user_agent): by name.
    fetch: dict[str, Any] = field(default_factory=_fetch_defaults)
    # [compose.fr] / [compose.en]: LANG_KEYS for the review of that language.
    compose: dict[str, dict[str, str]] = field(default_factory=lambda: _default("compose"))
    # [wordpress]: WORDPRESS_KEYS (url, user, category).
    wordpress: dict[str, str] = field(default_factory=lambda: _default("wordpress"))
    # [inbox]: INBOX_KEYS (url, user, maildir, me, newsletters, done_folder, max_bytes).
    inbox: dict[str, Any] = field(default_factory=lambda: _default("inbox"))
    # [publish]: `to`, and [publish.NAME]: PUBLISH_KEYS[NAME], for the targets configured.
    publish: dict[str, Any] = field(default_factory=lambda: _default("publish"))

    def target_setting(self, target: str, key: str) -> Any:
        """`key` of [publish.TARGET], or its default."""
        table = self.publish.get(target, {})
        return table[key] if key in table else copy.deepcopy(PUBLISH_KEYS[target][key].default)

    def for_lang(self, lang: str, key: str) -> str | None:
        """`key` (one of LANG_KEYS) for a review in `lang`: the [compose.LANG] table's value,
        else the top-level key when `lang` is the configured language (a French suffix
        is no English review's)."""
        table = self.compose.get(lang, {})
        if key in table:
            return table[key]
        value: str | None = getattr(self, key)
        return value if lang == self.lang else None

    @property
    def zone(self) -> dt.tzinfo:
        """The curator's time zone: `timezone` (checked when the file was read), else the
        system's."""
        return zone_named(self.timezone) if self.timezone else system_zone()


def zone_named(name: str) -> dt.tzinfo:
    """The IANA zone `name`; raises ValueError when zoneinfo does not know it."""
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError, UnicodeError):
        # KeyError: ZoneInfoNotFoundError; ValueError: a path, not a key; OSError: a folder
        raise ValueError(f"unknown time zone {name!r}") from None


def system_zone(env: Mapping[str, str] | None = None) -> dt.tzinfo:
    """The system's local zone, as the C library reads it: `TZ` when set (a zone name, or a
    file with a leading ":" or "/"; empty is UTC), else /etc/localtime. Where neither names a
    zone zoneinfo can read (a POSIX rule in TZ, a system without a zone database), the
    offset in force now: right until the next change of clocks."""
    env = os.environ if env is None else env
    tz = env.get("TZ")
    if tz is None:
        return _zone_file("/etc/localtime") or _offset_now()
    name = tz.removeprefix(":")
    if not name:
        return dt.UTC
    if name.startswith("/"):
        return _zone_file(name) or _offset_now()
    try:
        return zone_named(name)
    except ValueError:
        return _offset_now()


@functools.cache
def _zone_file(path: str) -> dt.tzinfo | None:
    from zoneinfo import ZoneInfo

    try:
        with open(path, "rb") as handle:
            return ZoneInfo.from_file(handle, key=_zone_key(path))
    except (OSError, ValueError):
        return None


def _zone_key(path: str) -> str | None:
    """ "America/Montreal" for /etc/localtime -> /usr/share/zoneinfo/America/Montreal."""
    real = os.path.realpath(path)
    _, found, key = real.partition("/zoneinfo/")
    return key if found and key else None


def _offset_now() -> dt.tzinfo:
    # The C library's reading of TZ (time.tzset() after a change of the variable).
    return dt.datetime.now().astimezone().tzinfo or dt.UTC


def _control(text: str, multiline: bool) -> str | None:
    """The first control character of `text` (tab and newline allowed in Markdown text)."""
    for char in text:
        if multiline and char in "\t\n\r":
            continue
        if unicodedata.category(char) == "Cc" or char in "\u2028\u2029":
            return char
    return None


def _check_str(value: str, spec: Setting) -> str | None:
    """Why a string is not acceptable, or None."""
    if spec.choices:
        return None if value in spec.choices else "not offered"
    if spec.low is not None and len(value) < spec.low:
        return "empty"
    if spec.high is not None and len(value) > spec.high:
        return f"longer than {_num(spec.high)} characters"
    bad = _control(value, spec.text)
    if bad is not None:
        return f"holds the control character {repr(bad)[1:-1]}"
    if spec.url and value and not value.lower().startswith(("http://", "https://")):
        return "not an http(s) address"
    if spec.zone:
        try:
            zone_named(value)
        except ValueError:
            return "not a time zone revue knows"
    return None


def check_value(spec: Setting, value: Any) -> tuple[Any, str | None]:
    """The value as the program uses it, and why it is bad (None when it is good)."""
    kind = spec.kind
    # bool is an int in Python: `concurrency = true` must not read as one worker.
    if isinstance(value, bool) and kind is not bool:
        return value, "wrong type"
    if kind is float and isinstance(value, int):
        if abs(value) > 2**53:  # float() of it would be inexact, or overflow
            return value, "out of range"
        value = float(value)
    if not isinstance(value, kind):
        return value, "wrong type"
    if isinstance(value, float) and not math.isfinite(value):
        return value, "not a finite number"
    if isinstance(value, int | float) and not isinstance(value, bool):
        low = -math.inf if spec.low is None else spec.low
        high = math.inf if spec.high is None else spec.high
        return value, None if low <= value <= high else "out of range"
    if isinstance(value, str):
        return value, _check_str(value, spec)
    if isinstance(value, list):
        if len(value) > 1000:
            return value, "more than 1,000 entries"
        for entry in value:
            reason = "not a string" if not isinstance(entry, str) else _check_str(entry, spec)
            if reason:
                return value, f"the entry {_show(entry)} is {reason}"
        return list(value), None
    if isinstance(value, dict) and not spec.table:  # a table of strings
        for key, entry in value.items():
            reason = "not a string" if not isinstance(entry, str) else _check_str(entry, spec)
            if not key.strip() or len(key) > NAME or _control(key, False):
                reason = "a bad name"
            if reason:
                return value, f"{key} = {_show(entry)} is {reason}"
        return dict(value), None
    return value, None


def _problem(path: Path, key: str, value: Any, spec: Setting, reason: str) -> ConfigError:
    return ConfigError(
        f"config {path}: {key} = {_show(value)}: {reason}; expected {spec.describe()}"
    )


def _unknown(path: Path, key: str, known: Mapping[str, Setting]) -> ConfigError:
    close = difflib.get_close_matches(key.split(".")[-1], list(known), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return ConfigError(f"config {path}: unknown key {key!r}{hint}")


def _read_table(
    path: Path, data: Mapping[str, Any], keys: Mapping[str, Setting], prefix: str
) -> dict[str, Any]:
    """The table's values checked against `keys`; raises ConfigError on the first bad one."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = prefix + key
        spec = keys.get(key)
        if spec is None:
            raise _unknown(path, name, keys)
        if spec.table:  # checked against its own declaration by the caller
            if not isinstance(value, dict):
                raise _problem(path, name, value, spec, "wrong type")
            out[key] = value
            continue
        checked, reason = check_value(spec, value)
        if reason:
            raise _problem(path, name, value, spec, reason)
        out[key] = checked
    return out


def _read_publish(path: Path, data: Mapping[str, Any]) -> dict[str, Any]:
    """The [publish] table: `to`, and each target's table checked by its keys (a password or
    token in one refused, with the way to give it)."""
    out = _read_table(path, data, PUBLISH_TABLES, "publish.")
    for name, keys in PUBLISH_KEYS.items():
        table = out.get(name)
        if table is None:
            continue
        for key in table:
            if key in SECRET_KEYS:
                variable, service = SECRET_KEYS[key]
                raise ConfigError(
                    f"config {path}: [publish.{name}] holds a {key} in clear: remove it, and "
                    f"set {variable} or store it with `keyring set {service} ACCOUNT`"
                )
        out[name] = _read_table(path, table, keys, f"publish.{name}.")
    return out


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("REVUE_CONFIG"):
        return Path(env["REVUE_CONFIG"]).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP)) / "config.toml"


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read the config file (defaults when it does not exist)."""
    env = os.environ if env is None else env
    # A file named (REVUE_CONFIG, or the caller's) must exist: a typo in its name would
    # otherwise run every command on the defaults without a word.
    from_env = path is None and bool(env.get("REVUE_CONFIG"))
    named = path is not None or from_env
    path = path or config_path(env)
    cfg = Config()
    if env.get("REVUE_REVIEWS_DIR"):
        cfg.reviews_dir = env["REVUE_REVIEWS_DIR"]
    try:
        raw = read_capped(path, MAX_CONFIG_BYTES)
    except FileNotFoundError:
        if named:
            named_by = " (named by REVUE_CONFIG)" if from_env else ""
            raise ConfigError(f"config {path}{named_by}: no such file") from None
        return cfg
    except OSError as exc:
        raise ConfigError(f"config {path}: cannot read ({exc.strerror})") from None
    if raw is None:
        raise ConfigError(f"config {path}: larger than {size_text(MAX_CONFIG_BYTES)}")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"config {path}: not valid TOML ({exc})") from None
    except RecursionError:
        raise ConfigError(f"config {path}: not valid TOML (nested too deeply)") from None
    top = _read_table(path, data, KEYS, "")
    fetch = top.pop("fetch", {})
    fetch = _read_table(path, fetch, FETCH_KEYS, "fetch.")
    compose = _read_table(path, top.pop("compose", {}), COMPOSE_KEYS, "compose.")
    wordpress = top.pop("wordpress", {})
    if "password" in wordpress:
        raise ConfigError(
            f"config {path}: [wordpress] holds a password in clear: remove it, and set "
            f"REVUE_WORDPRESS_PASSWORD or store it with `keyring set {KEYRING_SERVICE} USER`"
        )
    cfg.wordpress = _read_table(path, wordpress, WORDPRESS_KEYS, "wordpress.")
    cfg.publish = _read_publish(path, top.pop("publish", {}))
    inbox = top.pop("inbox", {})
    if "password" in inbox:
        raise ConfigError(
            f"config {path}: [inbox] holds a password in clear: remove it, and set "
            f"REVUE_IMAP_PASSWORD or store it with `keyring set {IMAP_KEYRING_SERVICE} USER`"
        )
    cfg.inbox = _read_table(path, inbox, INBOX_KEYS, "inbox.")
    _check_inbox(path, cfg.inbox)
    for key, value in top.items():
        setattr(cfg, key, value)
    cfg.fetch.update(fetch)
    cfg.compose = {
        lang: _read_table(path, table, LANG_KEYS, f"compose.{lang}.")
        for lang, table in compose.items()
    }
    if key_reviews := env.get("REVUE_REVIEWS_DIR"):
        cfg.reviews_dir = key_reviews
    cfg.hashtags = [h.lstrip("#").strip() for h in cfg.hashtags if h.strip("# ")]
    cfg.path = path
    return cfg


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def _check_inbox(path: Path, table: dict[str, Any]) -> None:
    """An IMAP address revue may send a password to: imaps://, or plain imap:// on this
    machine only (a password in clear never crosses a network)."""
    from urllib.parse import urlsplit

    url = table.get("url")
    if url is None:
        return
    spec = INBOX_KEYS["url"]
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018
    except ValueError:
        raise _problem(path, "inbox.url", url, spec, "a bad port") from None
    scheme = parts.scheme.lower()
    if scheme not in ("imap", "imaps") or not parts.hostname:
        raise _problem(path, "inbox.url", url, spec, "not an imaps:// address")
    if scheme == "imap" and parts.hostname not in LOOPBACK_HOSTS:
        raise _problem(path, "inbox.url", url, spec, "imap:// sends the password in clear")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise _problem(path, "inbox.url", url, spec, "holds more than a host and a folder")
    # imaplib sends folder names as ASCII (IMAP's own UTF-7 for the others is not done here).
    for key, value in (("url", url), ("done_folder", table.get("done_folder"))):
        if value is not None and not value.isascii():
            raise _problem(path, f"inbox.{key}", value, INBOX_KEYS[key], "not ASCII")


def db_path(cli_value: str | None, cfg: Config, env: Mapping[str, str] | None = None) -> Path:
    """The database file, by the numbered lookup order of the module docstring."""
    env = os.environ if env is None else env
    for candidate in (cli_value, env.get("REVUE_DB"), cfg.db):
        if candidate:
            return Path(candidate).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP)) / "revue.db"


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
    config file (load_config checked the table and refused a password in it)."""
    env = os.environ if env is None else env
    table = cfg.wordpress
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


@dataclass(frozen=True)
class InboxAccount:
    """The mailbox `revue inbox pull` reads: `[inbox]` in the config, and the IMAP
    password from the environment or the keyring."""

    url: str | None
    user: str | None
    maildir: Path | None
    me: tuple[str, ...]
    newsletters: tuple[str, ...]
    done_folder: str | None
    max_bytes: int
    password: str | None = field(default=None, repr=False)
    password_note: str = ""  # why there is no password, when there is none


def inbox_account(cfg: Config, env: Mapping[str, str] | None = None) -> InboxAccount:
    """The `[inbox]` settings; the IMAP password from REVUE_IMAP_PASSWORD, else the system
    keyring (service "revue-imap", the user's name), never from the config file."""
    env = os.environ if env is None else env
    table = cfg.inbox
    maildir = table.get("maildir")
    user = table.get("user")
    password = env.get("REVUE_IMAP_PASSWORD") or None
    note = ""
    if table.get("url") and not password:
        if user:
            password, note = _keyring_password(user, IMAP_KEYRING_SERVICE)
        else:
            note = "no [inbox] user"
    return InboxAccount(
        url=table.get("url"),
        user=user,
        maildir=Path(maildir).expanduser() if maildir else None,
        me=tuple(a.strip().lower() for a in table.get("me", [])),
        newsletters=tuple(a.strip().lower() for a in table.get("newsletters", [])),
        done_folder=table.get("done_folder"),
        max_bytes=int(table.get("max_bytes", INBOX_KEYS["max_bytes"].default)),
        password=password,
        password_note=note,
    )


def _keyring_password(user: str, service: str = KEYRING_SERVICE) -> tuple[str | None, str]:
    """(the password the keyring holds for `user`, or None and why)."""
    return _keyring_secret(KEYRING_SERVICE, user)


def _keyring_secret(service: str, user: str) -> tuple[str | None, str]:
    """(the secret the keyring holds for `service` and `user`, or None and why)."""
    try:
        # Optional: most servers running revue from cron have no keyring; the variable does.
        import keyring
        import keyring.errors
    except ImportError:
        return None, f"the keyring package is not installed: pip install '{DISTRIBUTION}[keyring]'"
    try:
        password = keyring.get_password(service, user)
    except keyring.errors.KeyringError as exc:
        return None, f"the keyring is not usable here ({exc})"
    if not password:
        return None, f"the keyring holds no password for {service} / {user}"
    return str(password), ""


@dataclass(frozen=True)
class Secret:
    """A password or token for a publish target: from its environment variable, else the
    system keyring; never from the config file."""

    value: str | None = field(default=None, repr=False)
    source: str = ""  # the variable's name, "keyring" or "" (none found)
    note: str = ""  # why the keyring gave nothing, when it did not


def secret(
    variable: str, service: str, account: str, env: Mapping[str, str] | None = None
) -> Secret:
    """The secret in `variable`, else the keyring's for (`service`, `account`)."""
    env = os.environ if env is None else env
    value = env.get(variable) or None
    if value:
        return Secret(value, variable)
    value, note = _keyring_secret(service, account)
    return Secret(value, "keyring" if value else "", note)
