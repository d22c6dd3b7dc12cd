"""A real WordPress on 127.0.0.1 for the publish tests, started and stopped by the tests.

Debian's packages (`apt-get install --no-install-recommends wordpress mariadb-server php-cli
php-mysql`) give the parts; nothing under /etc or /var is touched and no system service is
used:

- MariaDB: `mariadbd --no-defaults --skip-grant-tables` on an empty temporary data
  directory, listening on a Unix socket in that directory only (no TCP port at all);
- WordPress: a copy of the tree the package installs (/usr/share/wordpress, its library
  wp-includes linked rather than copied) with this
  module's own wp-config.php (`WP_ENVIRONMENT_TYPE` `local`: application passwords over
  plain http), served by `php -S 127.0.0.1:PORT` with a few workers (WordPress calls itself
  while it installs);
- the site is installed by a POST to wp-admin/install.php?step=2 and the application
  password made by `php` loading wp-load.php.

`stop()` ends the two servers (their whole process groups) and removes the directory.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

WP_TREE = Path("/usr/share/wordpress")
PACKAGES = "wordpress mariadb-server php-cli php-mysql"
START_DEADLINE_S = 60.0


def _find(name: str) -> str | None:
    # mariadbd lives in /usr/sbin, which is not on a plain user's PATH.
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin:/sbin")


def missing() -> list[str]:
    """What is missing to run a WordPress here (empty: everything is there)."""
    absent = [name for name in ("mariadbd", "php") if _find(name) is None]
    if not (WP_TREE / "wp-load.php").exists():
        absent.append(str(WP_TREE))
    php = _find("php")
    if php is not None:
        probe = subprocess.run(
            [php, "-r", "exit(extension_loaded('mysqli') ? 0 : 1);"],
            capture_output=True,
            timeout=30,
            check=False,
        )
        if probe.returncode != 0:
            absent.append("php's mysqli (php-mysql)")
    return absent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(check: Any, what: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_DEADLINE_S
    while time.monotonic() < deadline:
        if check():
            return
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    raise RuntimeError(f"{what} did not start:\n{tail}")


WP_CONFIG = """<?php
// Written by the revue tests: a throwaway site on 127.0.0.1.
define('DB_NAME', 'wordpress');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', 'localhost:{socket}');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
{keys}
define('WP_ENVIRONMENT_TYPE', 'local');
define('WP_CONTENT_DIR', __DIR__ . '/wp-content');
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('DISABLE_WP_CRON', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
$table_prefix = 'wp_';
if (!defined('ABSPATH')) {{
    define('ABSPATH', __DIR__ . '/');
}}
require_once ABSPATH . 'wp-settings.php';
"""

# Like a web server without rewrite rules (a site without pretty permalinks): /wp-json/...
# is a 404 page while the flag file is there; everything else is served as usual.
ROUTER = """<?php
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if (file_exists(__DIR__ . '/no-rewrite') && strpos($path, '/wp-json') === 0) {
    http_response_code(404);
    header('Content-Type: text/html; charset=UTF-8');
    echo '<h1>Not Found</h1>';
    return true;
}
return false;
"""


class WordPressSite:
    """One WordPress; `url`, `user` and `password` (an application password) once started."""

    user = "curator"

    def __init__(self) -> None:
        # Short: a Unix socket path must stay under 108 bytes.
        self.root = Path(tempfile.mkdtemp(prefix="revue-wp-"))
        self.socket = self.root / "mysql.sock"
        self.site = self.root / "site"
        self.url = ""
        self.password = ""
        self._procs: list[subprocess.Popen[bytes]] = []

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> WordPressSite:
        try:
            self._start_mariadb()
            self._copy_tree()
            self._start_php()
            self._install()
            self.password = self.app_password(self.user)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for proc in reversed(self._procs):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)
            # php -S workers are the server's children, in its process group.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        self._procs.clear()
        shutil.rmtree(self.root, ignore_errors=True)

    def _spawn(self, argv: list[str], log: Path, env: dict[str, str] | None = None) -> Any:
        with open(log, "ab") as out:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(env or {})},
                start_new_session=True,  # its own process group, ended as a whole
            )
        self._procs.append(proc)
        return proc

    def _start_mariadb(self) -> None:
        datadir = self.root / "db"
        datadir.mkdir()
        log = self.root / "mariadb.log"
        # An empty data directory and no grant tables: WordPress needs only its own database,
        # and skipping mariadb-install-db saves seconds. The socket, in a private directory,
        # is the only way in (no TCP port), so no password is needed either.
        proc = self._spawn(
            [
                str(_find("mariadbd")),
                "--no-defaults",
                f"--datadir={datadir}",
                f"--socket={self.socket}",
                "--skip-networking",
                "--skip-grant-tables",
                f"--pid-file={self.root / 'mariadb.pid'}",
                "--innodb-buffer-pool-size=32M",
                "--innodb-log-file-size=8M",
                "--innodb-flush-log-at-trx-commit=0",
                "--skip-log-bin",
                *(["--user=root"] if os.geteuid() == 0 else []),
            ],
            log,
        )
        _wait_for(self.socket.exists, "MariaDB", proc, log)
        self.php_code(
            "$db = new mysqli('localhost', 'root', '', '', 0, getenv('SOCK'));"
            "$db->query('CREATE DATABASE wordpress CHARACTER SET utf8mb4');",
            load=False,
            env={"SOCK": str(self.socket)},
        )

    def _copy_tree(self) -> None:
        # A copy, not links, of what finds wp-config.php beside its own real path (wp-load.php,
        # wp-admin/); the library (46 MB of wp-includes, found through ABSPATH) is linked.
        shutil.copytree(
            WP_TREE,
            self.site,
            symlinks=True,
            ignore=shutil.ignore_patterns("wp-config.php", "wp-includes"),
        )
        (self.site / "wp-includes").symlink_to(WP_TREE / "wp-includes")
        with contextlib.suppress(FileNotFoundError):
            (self.site / ".htaccess").unlink()
        (self.site / "wp-content" / "uploads").mkdir(parents=True, exist_ok=True)
        keys = "\n".join(
            f"define('{name}', '{secrets.token_hex(16)}');"
            for name in (
                "AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
                "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT",
            )
        )  # fmt: skip
        (self.site / "wp-config.php").write_text(
            WP_CONFIG.format(socket=self.socket, keys=keys), encoding="utf-8"
        )

    @property
    def rewrites(self) -> bool:
        """Whether the web server sends /wp-json/... to WordPress (pretty permalinks work)."""
        return not (self.root / "no-rewrite").exists()

    @rewrites.setter
    def rewrites(self, on: bool) -> None:
        flag = self.root / "no-rewrite"
        if on:
            flag.unlink(missing_ok=True)
        else:
            flag.touch()

    def _start_php(self) -> None:
        log = self.root / "php.log"
        router = self.root / "router.php"
        router.write_text(ROUTER, encoding="utf-8")
        for _ in range(3):  # a port taken between the probe and the bind: try another
            port = _free_port()
            proc = self._spawn(
                [str(_find("php")), "-S", f"127.0.0.1:{port}", "-t", str(self.site), str(router)],
                log,
                env={"PHP_CLI_SERVER_WORKERS": "4"},
            )
            self.url = f"http://127.0.0.1:{port}"

            def answers(port: int = port) -> bool:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                        return True
                except OSError:
                    return False

            try:
                _wait_for(answers, "php -S", proc, log)
                return
            except RuntimeError:
                if proc.poll() is None:
                    raise
        raise RuntimeError("php -S found no free port")

    def _install(self) -> None:
        response = httpx.post(
            f"{self.url}/wp-admin/install.php?step=2",
            data={
                "weblog_title": "Revue test blog",
                "user_name": self.user,
                "admin_password": "an admin password not used",
                "admin_password2": "an admin password not used",
                "pw_weak": "1",
                "admin_email": "curator@example.org",
                "blog_public": "0",
                "language": "",
            },
            timeout=120,
            trust_env=False,
        )
        if response.status_code != 200 or "wp-login.php" not in response.text:
            raise RuntimeError(f"WordPress install failed: HTTP {response.status_code}")

    # -- helpers for the tests ---------------------------------------------------------------

    def php_code(self, code: str, *, load: bool = True, env: dict[str, str] | None = None) -> str:
        """Run PHP code (after loading WordPress unless `load` is false); its output."""
        prelude = (
            f"$_SERVER['HTTP_HOST'] = '{self.url.split('://', 1)[-1]}';"
            f"require '{self.site / 'wp-load.php'}';"
            if load
            else ""
        )
        done = subprocess.run(
            [str(_find("php")), "-r", prelude + code],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, **(env or {})},
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"php failed ({done.returncode}): {done.stdout}{done.stderr}")
        return done.stdout

    def app_password(self, login: str) -> str:
        """A new application password for the user `login`."""
        return self.php_code(
            f"$u = get_user_by('login', '{login}');"
            "list($pw) = WP_Application_Passwords::create_new_application_password("
            "$u->ID, array('name' => 'revue ' . wp_generate_password(6, false)));"
            "echo $pw;"
        ).strip()

    def add_user(self, login: str, role: str) -> str:
        """A user with that role; their application password."""
        self.php_code(
            f"wp_insert_user(array('user_login' => '{login}', 'user_pass' => "
            f"wp_generate_password(), 'user_email' => '{login}@example.org', 'role' => '{role}'));"
        )
        return self.app_password(login)

    def get(self, route: str, **params: str) -> Any:
        """A REST resource as the curator sees it (edit context: raw fields)."""
        response = httpx.get(
            f"{self.url}/",
            params={"rest_route": route, "context": "edit", **params},
            auth=(self.user, self.password),
            timeout=60,
            trust_env=False,
        )
        response.raise_for_status()
        return response.json()

    def term_names(self, taxonomy: str, ids: list[int]) -> set[str]:
        return {self.get(f"/wp/v2/{taxonomy}/{i}")["name"] for i in ids}

    def pids(self) -> list[int]:
        return [p.pid for p in self._procs]
