"""Shell completion. `--install-completion` (bash, zsh, fish) makes the shell run `revue`
with _REVUE_COMPLETE set at each Tab; these give the values of the options that have a fixed
or stored set (typer keeps those that start with what was typed). They run only then, so
their imports cost ordinary commands nothing, and a completion never fails aloud: at worst
it offers nothing. The candidates reach each shell through the classes at the end, which
print them so that the shell reads each as one literal word.
"""

import re
import sqlite3
from typing import Any, get_args

import typer

# CompletionItem and add_completion_class are click's, imported there (from click, or
# from the copy of click recent versions of typer hold).
from typer._completion_classes import (  # type: ignore[attr-defined]
    BashComplete,
    CompletionItem,
    FishComplete,
    ZshComplete,
    add_completion_class,
)
from typer.core import TyperGroup

from revue.config import LANGS, db_path, load_config
from revue.models import Status

EXPORT_FORMATS = ("json", "csv", "netscape", "md")
STATUSES: tuple[str, ...] = get_args(Status)


def complete_compose_format() -> list[str]:
    from revue.review.outputs import FORMATS

    return list(FORMATS)


def complete_import_format() -> list[str]:
    from revue.formats.imports import FORMATS

    return ["auto", *FORMATS]


def complete_export_format() -> list[str]:
    return list(EXPORT_FORMATS)


def complete_week_format() -> list[str]:
    from revue.app.week import PREVIEW_FORMATS

    return list(PREVIEW_FORMATS)


def complete_platform() -> list[str]:
    from revue.review.social import PLATFORMS

    return list(PLATFORMS)


def complete_post_status() -> list[str]:
    from revue.publish.wordpress import STATUSES as POST_STATUSES

    return list(POST_STATUSES)


def complete_style() -> list[str]:
    from revue.review.render import STYLES

    return list(STYLES)


def complete_lang() -> list[str]:
    return list(LANGS)


def complete_status() -> list[str]:
    return list(STATUSES)


def stored_tags(db_option: str | None) -> list[str]:
    """The tags of the database, read-only and without waiting; [] when it cannot be read
    (no database yet, a bad config, locked, damaged): a Tab must never print an error."""
    try:
        path = db_path(db_option, load_config())
        if not path.is_file():
            return []  # opening would create it
        uri = f"{path.resolve().as_uri()}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=0.2)
        try:
            return [name for (name,) in conn.execute("SELECT name FROM tags ORDER BY name")]
        finally:
            conn.close()
    except Exception:
        return []


def complete_tag(ctx: typer.Context) -> list[str]:
    return stored_tags(ctx.find_root().params.get("db"))


def complete_tag_change(ctx: typer.Context, incomplete: str) -> list[str]:
    """`edit --tag`: +T adds a tag, the sign typed is kept. (-T is not completed: a word
    starting with "-" is completed as an option name.)"""
    sign = "+" if incomplete.startswith("+") else ""
    return [sign + tag for tag in complete_tag(ctx)]


# -- how the candidates reach each shell ---------------------------------------------------
#
# A candidate can be a tag from an imported file: whatever its characters, the shell must take
# it as one literal word, never as code or a glob. typer's formats do not ensure it: its zsh
# output is evaluated twice (by the script's `eval`, then by `_arguments` for a `((...))`
# action) and a tag ending in a backslash escapes the quote that closes it, so the next tag
# runs as commands; its bash output goes through `$(...)` unquoted, so `/*` is expanded to
# the entries of /, and a tag is inserted on the command line as raw text. The scripts already
# installed stay as they are, so the fix is in what revue prints to them.

# Characters that mean nothing to bash, zsh or fish, in any position and with any option set.
_PLAIN = re.compile(r"[A-Za-z0-9_./,+@%=-]")
# What bash's `$(...)` would still expand in a word printed with backslashes (a backslashed
# `*` is a pattern to older versions) and what would split it: written as $'\xHH' instead.
_BASH_EXPANDED = frozenset("*?[]\t\n")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _plain(char: str) -> bool:
    """A character any shell reads as itself: ASCII letters and the like, or a printable
    non-ASCII character (none of the three shells gives those a meaning)."""
    if char.isascii():
        return _PLAIN.fullmatch(char) is not None
    return char.isprintable() and not char.isspace()


def _hex_bytes(char: str) -> str:
    return "".join(f"\\x{byte:02x}" for byte in char.encode("utf-8", "replace"))


def bash_word(value: str) -> str:
    """`value` as one bash word that reads back as `value`: what bash inserts on the command
    line, after its completion script has split revue's lines and expanded globs in them.
    Special characters are backslashed; those `$(...)` would still expand or split, and those
    not printable, are $'\\xHH'."""
    out: list[str] = []
    for char in value:
        if _plain(char):
            out.append(char)
        elif char in _BASH_EXPANDED or not char.isprintable():
            out.append(f"$'{_hex_bytes(char)}'")
        else:
            out.append("\\" + char)
    return "".join(out)


def zsh_string(value: str) -> str:
    """`value` as a zsh $'...' string whose every special byte is \\xHH: the script's `eval`
    reads it as this exact text, after its `$(...)` has split revue's output at blanks
    (there are none left) and whatever options the user set (there is no glob character)."""
    return "$'" + "".join(c if _plain(c) else _hex_bytes(c) for c in value) + "'"


def _single_spaced(text: str) -> str:
    """A candidate's description on one line: whitespace runs become one space."""
    return " ".join(text.split())


class BashCandidates(BashComplete):
    def format_completion(self, item: CompletionItem) -> str:
        return bash_word(str(item.value))


class ZshCandidates(ZshComplete):
    """Each candidate handed to `_describe` (as typer's `_arguments '*: :((...))'` does in
    the end, without `_arguments`' second `eval`) in an array set from zsh_string words;
    `_describe` takes `value:description`, with `\\` escaping its next character."""

    def format_completion(self, item: CompletionItem) -> str:
        spec = re.sub(r"([\\:])", r"\\\1", str(item.value))
        if item.help:
            spec += ":" + _single_spaced(str(item.help))
        return zsh_string(spec)

    def complete(self) -> str:
        args, incomplete = self.get_completion_args()
        words = [self.format_completion(item) for item in self.get_completions(args, incomplete)]
        if not words:
            return "_files"  # as typer: no candidate of revue's, the shell's file names
        # `set -A`, not `=( )`: no parenthesis, which a glob option could read as a pattern.
        return (
            f"local -a revue_candidates; set -A revue_candidates {' '.join(words)}; "
            "_describe '' revue_candidates"
        )


class FishCandidates(FishComplete):
    """fish reads one candidate a line, its description after a tab, and inserts it quoted
    (its `(...)` expands nothing in the text it reads): only a candidate with a line break,
    a tab or another control character cannot be told; it is left out."""

    def get_completions(self, args: list[str], incomplete: str) -> list[CompletionItem]:
        items: list[CompletionItem] = super().get_completions(args, incomplete)
        return [item for item in items if not _CONTROL.search(str(item.value))]


SHELLS: dict[str, type[Any]] = {
    "bash": BashCandidates,
    "zsh": ZshCandidates,
    "fish": FishCandidates,
}


class RevueGroup(TyperGroup):
    """typer's group, whose completion answers through the classes above: typer registers
    its own each time it builds the command, so they are registered again just before the
    command runs (a Tab runs it with _REVUE_COMPLETE set)."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        for name, candidates in SHELLS.items():
            add_completion_class(candidates, name)
        return super().main(*args, **kwargs)
