"""The generated converter of each message type, for a dict in any key layout.

Per message (without oneofs) straight-line code per key spelling (json names,
proto names) that checks each value and builds the canonical dict; nested
messages are inlined a few levels deep. Anything unusual raises ``Slow`` and the
message is redone by ``Msg.general`` (every ``json_format`` rule). ``c[0]``
counts every key and the colons inside strings, for the duplicate-key check.
"""

from __future__ import annotations

import math
from array import array
from typing import Any, NoReturn

from nevr_events.wire.fastframe_compile import (
    UNSET,
    Field,
    Invalid,
    Msg,
    Slow,
    general_value,
    ts_value,
)
from nevr_events.wire.fastframe_floats import json_list

# Nested messages deeper than this go through a call.
INLINE_DEPTH = 3


def dlist(v: list[Any]) -> list[float]:
    """A list of doubles as json_format stores them (TypeError: let the general path decide)."""
    try:
        return list(map(_ff, v))  # all floats: unchanged
    except TypeError:
        return array("d", v).tolist()  # ints and bools become floats, as float() does


_ff = float.__float__


def bad() -> NoReturn:
    raise Slow


def _f32_list(v: list[Any]) -> list[Any]:
    r = json_list(v)  # TypeError for strings/null: general path
    if r is None:  # beyond range, or inf from a big integer
        raise Slow
    return r


def vector_lines(v: str, keep: str, fix: str, empty: str) -> list[str]:
    """Code for a repeated double ``v``: ``keep`` for the usual three floats, ``fix``
    for any other non-empty list (``_dlist``), ``empty`` for ``[]``.

    One unpack and one chained type test. Only JSON reaches this code, where three
    values unpacked are the items of a list, a string or a dict's keys: a string's
    or a key's type is not float, so only a list keeps. Another length raises
    ValueError (a list of any length is valid); something not iterable raises
    TypeError, which sends the message to the general path, as a non-list does.
    """
    return [
        f"try: a0, a1, a2 = {v}",
        "except ValueError: a0 = a1 = a2 = None",
        f"if type(a0) is type(a1) is type(a2) is float: {keep}",
        f"elif type({v}) is not list: raise Slow",
        f"elif {v}: {fix}",
        f"else: {empty}",
    ]


def has_oneofs(m: Msg) -> bool:
    return any(f.oneof is not None for f in m.fields)


def field_code(f: Field, v: str, o: str, ns: dict[str, Any], depth: int) -> list[str]:
    """Code handling value ``v`` of field ``f`` (not null) into output dict ``o``."""
    n, fv, sv = repr(f.name), f"F_{id(f)}", f"S_{id(f)}"
    ns[fv] = f
    if f.kind == "msg":
        ns[sv] = f.sub
    if (
        f.map
        or (f.kind in ("enum", "float") and not f.repeated)
        or (f.repeated and f.kind not in ("double", "float", "msg"))
    ):
        return [f"r = general_value({fv}, {v}, c)", f"if r is not UNSET: {o}[{n}] = r"]
    if f.repeated and f.kind == "double":
        return vector_lines(v, f"{o}[{n}] = {v}", f"{o}[{n}] = _dlist({v})", "pass")
    if f.repeated and f.kind == "float":
        return [f"if type({v}) is not list: raise Slow", f"if {v}: {o}[{n}] = _f32_list({v})"]
    if f.repeated:  # messages
        return [
            f"if type({v}) is not list: raise Slow",
            f"if {v}: {o}[{n}] = [{element_code(f, ns)} for x in {v}]",
        ]
    if f.kind == "msg" and (has_oneofs(f.sub) or depth >= INLINE_DEPTH):
        return [f"{o}[{n}] = {sv}.conv({v}, c)"]
    if f.kind == "msg":  # inlined: anything unusual redoes the outer message generally
        sub_o = f"o{depth + 1}"
        return [
            f"if type({v}) is not dict: raise Slow",
            *_variants(f.sub, v, sub_o, ns, depth + 1),
            f"{o}[{n}] = {sub_o}",
        ]
    if f.kind == "timestamp":
        return [f"{o}[{n}] = ts_value({v}, c)"]
    if f.kind == "string":
        return [
            f"if type({v}) is not str: raise Slow",
            f"if {v}:",
            f" {o}[{n}] = {v}",
            f" if ':' in {v}: c[0] += {v}.count(':')",
        ]
    if f.kind == "bool":
        return [f"if {v} is True: {o}[{n}] = True", f"elif {v} is not False: raise Slow"]
    if f.kind == "i32":
        return [
            f"if type({v}) is not int or not {f.lo} <= {v} <= {f.hi}: raise Slow",
            f"if {v}: {o}[{n}] = {v}",
        ]
    if f.kind == "i64":
        return [
            f"if type({v}) is int and {f.lo} <= {v} <= {f.hi}:",
            f" if {v}: {o}[{n}] = str({v})",
            f"elif type({v}) is str and {v}.isdigit() and {v}.isascii() and len({v}) < 21:",
            f" r = int({v})",
            f" if r > {f.hi}: raise Slow",
            f" if r: {o}[{n}] = str(r)",
            "else: raise Slow",
        ]
    return [
        f"if type({v}) is float:",
        f" if {v} or _cs(1.0, {v}) < 0: {o}[{n}] = {v}",  # double
        f"elif type({v}) is int:",
        f" if {v}: {o}[{n}] = float({v})",
        "else: raise Slow",
    ]


def element_code(f: Field, ns: dict[str, Any]) -> str:
    """Converting element ``x`` of repeated message field ``f``: through the type's
    converter in use, or straight from its layout table once it has one."""
    table = f.sub.layouts
    if table is None:
        ns[f"S_{id(f)}"] = f.sub
        return f"S_{id(f)}.conv(x, c) if x is not None else _bad()"
    ns[f"H_{id(f)}"], ns[f"L_{id(f)}"] = table.shapes, table.learn
    return f"(H_{id(f)}.get(tuple(x)) or L_{id(f)}(x))(x, c)"


def _variants(m: Msg, d: str, o: str, ns: dict[str, Any], depth: int) -> list[str]:
    """Straight-line code per key spelling (json names, proto names) of dict ``d``."""
    proto = {f.name: f.name for f in m.fields}
    jsn = {f.name: f.json for f in m.fields}
    custom = any(f.json != _camel(f.name) for f in m.fields)
    variants = [proto] if jsn == proto else [jsn, proto] if custom else [proto, jsn]
    lines = [f"ks = {d}.keys()"]
    v = f"v{depth}"
    for i, key_of in enumerate(variants):
        kv = f"K_{id(m)}_{i}"
        ns[kv] = frozenset(key_of.values())
        lines.append(f"{'el' if i else ''}if ks <= {kv}:")
        lines.append(f" {o} = {{}}")
        for f in m.fields:
            lines += [f" {v} = {d}.get({key_of[f.name]!r})", f" if {v} is not None:"]
            lines += ["  " + line for line in field_code(f, v, o, ns, depth)]
        lines.append(f" c[0] += len({d})")
    return [*lines, "else: raise Slow"]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def namespace(m: Msg) -> dict[str, Any]:
    """The names generated converter code refers to."""
    return {
        "M": m,
        "Slow": Slow,
        "Invalid": Invalid,
        "_dlist": dlist,
        "_cs": math.copysign,
        "ts_value": ts_value,
        "_f32_list": _f32_list,
        "_bad": bad,
        "general_value": general_value,
        "UNSET": UNSET,
    }


def compile_converter(m: Msg) -> None:
    """``m.build`` and ``m.conv``: straight-line code per key spelling, else general."""
    ns = namespace(m)
    src = [
        "def conv(d, c):",
        " if type(d) is not dict: return M.general(d, c)",
        " c0 = c[0]",
        " try:",
        *("  " + line for line in _variants(m, "d", "o", ns, 0)),
        "  return o",
        " except (Slow, Invalid, TypeError):",
        "  c[0] = c0",
        " return M.general(d, c)",
    ]
    exec("\n".join(src), ns)
    m.build = m.conv = ns["conv"]
