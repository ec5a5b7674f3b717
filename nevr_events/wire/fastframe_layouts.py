"""Which key layouts of a message type get code of their own, and for how long.

Code per layout pays off only for a layout an agent keeps sending. The reference
agent leaves defaults out, so a player's layout changes whenever a bool flips or
a stat leaves zero: over a match, and over the days a worker runs, layouts come
and go. A ``LayoutTable`` per message type:

- remembers at most ``LAYOUTS_PER_MESSAGE`` layouts. A new layout runs the
  type's generated converter for any layout (``build``) and gets code of its own
  on its ``COMPILE_AFTER``-th use, while fewer than ``COMPILED_PER_MESSAGE``
  layouts have code, and at most once per ``COMPILE_INTERVAL`` per type: layouts
  drawn anew every frame would otherwise keep the compiler busy for code that is
  dropped before it pays for its compile;
- when full, sweeps itself: layouts without code are forgotten, and code no frame
  used since the previous sweep is dropped (kept code goes on probation: its
  first use restores it). A layout sent today thus gets code however many came
  before it, while hostile input grows nothing.

Generated code holds on to ``shapes`` and ``learn``: both stay the same objects
for good.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

# Key layouts remembered per message type, and how many of them have code of their own.
LAYOUTS_PER_MESSAGE = 64
COMPILED_PER_MESSAGE = 16
# Uses of a layout before it gets code, and the least time between two compiles of
# one message type.
COMPILE_AFTER = 32
COMPILE_INTERVAL = 0.5

# A converter: a JSON value and the key counter in, the canonical dict out.
Converter = Callable[[Any, list[int]], dict[str, Any]]
Layout = tuple[object, ...]


class LayoutTable:
    """The converter per key layout of one message type (``shapes``) and its upkeep.

    ``compile_layout(example)`` returns code for ``example``'s layout;
    ``compilable(keys)`` says whether a layout can have code; ``clock`` is
    ``time.monotonic`` in a worker.
    """

    def __init__(
        self,
        build: Converter,
        general: Converter,
        compile_layout: Callable[[dict[str, Any]], Converter],
        compilable: Callable[[Layout], bool],
        clock: Callable[[], float],
    ) -> None:
        self.build, self.general = build, general
        self.shapes: dict[Layout, Converter] = {}
        self.code: dict[Layout, Converter] = {}  # the layouts with code of their own
        self.uses: dict[Layout, int] = {}  # uses of the layouts without code
        self._compile_layout = compile_layout
        self._compilable = compilable
        self._clock = clock
        self._compiled_at = -math.inf
        self._counted = self._counting()

    def learn(self, d: object) -> Converter:
        """The converter for ``d``'s layout, seen for the first time since the last sweep."""
        if type(d) is not dict:
            return self.general
        if len(self.shapes) >= LAYOUTS_PER_MESSAGE:
            self.sweep()
        keys = tuple(d)
        self.shapes[keys] = self._counted
        self.uses[keys] = 1  # this first use counts (under churn, most are the only one)
        return self.build

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
        """``build`` for every layout without code, counting each layout's uses (one
        function for all: under churn most layouts are used once); installs code on
        the ``COMPILE_AFTER``-th use."""
        build, shapes, code, uses = self.build, self.shapes, self.code, self.uses

        def counted(d: Any, c: list[int]) -> dict[str, Any]:
            keys = tuple(d)
            n = uses[keys] = uses.get(keys, 0) + 1
            if (
                n >= COMPILE_AFTER
                and type(d) is dict  # tuple() of a list of key names finds a layout too
                and len(code) < COMPILED_PER_MESSAGE
                and shapes.get(keys) is counted
                and (now := self._clock()) - self._compiled_at >= COMPILE_INTERVAL
            ):
                if not self._compilable(keys):  # asked only now: most layouts never get here
                    shapes[keys] = build
                    return build(d, c)
                self._compiled_at = now
                compiled = code[keys] = shapes[keys] = self._compile_layout(d)
                return compiled(d, c)
            return build(d, c)

        return counted

    def _probation(self, keys: Layout, code: Converter) -> Converter:
        shapes = self.shapes

        def conv(d: Any, c: list[int]) -> dict[str, Any]:
            if shapes.get(keys) is conv:
                shapes[keys] = code  # in use again: kept at the next sweep
            return code(d, c)

        return conv
