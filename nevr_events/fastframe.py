"""A fast ``FrameValidator`` with the exact behaviour of ``json_format``.

``FastFrameValidator`` accepts and rejects the same messages as
``ProtobufFrameValidator`` and returns the same dicts, at a fraction of the cost.
Everything is derived from the protobuf descriptors at import time: per message
a table of both key spellings plus a generated straight-line converter (the fast
path, used while a message looks normal) and a generic table-driven converter
that reproduces every ``json_format`` rule (the general path, used whenever the
fast path sees anything unusual, and to build error messages with a path).

Duplicate keys: ``json_format`` rejects them, ``orjson`` keeps the last one. The
parse counts the keys of every object plus the colons inside accepted strings;
without duplicates that equals the colons in the text (colons outside strings are
exactly the key separators), so a mismatch sends the text to an exact check.
Rare case handed to the reference parser: a float32 value beyond the float range.
"""

from __future__ import annotations

import json
import math
import re
from array import array
from datetime import datetime
from struct import Struct
from typing import Any

import orjson
from google.protobuf import descriptor as _desc
from google.protobuf import timestamp_pb2
from google.protobuf.internal.type_checkers import _FLOAT_MAX
from google.protobuf.message import DecodeError

from nevr_events.exceptions import InvalidFrame
from nevr_events.frames import ParsedMessage, ProtobufFrameValidator
from nevr_events.pb import telemetry_pb2

_FD = _desc.FieldDescriptor
_INT_KINDS = {
    _FD.TYPE_INT32: ("int32", -(2**31), 2**31 - 1), _FD.TYPE_SINT32: ("int32", -(2**31), 2**31 - 1),
    _FD.TYPE_SFIXED32: ("int32", -(2**31), 2**31 - 1), _FD.TYPE_UINT32: ("uint32", 0, 2**32 - 1),
    _FD.TYPE_FIXED32: ("uint32", 0, 2**32 - 1), _FD.TYPE_INT64: ("int64", -(2**63), 2**63 - 1),
    _FD.TYPE_SINT64: ("int64", -(2**63), 2**63 - 1),
    _FD.TYPE_SFIXED64: ("int64", -(2**63), 2**63 - 1),
    _FD.TYPE_UINT64: ("uint64", 0, 2**64 - 1), _FD.TYPE_FIXED64: ("uint64", 0, 2**64 - 1),
}
_INF = math.inf
_TS_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?Z")
_F32 = Struct("<f")
_pack, _unpack = _F32.pack, _F32.unpack
_F32_LIMITS = tuple(_F32.pack(x) for x in (_FLOAT_MAX, -_FLOAT_MAX, _INF, -_INF))


class _Invalid(Exception):
    """A rejected value; ``path`` collects the location, innermost first."""

    def __init__(self, msg: str) -> None:
        super().__init__(msg)
        self.msg, self.path = msg, []

    def where(self, root: str) -> str:
        return root + "".join(reversed(self.path)) + ": " + self.msg


class _Slow(Exception):
    """The fast path saw something unusual: redo the message on the general path."""


class _Fallback(Exception):
    """A case only the reference parser can decide (float32 beyond range)."""


def _show(v: Any) -> str:
    try:
        text = orjson.dumps(v).decode()
    except TypeError:
        text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def _r32(f: float) -> float:
    """``type_checkers.ToShortestFloat`` for a finite float32 value."""
    for fmt in ("%.6g", "%.7g", "%.8g"):
        r = float(fmt % f)  # as ToShortestFloat formats
        if _unpack(_pack(r))[0] == f:
            return r
    return float(f"{f:.9g}")


class _Field:
    __slots__ = ("enum_names", "enum_num", "enum_zero", "hi", "json", "kind", "lo", "map",
                 "name", "number", "oneof", "repeated", "sub", "what")

    def __init__(self, fd: _desc.FieldDescriptor, specs: dict[str, _Msg]) -> None:
        self.name, self.json, self.number = fd.name, fd.json_name, fd.number
        self.repeated, self.map, self.sub = fd.is_repeated, False, None
        self.oneof = fd.containing_oneof.name if fd.containing_oneof is not None else None
        t = fd.type
        if t in _INT_KINDS:
            self.what, self.lo, self.hi = _INT_KINDS[t]
            self.kind = "i64" if self.what.endswith("64") else "i32"
        elif t in (_FD.TYPE_DOUBLE, _FD.TYPE_FLOAT):
            self.kind = self.what = "double" if t == _FD.TYPE_DOUBLE else "float"
        elif t == _FD.TYPE_BOOL:
            self.kind = self.what = "bool"
        elif t == _FD.TYPE_STRING:
            self.kind = self.what = "string"
        elif t == _FD.TYPE_ENUM:
            et = fd.enum_type
            self.kind, self.what = "enum", et.full_name
            self.enum_num = {v.name: v.number for v in et.values}
            self.enum_names = {v.number: v.name for v in et.values}
            self.enum_zero = self.enum_names.get(0)
            if et.is_closed:
                raise TypeError(f"closed enum {et.full_name} is not supported")
        elif t == _FD.TYPE_MESSAGE and fd.message_type.full_name == "google.protobuf.Timestamp":
            self.kind = self.what = "timestamp"
        elif t == _FD.TYPE_MESSAGE and fd.message_type.GetOptions().map_entry:
            key = fd.message_type.fields_by_name["key"]
            val = fd.message_type.fields_by_name["value"]
            if key.type != _FD.TYPE_STRING:
                raise TypeError(f"map field {fd.full_name}: only string keys are supported")
            self.kind, self.what, self.map = "map", "map", True
            self.sub = _Field(val, specs)
        elif t == _FD.TYPE_MESSAGE:
            self.kind, self.what = "msg", fd.message_type.full_name
            self.sub = _build(fd.message_type, specs)
        else:
            raise TypeError(f"field {fd.full_name}: type {t} is not supported")


class _Msg:
    __slots__ = ("by_key", "by_number", "conv", "fields", "full_name", "order")

    def __init__(self, md: _desc.Descriptor) -> None:
        self.full_name = md.full_name
        self.fields: list[_Field] = []
        self.by_key: dict[str, _Field] = {}
        self.by_number: dict[int, _Field] = {}
        self.order: list[str] = []
        self.conv: Any = None

    def general(self, d: Any, c: list[int], into: dict[str, Any] | None = None) -> dict[str, Any]:
        """Every json_format rule, key by key in input order (later spellings win)."""
        if type(d) is not dict:
            if type(d) in (list, str) and not d:  # json_format iterates these: empty is ok
                return {} if into is None else into
            raise _Invalid(f"expected a JSON object ({self.full_name}), got {_show(d)}")
        c[0] += len(d)
        out: dict[str, Any] = {} if into is None else into
        oneofs: set[str] = set()
        for k, v in d.items():
            try:
                f = self.by_key.get(k)
                if f is None:
                    raise _Invalid(f"unknown field (message {self.full_name})")
                name = f.name
                if f.oneof is not None and v is not None:
                    if f.oneof in oneofs:
                        raise _Invalid(f'more than one field of oneof "{f.oneof}" is set')
                    oneofs.add(f.oneof)
                if v is None:
                    out.pop(name, None)
                elif f.map:
                    r = _map(f, v, c)
                    _put(out, name, r, bool(r))
                elif f.repeated:
                    r = _rep(f, v, c)
                    _put(out, name, r, bool(r))
                elif f.kind == "msg":
                    prev = out.get(name)
                    out[name] = f.sub.conv(v, c) if prev is None else f.sub.general(v, c, prev)
                else:
                    r = _scalar(f, v, c)
                    _put(out, name, r, f.oneof is not None or not _is_default(f, r))
            except _Invalid as e:
                e.path.append("." + k)
                raise
        return {n: out[n] for n in self.order if n in out}


def _put(out: dict[str, Any], name: str, value: Any, keep: bool) -> None:
    if keep:
        out[name] = value
    else:
        out.pop(name, None)


def _is_default(f: _Field, r: Any) -> bool:
    if f.kind == "enum":
        return r == f.enum_zero or r == 0
    if type(r) is float:
        return r == 0.0 and math.copysign(1.0, r) > 0
    return not r or r == "0"


def _rep(f: _Field, v: Any, c: list[int]) -> list[Any]:
    if type(v) is not list:
        raise _Invalid(f"expected a JSON array, got {_show(v)}")
    res = []
    for i, x in enumerate(v):
        try:
            if x is None:
                raise _Invalid("null is not allowed as an array element")
            res.append(f.sub.conv(x, c) if f.kind == "msg" else _scalar(f, x, c))
        except _Invalid as e:
            e.path.append(f"[{i}]")
            raise
    return res


def _map(f: _Field, v: Any, c: list[int]) -> dict[str, Any]:
    if type(v) is not dict:
        raise _Invalid(f"expected a JSON object (map), got {_show(v)}")
    c[0] += len(v)
    res = {}
    for k, x in v.items():
        c[0] += k.count(":")
        try:
            res[k] = _scalar(f.sub, x, c)
        except _Invalid as e:
            e.path.append(f"[{_show(k)}]")
            raise
    return res


def _int(f: _Field, v: Any) -> int:
    """json_format's _ConvertInteger plus the range check of the field type."""
    t = type(v)
    if t is int:
        n = v
    elif t is float and v.is_integer():
        n = int(v)
    elif t is str and " " not in v:
        try:
            n = int(v)
        except ValueError:
            try:
                x = float(v)
            except ValueError:
                x = 0.5
            if not x.is_integer():
                raise _Invalid(f"expected an {f.what}, got {_show(v)}") from None
            n = int(x)
    else:
        raise _Invalid(f"expected an {f.what}, got {_show(v)}")
    if not f.lo <= n <= f.hi:
        raise _Invalid(f"{f.what} value out of range: {_show(v)}")
    return n


def _float(f: _Field, v: Any) -> Any:
    """json_format's _ConvertFloat, then what MessageToDict prints for the stored value."""
    if type(v) is float:
        x = v
        if f.kind == "float" and not -_FLOAT_MAX <= x <= _FLOAT_MAX:
            raise _Fallback  # a float literal is rejected, a big integer literal is not
    else:
        if v == "nan":
            raise _Invalid('expected a number, got "nan" (use "NaN")')
        try:
            x = float(v)
        except (ValueError, TypeError, OverflowError):
            raise _Invalid(f"expected a {f.what}, got {_show(v)}") from None
    if f.kind == "float":
        x = array("f", (x,))[0]
    if x != x:
        return "NaN"
    if x in (_INF, -_INF):
        return "Infinity" if x > 0 else "-Infinity"
    return _r32(x) if f.kind == "float" else x


def _enum(f: _Field, v: Any) -> Any:
    try:
        n = f.enum_num.get(v)
        if n is None:
            n = int(v)
    except (ValueError, TypeError, OverflowError):
        raise _Invalid(f"invalid value {_show(v)} for enum {f.what}") from None
    if not -(2**31) <= n < 2**31:
        raise _Invalid(f"enum value out of range: {_show(v)}")
    return f.enum_names.get(n, n)


def _ts(v: Any, c: list[int]) -> str:
    """A Timestamp string as Timestamp.FromJsonString + ToJsonString would give it."""
    if type(v) is not str:
        raise _Invalid(f"expected an RFC 3339 timestamp string, got {_show(v)}")
    c[0] += v.count(":")
    m = _TS_RE.fullmatch(v)
    if m is None or len(m[7] or "") > 9:
        ts = timestamp_pb2.Timestamp()
        try:
            ts.FromJsonString(v)
            return ts.ToJsonString()
        except Exception as exc:
            raise _Invalid(f"invalid timestamp {_show(v)}: {exc}") from None
    try:
        datetime(*map(int, m.groups()[:6]))
    except ValueError as exc:
        raise _Invalid(f"invalid timestamp {_show(v)}: {exc}") from None
    nanos = round(float("0." + m[7]) * 1e9) if m[7] else 0
    head = v[:19]
    if nanos % 1e9 == 0:
        return head + "Z"
    if nanos % 1e6 == 0:
        return f"{head}.{int(nanos / 1e6):03d}Z"
    if nanos % 1e3 == 0:
        return f"{head}.{int(nanos / 1e3):06d}Z"
    return f"{head}.{nanos:09d}Z"


def _scalar(f: _Field, v: Any, c: list[int]) -> Any:
    k = f.kind
    if k == "string":
        if type(v) is not str:
            raise _Invalid(f"expected a string, got {_show(v)}")
        c[0] += v.count(":")
        return v
    if k == "i32":
        return _int(f, v)
    if k == "i64":
        return str(_int(f, v))
    if k in ("double", "float"):
        return _float(f, v)
    if k == "bool":
        if type(v) is not bool:
            raise _Invalid(f"expected true or false, got {_show(v)}")
        return v
    if k == "enum":
        return _enum(f, v)
    if k == "timestamp":
        return _ts(v, c)
    if k == "msg":
        return f.sub.conv(v, c)
    raise _Invalid(f"unsupported field kind {k}")  # pragma: no cover


def _f32_list(v: list[Any]) -> list[Any]:
    a = array("f", v)  # TypeError for strings/null: general path
    b = a.tobytes()
    if any(p in b for p in _F32_LIMITS):  # beyond range, or inf from a big integer
        raise _Slow
    return [_r32(x) for x in a]


def _dlist(v: list[Any]) -> list[float]:
    """A list of doubles as json_format stores them (TypeError: let the general path decide)."""
    try:
        return list(map(_ff, v))  # all floats: unchanged
    except TypeError:
        return array("d", v).tolist()  # ints and bools become floats, as float() does


_ff = float.__float__


def _field_code(f: _Field, v: str, o: str, ns: dict[str, Any], depth: int) -> list[str]:
    """Code handling value ``v`` of field ``f`` (not null) into output dict ``o``."""
    n, fv, sv = repr(f.name), f"F_{id(f)}", f"S_{id(f)}"
    ns[fv], ns[sv] = f, f.sub
    if f.map or (f.kind in ("enum", "float") and not f.repeated) or (f.repeated and f.kind not in (
            "double", "float", "msg")):
        return [f"r = _general_value({fv}, {v}, c)", f"if r is not _UNSET: {o}[{n}] = r"]
    if f.repeated and f.kind == "double":
        return [f"if type({v}) is not list: raise _Slow", f"if len({v}) == 3:",
                f" a0, a1, a2 = {v}",
                " if type(a0) is float and type(a1) is float and type(a2) is float:",
                f"  {o}[{n}] = {v}", f" else: {o}[{n}] = _dlist({v})",
                f"elif {v}: {o}[{n}] = _dlist({v})"]
    if f.repeated and f.kind == "float":
        return [f"if type({v}) is not list: raise _Slow", f"if {v}: {o}[{n}] = _f32_list({v})"]
    if f.repeated:
        return [f"if type({v}) is not list: raise _Slow",
                f"if {v}: {o}[{n}] = [{sv}.conv(x, c) if x is not None else _bad() for x in {v}]"]
    if f.kind == "msg" and (f.sub.conv is f.sub.general or depth >= 3):
        return [f"{o}[{n}] = {sv}.conv({v}, c)"]
    if f.kind == "msg":  # inlined: anything unusual redoes the outer message generally
        sub_o = f"o{depth + 1}"
        return [f"if type({v}) is not dict: raise _Slow",
                *_variants(f.sub, v, sub_o, ns, depth + 1),
                f"{o}[{n}] = {sub_o}"]
    if f.kind == "timestamp":
        return [f"{o}[{n}] = _ts({v}, c)"]
    if f.kind == "string":
        return [f"if type({v}) is not str: raise _Slow", f"if {v}:", f" {o}[{n}] = {v}",
                f" if ':' in {v}: c[0] += {v}.count(':')"]
    if f.kind == "bool":
        return [f"if {v} is True: {o}[{n}] = True", f"elif {v} is not False: raise _Slow"]
    if f.kind == "i32":
        return [f"if type({v}) is not int or not {f.lo} <= {v} <= {f.hi}: raise _Slow",
                f"if {v}: {o}[{n}] = {v}"]
    if f.kind == "i64":
        return [f"if type({v}) is int and {f.lo} <= {v} <= {f.hi}:",
                f" if {v}: {o}[{n}] = str({v})",
                f"elif type({v}) is str and {v}.isdigit() and {v}.isascii() and len({v}) < 21:",
                f" r = int({v})", f" if r > {f.hi}: raise _Slow", f" if r: {o}[{n}] = str(r)",
                "else: raise _Slow"]
    return [f"if type({v}) is float:", f" if {v} or _cs(1.0, {v}) < 0: {o}[{n}] = {v}",  # double
            f"elif type({v}) is int:", f" if {v}: {o}[{n}] = float({v})", "else: raise _Slow"]


def _variants(m: _Msg, d: str, o: str, ns: dict[str, Any], depth: int) -> list[str]:
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
    return [*lines, "else: raise _Slow"]


_UNSET = object()


def _general_value(f: _Field, v: Any, c: list[int]) -> Any:
    if f.map:
        r = _map(f, v, c)
    elif f.repeated:
        r = _rep(f, v, c)
    else:
        r = _scalar(f, v, c)
        return _UNSET if _is_default(f, r) else r
    return r if r else _UNSET


def _bad() -> Any:
    raise _Slow


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _build(md: _desc.Descriptor, specs: dict[str, _Msg]) -> _Msg:
    m = specs.get(md.full_name)
    if m is not None:
        return m
    m = specs[md.full_name] = _Msg(md)
    for fd in sorted(md.fields, key=lambda x: x.number):
        f = _Field(fd, specs)
        m.fields.append(f)
        m.by_key[f.name] = m.by_key[f.json] = m.by_number[f.number] = f
        m.order.append(f.name)
    if md.oneofs:
        m.conv = m.general
        return m
    ns: dict[str, Any] = {"M": m, "_Slow": _Slow, "_Invalid": _Invalid, "_dlist": _dlist,
                          "_cs": math.copysign, "_ts": _ts, "_f32_list": _f32_list, "_bad": _bad,
                          "_general_value": _general_value, "_UNSET": _UNSET}
    src = ["def conv(d, c):", " if type(d) is not dict: return M.general(d, c)", " c0 = c[0]",
           " try:", *("  " + line for line in _variants(m, "d", "o", ns, 0)), "  return o",
           " except (_Slow, _Invalid, TypeError):", "  c[0] = c0", " return M.general(d, c)"]
    exec("\n".join(src), ns)
    m.conv = ns["conv"]
    return m


_SPECS: dict[str, _Msg] = {}
_ENVELOPE = _build(telemetry_pb2.Envelope.DESCRIPTOR, _SPECS)
_FRAME = _build(telemetry_pb2.LobbySessionStateFrame.DESCRIPTOR, _SPECS)


def _dup_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = {}
    for k, v in pairs:
        if k in out:
            raise _Invalid(f"duplicate key {_show(k)} in a JSON object")
        out[k] = v
    return out


def _check_duplicates(text: str, counted: int) -> None:
    """Rejects duplicate keys: cheap colon count, exact json.loads check on mismatch."""
    if text.count(":") == counted and ("\\" not in text or (
            "\\u003a" not in text and "\\u003A" not in text)):
        return
    try:
        json.loads(text, object_pairs_hook=_dup_hook)
    except _Invalid as e:
        raise InvalidFrame(f"invalid telemetry message: {e.msg}") from None
    except Exception as exc:  # json_format would fail to load it too
        raise InvalidFrame(f"message is not valid JSON: {exc}") from None


# ---------------------------------------------------------------- binary path
def _dump_msg(msg: Any, m: _Msg) -> dict[str, Any]:
    out = {}
    by_number = m.by_number
    for fd, v in msg.ListFields():
        f = by_number[fd.number]
        out[f.name] = _dump_value(f, v)
    return out


def _dump_scalar(f: _Field, v: Any) -> Any:
    k = f.kind
    if k in ("double", "float"):
        if v != v:
            return "NaN"
        if v in (_INF, -_INF):
            return "Infinity" if v > 0 else "-Infinity"
        return _r32(v) if k == "float" else v
    if k == "i64":
        return str(v)
    if k == "enum":
        return f.enum_names.get(v, v)
    if k == "msg":
        return _dump_msg(v, f.sub)
    if k == "timestamp":
        return v.ToJsonString()
    return v


def _dump_value(f: _Field, v: Any) -> Any:
    if f.map:
        return {k: _dump_scalar(f.sub, x) for k, x in v.items()}
    if not f.repeated:
        return _dump_scalar(f, v)
    if f.kind == "double":
        r = list(v)
        s = sum(r)
        return r if s - s == 0.0 else [_dump_scalar(f, x) for x in r]
    if f.kind == "msg":
        sub = f.sub
        return [_dump_msg(x, sub) for x in v]
    return [_dump_scalar(f, x) for x in v]


class FastFrameValidator:
    """Drop-in ``FrameValidator``: same decisions and dicts as ``ProtobufFrameValidator``."""

    def __init__(self) -> None:
        self._reference = ProtobufFrameValidator()

    def parse(self, data: str | bytes) -> ParsedMessage:
        if isinstance(data, bytes | bytearray | memoryview):
            return self._parse_binary(bytes(data))
        try:
            obj = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise InvalidFrame(f"message is not valid JSON: {exc}") from None
        if type(obj) is not dict:
            raise InvalidFrame("message must be a JSON object (an Envelope or a frame)")
        c = [0]
        root = "" if "frame" in obj or "header" in obj else "frame"
        try:
            if not root:
                env = _ENVELOPE.conv(obj, c)
                frame = env.get("frame")
                kind = "frame" if frame is not None else "header" if "header" in env else "empty"
            else:
                kind = "frame"
                frame = _FRAME.conv(obj, c)
        except _Invalid as e:
            raise InvalidFrame("invalid telemetry message: " + e.where(root).lstrip(".")) from None
        except _Fallback:
            return self._reference.parse(data)
        _check_duplicates(data, c[0])
        return ParsedMessage(kind, frame) if kind == "frame" else ParsedMessage(kind)

    def _parse_binary(self, data: bytes) -> ParsedMessage:
        envelope = telemetry_pb2.Envelope()
        try:
            envelope.ParseFromString(data)
        except DecodeError as exc:
            raise InvalidFrame(f"binary message is not a protobuf Envelope: {exc}") from None
        which = envelope.WhichOneof("message")
        if which == "frame":
            return ParsedMessage("frame", _dump_msg(envelope.frame, _FRAME))
        return ParsedMessage("header" if which == "header" else "empty")
