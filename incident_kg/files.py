"""Reading a file the user names, always within a size bound.

Every file the commands read on a user's say-so (reports, curation sidecars, gold files,
query files, received RDF, a lexicon) goes through :func:`read_bounded`: it opens the
path without blocking, refuses by type what is not a regular file — a FIFO or a socket
(which could block or stream for ever), a device (``/dev/zero`` streams without end), a
folder — also when it is reached through a symlink, and reads at most the limit and one
byte more, so a file that grows, or lies about its size, is refused without being held in
memory.  ``stat`` alone is not enough: a FIFO and a device have no size.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from incident_kg.errors import FileReadError

#: Bytes read per ``read`` call.
_CHUNK = 1 << 20


def kind_of(mode: int) -> str:
    """What a file of this mode is, in words (for a refusal)."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def size_message(size: int | str, limit: int) -> str:
    """The one line for a file over its limit."""
    shown = f"{size:,}" if isinstance(size, int) else size
    return f"file is too large ({shown} bytes; the limit is {limit:,} bytes)"


def read_bounded(
    path: Path | str,
    max_bytes: int,
    *,
    error: type[FileReadError] = FileReadError,
) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``, else ``error`` (a
    :class:`~incident_kg.errors.FileReadError`) with a kind — ``missing``, ``not-a-file``,
    ``too-large``, ``unreadable`` — and one line naming the problem."""
    try:
        # by type before opening (opening some devices does something), and again after
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise error(path, "not-a-file", f"{kind_of(mode)}, not a file: not read")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        if os.path.islink(path):
            raise error(path, "missing", "a symlink to nothing (its target is gone)") from None
        raise error(path, "missing", "no such file or directory") from None
    except IsADirectoryError:
        raise error(path, "not-a-file", "a folder, not a file") from None
    except OSError as exc:
        if exc.errno in (errno.ENXIO, errno.EOPNOTSUPP):  # a socket, a device without reader
            raise error(path, "not-a-file", "not a regular file") from None
        reason = exc.strerror or str(exc)
        raise error(path, "unreadable", f"cannot open the file: {reason.lower()}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise error(path, "not-a-file", f"{kind_of(info.st_mode)}, not a file: not read")
        if info.st_size > max_bytes:
            raise error(path, "too-large", size_message(info.st_size, max_bytes))
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        total = 0
        while total <= max_bytes:
            chunk = os.read(fd, min(_CHUNK, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:  # it grew after fstat
            raise error(path, "too-large", size_message(f"more than {max_bytes:,}", max_bytes))
        return b"".join(chunks)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise error(path, "unreadable", f"cannot read the file: {reason.lower()}") from None
    finally:
        os.close(fd)


def read_text_bounded(
    path: Path | str,
    max_bytes: int,
    *,
    error: type[FileReadError] = FileReadError,
) -> str:
    """A UTF-8 text file of at most ``max_bytes`` (:func:`read_bounded`); a file that is not
    UTF-8 is refused with kind ``encoding``."""
    data = read_bounded(path, max_bytes, error=error)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(
            path, "encoding", f"not UTF-8 text (byte {exc.start}): save it as UTF-8"
        ) from None
