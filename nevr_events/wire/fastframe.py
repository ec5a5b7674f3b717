"""A fast ``FrameValidator`` with the exact behaviour of ``json_format``.

``FastFrameValidator`` accepts and rejects the same messages as
``ProtobufFrameValidator`` and returns the same dicts, at a fraction of the cost.
Everything is derived from the protobuf descriptors at import time: the tables and
the general rules (``fastframe_compile``), and here per message a generated
straight-line converter for text (the fast path, used while a message looks
normal; anything unusual redoes the message on the general path) and a generated
dumper for binary. float32 lists are printed a whole list at a time
(``fastframe_floats``).

Text: ``orjson`` parses, the per-message converters check and normalise.
``fastframe_shapes`` puts a dispatcher in front of them: per key layout an agent
sends, code of its own (a canonical layout is checked and fixed in place, any
other built without a ``d.get`` per field); the converters here remain for
layouts past its bounds.
Duplicate keys: ``json_format`` rejects them, ``orjson`` keeps the last one. The
parse counts the keys of every object plus the colons inside accepted strings;
without duplicates that equals the colons in the text (colons outside strings are
exactly the key separators), so a mismatch sends the text to an exact check.
Rare case handed to the reference parser: a float32 value beyond the float range.

Binary: ``ParseFromString``, then a generated dumper per message reads the plain
fields with one ``attrgetter`` call, the fields with presence by ``HasField`` /
``WhichOneof``, in field-number order (the order of ``ListFields``, which
``MessageToDict`` follows).
"""

from __future__ import annotations

import json
import keyword
import math
from operator import attrgetter
from typing import Any

from nevr_events.exceptions import InvalidFrame
from nevr_events.wire.fastframe_compile import (
    UNSET,
    Fallback,
    Field,
    Invalid,
    Msg,
    Slow,
    UnknownField,
    build,
    general_value,
    show,
    ts_value,
)
from nevr_events.wire.fastframe_floats import json_list, r32, shortest_list
from nevr_events.wire.fastframe_shapes import bad as _bad
from nevr_events.wire.fastframe_shapes import compilable, install_all, vector_lines
from nevr_events.wire.fastframe_shapes import dlist as _dlist
from nevr_events.wire.fastframe_shapes import has_oneofs as _has_oneofs
from nevr_events.wire.frames import (
    ParsedMessage,
    ProtobufFrameValidator,
    keep_unknown,
    load_json_object,
    parse_binary,
)
from nevr_events.wire.pb import telemetry_pb2


# ------------------------------------------------------------------ text path
def _f32_list(v: list[Any]) -> list[Any]:
    r = json_list(v)  # TypeError for strings/null: general path
    if r is None:  # beyond range, or inf from a big integer
        raise Slow
    return r


def _field_code(f: Field, v: str, o: str, ns: dict[str, Any], depth: int) -> list[str]:
    """Code handling value ``v`` of field ``f`` (not null) into output dict ``o``."""
    n, fv, sv = repr(f.name), f"F_{id(f)}", f"S_{id(f)}"
    ns[fv], ns[sv] = f, f.sub
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
    if f.repeated:
        return [
            f"if type({v}) is not list: raise Slow",
            f"if {v}: {o}[{n}] = [{_each(f, sv)} for x in {v}]",
        ]
    if f.kind == "msg" and (_has_oneofs(f.sub) or depth >= 3):
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


def _each(f: Field, sv: str) -> str:
    """Converting element ``x`` of a repeated message field: the layout's code when it has one."""
    if compilable(f.sub):  # looked up per call: fastframe_shapes installs them after this
        return f"({sv}.shapes.get(tuple(x)) or {sv}.learn(x))(x, c)"
    return f"{sv}.conv(x, c) if x is not None else _bad()"


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
            lines += ["  " + line for line in _field_code(f, v, o, ns, depth)]
        lines.append(f" c[0] += len({d})")
    return [*lines, "else: raise Slow"]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _namespace(m: Msg) -> dict[str, Any]:
    """The names generated converter code refers to."""
    return {
        "M": m,
        "Slow": Slow,
        "Invalid": Invalid,
        "_dlist": _dlist,
        "_cs": math.copysign,
        "ts_value": ts_value,
        "_f32_list": _f32_list,
        "_bad": _bad,
        "general_value": general_value,
        "UNSET": UNSET,
    }


def _compile_converter(m: Msg) -> None:
    """The fast converter of ``m``: straight-line code per key spelling, else general."""
    ns = _namespace(m)
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
    m.conv = ns["conv"]


def _dup_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = {}
    for k, v in pairs:
        if k in out:
            raise Invalid(f"duplicate key {show(k)} in a JSON object")
        out[k] = v
    return out


def _check_duplicates(text: str, counted: int) -> None:
    """Rejects duplicate keys: cheap colon count, exact json.loads check on mismatch."""
    if text.count(":") == counted and (
        "\\" not in text or ("\\u003a" not in text and "\\u003A" not in text)
    ):
        return
    try:
        json.loads(text, object_pairs_hook=_dup_hook)
    except Invalid as e:
        raise InvalidFrame(f"invalid telemetry message: {e.msg}") from None
    except Exception as exc:  # json_format would fail to load it too
        raise InvalidFrame(f"message is not valid JSON: {exc}") from None


# ---------------------------------------------------------------- binary path
def _double(v: float) -> Any:
    if v - v == 0.0:
        return v
    return "NaN" if v != v else "Infinity" if v > 0 else "-Infinity"


def _doubles(v: Any) -> list[Any]:
    r = v[:]
    s = sum(r)
    return r if s - s == 0.0 else list(map(_double, r))  # a non-finite sum: look closer


def _conv(f: Field, x: str, ns: dict[str, Any]) -> str:
    """An expression for what MessageToDict prints for the value ``x`` of field ``f``."""
    k = f.kind
    if k == "i64":
        return f"str({x})"
    if k == "double":
        return f"_double({x})"
    if k == "float":
        return f"_r32({x})"
    if k == "enum":
        ns[f"E_{id(f)}"] = f.enum_names
        return f"E_{id(f)}.get({x}, {x})"
    if k == "timestamp":
        return f"{x}.ToJsonString()"
    if k == "msg":
        return f"D_{id(f.sub)}({x})"
    return x  # string, bool, int32, uint32


def _rep_conv(f: Field, x: str, ns: dict[str, Any]) -> str:
    """An expression for a non-empty repeated field or map ``x``."""
    if f.map:
        return f"{{k: {_conv(f.sub, 'y', ns)} for k, y in {x}.items()}}"
    if f.kind == "double":
        return f"_doubles({x})"
    if f.kind == "float":
        return f"_shortest({x}[:])"
    if f.kind == "msg":
        return f"list(map(D_{id(f.sub)}, {x}))"
    if _conv(f, "y", ns) == "y":
        return f"{x}[:]"
    return f"[{_conv(f, 'y', ns)} for y in {x}]"


def _dump_source(m: Msg, ns: dict[str, Any]) -> list[str]:
    plain = [f for f in m.fields if not f.presence]
    oneofs = sorted({f.oneof for f in m.fields if f.oneof is not None})
    lines = [f"def D_{id(m)}(msg):"]
    if plain:
        ns[f"G_{id(m)}"] = attrgetter(*(f.name for f in plain))
        names = ", ".join(f"g{i}" for i in range(len(plain)))
        lines.append(f" {names} = G_{id(m)}(msg)")  # one name: the value itself
    lines += [f" w{i} = msg.WhichOneof({name!r})" for i, name in enumerate(oneofs)]
    lines.append(" out = {}")
    for f in m.fields:
        n = repr(f.name)
        if f.presence:
            attr = f"msg.{f.name}" if not keyword.iskeyword(f.name) else f"getattr(msg, {n})"
            test = f"w{oneofs.index(f.oneof)} == {n}" if f.oneof else f"msg.HasField({n})"
            lines.append(f" if {test}: out[{n}] = {_conv(f, attr, ns)}")
            continue
        g = f"g{plain.index(f)}"
        if f.repeated or f.map:
            lines.append(f" if {g}: out[{n}] = {_rep_conv(f, g, ns)}")
        elif f.kind in ("double", "float"):  # -0.0 is set (ListFields compares bits)
            lines.append(f" if {g} or _cs(1.0, {g}) < 0: out[{n}] = {_conv(f, g, ns)}")
        else:
            lines.append(f" if {g}: out[{n}] = {_conv(f, g, ns)}")
    return [*lines, " return out"]


def _compile_dumpers(specs: dict[str, Msg]) -> None:
    ns: dict[str, Any] = {
        "_double": _double,
        "_doubles": _doubles,
        "_r32": r32,
        "_shortest": shortest_list,
        "_cs": math.copysign,
    }
    src: list[str] = []
    for m in specs.values():
        src += _dump_source(m, ns)
    exec("\n".join(src), ns)
    for m in specs.values():
        m.dump = ns[f"D_{id(m)}"]


_SPECS: dict[str, Msg] = {}
_ENVELOPE = build(telemetry_pb2.Envelope.DESCRIPTOR, _SPECS)
_FRAME = build(telemetry_pb2.LobbySessionStateFrame.DESCRIPTOR, _SPECS)
for _m in _SPECS.values():
    if not _has_oneofs(_m):
        _compile_converter(_m)
install_all(_SPECS, _field_code, _namespace)  # after every converter: layouts call them
_compile_dumpers(_SPECS)


class FastFrameValidator:
    """Drop-in ``FrameValidator``: same decisions and dicts as ``ProtobufFrameValidator``."""

    def __init__(self) -> None:
        self._reference = ProtobufFrameValidator()

    def parse(self, data: str | bytes) -> ParsedMessage:
        try:
            return self._parse(data)
        except RecursionError:
            # JSON may nest deeper (orjson allows 1024 levels) than Python recursion goes.
            raise InvalidFrame("invalid telemetry message: nested too deeply") from None

    def _parse(self, data: str | bytes, tolerant: bool = True) -> ParsedMessage:
        if isinstance(data, bytes | bytearray | memoryview):
            return self._parse_binary(bytes(data))
        obj = load_json_object(data)
        c = [0]
        root = "" if "frame" in obj or "header" in obj else "frame"
        try:
            if len(obj) == 1 and type(frame := obj.get("frame")) is dict:
                # The usual message, an Envelope holding a frame: what Envelope's
                # general path would do with it, without its per-key bookkeeping.
                try:
                    frame = _FRAME.conv(frame, c)
                except Invalid as e:
                    e.path.append(".frame")
                    raise
                c[0] += 1
                kind = "frame"
            elif not root:
                env = _ENVELOPE.conv(obj, c)
                frame = env.get("frame")
                kind = "frame" if frame is not None else "header" if "header" in env else "empty"
            else:
                kind = "frame"
                frame = _FRAME.conv(obj, c)
        except UnknownField as e:
            if tolerant:
                return self._parse_with_unknown(data)
            raise InvalidFrame("invalid telemetry message: " + e.where(root).lstrip(".")) from None
        except Invalid as e:
            raise InvalidFrame("invalid telemetry message: " + e.where(root).lstrip(".")) from None
        except Fallback:
            return self._reference.parse(data)
        _check_duplicates(data, c[0])
        return ParsedMessage(kind, frame) if kind == "frame" else ParsedMessage(kind)

    def _parse_with_unknown(self, data: str | bytes) -> ParsedMessage:
        """A text message with keys the schema lacks: the rest validated, those kept."""
        _check_duplicates(data, -1)  # the exact check, over the unknown parts too
        return keep_unknown(data, lambda known: self._parse(known, tolerant=False))

    def _parse_binary(self, data: bytes) -> ParsedMessage:
        return parse_binary(data, _FRAME.dump)
