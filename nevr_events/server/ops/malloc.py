"""Give the memory of big messages back to the OS (glibc only).

glibc serves allocations above a threshold (128 KiB at first) with their own
``mmap`` and unmaps them when freed; but each time such a block is freed it
raises the threshold to that block's size, up to 32 MiB. After one burst of
1 MB messages, later ones then come from the heap, whose freed pages stay
resident (the stream fuzz, ``bench/fuzz.py``, shows a worker's RSS growing
that way; BENCHMARKS.md). Pinning the threshold keeps large buffers on
``mmap``, so RSS returns to where it was once they are freed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

M_MMAP_THRESHOLD = -3  # from glibc's <malloc.h>
MMAP_THRESHOLD_BYTES = 128 * 1024


def pin_mmap_threshold(size: int = MMAP_THRESHOLD_BYTES) -> bool:
    """Fix glibc's mmap threshold (unless the operator set MALLOC_MMAP_THRESHOLD_)."""
    if os.environ.get("MALLOC_MMAP_THRESHOLD_"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, size))
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to do
        return False
