"""float32 values exactly as ``json_format.MessageToDict`` prints them, a whole list at once.

``MessageToDict`` prints a float field with ``type_checkers.ToShortestFloat``: the
value rounded to ``p`` significant digits (``'%.{p}g'``) for the first ``p`` from 6
up whose float32 rounding gives the value back. Formatting a value at a time is
slow, so lists are done with C-level ``map`` arithmetic instead:

Let ``u`` be the float32 ulp of ``f`` (per binade) and ``10**t`` the smallest power of
ten above ``u``. The candidate at grid ``10**t`` is ``N / 10**-t`` with
``N = round_half_even(f * 10**-t)`` (exact in a double while ``-t <= 12``; the division
is correctly rounded, so it is the double ``float('%.{p}g' % f)`` gives). Any two
values that both round to ``f`` are less than ``10**t`` apart, so every candidate of
``ToShortestFloat`` on a grid of ``10**t`` or coarser is this one: if it rounds back
to ``f`` it is the answer; if not, none of those do and the answer is the candidate
one digit finer (grid ``10**(t-1)``), if that rounds back. What is left (zero,
subnormals, huge or tiny magnitudes, the rare third digit) takes the reference loop.

Faster still, when every value of a list is a finite, normal float32 below the
float32 maximum: then, but for powers of two, ``ToShortestFloat`` is the shortest
decimal that rounds back to the float32 (the nearest ``p``-digit value rounds back
whenever any does, the rounding interval being symmetric; below 6 digits ``%.6g``
is that same value), which orjson prints for a numpy float32 array (Ryu) and reads
back as the very double ``float()`` gives. A power of two has a narrower interval
below than above, so a shortest decimal above it may exist where the nearest does
not round back: those take ``r32``. Other lists keep the arithmetic above.
"""

from __future__ import annotations

import math
import sys
from array import array
from fractions import Fraction
from itertools import compress, repeat
from operator import add, mul, ne, sub, truediv
from struct import Struct
from typing import Any

import numpy
import orjson

FLOAT32_MAX = float.fromhex("0x1.fffffep+127")  # the largest finite float32
_F32 = Struct("<f")
_pack, _unpack = _F32.pack, _F32.unpack
_INF = math.inf
_MAGIC = 6755399441055744.0  # 1.5 * 2**52: (y + M) - M rounds |y| < 2**51 half to even
_HI = 1 if sys.byteorder == "little" else 0  # the uint16 holding sign, exponent, 7 bits
_NUMPY = orjson.OPT_SERIALIZE_NUMPY


def _scales() -> list[float]:
    """Per high uint16 of a float32: ``10**-t`` (see above), NaN where not usable."""
    by_exponent = {}
    for e in range(1, 255):  # normal numbers only
        limit = Fraction(2) ** (e - 150) * (1 + Fraction(1, 2**20))  # ulp, a little more
        t = -60
        while Fraction(10) ** t <= limit:
            t += 1
        by_exponent[e] = float(10**-t) if 0 <= -t <= 11 else math.nan
    return [by_exponent.get((h >> 7) & 0xFF, math.nan) for h in range(65536)]


_SCALE = _scales()
_scale_of = _SCALE.__getitem__


def r32(f: float) -> Any:
    """``ToShortestFloat`` as ``MessageToDict`` applies it, for one float32 value."""
    if f != f:
        return "NaN"
    if f in (_INF, -_INF):
        return "Infinity" if f > 0 else "-Infinity"
    for fmt in ("%.6g", "%.7g", "%.8g"):
        r = float(fmt % f)
        if _unpack(_pack(r))[0] == f:
            return r
    return float(f"{f:.9g}")


def _candidates(f: list[float], scales: list[float]) -> list[float]:
    return list(
        map(
            truediv, map(sub, map(add, map(mul, f, scales), repeat(_MAGIC)), repeat(_MAGIC)), scales
        )
    )


def _kinds() -> Any:
    """Per high uint16 of a float32 (sign, exponent, 7 mantissa bits): 0 for the fast
    path; 1 where the 7 mantissa bits are zero (a possible power of two, zero, or a
    tiny subnormal: each such value takes ``r32``); 2 for a list the fast path must
    leave alone (other subnormals; exponents 254 and 255: beyond 2**127, inf, NaN)."""
    high = numpy.arange(65536, dtype=numpy.uint32)
    exponent, top = (high >> 7) & 0xFF, high & 0x7F
    kinds = numpy.where(top == 0, 1, 0).astype(numpy.uint8)
    kinds[(exponent >= 254) | ((exponent == 0) & (top != 0))] = 2
    return kinds


_KINDS = _kinds()


def _printed(a: array[float]) -> list[float] | None:
    """The list as orjson prints float32 (shortest round trip), or None when a value is
    subnormal, beyond 2**127 or not finite (such lists take the arithmetic path)."""
    if not a:
        return []
    values = numpy.frombuffer(a, dtype=numpy.float32)
    kinds = _KINDS.take(values.view(numpy.uint16)[_HI::2])
    worst = kinds.max()
    if worst == 2:
        return None
    printed: list[float] = orjson.loads(orjson.dumps(values, option=_NUMPY))
    if worst == 1:  # powers of two (see above), zero, tiny subnormals: the exact rule
        for i in numpy.flatnonzero(kinds).tolist():
            printed[i] = r32(float(values[i]))
    return printed


def _shortest(a: array[float], f: list[float], text: bool) -> list[Any] | None:
    scales = list(map(_scale_of, memoryview(a).cast("B").cast("H")[_HI::2].tolist()))
    out = _candidates(f, scales)
    back = array("f", out).tolist()
    if back == f:
        return out
    todo = list(compress(range(len(f)), map(ne, back, f)))
    f2 = [f[i] for i in todo]
    out2 = _candidates(f2, [scales[i] * 10.0 for i in todo])
    back2 = array("f", out2).tolist()
    if back2 == f2:  # the rule: one digit finer always rounds back but for 2**n, no scale
        for i, r in zip(todo, out2, strict=True):
            out[i] = r
        return out
    for i, x, r, b in zip(todo, f2, out2, back2, strict=True):
        if b == x:
            out[i] = r
        elif text and not -FLOAT32_MAX < x < FLOAT32_MAX:  # (inf and max have no scale)
            return None
        else:
            out[i] = r32(x)
    return out


def shortest_list(values: list[float]) -> list[Any]:
    """What MessageToDict prints for each float32 value (as doubles; NaN, inf as strings)."""
    a = array("f", values)
    printed = _printed(a)
    return printed if printed is not None else _shortest(a, values, False)  # type: ignore[return-value]


def json_list(values: list[Any]) -> list[float] | None:
    """A JSON list of numbers as a float field stores and prints it.

    ``TypeError`` for anything but numbers; None when a value rounds to the float32
    limits (json_format rejects a float literal beyond them): the caller decides.
    """
    a = array("f", values)
    printed = _printed(a)
    return printed if printed is not None else _shortest(a, a.tolist(), True)
