"""One writer at a time: the store's lock, with who holds it.

Every command that writes a store (``build`` and its pruning, ``import``, ``imports
--remove``, ``reason``) holds an exclusive lock on a small file beside the store,
``.<store name>.lock`` in the store's parent folder (beside, not inside: a first build
writes a staging folder and renames it into place, and the lock must already hold then).
A second writer waits for it (``wait`` seconds, with a notice) or is told in one line that
the store is busy, by which command and process; it never meets Oxigraph's own directory
lock (an error without a holder) nor a half-renamed first build.  Readers (``query``,
``export``, ``serve``…) take no lock: they open the store read-only, which sees it as it
was when opened, every transaction whole.

The lock is a POSIX record lock (``fcntl.lockf``): the kernel releases it when its process
ends, however it ends (``kill -9`` included), and forked children do not inherit it (the
build's workers never keep a store locked after their parent).  Such locks belong to a
process, not to a file handle, so the lock is re-entrant within a process: a writer that
opens the store again while it holds the lock shares it (:data:`_HELD` counts the holders);
and closing any descriptor of the file would release it, so a process that holds the lock
reads the file through the descriptor it holds.

The file holds, as JSON, the holder (command, PID, since when) and a *generation* that
every acquisition and release increments: a reader that keeps a copy of the store
(``serve``) compares generations to know that a writer has changed it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from incident_kg.errors import StoreError

log = logging.getLogger(__name__)

#: Seconds between two attempts while waiting for the lock.
POLL = 0.1


class StoreBusyError(StoreError):
    """Another process is writing the store (the message names it)."""


@dataclass(frozen=True)
class Holder:
    """What the lock file says: who holds the lock (if anyone) and the store's generation."""

    command: str | None = None
    pid: int | None = None
    since: str | None = None
    generation: int = 0

    def describe(self) -> str:
        """``incident-kg build (PID 1234, since 10:02:11 UTC)``, or a plain phrase."""
        if self.pid is None:
            return "another process"
        since = f", since {self.since} UTC" if self.since else ""
        return f"`{self.command or 'incident-kg'}` (PID {self.pid}{since})"


def lock_path(store_dir: Path) -> Path:
    """The lock file of the store at ``store_dir``: ``.<name>.lock`` beside it."""
    resolved = Path(os.path.abspath(store_dir))
    return resolved.parent / f".{resolved.name}.lock"


#: Locks this process holds: lock file → (descriptor, holders).  POSIX locks belong to the
#: process, so a second acquisition in the same process must share the first (closing a
#: second descriptor of the file would release the lock).
_HELD: dict[Path, list[int]] = {}
_HELD_GUARD = threading.Lock()


def read_holder(store_dir: Path) -> Holder:
    """What the lock file of a store says now (an empty :class:`Holder` when it says nothing)."""
    path = lock_path(store_dir)
    with _HELD_GUARD:
        held = _HELD.get(path)
        if held is not None:  # never open and close the file while holding its lock
            data = _read(held[0])
    if held is None:
        try:
            with path.open("rb") as handle:
                data = json.loads(handle.read(4096) or b"{}")
        except (OSError, ValueError):
            return Holder()
    if not isinstance(data, dict):
        return Holder()
    pid, count = data.get("pid"), data.get("generation")
    return Holder(
        command=str(data["command"]) if data.get("command") else None,
        pid=pid if isinstance(pid, int) else None,
        since=str(data["since"]) if data.get("since") else None,
        generation=count if isinstance(count, int) else 0,
    )


def held_here(store_dir: Path) -> bool:
    """Whether this process holds the store's lock now."""
    with _HELD_GUARD:
        return lock_path(store_dir) in _HELD


def generation(store_dir: Path) -> int:
    """How many times writers took and released the store's lock (0: never)."""
    return read_holder(store_dir).generation


def default_command() -> str:
    """The command running now, without its arguments (they may name files)."""
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    return "incident-kg " + args[0] if args else "incident-kg"


def _write(fd: int, content: dict[str, object]) -> None:
    data = json.dumps(content).encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)


def _read(fd: int) -> dict[str, object]:
    try:
        data = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _try_lock(fd: int) -> bool:
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _busy_message(store_dir: Path, holder: Holder, waited: float) -> str:
    after = f" (waited {waited:g} s)" if waited > 0 else ""
    hint = "" if waited > 0 else "; try again when it ends, or give --wait SECONDS"
    return f"store {store_dir} is busy: {holder.describe()} is writing it{after}{hint}"


@contextmanager
def store_lock(
    store_dir: Path,
    *,
    command: str | None = None,
    wait: float = 0.0,
    notice: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the write lock of the store at ``store_dir`` while the block runs.

    When another process holds it: wait up to ``wait`` seconds (telling ``notice`` once,
    by default the log), then raise :class:`StoreBusyError` naming the holder.  The folder
    the store lives in is created when missing (a first build)."""
    path = lock_path(store_dir)
    with _HELD_GUARD:
        held = _HELD.get(path)
        if held is not None:
            held[1] += 1
    if held is not None:
        try:
            yield
        finally:
            with _HELD_GUARD:
                held[1] -= 1
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise StoreError(f"cannot lock store {store_dir}: {exc.strerror or exc}") from exc
    try:
        started = time.monotonic()
        if not _try_lock(fd):
            holder = read_holder(store_dir)
            if wait <= 0:
                raise StoreBusyError(_busy_message(store_dir, holder, 0))
            (notice or log.warning)(
                f"store {store_dir} is busy: {holder.describe()} is writing it; "
                f"waiting up to {wait:g} s"
            )
            while not _try_lock(fd):
                if time.monotonic() - started >= wait:
                    raise StoreBusyError(_busy_message(store_dir, read_holder(store_dir), wait))
                time.sleep(POLL)
        count = _read(fd).get("generation")
        count = count if isinstance(count, int) else 0
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        _write(
            fd,
            {
                "command": command or default_command(),
                "pid": os.getpid(),
                "since": now,
                "generation": count + 1,
            },
        )
        entry = [fd, 1]
        with _HELD_GUARD:
            _HELD[path] = entry
        try:
            yield
        finally:
            with _HELD_GUARD:
                del _HELD[path]
            _write(fd, {"generation": count + 2})
    finally:
        os.close(fd)  # releases the lock (it is this process's only descriptor of the file)
