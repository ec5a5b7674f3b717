"""Code per key layout: a frame already in canonical form is checked, not rebuilt.

An agent sends thousands of frames with the same keys in the same order. The
reference agent sends protojson with proto field names in field-number order,
the canonical layout ``MessageToDict`` gives, defaults left out: the canonical
output is the dict itself, give or take a few values (a default to drop, an
integer in a double field, an int64 as a number).

So each message type (without oneofs) gets a dispatcher keyed on ``tuple(d)``.
For a canonical layout, generated code checks every value and fixes the few that
differ *in place* (assigning keeps a key's position, deleting keeps the rest in
order) and returns the input dict. Any other layout (the game's JSON names) gets
code that builds the canonical dict from the unpacked values, keeping nested
dicts that are already canonical. Nested messages are inlined with the layout of
the first example. Anything unusual raises and the message is redone by
``Msg.general``, as in ``fastframe_convert``; values fixed in place by then are
already canonical, which ``general`` accepts and prints the same.

Which layouts get code, and for how long: ``fastframe_layouts``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeGuard, cast

from nevr_events.wire.fastframe_compile import Field, Invalid, Msg, Slow
from nevr_events.wire.fastframe_convert import (
    INLINE_DEPTH,
    element_code,
    field_code,
    has_oneofs,
    namespace,
    vector_lines,
)
from nevr_events.wire.fastframe_layouts import Converter, Layout, LayoutTable

_CAUGHT = (Slow, Invalid, TypeError, AttributeError)


def _canonical(m: Msg, keys: Layout) -> list[Field] | None:
    """The fields of ``keys`` when they are proto names in ascending field order."""
    fields: list[Field] = []
    last = 0
    for key in keys:
        f = m.by_key.get(key) if type(key) is str else None
        if f is None or key != f.name or f.number <= last:
            return None
        fields.append(f)
        last = f.number
    return fields


def compilable(m: Msg) -> bool:
    return not has_oneofs(m) and not any(
        f.presence and f.kind not in ("msg", "timestamp") for f in m.fields
    )


class _Code:
    """The names one compiled layout's code refers to."""

    def __init__(self, ns: dict[str, Any]) -> None:
        self.ns = {**ns, "CAUGHT": _CAUGHT}
        self.names = 0

    def name(self, value: object, prefix: str) -> str:
        self.names += 1
        key = f"{prefix}{self.names}"
        self.ns[key] = value
        return key


def _indent(lines: list[str], by: int = 1) -> list[str]:
    return [" " * by + line for line in lines]


def _unpack(values: list[str], d: str) -> str:
    if values:  # not a dict: AttributeError, the general path
        return ", ".join(values) + ("," if len(values) == 1 else "") + f" = {d}.values()"
    return f"if type({d}) is not dict: raise Slow"  # the empty layout: tuple("") is () too


def _fix_message(
    code: _Code, m: Msg, keys: Layout, example: dict[str, Any], d: str, depth: int
) -> list[str]:
    """Lines checking dict ``d`` (keys exactly ``keys``) and fixing its values in place."""
    fields = _canonical(m, keys)
    assert fields is not None
    values = [f"u{depth}_{i}" for i in range(len(keys))]
    lines = [_unpack(values, d), f"n += {len(keys)}"]
    for f, v in zip(fields, values, strict=True):
        lines += _fix_field(code, f, v, d, repr(f.name), example.get(f.name), depth)
    return lines


def _fix_field(
    code: _Code, f: Field, v: str, d: str, k: str, example: Any, depth: int
) -> list[str]:
    if f.map or (f.repeated and f.kind not in ("double", "msg")) or f.kind in ("enum", "float"):
        fv = code.name(f, "F")
        return [
            f"if {v} is None: raise Slow",
            f"r = general_value({fv}, {v}, c)",
            f"if r is UNSET: del {d}[{k}]",
            f"else: {d}[{k}] = r",
        ]
    if f.repeated and f.kind == "double":
        return vector_lines(v, "pass", f"{d}[{k}] = _dlist({v})", f"del {d}[{k}]")
    if f.repeated:  # messages
        each = element_code(f, code.ns)
        return [
            f"if type({v}) is not list: raise Slow",
            f"if {v}:",
            f" {d}[{k}] = [{each} for x in {v}]",
            f"else: del {d}[{k}]",
        ]
    if f.kind == "msg":
        call = [f"r = {code.name(f.sub, 'S')}.conv({v}, c)", f"if r is not {v}: {d}[{k}] = r"]
        if not _inlined(example, f.sub, depth, _canonical):
            return [f"if type({v}) is not dict: raise Slow", *call]
        layout = code.name(tuple(example), "K")
        return [
            f"if type({v}) is dict and tuple({v}) == {layout}:",
            *_indent(_fix_message(code, f.sub, tuple(example), example, v, depth + 1)),
            f"elif type({v}) is not dict: raise Slow",
            "else:",
            *_indent(call),
        ]
    if f.kind == "timestamp":
        return [
            f"if {v} is None: raise Slow",
            f"r = ts_value({v}, c)",
            f"if r != {v}: {d}[{k}] = r",
        ]
    if f.kind == "string":
        return [
            f"if type({v}) is not str: raise Slow",
            f"if not {v}: del {d}[{k}]",
            f"elif ':' in {v}: c[0] += {v}.count(':')",
        ]
    if f.kind == "bool":
        return [f"if {v} is not True:", f" if {v} is False: del {d}[{k}]", " else: raise Slow"]
    if f.kind == "i32":
        return [
            f"if type({v}) is not int or not {f.lo} <= {v} <= {f.hi}: raise Slow",
            f"if not {v}: del {d}[{k}]",
        ]
    if f.kind == "i64":
        # Canonical: the decimal digits, no leading zero (19 digits and more: general path).
        canonical = f"{v}.isdigit() and {v}.isascii() and {v}[0] != '0' and len({v}) < 19"
        return [
            f"if type({v}) is str and {canonical}: pass",
            f"elif type({v}) is int and {f.lo} <= {v} <= {f.hi}:",
            f" if {v}: {d}[{k}] = str({v})",
            f" else: del {d}[{k}]",
            "else: raise Slow",
        ]
    return [  # double
        f"if type({v}) is float:",
        f" if not {v} and _cs(1.0, {v}) > 0: del {d}[{k}]",
        f"elif type({v}) is int:",
        f" if {v}: {d}[{k}] = float({v})",
        f" else: del {d}[{k}]",
        "else: raise Slow",
    ]


def _inlined(
    example: object, sub: Msg, depth: int, layout_of: Callable[[Msg, Layout], object]
) -> TypeGuard[dict[str, Any]]:
    """Whether a nested message gets inline code for the key layout of ``example``
    (``layout_of``: ``_canonical`` for fix-in-place code, ``_layout`` for building)."""
    return (
        depth + 1 < INLINE_DEPTH
        and type(example) is dict
        and compilable(sub)
        and layout_of(sub, tuple(example)) is not None
    )


def _layout(m: Msg, keys: Layout) -> list[Field] | None:
    """The fields of ``keys`` in any spelling, when each names a different field."""
    fields = [f for key in keys if type(key) is str and (f := m.by_key.get(key)) is not None]
    if len(fields) != len(keys) or len({id(f) for f in fields}) != len(fields):
        return None
    return fields


def _build_message(
    code: _Code, m: Msg, keys: Layout, example: dict[str, Any], d: str, o: str, depth: int
) -> list[str]:
    """Lines building the canonical dict ``o`` from dict ``d`` (keys exactly ``keys``)."""
    fields = _layout(m, keys)
    assert fields is not None
    var = {id(f): f"u{depth}_{i}" for i, f in enumerate(fields)}
    key_of = {id(f): str(key) for f, key in zip(fields, keys, strict=True)}  # str: _layout
    lines = [f"{o} = {{}}", _unpack(list(var.values()), d)]
    for f in m.fields:  # output in field-number order, as MessageToDict gives it
        v = var.get(id(f))
        if v is None:
            continue
        n = repr(f.name)
        sub_example = example.get(key_of[id(f)])
        if f.kind == "msg" and not f.repeated and not f.map:
            if _inlined(sub_example, f.sub, depth, _canonical):
                # Already canonical below (e.g. a body part {position, forward, left,
                # up}): checked and kept, not copied.
                inner = _fix_message(code, f.sub, tuple(sub_example), sub_example, v, depth + 1)
                out = v
            elif _inlined(sub_example, f.sub, depth, _layout):
                out = f"q{depth + 1}"
                inner = _build_message(
                    code, f.sub, tuple(sub_example), sub_example, v, out, depth + 1
                )
            else:
                lines.append(f"if {v} is None: raise Slow")  # null: unset, the general path
                lines += field_code(f, v, o, code.ns, depth)
                continue
            lines += [
                f"if type({v}) is dict and tuple({v}) == {code.name(tuple(sub_example), 'K')}:",
                *_indent(inner),
                f" {o}[{n}] = {out}",
                f"elif {v} is None: raise Slow",  # null (unset): the general path
                "else:",
                f" {o}[{n}] = {code.name(f.sub, 'S')}.conv({v}, c)",
            ]
            continue
        if (
            f.map
            or f.kind in ("timestamp", "enum", "float")
            or (f.repeated and f.kind not in ("double", "float", "msg"))
        ):
            lines.append(f"if {v} is None: raise Slow")
        lines += field_code(f, v, o, code.ns, depth)
    return [*lines, f"n += {len(keys)}"]


def _compile(m: Msg, example: dict[str, Any], ns: dict[str, Any]) -> Converter:
    """Code for ``example``'s key layout: fixed in place when canonical, else built."""
    code = _Code(ns)
    keys = tuple(example)
    if _canonical(m, keys) is not None:
        body = [*_fix_message(code, m, keys, example, "d", 0), "c[0] += n", "return d"]
    else:
        body = [*_build_message(code, m, keys, example, "d", "o", 0), "c[0] += n", "return o"]
    # ``n`` counts the keys of the dicts done inline (a local: cheaper than ``c[0]`` each).
    lines = ["def conv(d, c):", " c0 = c[0]", " n = 0", " try:", *_indent(body, 2)]
    lines += [" except CAUGHT:", "  c[0] = c0", " return M.general(d, c)"]
    exec("\n".join(lines), code.ns)
    return cast(Converter, code.ns["conv"])


def install(m: Msg, clock: Callable[[], float]) -> None:
    """Give ``m`` a dispatcher per key layout; ``m.build`` stays its converter for any."""
    if not compilable(m):
        return
    ns = namespace(m)
    table = m.layouts = LayoutTable(
        m.build,
        m.general,
        lambda example: _compile(m, example, ns),
        lambda keys: _layout(m, keys) is not None,
        clock,
    )
    get, learn, general = table.shapes.get, table.learn, m.general

    def conv(d: Any, c: list[int]) -> dict[str, Any]:
        if type(d) is dict:
            return (get(tuple(d)) or learn(d))(d, c)
        return general(d, c)

    m.conv = conv
