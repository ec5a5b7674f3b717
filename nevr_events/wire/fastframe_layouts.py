"""Which key layouts of a message type get code of their own, and for how long.

``fastframe_shapes`` compiles straight-line code per key layout (~0.2 ms for a
``PlayerStats`` layout, ~1.2 ms for a ``TeamMember``). That pays off only for a
layout an agent keeps sending. The reference agent leaves defaults out, so a
player's layout changes whenever a bool flips or a stat leaves zero: over a
match, and over the days a worker runs, layouts come and go.

So a ``LayoutTable`` per message type:

- remembers at most ``LAYOUTS_PER_MESSAGE`` layouts (``Msg.shapes``). A new
  layout first runs the type's general fast converter (``Msg.build``) and gets
  code of its own on its ``COMPILE_AFTER``-th use, while fewer than
  ``COMPILED_PER_MESSAGE`` layouts have code, and at most once per
  ``COMPILE_INTERVAL`` per message type: layouts that come and go faster than
  that (flags drawn at random every frame) would otherwise keep the compiler
  busy for code that is dropped before it pays (a ``TeamMember`` layout's code
  saves ~2.7 µs a use: ~450 uses to pay its compile);
- when the table is full, sweeps it: layouts without code are forgotten, and
  code that no frame used since the previous sweep is dropped (each kept piece
  of code is put on probation: its first use restores it). A layout that an
  agent sends today thus gets code even after a thousand others came and went,
  while hostile input still grows nothing and compiles at most two layouts a
  second per message type.

Generated code holds on to ``Msg.shapes`` and ``LayoutTable.learn``: both stay
the same objects for good.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from nevr_events.wire.fastframe_compile import Msg

# Key layouts remembered per message type, and how many of them have code of their own.
LAYOUTS_PER_MESSAGE = 64
COMPILED_PER_MESSAGE = 16
# Uses of a layout before it gets code, and the least time between two compiles of
# one message type (tests set 1 and 0: code for every layout at first sight).
COMPILE_AFTER = 32
COMPILE_INTERVAL = 0.5

Converter = Callable[[Any, list[int]], Any]


class LayoutTable:
    """The converter per key layout of one message type (``Msg.shapes``) and its upkeep.

    ``compile_layout(example)`` returns code for ``example``'s layout;
    ``compilable(keys)`` says whether a layout can have code (each key names a
    different field).
    """

    def __init__(
        self,
        m: Msg,
        compile_layout: Callable[[dict[str, Any]], Converter],
        compilable: Callable[[tuple[Any, ...]], bool],
    ) -> None:
        self.m = m
        self.shapes = m.shapes
        self.code: dict[tuple[Any, ...], Converter] = {}  # the layouts with code of their own
        self._compile_layout = compile_layout
        self._compilable = compilable
        self._compiled_at = -math.inf
        self.uses: dict[tuple[Any, ...], int] = {}  # uses of the layouts without code
        self._counted = self._counting()

    def learn(self, d: Any) -> Converter:
        """The converter for ``d``'s layout, seen for the first time since the last sweep."""
        if type(d) is not dict:
            return self.m.general
        if len(self.shapes) >= LAYOUTS_PER_MESSAGE:
            self.sweep()
        keys = tuple(d)
        self.shapes[keys] = self._counted
        if COMPILE_AFTER > 1:  # this first use is counted here (under churn, most are the only one)
            self.uses[keys] = 1
            return self.m.build
        return self._counted

    def sweep(self) -> None:
        """Forget layouts without code, and code unused since the previous sweep."""
        self.uses.clear()
        for keys, conv in list(self.shapes.items()):
            code = self.code.get(keys)
            if code is None:
                del self.shapes[keys]
            elif conv is code:  # used (or compiled) since the last sweep: on probation
                self.shapes[keys] = self._probation(keys, code)
            else:  # still on probation: no frame had this layout for a whole sweep
                del self.shapes[keys], self.code[keys]

    def forget(self) -> None:
        """Back to a fresh worker's state."""
        self.shapes.clear()
        self.code.clear()
        self.uses.clear()
        self._compiled_at = -math.inf

    def _counting(self) -> Converter:
        """``Msg.build`` for every layout without code: counts each layout's uses (one
        function for all, not one per layout: under churn most layouts are used once)
        and installs code on the ``COMPILE_AFTER``-th."""
        build, shapes, code, uses = self.m.build, self.shapes, self.code, self.uses

        def counted(d: Any, c: list[int]) -> Any:
            keys = tuple(d)
            n = uses[keys] = uses.get(keys, 0) + 1
            if (
                n >= COMPILE_AFTER
                and type(d) is dict  # tuple() of a list of key names finds a layout too
                and len(code) < COMPILED_PER_MESSAGE
                and shapes.get(keys) is counted
                and (now := time.monotonic()) - self._compiled_at >= COMPILE_INTERVAL
            ):
                if not self._compilable(keys):  # asked only now: most layouts never get here
                    shapes[keys] = build
                    return build(d, c)
                self._compiled_at = now
                compiled = code[keys] = shapes[keys] = self._compile_layout(d)
                return compiled(d, c)
            return build(d, c)

        return counted

    def _probation(self, keys: tuple[Any, ...], code: Converter) -> Converter:
        shapes = self.shapes

        def conv(d: Any, c: list[int]) -> Any:
            if shapes.get(keys) is conv:
                shapes[keys] = code  # in use again: kept at the next sweep
            return code(d, c)

        return conv
