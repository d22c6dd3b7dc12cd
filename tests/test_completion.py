"""Shell completion: what bash, zsh and fish get at a Tab, through the real mechanism.

The script `revue --install-completion` installs makes the shell run `revue` with
_REVUE_COMPLETE set (and COMP_WORDS/COMP_CWORD for bash, _TYPER_COMPLETE_ARGS for zsh and
fish); revue prints the candidates and exits. Here that runs in a child process, or in this
process through CliRunner (the same code path, environment and all) where many cases are
checked at once.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from typer.testing import CliRunner

import revue
from revue.cli import app
from revue.cli.completion import EXPORT_FORMATS

from clihelp import run

SRC = str(Path(revue.__file__).resolve().parents[1])
VENV_BIN = Path(sysconfig.get_path("scripts"))


def bash_env(line: str) -> dict[str, str]:
    """What the bash script hands revue for the command line `line` (Tab at its end)."""
    words = shlex.split(line)
    cword = len(words) if line.endswith(" ") else len(words) - 1
    return {"_REVUE_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(cword)}


def complete(line: str, shell: str = "bash", **env: str) -> list[str]:
    """The candidates a child `revue` process prints for `line`; it must say nothing else."""
    if shell == "bash":
        extra = bash_env(line)
    else:
        extra = {"_REVUE_COMPLETE": f"complete_{shell}", "_TYPER_COMPLETE_ARGS": line}
        if shell == "fish":
            extra["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    proc = subprocess.run(
        [sys.executable, "-m", "revue"],
        env={**os.environ, "PYTHONPATH": SRC, **extra, **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
    return [line for line in proc.stdout.splitlines() if line]  # nothing is one empty line


def complete_here(line: str) -> list[str]:
    """The same, in this process."""
    result = CliRunner().invoke(app, [], env=bash_env(line), prog_name="revue")
    assert result.exit_code == 0, result.output
    return [line for line in result.stdout.splitlines() if line]


def test_commands_and_options_complete() -> None:
    assert complete("revue comp") == ["compose"]
    assert complete("revue compose --for") == ["--format", "--force"]
    assert complete_here("revue feed p") == ["pull"]
    assert complete_here("revue --install") == ["--install-completion"]
    assert "--show-completion" in complete_here("revue --")


def test_formats_styles_languages_and_statuses_complete() -> None:
    assert complete("revue compose --format h") == ["html", "html-fragment"]
    assert complete_here("revue compose --format ") == ["md", "text", "html", "html-fragment", "json"]  # fmt: skip
    assert complete_here("revue import links.txt --format pocket") == ["pocket-csv", "pocket-html"]
    assert "auto" in complete_here("revue import links.txt --format ")
    assert complete_here("revue export --format ") == list(EXPORT_FORMATS)
    assert complete_here("revue compose --style ") == ["classic", "linked"]
    assert complete_here("revue compose --lang ") == ["fr", "en"]
    assert complete_here("revue list --status f") == ["failed"]
    assert complete_here("revue week --format ") == ["text", "md", "html-fragment"]
    assert complete_here("revue week --style l") == ["linked"]
    assert complete_here("revue share 1 --for ") == ["mastodon", "bluesky", "x"]
    assert complete_here("revue publish --status p") == ["publish", "pending", "private"]


def test_every_export_format_offered_is_one_export_takes() -> None:
    run("add", "--no-fetch", "https://a.example/1", "--title", "Un")
    for fmt in complete_here("revue export --format "):
        assert "a.example" in run("export", "--format", fmt).stdout, fmt


@pytest.fixture
def tagged(tmp_path: Path) -> Path:
    run("add", "--no-fetch", "https://a.example/1", "-t", "Veille", "-t", "IA")
    run("add", "--no-fetch", "https://a.example/2", "-t", "Mes outils")
    return tmp_path / "revue.db"  # REVUE_DB (conftest)


def test_tags_complete_from_the_database(tagged: Path, tmp_path: Path) -> None:
    assert complete("revue list --tag ") == ["IA", "Mes outils", "Veille"]
    assert complete("revue add https://b.example/ -t V") == ["Veille"]
    assert complete_here("revue export --tag M") == ["Mes outils"]
    assert complete_here("revue import links.txt --tag I") == ["IA"]
    assert complete_here("revue feed add https://b.example/ --tag V") == ["Veille"]
    assert complete_here("revue edit 1 --tag +V") == ["+Veille"]
    # --db names another database: its tags, not REVUE_DB's.
    other = tmp_path / "other.db"
    run("--db", str(other), "add", "--no-fetch", "https://o.example/", "-t", "Autre")
    assert complete(f"revue --db {other} list --tag ") == ["Autre"]


def test_zsh_and_fish_get_the_tags_too(tagged: Path) -> None:
    assert complete("revue list --tag V", shell="zsh") == [
        "_arguments '*: :((\"Veille\"))'"
    ]  # fmt: skip
    assert complete("revue list --tag V", shell="fish") == ["Veille"]


def test_tag_completion_offers_nothing_and_says_nothing_when_it_cannot_read(
    tmp_path: Path,
) -> None:
    db = tmp_path / "revue.db"  # REVUE_DB (conftest)
    assert complete("revue list --tag ") == []
    assert not db.exists()  # a Tab creates no database
    db.write_bytes(b"not a database at all" * 100)
    assert complete("revue list --tag ") == []
    assert db.read_bytes() == b"not a database at all" * 100
    db.unlink()
    run("add", "--no-fetch", "https://a.example/1", "-t", "IA")
    (tmp_path / "config.toml").write_text("lang = 3\n", encoding="utf-8")  # REVUE_CONFIG
    assert complete("revue list --tag ") == []


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash here")
def test_install_completion_in_bash_then_tab(tagged: Path, tmp_path: Path) -> None:
    """What a bash user does: install once, open a new shell, press Tab."""
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "PATH": f"{VENV_BIN}:/usr/bin:/bin"}

    def bash(script: str) -> subprocess.CompletedProcess[str]:
        # Two commands: bash stays revue's parent, so that revue sees it is run by bash.
        return subprocess.run(
            ["bash", "--norc", "--noprofile", "-c", script + "\nexit $?"],
            env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    installed = bash("revue --install-completion")
    assert installed.returncode == 0, installed.stderr
    assert "bash completion installed" in installed.stdout
    tab = 'COMP_WORDS=({words}); COMP_CWORD={cword}; _revue_completion revue; printf "%s\\n" "${{COMPREPLY[@]}}"'  # fmt: skip
    shown = bash(
        'source "$HOME/.bashrc"\n'
        + tab.format(words="revue compose --format h", cword=3)
        + "\n"
        + tab.format(words="revue list --tag V", cword=3)
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines() == ["html", "html-fragment", "Veille"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_show_completion_gives_each_shell_its_script(
    shell: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # zsh and fish may be absent: the shell is named instead of detected (typer's switch,
    # read when the command is built).
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    result = CliRunner().invoke(app, ["--show-completion", shell], prog_name="revue")
    assert result.exit_code == 0, result.output
    assert f"_REVUE_COMPLETE=complete_{shell}" in result.stdout
