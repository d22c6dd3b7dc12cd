"""The mailboxes `revue inbox pull` reads: an IMAP folder, or a Maildir on this machine.

Both give the same small interface (`Folder`): the folder's identity (`name`, and
`uidvalidity`, which IMAP changes when it renumbers a folder), its messages' ids, a message's
size before it is read, its bytes, and `done` (flag it \\Seen, or move it to the done
folder). Nothing is ever deleted but by a move. Every network wait is bounded (imaplib's
timeout); every failure of the server is a `Refused` naming it.
"""

from __future__ import annotations

import contextlib
import imaplib
import mailbox
import os
import re
import socket
import ssl
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from revue.errors import BadInput, Refused

TIMEOUT_S = 30.0  # seconds a single IMAP answer may take
HEADER_BYTES = 65_536  # read of a message too large to read whole, to name it


class Folder(Protocol):
    name: str  # where the messages are, as the inbox's record names it
    uidvalidity: int
    done_folder: str | None  # where `done` moves a message (None: it flags it \Seen)

    def uids(self) -> list[str]: ...
    def unseen(self) -> set[str]: ...
    def size(self, uid: str) -> int | None: ...
    def head(self, uid: str) -> bytes: ...
    def read(self, uid: str) -> bytes: ...
    def done(self, uid: str) -> None: ...
    def close(self) -> None: ...


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ImapFolder:
    """One folder of an IMAP account, selected read-write; messages read with BODY.PEEK
    (reading flags nothing: only `done` does)."""

    def __init__(
        self,
        url: str,
        user: str,
        password: str,
        *,
        done_folder: str | None = None,
        timeout: float = TIMEOUT_S,
    ) -> None:
        parts = urlsplit(url)
        secure = parts.scheme.lower() == "imaps"
        host = parts.hostname or ""
        port = parts.port or (993 if secure else 143)
        self.folder = unquote(parts.path.strip("/")) or "INBOX"
        self.name = f"{parts.scheme.lower()}://{user}@{host}:{port}/{self.folder}"
        self.done_folder = done_folder
        self.where = f"IMAP {host}:{port}"
        try:
            if secure:
                context = ssl.create_default_context()
                self.conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    host, port, ssl_context=context, timeout=timeout
                )
            else:
                self.conn = imaplib.IMAP4(host, port, timeout=timeout)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise Refused(f"{self.where}: cannot connect ({_why(exc)})") from None
        try:
            self.conn.login(user, password)
        except imaplib.IMAP4.error as exc:
            self._drop()
            raise Refused(f"{self.where}: login refused for {user} ({_why(exc)})") from None
        except OSError as exc:
            self._drop()
            raise Refused(f"{self.where}: {_why(exc)}") from None
        status, data = self._call("select", _quoted(self.folder))
        if status != "OK":
            self.close()
            raise Refused(f"{self.where}: no folder {self.folder!r} ({_text(data)})")
        _, validity = self.conn.response("UIDVALIDITY")
        try:
            self.uidvalidity = int(validity[0]) if validity and validity[0] else 0
        except (TypeError, ValueError):
            self.uidvalidity = 0

    def _call(self, method: str, *args: str) -> tuple[str, list[object]]:
        try:
            status, data = getattr(self.conn, method)(*args)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise Refused(f"{self.where}: {method.upper()} failed ({_why(exc)})") from None
        return str(status), list(data)

    def _uid(self, *args: str) -> list[object]:
        status, data = self._call("uid", *args)
        if status != "OK":
            raise Refused(f"{self.where}: UID {args[0]} failed ({_text(data)})")
        return data

    def uids(self) -> list[str]:
        data = self._uid("SEARCH", "ALL")
        return [u.decode() for u in (data[0] or b"").split()] if isinstance(data[0], bytes) else []

    def unseen(self) -> set[str]:
        data = self._uid("SEARCH", "UNSEEN")
        return (
            {u.decode() for u in (data[0] or b"").split()} if isinstance(data[0], bytes) else set()
        )

    def size(self, uid: str) -> int | None:
        for entry in self._uid("FETCH", uid, "(RFC822.SIZE)"):
            line = entry[0] if isinstance(entry, tuple) else entry
            if isinstance(line, bytes) and (found := re.search(rb"RFC822\.SIZE (\d+)", line)):
                return int(found.group(1))
        return None

    def _body(self, uid: str, what: str) -> bytes:
        for entry in self._uid("FETCH", uid, f"({what})"):
            if isinstance(entry, tuple) and len(entry) >= 2 and isinstance(entry[1], bytes):
                return entry[1]
        return b""

    def head(self, uid: str) -> bytes:
        return self._body(uid, "BODY.PEEK[HEADER]")[:HEADER_BYTES]

    def read(self, uid: str) -> bytes:
        return self._body(uid, "BODY.PEEK[]")

    def done(self, uid: str) -> None:
        if not self.done_folder:
            self._uid("STORE", uid, "+FLAGS", "(\\Seen)")
            return
        target = _quoted(self.done_folder)
        self._call("create", target)  # "already exists" is no error here
        self._uid("STORE", uid, "+FLAGS", "(\\Seen)")
        if b"MOVE" in self._capabilities():
            self._uid("MOVE", uid, target)
        else:
            self._uid("COPY", uid, target)
            self._uid("STORE", uid, "+FLAGS", "(\\Deleted)")
            self._call("expunge")

    def _capabilities(self) -> set[bytes]:
        status, data = self._call("capability")
        return set(data[0].split()) if status == "OK" and isinstance(data[0], bytes) else set()

    def _drop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.shutdown()

    def close(self) -> None:
        try:
            self.conn.logout()
        except (OSError, imaplib.IMAP4.error):
            self._drop()


class MaildirFolder:
    """A Maildir (new/, cur/, tmp/): its messages by their unique names."""

    def __init__(self, path: Path, *, done_folder: str | None = None) -> None:
        if not all((path / sub).is_dir() for sub in ("new", "cur", "tmp")):
            raise BadInput(f"[inbox] maildir {path}: not a Maildir (it needs new/, cur/, tmp/)")
        self.path = path
        self.box = mailbox.Maildir(path, factory=None, create=False)
        self.name = f"maildir:{path.resolve()}"
        self.uidvalidity = 0  # a Maildir's unique names are never reused
        self.done_folder = done_folder

    def uids(self) -> list[str]:
        return sorted(self.box.keys(), key=_arrival)

    def unseen(self) -> set[str]:
        found: set[str] = set()
        for sub in ("new", "cur"):
            for entry in os.listdir(self.path / sub):
                key, _, info = entry.partition(self.box.colon)
                if sub == "new" or "S" not in info.partition(",")[2]:
                    found.add(key)
        return found

    def size(self, uid: str) -> int | None:
        try:
            with self.box.get_file(uid) as handle:
                handle.seek(0, os.SEEK_END)
                return handle.tell()
        except (KeyError, OSError):
            return None

    def head(self, uid: str) -> bytes:
        with self.box.get_file(uid) as handle:
            return handle.read(HEADER_BYTES)

    def read(self, uid: str) -> bytes:
        return self.box.get_bytes(uid)

    def done(self, uid: str) -> None:
        message = self.box.get_message(uid)
        message.set_subdir("cur")
        message.add_flag("S")
        if not self.done_folder:
            self.box[uid] = message
            return
        try:
            target = self.box.get_folder(self.done_folder)
        except mailbox.NoSuchMailboxError:
            target = self.box.add_folder(self.done_folder)
        target.add(message)
        self.box.remove(uid)

    def close(self) -> None:
        self.box.close()


def _arrival(key: str) -> tuple[int, int, str]:
    """A Maildir name's delivery time ("1733551200.M5021P42Q3.host": seconds, then
    microseconds, not zero-padded), so that mails are filed in the order they came."""
    found = re.match(r"(\d+)\.(?:M(\d+))?", key)
    if found is None:
        return (0, 0, key)
    return (int(found.group(1)), int(found.group(2) or 0), key)


def _why(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, ssl.SSLError):
        return f"TLS: {exc.reason or exc}"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = exc.args[0] if exc.args else str(exc)
    return _text([text]) or type(exc).__name__


def _text(data: list[object]) -> str:
    first = data[0] if data else b""
    text = first.decode("utf-8", "replace") if isinstance(first, bytes) else str(first)
    return "".join(c for c in text if c.isprintable())[:200]
