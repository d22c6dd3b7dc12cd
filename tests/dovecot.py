"""A real IMAP server on 127.0.0.1 for the inbox tests, started and stopped by the tests.

Debian's `dovecot-imapd` gives the server; nothing under /etc or /var is touched and no
system service is used: `dovecot -F -c CONFIG` runs in the foreground with a config written
in a temporary folder (its own passwd-file user database, Maildir storage under that
folder, its runtime and state directories there too), as the current user, listening on a
free port of 127.0.0.1 with plain IMAP (no TLS: loopback only, which revue allows for
imap://). `stop()` ends the server's whole process group and removes the folder.
"""

from __future__ import annotations

import contextlib
import grp
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PACKAGE = "dovecot-imapd"
START_DEADLINE_S = 30.0


def _find(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin:/sbin")


def missing() -> list[str]:
    """What is missing to run dovecot here (empty: everything is there)."""
    absent = [] if _find("dovecot") else ["dovecot"]
    if not Path("/usr/lib/dovecot/imap").exists():
        absent.append("/usr/lib/dovecot/imap")
    return absent


def _user(name: str) -> str:
    try:
        return pwd.getpwnam(name).pw_name
    except KeyError:
        return "nobody"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Dovecot:
    user = "curator"
    password = "s3cret-imap"

    def __init__(self) -> None:
        # Short: dovecot's Unix sockets live under base_dir (a path under 108 bytes).
        self.root = Path(tempfile.mkdtemp(prefix="revue-imap-"))
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.config = self.root / "dovecot.conf"
        self.log = self.root / "dovecot.log"

    def start(self) -> Dovecot:
        try:
            self._write_config()
            self._spawn()
        except BaseException:
            self.stop()
            raise
        return self

    def _write_config(self) -> None:
        me = pwd.getpwuid(os.getuid()).pw_name
        group = grp.getgrgid(os.getgid()).gr_name
        for sub in ("run", "state", "home"):
            (self.root / sub).mkdir()
        login_user = internal_user = me
        uid, gid = os.getuid(), os.getgid()
        if os.getuid() == 0:
            # Dovecot's login and auth processes refuse to run as root: as root (a CI
            # container), they run as the users the package made, and must reach the folder.
            login_user = _user("dovenull")
            internal_user = _user("dovecot")
            self.root.chmod(0o755)
            # Nor may the mail be root's: it is the package's own user's, in its home here.
            uid, gid = pwd.getpwnam(internal_user)[2:4]
            os.chown(self.root / "home", uid, gid)
        (self.root / "users").write_text(f"{self.user}:{{PLAIN}}{self.password}\n")
        self.port = _free_port()
        self.config.write_text(
            f"""
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.log}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {group if internal_user == me else internal_user}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:~/Maildir
mail_uid = {uid}
mail_gid = {gid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={self.root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service auth {{
  user = {internal_user}
}}
service auth-worker {{
  user = {internal_user}
}}
"""
        )

    def _spawn(self) -> None:
        dovecot = _find("dovecot")
        assert dovecot is not None
        with open(self.log.with_suffix(".out"), "ab") as out:
            self.proc = subprocess.Popen(
                [dovecot, "-F", "-c", str(self.config)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, ended as a whole
            )
        deadline = time.monotonic() + START_DEADLINE_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock,
            ):
                if sock.recv(100).startswith(b"* OK"):
                    return
            time.sleep(0.05)
        logs = "".join(
            p.read_text(errors="replace")[-2000:]
            for p in (self.log, self.log.with_suffix(".out"))
            if p.exists()
        )
        raise RuntimeError(f"dovecot did not start:\n{logs}")

    @property
    def maildir(self) -> Path:
        return self.root / "home" / self.user / "Maildir"

    def url(self, folder: str = "revue") -> str:
        return f"imap://127.0.0.1:{self.port}/{folder}"

    def connect(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        conn.login(self.user, self.password)
        return conn

    def deliver(self, folder: str, *messages: bytes) -> None:
        """Put the messages in `folder` (made when missing) by IMAP APPEND, unread."""
        conn = self.connect()
        try:
            conn.create(folder)
            for raw in messages:
                status, data = conn.append(folder, "", None, raw)
                assert status == "OK", data
        finally:
            conn.logout()

    def flags(self, folder: str) -> dict[str, set[str]]:
        """Each message's Message-ID and its flags."""
        conn = self.connect()
        found: dict[str, set[str]] = {}
        try:
            status, _ = conn.select(folder, readonly=True)
            if status != "OK":
                return found
            status, data = (
                conn.fetch("1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
                if int(conn.response("EXISTS")[1][0] or 0)
                else ("OK", [])
            )
            for entry in data:
                if isinstance(entry, tuple):
                    flags = entry[0].decode().split("FLAGS (", 1)[1].split(")", 1)[0]
                    header = entry[1].decode().split(":", 1)[-1].strip()
                    found[header] = set(flags.split()) - {"\\Recent"}
        finally:
            conn.logout()
        return found

    def stop(self) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        if proc is not None:
            # Dovecot's own processes (auth, imap) are in its group: none is left behind.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        self.proc = None
        shutil.rmtree(self.root, ignore_errors=True)
