"""ObjectIds for arriving frames, made without ``bson``'s lock.

``bson.ObjectId()`` takes a lock for its counter, and once gevent has patched
``threading`` that lock is gevent's, written in Python: most of the cost of an
id. An id per stored frame is made here instead, by the same recipe, with
``next`` of an ``itertools.count`` (atomic under the GIL) as the counter.
"""

from __future__ import annotations

import itertools
import os
import struct
import time
from collections.abc import Iterator

from bson import ObjectId

_PACK = struct.Struct(">IQ").pack  # 4 bytes of seconds; 5 random bytes and a 3-byte counter
_COUNTER_MASK = 0xFFFFFF


class ObjectIdSource:
    """Makes ObjectIds as ``bson.ObjectId()`` does: seconds since the epoch, 5 random
    bytes per process, a 3-byte counter from a random start.

    Its random bytes are its own, not ``bson``'s, so its ids and the
    ``ObjectId()``s made elsewhere in the process never share a counter and
    random part (they differ as another process's would); a forked child draws
    new ones at the fork.
    """

    def __init__(self) -> None:
        self._base = 0
        self._counter: Iterator[int] = iter(())
        self._renew()
        os.register_at_fork(after_in_child=self._renew)

    def __call__(self) -> ObjectId:
        return ObjectId(_PACK(int(time.time()), self._base | (next(self._counter) & _COUNTER_MASK)))

    def _renew(self) -> None:
        seed = int.from_bytes(os.urandom(8), "big")
        self._base = (seed >> 24) << 24  # 5 random bytes above the counter's 3
        self._counter = itertools.count(seed & _COUNTER_MASK)


new_object_id = ObjectIdSource()
