"""Put text on the clipboard: through the terminal (OSC 52), else a system clipboard tool.

OSC 52 (`ESC ] 52 ; c ; BASE64 BEL`) asks the terminal emulator itself to set the clipboard,
so it works over SSH and inside containers, where no clipboard tool can reach the curator's
desktop. Most terminals honour it (kitty, WezTerm, Alacritty, foot, iTerm2, Windows
Terminal, xterm when allowed, tmux with `set-clipboard on`); Apple's Terminal, VTE-based
ones (GNOME Terminal, Tilix), the Linux console and tmux as it comes (`set-clipboard
external`) do not, and some cap its size. There a system tool is used first: wl-copy (Wayland), xclip or xsel (X11), pbcopy (macOS). What was done
is returned as a phrase, so the command can say it.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import IO

from revue.errors import Refused

# Beyond this much base64, some terminals drop the sequence (hterm: 100 kB, some 74 kB).
MAX_OSC52 = 74_000
TOOL_TIMEOUT_S = 5.0


def osc52(text: str) -> str:
    """The escape sequence that puts `text` on the clipboard ("c")."""
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"\x1b]52;c;{payload}\x07"


def terminal_supports_osc52(env: Mapping[str, str]) -> bool:
    """False for terminals known to ignore OSC 52, and inside tmux, whose default
    (`set-clipboard external`) drops it; True otherwise (it cannot be asked)."""
    term = env.get("TERM", "")
    if term in ("", "dumb", "linux") or env.get("TMUX"):
        return False
    return not (env.get("TERM_PROGRAM") == "Apple_Terminal" or env.get("VTE_VERSION"))


# No terminal says whether it took the sequence: what was done is said with that doubt.
SENT = "through the terminal (OSC 52), if your terminal accepts OSC 52"


def _tools(env: Mapping[str, str], platform: str) -> list[tuple[str, list[str]]]:
    tools: list[tuple[str, list[str]]] = []
    if env.get("WAYLAND_DISPLAY"):
        tools.append(("wl-copy", ["wl-copy"]))
    if env.get("DISPLAY"):
        tools.append(("xclip", ["xclip", "-selection", "clipboard", "-in"]))
        tools.append(("xsel", ["xsel", "--clipboard", "--input"]))
    if platform == "darwin":
        tools.append(("pbcopy", ["pbcopy"]))
    return tools


def _run_tool(argv: Sequence[str], text: str) -> bool:
    try:
        # The tool may stay behind to serve the selection (xclip does): no pipe left to it.
        done = subprocess.run(
            list(argv),
            input=text.encode("utf-8"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=TOOL_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def copy(
    text: str,
    streams: Sequence[IO[str]],
    *,
    env: Mapping[str, str] | None = None,
    platform: str = sys.platform,
    which: Callable[[str], str | None] = shutil.which,
) -> str:
    """Copy `text`; return what was done ("with xclip", "through the terminal (OSC 52), if
    your terminal accepts OSC 52"). Inside tmux a clipboard tool comes first.

    `streams` are where a terminal may be (stdout, stderr): the first that is one gets the
    sequence. Raises Refused (exit 1) when there is neither a terminal that takes OSC 52 nor
    a clipboard tool."""
    env = os.environ if env is None else env
    terminal = next((s for s in streams if _isatty(s)), None)
    sequence = osc52(text)
    over_ssh = bool(env.get("SSH_TTY") or env.get("SSH_CONNECTION"))
    small = len(sequence) <= MAX_OSC52
    in_tmux = bool(env.get("TMUX"))
    if (
        terminal is not None
        and small
        and ((over_ssh and not in_tmux) or terminal_supports_osc52(env))
    ):
        terminal.write(sequence)
        terminal.flush()
        return SENT
    tried: list[str] = []
    for name, argv in _tools(env, platform):
        if which(argv[0]) is None:
            continue
        tried.append(name)
        if _run_tool(argv, text):
            return f"with {name}"
    if terminal is not None:
        # No tool: the terminal is the only chance left, even one that may ignore it.
        terminal.write(sequence)
        terminal.flush()
        if in_tmux:
            return f"{SENT} (tmux passes it on with: set -g set-clipboard on)"
        return f"{SENT} (this one may ignore it)"
    why = f"{', '.join(tried)} failed" if tried else "no wl-copy, xclip, xsel or pbcopy found"
    raise Refused(f"could not copy to the clipboard: no terminal here, and {why}")


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
