"""Python's cyclic garbage collector, paused while a stage makes or reads a great many
objects at once.

The projection (analysis/), the link pass's facts and its state (graph/) make hundreds of
thousands to millions of objects at a time, none in a reference cycle; each pass of the
collector walks them all, for nothing (at 100,000 reports parsing the summaries took 5.0 s
with it running, 1.2 s without; unpickling a projection or the link state, 2–3×).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_collector() -> Iterator[None]:
    """The collector paused for the ``with`` block, then enabled again if it was."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
