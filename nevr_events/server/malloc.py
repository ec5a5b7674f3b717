"""Memory tuning of a worker: big messages' memory back to the OS, a cheaper collector.

``pin_mmap_threshold`` (glibc only):

glibc serves allocations above a threshold (128 KiB at first) with their own
``mmap`` and unmaps them when freed; but each time such a block is freed it
raises the threshold to that block's size, up to 32 MiB. After one burst of
1 MB messages, later ones then come from the heap, whose freed pages stay
resident: the stream fuzz (``bench/fuzz.py``) saw a worker's RSS grow by
~20 MB that way and stay there. Pinning the threshold keeps large buffers on
``mmap``, so RSS returns to where it was once they are freed.

``tune_garbage_collector``: a 13 KB frame becomes ~800 dicts and lists while it
is validated; they are freed by reference counting once the frame is encoded.
With Python's default threshold (700 more container objects alive than at the
last collection) a young-generation collection ran about once per frame and
walked them all: 3.5 % of a busy worker's CPU in a profile (BENCHMARKS.md,
"Stream CPU"). The count falls again as objects are freed, so with a threshold
of 20,000 a collection runs only when that many more objects stay alive: on
real growth, and for reference cycles, which the stream does not make per
frame. ``gc.freeze`` first moves everything built at start-up (modules, the
app) out of the collector's sight: it is never garbage.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os

M_MMAP_THRESHOLD = -3  # from glibc's <malloc.h>
MMAP_THRESHOLD_BYTES = 128 * 1024
GC_THRESHOLD = 20_000


def pin_mmap_threshold(size: int = MMAP_THRESHOLD_BYTES) -> bool:
    """Fix glibc's mmap threshold (unless the operator set MALLOC_MMAP_THRESHOLD_)."""
    if os.environ.get("MALLOC_MMAP_THRESHOLD_"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, size))
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to do
        return False


def tune_garbage_collector(threshold: int = GC_THRESHOLD) -> None:
    """Freeze what start-up built and collect the young generation less often."""
    gc.freeze()
    gc.set_threshold(threshold, *gc.get_threshold()[1:])
