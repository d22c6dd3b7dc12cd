"""The README and the docs keep up with the code: every command has help text and its place in
the command reference; the generated pages are what the code makes today; the site builds
with no broken link; the README's and the tutorial's commands run, against a local site and
a local blog."""

import os
import pty
import re
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cogapp import Cog

from fakewp import PASSWORD, FakeWordPress
from loopback import LoopbackServer

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT / "scripts"))
import docgen  # noqa: E402


def sh_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, flags=re.S)


def test_every_command_has_help_and_a_place_in_the_reference() -> None:
    reference = (DOCS / "reference" / "commands.md").read_text(encoding="utf-8")
    paths = docgen.command_paths()
    assert ("feed", "pull") in paths and ("reviews", "rm") in paths
    for path in paths:
        name = " ".join(path)
        assert docgen.help_text(path).count("\n") > 2, f"revue {name} has no help text"
        assert f"\n## revue {name}\n" in reference, f"revue {name} is not in the reference"


@pytest.mark.parametrize("page", docgen.PAGES)
def test_the_generated_pages_are_what_the_code_makes(page: str) -> None:
    """A stale page fails: `python scripts/docgen.py` regenerates them."""
    text = (ROOT / page).read_text(encoding="utf-8")
    assert "[[[cog" in text
    assert Cog().process_string(text, fname=page) == text, (
        f"{page} is stale: run python scripts/docgen.py"
    )


def test_every_page_with_cog_blocks_is_regenerated() -> None:
    with_blocks = {
        str(path.relative_to(ROOT))
        for path in DOCS.rglob("*.md")
        if "[[[cog" in path.read_text(encoding="utf-8")
    }
    assert with_blocks == set(docgen.PAGES)


def test_a_config_key_without_a_meaning_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from revue import config

    keys = {**config.KEYS, "new_key": config.Setting(str, None)}
    monkeypatch.setattr(config, "KEYS", keys)
    with pytest.raises(AssertionError, match="new_key has no meaning"):
        docgen.config_reference()


def test_the_configuration_reference_names_every_key_its_default_and_meaning() -> None:
    from revue import config

    page = (DOCS / "reference" / "configuration.md").read_text(encoding="utf-8")
    for prefix, keys in (("", config.KEYS), ("fetch.", config.FETCH_KEYS)):
        for name, spec in keys.items():
            [row] = [line for line in page.splitlines() if line.startswith(f"| `{prefix}{name}` |")]
            assert spec.doc in row.replace("\\|", "|")
    assert "| `fetch.concurrency` | integer | `16` | a whole number from 1 to 256 |" in page


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    """mkdocs build --strict: a broken link, a missing page or a page out of the nav fails."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "site" / "reference" / "commands" / "index.html").exists()
    assert (tmp_path / "site" / "example-review.png").exists()


def test_the_readme_is_short_and_runs_every_block() -> None:
    assert len(README.splitlines()) < 150
    fences = re.findall(r"^```(\w*)$", README, flags=re.M)
    # Only shell blocks (and their closing fences): the two set-up commands, the first week.
    assert [f for f in fences if f] == ["sh", "sh", "sh"]


def test_ci_runs_the_readme_test_command_exactly() -> None:
    blocks = sh_blocks(README)
    test_cmd = next(line for line in blocks[1].splitlines() if line and not line.startswith("#"))
    assert (
        test_cmd
        == "python3 -m venv .venv && . .venv/bin/activate && pip install -q -e '.[test]' && pytest -q -n 2"
    )
    assert test_cmd in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


# -- the quickstart (issue 22, point 8) ---------------------------------------------------

INSTALL = "python3 -m venv .venv && . .venv/bin/activate && pip install -q -e . && "


def quickstart() -> str:
    """The README's first command, less the install this test's venv has done."""
    block = sh_blocks(README)[0]
    [command] = [line for line in block.splitlines() if line and not line.startswith("#")]
    assert command.startswith(INSTALL), command
    return command.removeprefix(INSTALL)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("online", [True, False], ids=["online", "offline"])
def test_the_quickstart_shows_a_review_and_leaves_nothing_behind(
    tmp_path: Path, server: LoopbackServer, online: bool
) -> None:
    page = "<html><head><title>Example Domain</title></head><body><p>Un exemple.</p></body></html>"
    url = server.route("/", page) if online else f"http://127.0.0.1:{closed_port()}/"
    command = quickstart().replace("https://example.org/", url)
    # A new user's machine: a clone to run it in, a home with no revue data, a temp dir.
    machine = tmp_path / "machine"
    clone, home, tmp = machine / "clone", machine / "home", machine / "tmp"
    for folder in (clone, home, tmp):
        folder.mkdir(parents=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("REVUE_", "XDG_")) and key not in ("HOME", "TMPDIR")
    }
    env.update(HOME=str(home), TMPDIR=str(tmp))
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    proc = subprocess.run(
        ["bash", "-c", command],
        cwd=clone,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    # Online, `add` shows the page it found first; then the review.
    assert re.search(r"^# Revue de presse marketing/techno du ", proc.stdout, re.M), proc.stdout
    assert f"<{url}> = À lire" in proc.stdout, proc.stdout
    assert ("Example Domain" in proc.stdout) == online
    left = [str(p) for p in machine.rglob("*") if p not in (clone, home, tmp)]
    assert left == []  # no database, review, feed or lock: in the clone, the home or /tmp


# -- the README's first week and the tutorial, run as written ------------------------------

TUTORIAL = (DOCS / "tutorial.md").read_text(encoding="utf-8")
BLOG = "https://blog.example.org"


def page_for(url: str) -> str:
    """A page standing in for the article at `url`: a title from its last words, a handle."""
    words = url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".php").replace("-", " ")
    return (
        f'<html lang="fr"><head><title>{words.capitalize()}</title>'
        '<meta name="twitter:site" content="@journal"></head>'
        f"<body><p>Un article sur {words}.</p></body></html>"
    )


def localised(script: str, server: LoopbackServer, blog: FakeWordPress) -> str:
    """The commands with each article's address served by the loopback site, the blog's by
    the fake blog: nothing leaves the machine."""

    def local(match: re.Match[str]) -> str:
        url = match.group(0)
        if url == BLOG:
            return blog.base
        path = "/" + url.split("/", 3)[3]
        return server.route(path, page_for(url))

    return re.sub(r"https://[^\s\"'<>]+", local, script)


@pytest.fixture
def machine(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """A new user's machine: a home with no revue data, a working folder, revue on PATH."""
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("REVUE_", "XDG_")) and key not in ("HOME", "TMPDIR", "EDITOR")
    }
    env.update(HOME=str(home), NO_COLOR="1", TZ="UTC")
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    yield work, env


@pytest.fixture
def blog() -> Iterator[FakeWordPress]:
    fake = FakeWordPress().start()
    try:
        yield fake
    finally:
        fake.stop()


def bash(script: str, cwd: Path, env: dict[str, str]) -> str:
    proc = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, f"{script}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc.stdout


def on_a_terminal(command: str, cwd: Path, env: dict[str, str], until: str) -> str:
    """Run `command` on a real terminal (a pty, 80×24), wait for `until` on the screen, then
    press q: for `revue week`, which needs a terminal."""
    import fcntl
    import struct
    import termios

    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen(
        ["bash", "-c", command], cwd=cwd, env={**env, "TERM": "xterm-256color"},
        stdin=child, stdout=child, stderr=child, start_new_session=True,
    )  # fmt: skip
    os.close(child)
    screen = b""
    deadline = time.monotonic() + 60
    sent = False
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            ready, _, _ = select.select([main], [], [], 0.1)
            if ready:
                try:
                    screen += os.read(main, 65536)
                except OSError:
                    break
            if not sent and until.encode() in screen:
                os.write(main, b"q")
                sent = True
        assert proc.wait(timeout=30) == 0, screen.decode("utf-8", "replace")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(main)
    assert sent, screen.decode("utf-8", "replace")
    return screen.decode("utf-8", "replace")


def test_the_readme_first_week_runs(
    machine: tuple[Path, dict[str, str]], server: LoopbackServer, blog: FakeWordPress
) -> None:
    """The README's third block, with what its text says `publish` needs: `[wordpress]` in
    the config and the password in REVUE_WORDPRESS_PASSWORD."""
    work, env = machine
    config = Path(env["HOME"]) / ".config" / "revue" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'[wordpress]\nurl = "{blog.base}"\nuser = "marie"\n', encoding="utf-8")
    env["REVUE_WORDPRESS_PASSWORD"] = PASSWORD
    [block] = sh_blocks(README)[2:]
    script = localised(block, server, blog)
    commands = [line for line in script.splitlines() if line.strip()]
    assert len(commands) == 10
    assert [c.split()[1] for c in commands] == [
        "add", "add", "add", "list", "edit", "week", "compose", "compose", "publish", "publish",
    ]  # fmt: skip
    out = ""
    for command in commands:
        if command.startswith("revue week"):
            screen = on_a_terminal(command, work, env, until="in post")
            assert "3 in post" in screen
        else:
            out += bash(command, work, env)
    assert "Encore une connerie #TikTok" in out  # the text of the review
    [review] = (work / "reviews").glob("*-revue-de-presse.md")
    assert "= À suivre #IA" in review.read_text(encoding="utf-8")
    [post] = blog.posts.values()
    assert post["status"] == "draft"
    assert post["title"].startswith("Revue de presse marketing/techno du ")


def test_the_tutorial_runs_from_the_config_to_the_draft(
    machine: tuple[Path, dict[str, str]], server: LoopbackServer, blog: FakeWordPress
) -> None:
    """Every shell block of the tutorial, in order, but the install (done for this test)."""
    work, env = machine
    blocks = sh_blocks(TUTORIAL)
    assert blocks[0].startswith("python3 -m venv .venv && . .venv/bin/activate && pip install")
    script = localised("\n".join(blocks[1:]), server, blog)
    assert "https://" not in script and blog.base in script
    out = bash(script, work, env)
    # The week as the tutorial tells it: four items, the text block moved first, composed.
    assert "Un mot sur la semaine" in out
    [review] = (work / "reviews").glob("*-revue-de-presse.md")
    text = review.read_text(encoding="utf-8")
    assert text.index("Un mot sur la semaine") < text.index("Encore une connerie #TikTok")
    assert "Les résultats, en direct" in text
    assert "Revue de presse marketing/techno du " in out  # compose --format text --out -
    [post] = blog.posts.values()
    assert post["status"] == "draft"
    assert post["title"].startswith("Revue de presse marketing/techno du ")
    assert "Encore une connerie" in post["content"]
    assert f"{blog.base}/?p={post['id']}" in out  # `publish` prints the link, `reviews` too
