"""Worker processes that end with their parent.

The build extracts reports in forked worker processes.  Killed with ``kill -9``, a parent
cannot tell them to stop, and a worker left behind holds its memory (~150 MB), the store's
files and the caller's pipes for good, its parent now PID 1.  :func:`die_with_parent`, run
first in every worker, asks the kernel to kill the worker when its parent dies; a
:class:`Spawner` starts programs (``serve``'s Oxigraph server) that die with their parent
the same way.
"""

from __future__ import annotations

import ctypes
import functools
import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from typing import Any

#: ``prctl`` option: the signal the kernel sends a process when its parent dies (Linux).
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Make this (forked) process end when ``parent`` does, however it ends (``kill -9``
    included): on Linux the kernel sends it SIGKILL (``prctl(PR_SET_PDEATHSIG)``), elsewhere
    a thread checks every second.  A worker left behind would hold ~150 MB, the store's
    files and the caller's pipes for good."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        armed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):  # not Linux
        armed = False
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)
    if not armed:

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(1.0)
            os._exit(1)

        threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def _arm_in_child(parent: int) -> None:
    """``preexec_fn`` of a program started by a :class:`Spawner`: SIGKILL when the thread
    that started it ends (its process dying included), on Linux."""
    try:
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the program may outlive a killed parent
        pass
    if os.getppid() != parent:
        os._exit(1)


class Spawner:
    """Starts programs that die with this process (``kill -9`` included).

    The kernel's parent-death signal is tied to the *thread* that forked the child, so every
    program is started from one thread that lives until :meth:`close`: a program started
    from a short-lived thread (an HTTP request handler restarting a server) would otherwise
    be killed when that thread ends."""

    def __init__(self) -> None:
        self._requests: queue.Queue[tuple[Callable[[], Any], queue.Queue[Any]] | None] = (
            queue.Queue()
        )
        self._thread = threading.Thread(target=self._serve, daemon=True, name="spawner")
        self._thread.start()

    def _serve(self) -> None:
        while (item := self._requests.get()) is not None:
            start, reply = item
            try:
                reply.put((True, start()))
            except BaseException as exc:  # handed back to the caller
                reply.put((False, exc))

    def popen(self, command: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        """``subprocess.Popen(command, **kwargs)`` from the spawner's thread."""
        parent = os.getpid()
        reply: queue.Queue[Any] = queue.Queue()
        self._requests.put(
            (
                lambda: subprocess.Popen(
                    command, preexec_fn=functools.partial(_arm_in_child, parent), **kwargs
                ),
                reply,
            )
        )
        ok, value = reply.get()
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    def close(self) -> None:
        """End the spawner's thread (after the programs it started were stopped)."""
        self._requests.put(None)
        self._thread.join(5)
