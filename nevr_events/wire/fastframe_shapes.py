"""Converters per key layout: a frame already in canonical form is checked, not rebuilt.

An agent sends thousands of frames with the same keys in the same order. The
reference agent sends protojson with proto field names in field-number order,
which is the canonical layout ``MessageToDict`` gives, with defaults left out.
For such a dict the canonical output is the dict itself, give or take a few
values: a default to drop, an integer in a double field, an int64 as a number.

So each message type (without oneofs) gets a dispatcher keyed on ``tuple(d)``,
the dict's keys in order. For a key layout in canonical form (proto names,
ascending field numbers) it generates, once, straight-line code that checks
every value and fixes the few that differ *in place* (assigning a key keeps
its position; deleting one keeps the rest in order), then returns the input
dict: no new dicts, no ``d.get`` per field. Nested messages are inlined with
the key layout seen in the first example; another layout goes through the
nested type's own dispatcher. Any other layout (the game's JSON names, another
order) keeps the generated converter of ``fastframe`` (``Msg.build``).

Anything unusual raises inside the generated code and the message is redone by
``Msg.general`` (every ``json_format`` rule), exactly as the fast converter
does; values fixed in place by then are already canonical, which ``general``
accepts and prints the same. ``c[0]`` counts every key of the input and the
colons inside its strings, for the duplicate-key check of ``fastframe``.

At most ``LAYOUTS_PER_MESSAGE`` layouts per message type are remembered and
``COMPILED_PER_MESSAGE`` compiled, so hostile input cannot grow the caches or
keep the compiler busy; past that, layouts use ``Msg.build``.
"""

from __future__ import annotations

from array import array
from typing import Any

from nevr_events.wire.fastframe_compile import (
    Field,
    Invalid,
    Msg,
    Slow,
)

# Key layouts remembered per message type, and how many of them get compiled code.
LAYOUTS_PER_MESSAGE = 64
COMPILED_PER_MESSAGE = 16
# Nested messages deeper than this below a compiled layout go through a call.
_INLINE_DEPTH = 3
_CAUGHT = (Slow, Invalid, TypeError, AttributeError)


def dlist(v: list[Any]) -> list[float]:
    """A list of doubles as json_format stores them (TypeError: let the general path decide)."""
    try:
        return list(map(_ff, v))  # all floats: unchanged
    except TypeError:
        return array("d", v).tolist()  # ints and bools become floats, as float() does


_ff = float.__float__


def bad() -> Any:
    raise Slow


def has_oneofs(m: Msg) -> bool:
    return any(f.oneof is not None for f in m.fields)


def _canonical(m: Msg, keys: tuple[Any, ...]) -> list[Field] | None:
    """The fields of ``keys`` when they are proto names in ascending field order."""
    fields, last = [], 0
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
    """Source lines and the names they refer to, for one compiled layout."""

    def __init__(self, ns: dict[str, Any]) -> None:
        self.ns = {**ns, "CAUGHT": _CAUGHT}
        self.lines: list[str] = []
        self.names = 0
        self.field_code: Any = None

    def name(self, value: Any, prefix: str) -> str:
        self.names += 1
        key = f"{prefix}{self.names}"
        self.ns[key] = value
        return key

    def emit(self, indent: int, *lines: str) -> None:
        self.lines += [" " * indent + line for line in lines]


def _fix_message(
    code: _Code,
    m: Msg,
    keys: tuple[Any, ...],
    example: dict[str, Any],
    d: str,
    depth: int,
    ind: int,
) -> None:
    """Lines checking dict ``d`` (keys exactly ``keys``) and fixing its values in place."""
    fields = _canonical(m, keys)
    assert fields is not None
    values = [f"u{depth}_{i}" for i in range(len(keys))]
    unpack = ", ".join(values) + ("," if len(values) == 1 else "")
    if values:
        code.emit(ind, f"{unpack} = {d}.values()")  # not a dict: AttributeError, general path
    else:  # the empty layout: tuple("") and tuple([]) are () too
        code.emit(ind, f"if type({d}) is not dict: raise Slow")
    code.emit(ind, f"n += {len(keys)}")
    for f, v in zip(fields, values, strict=True):
        _fix_field(code, f, v, d, repr(f.name), example.get(f.name), depth, ind)


def _fix_field(
    code: _Code, f: Field, v: str, d: str, k: str, example: Any, depth: int, ind: int
) -> None:
    e = code.emit
    if f.map or (f.repeated and f.kind not in ("double", "msg")) or f.kind in ("enum", "float"):
        fv = code.name(f, "F")
        e(ind, f"if {v} is None: raise Slow", f"r = general_value({fv}, {v}, c)")
        e(ind, f"if r is UNSET: del {d}[{k}]", f"else: {d}[{k}] = r")
    elif f.repeated and f.kind == "double":
        e(ind, f"if type({v}) is not list: raise Slow", f"if len({v}) == 3:")
        e(ind + 1, f"a0, a1, a2 = {v}")
        e(ind + 1, "if type(a0) is not float or type(a1) is not float or type(a2) is not float:")
        e(ind + 2, f"{d}[{k}] = _dlist({v})")
        e(ind, f"elif {v}: {d}[{k}] = _dlist({v})", f"else: del {d}[{k}]")
    elif f.repeated:  # messages
        e(ind, f"if type({v}) is not list: raise Slow", f"if {v}:")
        if compilable(f.sub):
            shapes, learn = code.name(f.sub.shapes, "H"), code.name(f.sub.learn, "L")
            each = f"({shapes}.get(tuple(x)) or {learn}(x))(x, c)"
        else:
            each = f"{code.name(f.sub, 'S')}.conv(x, c) if x is not None else _bad()"
        e(ind + 1, f"{d}[{k}] = [{each} for x in {v}]")
        e(ind, f"else: del {d}[{k}]")
    elif f.kind == "msg":
        sub = f.sub
        s = code.name(sub, "S")
        call = (f"r = {s}.conv({v}, c)", f"if r is not {v}: {d}[{k}] = r")
        if _inline_fix(sub, example, depth):
            layout = code.name(tuple(example), "K")
            e(ind, f"if type({v}) is dict and tuple({v}) == {layout}:")
            _fix_message(code, sub, tuple(example), example, v, depth + 1, ind + 1)
            e(ind, f"elif type({v}) is not dict: raise Slow", "else:")
            e(ind + 1, *call)
        else:
            e(ind, f"if type({v}) is not dict: raise Slow", *call)
    elif f.kind == "timestamp":
        e(ind, f"if {v} is None: raise Slow", f"r = ts_value({v}, c)")
        e(ind, f"if r != {v}: {d}[{k}] = r")
    elif f.kind == "string":
        e(ind, f"if type({v}) is not str: raise Slow", f"if not {v}: del {d}[{k}]")
        e(ind, f"elif ':' in {v}: c[0] += {v}.count(':')")
    elif f.kind == "bool":
        e(ind, f"if {v} is not True:", f" if {v} is False: del {d}[{k}]", " else: raise Slow")
    elif f.kind == "i32":
        e(ind, f"if type({v}) is not int or not {f.lo} <= {v} <= {f.hi}: raise Slow")
        e(ind, f"if not {v}: del {d}[{k}]")
    elif f.kind == "i64":
        # Canonical: the decimal digits, no leading zero (19 digits and more: general path).
        canonical = f"{v}.isdigit() and {v}.isascii() and {v}[0] != '0' and len({v}) < 19"
        e(ind, f"if type({v}) is str and {canonical}: pass")
        e(ind, f"elif type({v}) is int and {f.lo} <= {v} <= {f.hi}:")
        e(ind + 1, f"if {v}: {d}[{k}] = str({v})", f"else: del {d}[{k}]")
        e(ind, "else: raise Slow")
    else:  # double
        e(ind, f"if type({v}) is float:")
        e(ind + 1, f"if not {v} and _cs(1.0, {v}) > 0: del {d}[{k}]")
        e(ind, f"elif type({v}) is int:")
        e(ind + 1, f"if {v}: {d}[{k}] = float({v})", f"else: del {d}[{k}]")
        e(ind, "else: raise Slow")


def _inline_fix(sub: Msg, example: Any, depth: int) -> bool:
    """Whether a nested message gets fix-in-place code for the layout of ``example``."""
    return (
        depth + 1 < _INLINE_DEPTH
        and type(example) is dict
        and compilable(sub)
        and _canonical(sub, tuple(example)) is not None
    )


def _fix_lines(
    code: _Code, m: Msg, keys: tuple[Any, ...], example: dict[str, Any], d: str, depth: int
) -> list[str]:
    """``_fix_message``'s lines as a list (for code that builds, which collects lists)."""
    outer, code.lines = code.lines, []
    try:
        _fix_message(code, m, keys, example, d, depth, 0)
        return code.lines
    finally:
        code.lines = outer


def _layout(m: Msg, keys: tuple[Any, ...]) -> list[Field] | None:
    """The fields of ``keys`` in any spelling, when each names a different field."""
    fields = [m.by_key.get(key) if type(key) is str else None for key in keys]
    if None in fields or len({id(f) for f in fields}) != len(fields):
        return None
    return fields  # type: ignore[return-value]


def _build_message(
    code: _Code, m: Msg, keys: tuple[Any, ...], example: dict[str, Any], d: str, o: str, depth: int
) -> list[str]:
    """Lines building the canonical dict ``o`` from dict ``d`` (keys exactly ``keys``)."""
    fields = _layout(m, keys)
    assert fields is not None
    var = {id(f): f"u{depth}_{i}" for i, f in enumerate(fields)}
    key_of = {id(f): key for f, key in zip(fields, keys, strict=True)}
    lines = [f"{o} = {{}}"]
    if var:
        lines.append(", ".join(var.values()) + ("," if len(var) == 1 else "") + f" = {d}.values()")
    else:  # the empty layout: tuple("") and tuple([]) are () too
        lines.append(f"if type({d}) is not dict: raise Slow")
    for f in m.fields:  # output in field-number order, as MessageToDict gives it
        v = var.get(id(f))
        if v is None:
            continue
        n = repr(f.name)
        sub_example = example.get(key_of[id(f)])
        if f.kind == "msg" and not f.repeated and not f.map:
            # null (unset): the general path, checked only when the layout is not the one seen
            other = [f"elif {v} is None: raise Slow", "else:"]
            if _inline_fix(f.sub, sub_example, depth):
                # Already canonical below (e.g. a body part {position, forward, left,
                # up}): checked and kept, not copied.
                layout = code.name(tuple(sub_example), "K")
                inner = _fix_lines(code, f.sub, tuple(sub_example), sub_example, v, depth + 1)
                lines.append(f"if type({v}) is dict and tuple({v}) == {layout}:")
                lines += [" " + line for line in inner] + [f" {o}[{n}] = {v}", *other]
                lines.append(f" {o}[{n}] = {code.name(f.sub, 'S')}.conv({v}, c)")
                continue
            if (
                depth + 1 < _INLINE_DEPTH
                and type(sub_example) is dict
                and compilable(f.sub)
                and _layout(f.sub, tuple(sub_example)) is not None
            ):
                layout = code.name(tuple(sub_example), "K")
                q = f"q{depth + 1}"
                inner = _build_message(
                    code, f.sub, tuple(sub_example), sub_example, v, q, depth + 1
                )
                lines.append(f"if type({v}) is dict and tuple({v}) == {layout}:")
                lines += [" " + line for line in inner] + [f" {o}[{n}] = {q}", *other]
                lines.append(f" {o}[{n}] = {code.name(f.sub, 'S')}.conv({v}, c)")
                continue
            lines.append(f"if {v} is None: raise Slow")
        elif (
            f.map
            or f.kind in ("timestamp", "enum", "float")
            or (f.repeated and f.kind not in ("double", "float", "msg"))
        ):
            lines.append(f"if {v} is None: raise Slow")
        lines += code.field_code(f, v, o, code.ns, depth)
    return [*lines, f"n += {len(keys)}"]


def _compile(m: Msg, example: dict[str, Any], ns: dict[str, Any], field_code: Any) -> Any:
    """Code for ``example``'s key layout: fixed in place when canonical, else built."""
    code = _Code(ns)
    code.field_code = field_code
    # ``n`` counts the keys of the dicts done inline (a local: cheaper than ``c[0]`` each).
    code.emit(0, "def conv(d, c):", " c0 = c[0]", " n = 0", " try:")
    if _canonical(m, tuple(example)) is not None:
        _fix_message(code, m, tuple(example), example, "d", 0, 2)
        code.emit(2, "c[0] += n", "return d")
    else:
        code.emit(2, *_build_message(code, m, tuple(example), example, "d", "o", 0))
        code.emit(2, "c[0] += n", "return o")
    code.emit(0, " except CAUGHT:", "  c[0] = c0", " return M.general(d, c)")
    exec("\n".join(code.lines), code.ns)
    return code.ns["conv"]


def install(m: Msg, field_code: Any, namespace: Any) -> None:
    """Give ``m`` a dispatcher per key layout; ``m.build`` keeps the converter it had.

    ``field_code`` and ``namespace`` are ``fastframe``'s code generator for one
    field and the names its code uses (passed in: ``fastframe`` imports this module).
    """
    if not compilable(m):
        return
    m.build = m.conv
    shapes = m.shapes  # the same dict for good: generated code holds on to it
    general = m.general
    ns = namespace(m)

    def learn(d: Any) -> Any:
        """The converter for ``d``'s key layout, compiled and remembered while there is room."""
        if type(d) is not dict:
            return general
        keys = tuple(d)
        if len(shapes) >= LAYOUTS_PER_MESSAGE:
            return m.build
        conv = m.build
        if compiled(m) < COMPILED_PER_MESSAGE and _layout(m, keys) is not None:
            conv = _compile(m, d, ns, field_code)
        shapes[keys] = conv
        return conv

    m.learn = learn
    get = shapes.get

    def conv(d: Any, c: list[int]) -> Any:
        if type(d) is dict:
            return (get(tuple(d)) or learn(d))(d, c)
        return general(d, c)

    m.conv = conv


def install_all(specs: dict[str, Msg], field_code: Any, namespace: Any) -> None:
    for m in specs.values():
        install(m, field_code, namespace)


def compiled(m: Msg) -> int:
    """How many of ``m``'s remembered layouts have code of their own."""
    return sum(conv is not m.build for conv in m.shapes.values())


def forget_layouts(specs: dict[str, Msg]) -> None:
    """Drop every remembered layout (tests: each example compiles its own)."""
    for m in specs.values():
        m.shapes.clear()
