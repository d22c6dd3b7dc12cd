"""Files revue writes or reads beside its database: reviews, the feed, exports, backups,
link lists, intro and outro files, saved pages. One place for the rules every one follows.

Invariants:
- A file is written under a temporary name in its own folder, flushed to disk, then renamed:
  a kill leaves the old file or the new one under the final name, never half of one.
- A symlink is written through: its target is replaced and the link stays a link.
- Only regular files are written: a FIFO, a device (/dev/full), a folder is refused, and so
  is the live database and its -wal, -shm and -journal files (by inode, so a hard link or a
  symlink to them is refused too). A refusal is bad input (exit 2); a full disk is exit 3.
- What revue reads from a file or a stream is bounded: past its cap the read stops with one
  line naming the file (exit 2), whatever the file is (/dev/zero, a FIFO, a 10 GB line).
- Opening a file to read never waits: a FIFO nobody writes to reads as empty. Where only a
  regular file makes sense (an intro, an outro, as a template), anything else is refused.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from revue.errors import BadInput, RevueError, StoreError

# A full disk (or quota, or file size limit) is exit 3 like the database's own disk errors.
DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO)

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def database_files(db: Path) -> list[Path]:
    """The live database and the files SQLite keeps beside it."""
    return [db, *(db.with_name(db.name + suffix) for suffix in ("-wal", "-shm", "-journal"))]


def compose_lock(db: Path) -> Path:
    """The lock one compose at a time holds: beside the database, whose reviews it records,
    not in the reviews folder (often a blog's or a git repository's, where it is litter)."""
    return db.with_name(db.name + ".compose-lock")


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def writable_target(path: Path, *, protect: Iterable[Path] = ()) -> Path:
    """The regular file to write for `path` (a symlink's target). Raises BadInput for what
    must not be replaced: not a regular file, or one of the `protect` files."""
    real = Path(os.path.realpath(path))
    try:
        found: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        found = None
    if found is not None and not stat.S_ISREG(found.st_mode):
        raise BadInput(f"{path}: {_kind(found.st_mode)}, not a regular file; choose a file name")
    for kept in protect:
        same = Path(os.path.realpath(kept)) == real
        if found is not None and not same:
            with contextlib.suppress(OSError):
                other = os.stat(kept)
                same = (other.st_dev, other.st_ino) == (found.st_dev, found.st_ino)
        if same:
            raise BadInput(f"{path}: is revue's database file {kept}; choose another file")
    return real


def write_failure(exc: OSError, message: str) -> RevueError:
    """The error for a write that failed: exit 3 for a full disk, else bad input (exit 2)."""
    error = StoreError if exc.errno in DISK_FULL else BadInput
    return error(f"{message} ({exc.strerror or exc})")


def atomic_write(
    path: Path, data: str | bytes | Iterable[str], *, protect: Iterable[Path] = ()
) -> Path:
    """Write `data` (text as UTF-8, or pieces of text written as they come: an export of a
    million items) to `path` through a temporary file in the same folder, fsync, then
    rename; returns the file written (a symlink's target). Raises BadInput for a target
    that must not be replaced (see writable_target), OSError when writing fails."""
    real = writable_target(path, protect=protect)
    try:
        mode = stat.S_IMODE(os.stat(real).st_mode)
    except FileNotFoundError:
        mode = new_file_mode()
    fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, str | bytes):
                handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            else:
                for piece in data:
                    handle.write(piece.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    sync_folder(real.parent)
    return real


def new_file_mode() -> int:
    """The mode `open()` gives a new file. mkstemp makes its file private; a file renamed
    from it is meant to be read like any other the curator creates."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def sync_folder(folder: Path) -> None:
    """Flush a rename in `folder` to disk (best effort: some file systems refuse)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def size_text(cap: int) -> str:
    return f"{cap // 2**20} MB" if cap >= 2**20 else f"{cap // 2**10} KB"


class NotRegular(OSError):
    """A file that had to be a regular file is something else (its kind in `kind`)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def read_bounded(source: str | Path, cap: int, what: str, *, regular: bool = False) -> bytes:
    """The bytes of a file (or of stdin for "-"), at most `cap`; raises BadInput naming it
    (after `what`, e.g. the option) when it cannot be read or holds more, or, with
    `regular`, is not a regular file. An endless stream costs cap + 1 bytes, never more."""
    name = "standard input" if str(source) == "-" else str(source)
    label = f"{what} {name}" if what else name
    try:
        data = read_capped(source, cap, regular=regular)
    except NotRegular as exc:
        raise BadInput(f"{label}: {exc.kind}, not a regular file") from None
    except OSError as exc:
        raise BadInput(f"{label}: cannot read ({exc.strerror or exc})") from None
    if data is None:
        raise BadInput(f"{label}: larger than {size_text(cap)}")
    return data


def read_capped(source: str | Path, cap: int, *, regular: bool = False) -> bytes | None:
    """The bytes of a file (or of stdin for "-"), or None when it holds more than `cap`.
    Raises OSError when it cannot be read; NotRegular when `regular` and it is not a
    regular file (stdin is taken as it is)."""
    if str(source) == "-":
        data = sys.stdin.buffer.read(cap + 1)
        return data if len(data) <= cap else None
    # Opened without waiting (a FIFO's open waits for a writer, maybe forever), then read
    # as usual: a FIFO with a writer is read to its end, one without reads as empty.
    fd = os.open(source, os.O_RDONLY | os.O_NONBLOCK)
    try:
        mode = os.fstat(fd).st_mode
        if regular and not stat.S_ISREG(mode):
            raise NotRegular(_kind(mode))
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as handle:
            fd = -1  # the handle closes it
            data = handle.read(cap + 1)
    finally:
        if fd >= 0:
            os.close(fd)
    return data if len(data) <= cap else None


def read_bounded_text(source: str | Path, cap: int, what: str, *, regular: bool = False) -> str:
    """read_bounded, decoded as UTF-8 (a BOM dropped); raises BadInput for other bytes."""
    data = read_bounded(source, cap, what, regular=regular)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        name = "standard input" if str(source) == "-" else str(source)
        label = f"{what} {name}" if what else name
        raise BadInput(f"{label}: cannot read (not UTF-8 text)") from None
