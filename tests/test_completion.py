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
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

import revue
from revue.cli import app
from revue.cli.completion import EXPORT_FORMATS, bash_word, zsh_string
from revue.errors import ExitCode

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
    assert result.exit_code == ExitCode.OK, result.output
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
    # bash inserts a candidate as printed: a blank is backslashed, the tag stays one word.
    assert complete("revue list --tag ") == ["IA", "Mes\\ outils", "Veille"]
    assert complete("revue add https://b.example/ -t V") == ["Veille"]
    assert complete_here("revue export --tag M") == ["Mes\\ outils"]
    assert complete_here("revue import links.txt --tag I") == ["IA"]
    assert complete_here("revue feed add https://b.example/ --tag V") == ["Veille"]
    assert complete_here("revue edit 1 --tag +V") == ["+Veille"]
    # --db names another database: its tags, not REVUE_DB's.
    other = tmp_path / "other.db"
    run("--db", str(other), "add", "--no-fetch", "https://o.example/", "-t", "Autre")
    assert complete(f"revue --db {other} list --tag ") == ["Autre"]


def test_zsh_and_fish_get_the_tags_too(tagged: Path) -> None:
    assert complete("revue list --tag V", shell="zsh") == [
        "local -a revue_candidates; set -A revue_candidates $'Veille'; _describe '' revue_candidates"
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
    assert installed.returncode == ExitCode.OK, installed.stderr
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
    assert result.exit_code == ExitCode.OK, result.output
    assert f"_REVUE_COMPLETE=complete_{shell}" in result.stdout


# Values a database can hold (a hand edit, a restored backup): each must reach the shell as
# one word, read back as itself, whatever the shell's glob options.
ODD_VALUES = [
    "a\\", "b ) ; touch PWNED ; ws=( y\\", "/*", "/*/*", "$(touch PWNED2)", "`touch PWNED3`",
    "${HOME}", "x  y", "tab\there", "line\nbreak", "\x1b[31mred", "nbsp\xa0x", "-x", "~", "~root",
    "#", "!!", "$'x'", "'", '"', "*", "?", "[ab]", "a]", "{a,b}", "@(x)", "+(x)", "!(x)",
    "=ls", "a:b", "é\u2028è", "Écologie à vélo", "a;b|c&d>e<f", "",
]  # fmt: skip


def shell_reads(shell: str, script: str, printed: str, cwd: Path) -> list[str]:
    """The NUL-separated words `script` prints, given `printed` on its stdin."""
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    for name in ("PWNED", "ab", "a", "x", "a b"):
        (cwd / name).touch()  # something for a glob to find
    done = subprocess.run(
        [shell, "-c", script], input=printed.encode(), cwd=cwd, capture_output=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), "LANG": "C.UTF-8"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.decode().split("\0")[:-1]


def test_bash_reads_each_candidate_back_as_written(tmp_path: Path) -> None:
    """What typer's bash script does with revue's lines (split at line breaks, unquoted, so
    globbed), then what bash does with the word it inserts (read as shell words)."""
    printed = "\n".join(bash_word(v) for v in ODD_VALUES if v) + "\n"
    script = (
        "shopt -s failglob extglob globstar dotglob; IFS=$'\\n'\n"
        'words=( $(cat) ); for w in "${words[@]}"; do eval "printf \'%s\\0\' $w"; done'
    )
    cwd = tmp_path / "cwd"  # a folder of its own: the files in it are what a glob finds
    cwd.mkdir()
    assert shell_reads("bash", script, printed, cwd) == [v for v in ODD_VALUES if v]
    assert sorted(p.name for p in cwd.iterdir()) == ["PWNED", "a", "a b", "ab", "x"]


def test_zsh_reads_each_candidate_back_as_written(tmp_path: Path) -> None:
    """What typer's zsh script does with revue's output (`eval $(...)`), with the options
    that give a shell word most meanings, down to the array `_describe` is given."""
    values = [v for v in ODD_VALUES if v]
    items = " ".join(zsh_string(v) for v in values)
    printed = (
        f"local -a revue_candidates; set -A revue_candidates {items}; _describe '' revue_candidates"
    )
    script = (
        "setopt globsubst extendedglob kshglob shwordsplit equals magicequalsubst\n"
        "_describe() { printf '%s\\0' \"${(@P)2}\" }\n"
        "f() { eval $(cat) }; f"
    )
    cwd = tmp_path / "cwd"  # a folder of its own: the files in it are what a glob finds
    cwd.mkdir()
    assert shell_reads("zsh", script, printed, cwd) == values
    assert sorted(p.name for p in cwd.iterdir()) == ["PWNED", "a", "a b", "ab", "x"]


# -- what a Tab does in a real interactive shell ---------------------------------------------

TMUX = shutil.which("tmux")
WAIT_S = 30.0
# Tags a shared bookmarks file or an import can bring, each with a first character of its
# own: a Tab after it has one candidate, which the shell inserts. The first three are what
# the bookmarks file's TAGS="a\,b ) ; touch PWNED ; ws=( y\,c" splits into.
HOSTILE_TAGS = {
    "a": "a\\",
    "b": "b ) ; touch PWNED ; ws=( y\\",
    "c": "c",
    "/": "/*",
    "d": "d$(touch PWNED2) `touch PWNED3` ${HOME}",
    "e": "e'q\"\\x\\",
    "f": "f;g|h&i>j<k (l)",
    "m": "m{1,2} ~n #o !p",
    "q": "q:r=s:",
    "t": "t?[u]*",
    "É": "Écologie à vélo",
}


def import_shared_bookmarks(tmp_path: Path) -> None:
    bookmarks = tmp_path / "shared.html"
    bookmarks.write_text(
        "<!DOCTYPE NETSCAPE-Bookmark-file-1><DL><p>"
        '<DT><A HREF="https://a.example/" TAGS="a\\,b ) ; touch PWNED ; ws=( y\\,c">A</A>'
        "</DL>",
        encoding="utf-8",
    )
    run("import", "--no-fetch", str(bookmarks))
    assert complete("revue list --tag ", shell="fish") == [HOSTILE_TAGS[k] for k in "abc"]


def add_other_hostile_tags() -> None:
    others = [tag for key, tag in HOSTILE_TAGS.items() if key not in "abc"]
    run("add", "--no-fetch", "https://b.example/", *(arg for t in others for arg in ("-t", t)))


def shell_with_completion(shell: str, tmp_path: Path) -> tuple[list[str], Path]:
    """A HOME where `revue --install-completion` was run from `shell`, as a user does, and
    whose rc file makes `revue` a function that prints the words the shell hands it (the
    completion still runs the real revue: the scripts call it through `env`). The command
    that starts that shell interactively, and the folder it runs in."""
    if shutil.which(shell) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{shell} is missing: .ci/run installs it")
        pytest.skip(f"{shell} is not installed")
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    env = {
        "HOME": str(home),
        "PATH": f"{VENV_BIN}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "TERM": "xterm-256color",
        "REVUE_DB": os.environ["REVUE_DB"],
        "REVUE_CONFIG": os.environ["REVUE_CONFIG"],
    }
    prompt = {
        "bash": "PS1='ready$ '\n",
        "zsh": "PROMPT='ready$ '\n",
        "fish": "function fish_prompt; echo -n 'ready$ '; end\nset -g fish_greeting\n",
    }[shell]
    echo = {
        "bash": "revue() { printf 'GOT %d' $#; printf ' <%s>' \"$@\"; echo; }\n",
        "zsh": "revue() { printf 'GOT %d' $#; printf ' <%s>' \"$@\"; echo; }\n",
        "fish": "function revue; printf 'GOT %d' (count $argv); printf ' <%s>' $argv; echo; end\n",
    }[shell]
    rc = {"bash": ".bashrc", "zsh": ".zshrc", "fish": ".config/fish/config.fish"}[shell]
    (home / rc).parent.mkdir(parents=True, exist_ok=True)
    (home / rc).write_text(prompt, encoding="utf-8")
    # Two commands: the shell stays revue's parent, so that revue sees which shell runs it.
    status = "$status" if shell == "fish" else "$?"
    installed = subprocess.run(
        [shell, "-c", f"revue --install-completion; exit {status}"],
        env=env, cwd=work, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert installed.returncode == ExitCode.OK, installed.stderr
    assert f"{shell} completion installed" in installed.stdout
    with (home / rc).open("a", encoding="utf-8") as rc_file:
        rc_file.write("\n" + echo)
    start = ["env", "-i", *(f"{k}={v}" for k, v in env.items()), shell, "-i"]
    return start, work


def _last_line(screen: str) -> str:
    """The line being edited, trailing spaces kept (`capture-pane -N`): a completion that
    only adds the space after a word changes it."""
    lines = [line for line in screen.splitlines() if line.strip()]
    return lines[-1] if lines else ""


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_a_tab_in_a_real_shell_runs_no_tag_and_inserts_each_as_written(
    shell: str, tmp_path: Path
) -> None:
    if TMUX is None:
        if os.environ.get("CI"):
            pytest.fail("tmux is missing: .ci/run installs it")
        pytest.skip("tmux is not installed")
    import_shared_bookmarks(tmp_path)
    start, work = shell_with_completion(shell, tmp_path)
    socket = f"revue-test-{uuid.uuid4().hex[:8]}"

    def tmux(*args: str) -> str:
        return subprocess.run(
            [TMUX, "-L", socket, "-f", "/dev/null", *args],
            capture_output=True, text=True, timeout=WAIT_S, check=True,
        ).stdout  # fmt: skip

    def screen() -> str:
        return tmux("capture-pane", "-p", "-J", "-N", "-S", "-", "-t", "tab")

    def wait_until(done: Callable[[str], bool], what: str) -> str:
        deadline = time.monotonic() + WAIT_S
        shown = screen()
        while not done(shown):
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} never happened; the screen:\n{shown}")
            time.sleep(0.1)
            shown = screen()
        return shown

    def got(shown: str) -> list[str]:
        return [line for line in shown.splitlines() if line.startswith("GOT ")]

    def answered(shown: str, n: int) -> bool:
        # The n-th GOT line is whole once the next prompt follows it (the shell function
        # prints its words in pieces, which a capture can catch half-way).
        lines = shown.splitlines()
        gots = [i for i, line in enumerate(lines) if line.startswith("GOT ")]
        return len(gots) >= n and any("ready$" in line for line in lines[gots[n - 1] + 1 :])

    try:
        tmux(
            "new-session",
            "-d",
            "-s",
            "tab",
            "-x",
            "250",
            "-y",
            "50",
            "-c",
            str(work),
            shlex.join(start),
        )
        wait_until(lambda s: "ready$" in s, "the prompt")
        # Every tag at once: the list the shell shows, where the zsh exploit ran.
        tmux("send-keys", "-t", "tab", "-l", "revue list --tag ")
        # bash lists at the second Tab; zsh too, the first loading typer's script (which
        # defines the function without calling it); fish at the first (a second would pick).
        tmux("send-keys", "-t", "tab", *["Tab"] * (1 if shell == "fish" else 2))
        wait_until(lambda s: "PWNED" in s or any(work.iterdir()), "the list of tags")
        assert sorted(p.name for p in work.iterdir()) == []
        tmux("send-keys", "-t", "tab", *(["Escape"] if shell == "fish" else []), "C-c")
        add_other_hostile_tags()
        # Each tag alone: the shell inserts it, Enter, and the words the shell read are back.
        for n, (typed, tag) in enumerate(HOSTILE_TAGS.items(), start=1):
            line = f"revue list --tag {typed}"
            tmux("send-keys", "-t", "tab", "-l", line)
            typed_in = wait_until(lambda s, line=line: line in _last_line(s), f"typing {typed!r}")
            tmux("send-keys", "-t", "tab", "Tab")
            # Enter only once the completion is on the line: on a loaded machine a key sent
            # while the completion function runs can be read before its answer.
            before = _last_line(typed_in)
            wait_until(lambda s, before=before: _last_line(s) != before, f"completing {typed!r}")
            tmux("send-keys", "-t", "tab", "Enter")
            shown = wait_until(lambda s, n=n: answered(s, n), f"the completion of {tag!r}")
            assert got(shown)[n - 1] == f"GOT 3 <list> <--tag> <{tag}>"
        assert sorted(p.name for p in work.iterdir()) == []
    finally:
        subprocess.run([TMUX, "-L", socket, "kill-server"], capture_output=True, timeout=WAIT_S)
