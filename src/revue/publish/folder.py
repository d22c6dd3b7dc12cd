"""The reviews folder as a target: the review's file (md, text, html, json) written whole.

Invariants:
- The file is written to a temporary name and renamed, under the compose lock (one compose
  at a time per database, the lock file beside it; the loser is told, not queued).
- A file the curator edited by hand since revue wrote it (its hash is not the one revue
  recorded) is never overwritten without `force`.
- `undo` puts back what was there: the use case calls it when the review cannot be recorded,
  so that an unrecorded file never passes for a hand edit next time.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from revue.errors import BadInput, Conflict
from revue.files import atomic_write, writable_target, write_failure
from revue.publish.base import Action, Publication, Result


@contextlib.contextmanager
def compose_locked(lock_path: Path, folder: Path, protect: Iterable[Path]) -> Iterator[None]:
    """One compose at a time (`lock_path`: files.compose_lock); the loser is told, not
    queued. `folder` is where the holder writes, for the message."""
    # Closing a descriptor of the database would drop SQLite's own locks in this process.
    writable_target(lock_path, protect=protect)
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Conflict(
                f"another revue compose is writing in {folder} (it holds {lock_path}); try again"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class ReviewFolder:
    """Writes `review.text` to `folder / review.file_name` under the compose lock `lock`.
    `known_hash(path)` is the sha256 revue recorded for a file it wrote there (None: none);
    `protect` are the database's files."""

    name = "file"

    def __init__(
        self,
        folder: Path,
        *,
        lock: Path,
        known_hash: Callable[[str], str | None],
        protect: Sequence[Path] = (),
        force: bool = False,
    ) -> None:
        self.folder = folder
        self.lock = lock
        self.site = str(folder)
        self.protect = list(protect)
        self.known_hash = known_hash
        self.force = force
        self._undo: tuple[Path, Path, bytes | None] | None = None

    def publish(self, review: Publication) -> Result:
        """Raise BadInput (a folder that cannot be made, a FIFO in the way), Conflict (a hand
        edit, another compose) or StoreError (a full disk)."""
        folder, protect = self.folder, self.protect
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BadInput(f"cannot create {folder}: {exc.strerror}") from None
        path = folder / review.file_name
        data = review.text.encode("utf-8")
        try:
            with compose_locked(self.lock, folder, protect):
                # Before the hand-edit check reads it: a FIFO or a device is refused, not read.
                writable_target(path, protect=protect)
                self._check_hand_edits(path)
                previous = path.read_bytes() if path.exists() else None
                action: Action
                if previous == data:
                    action = "unchanged"
                else:
                    written = atomic_write(path, review.text, protect=protect)
                    self._undo = (path, written, previous)
                    action = "created" if previous is None else "updated"
        except OSError as exc:
            raise write_failure(exc, f"{exc.filename or path}: cannot write the review") from None
        return Result(action=action, path=str(path.resolve()))

    def undo(self) -> None:
        """Put back what the last `publish` replaced (nothing when it changed nothing)."""
        if self._undo is None:
            return
        path, written, previous = self._undo
        self._undo = None
        with (
            contextlib.suppress(OSError, BadInput, Conflict),
            compose_locked(self.lock, self.folder, self.protect),
        ):
            if previous is None:
                written.unlink()
            else:
                atomic_write(path, previous, protect=self.protect)

    def _check_hand_edits(self, path: Path) -> None:
        if self.force or not path.exists():
            return
        known = self.known_hash(str(path.resolve()))
        with open(path, "rb") as handle:
            current = hashlib.file_digest(handle, "sha256").hexdigest()
        if current != known:
            raise Conflict(
                f"{path} was edited since revue wrote it (or was not written by revue); "
                "use --force to overwrite it"
            )
