"""Descriptor tables for ``FastFrameValidator`` and every ``json_format`` rule.

``build`` turns a message descriptor (and every message below it) into ``Msg`` / ``Field``
tables: key spellings, kinds, ranges, enum names. ``Msg.general`` is the table-driven
converter of every ``json_format.Parse`` + ``MessageToDict`` rule, key by key (the general
path: for anything a generated converter finds unusual, and for errors with a path).
``c`` (a one-element list) counts the keys seen, for the duplicate-key check.
"""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
from google.protobuf import descriptor as _desc
from google.protobuf import timestamp_pb2
from google.protobuf.message import Message

from nevr_events.wire.fastframe_floats import FLOAT32_MAX, json_list, r32
from nevr_events.wire.fastframe_layouts import Converter, LayoutTable
from nevr_events.wire.timestamps import is_canonical_stamp

_FD = _desc.FieldDescriptor
_INT_KINDS = {
    _FD.TYPE_INT32: ("int32", -(2**31), 2**31 - 1),
    _FD.TYPE_SINT32: ("int32", -(2**31), 2**31 - 1),
    _FD.TYPE_SFIXED32: ("int32", -(2**31), 2**31 - 1),
    _FD.TYPE_UINT32: ("uint32", 0, 2**32 - 1),
    _FD.TYPE_FIXED32: ("uint32", 0, 2**32 - 1),
    _FD.TYPE_INT64: ("int64", -(2**63), 2**63 - 1),
    _FD.TYPE_SINT64: ("int64", -(2**63), 2**63 - 1),
    _FD.TYPE_SFIXED64: ("int64", -(2**63), 2**63 - 1),
    _FD.TYPE_UINT64: ("uint64", 0, 2**64 - 1),
    _FD.TYPE_FIXED64: ("uint64", 0, 2**64 - 1),
}
_INF = math.inf
_TS_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?Z"
)


class Invalid(Exception):
    """A rejected value; ``path`` collects the location, innermost first."""

    def __init__(self, msg: str) -> None:
        super().__init__(msg)
        self.msg = msg
        self.path: list[str] = []

    def where(self, root: str) -> str:
        return root + "".join(reversed(self.path)) + ": " + self.msg


class UnknownField(Invalid):
    """A key the message's schema does not have: the caller keeps it (``wire.unknown``)."""


class Slow(Exception):
    """The fast path saw something unusual: redo the message on the general path."""


class Fallback(Exception):
    """A case only the reference parser can decide (float32 beyond range)."""


def show(v: Any) -> str:
    try:
        text = orjson.dumps(v).decode()
    except TypeError:
        text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


class Field:
    __slots__ = (
        "enum_names",
        "enum_num",
        "enum_zero",
        "hi",
        "json",
        "kind",
        "lo",
        "map",
        "name",
        "number",
        "oneof",
        "presence",
        "repeated",
        "sub",
        "value",
        "what",
    )
    sub: Msg  # a message field's type
    value: Field  # a map field's values

    def __init__(self, fd: _desc.FieldDescriptor, specs: dict[str, Msg]) -> None:
        self.name, self.json, self.number = fd.name, fd.json_name, fd.number
        self.repeated, self.map = fd.is_repeated, False
        self.oneof = fd.containing_oneof.name if fd.containing_oneof is not None else None
        self.presence = fd.has_presence and not fd.is_repeated
        t, et, mt = fd.type, fd.enum_type, fd.message_type
        if t in _INT_KINDS:
            self.what, self.lo, self.hi = _INT_KINDS[t]
            self.kind = "i64" if self.what.endswith("64") else "i32"
        elif t in (_FD.TYPE_DOUBLE, _FD.TYPE_FLOAT):
            self.kind = self.what = "double" if t == _FD.TYPE_DOUBLE else "float"
        elif t == _FD.TYPE_BOOL:
            self.kind = self.what = "bool"
        elif t == _FD.TYPE_STRING:
            self.kind = self.what = "string"
        elif t == _FD.TYPE_ENUM and et is not None:
            self.kind, self.what = "enum", et.full_name
            self.enum_num = {v.name: v.number for v in et.values}
            self.enum_names = {v.number: v.name for v in et.values}
            self.enum_zero = self.enum_names.get(0)
            if et.is_closed:
                raise TypeError(f"closed enum {et.full_name} is not supported")
        elif t != _FD.TYPE_MESSAGE or mt is None:
            raise TypeError(f"field {fd.full_name}: type {t} is not supported")
        elif mt.full_name == "google.protobuf.Timestamp":
            self.kind = self.what = "timestamp"
        elif mt.GetOptions().map_entry:
            key, val = mt.fields_by_name["key"], mt.fields_by_name["value"]
            if key.type != _FD.TYPE_STRING:
                raise TypeError(f"map field {fd.full_name}: only string keys are supported")
            self.kind, self.what, self.map = "map", "map", True
            self.value = Field(val, specs)
        else:
            self.kind, self.what = "msg", mt.full_name
            self.sub = build(mt, specs)


class Msg:
    __slots__ = (
        "build",
        "by_key",
        "by_number",
        "conv",
        "dump",
        "fields",
        "full_name",
        "layouts",
        "order",
    )

    def __init__(self, md: _desc.Descriptor) -> None:
        self.full_name = md.full_name
        self.fields: list[Field] = []
        self.by_key: dict[str, Field] = {}
        self.by_number: dict[int, Field] = {}
        self.order: list[str] = []
        # The converter in use, and the generated one for any key layout.
        self.conv: Converter = self.general
        self.build: Converter = self.general
        self.layouts: LayoutTable | None = None  # code per key layout (fastframe_shapes)
        self.dump: Callable[[Message], dict[str, Any]] = _no_dumper  # the binary path's

    def general(self, d: Any, c: list[int], into: dict[str, Any] | None = None) -> dict[str, Any]:
        """Every json_format rule, key by key in input order (later spellings win)."""
        if type(d) is not dict:
            if type(d) in (list, str) and not d:  # json_format iterates these: empty is ok
                return {} if into is None else into
            raise Invalid(f"expected a JSON object ({self.full_name}), got {show(d)}")
        c[0] += len(d)
        out: dict[str, Any] = {} if into is None else into
        oneofs: set[str] = set()
        for k, v in d.items():
            try:
                f = self.by_key.get(k)
                if f is None:
                    raise UnknownField(f"unknown field (message {self.full_name})")
                name = f.name
                if f.oneof is not None and v is not None:
                    if f.oneof in oneofs:
                        raise Invalid(f'more than one field of oneof "{f.oneof}" is set')
                    oneofs.add(f.oneof)
                if v is None:
                    out.pop(name, None)
                elif f.map or f.repeated:
                    r = _map(f, v, c) if f.map else _rep(f, v, c)
                    _put(out, name, r, bool(r))
                elif f.kind == "msg":
                    prev = out.get(name)
                    out[name] = f.sub.conv(v, c) if prev is None else f.sub.general(v, c, prev)
                else:
                    r = _scalar(f, v, c)
                    _put(out, name, r, f.oneof is not None or not _is_default(f, r))
            except Invalid as e:
                e.path.append("." + k)
                raise
        return {n: out[n] for n in self.order if n in out}


def _no_dumper(msg: Message) -> dict[str, Any]:
    raise TypeError("no dumper compiled for this message")


def _put(out: dict[str, Any], name: str, value: Any, keep: bool) -> None:
    if keep:
        out[name] = value
    else:
        out.pop(name, None)


def _is_default(f: Field, r: Any) -> bool:
    if f.kind == "enum":
        return bool(r == f.enum_zero or r == 0)
    if type(r) is float:
        return r == 0.0 and math.copysign(1.0, r) > 0
    return not r or r == "0"


def _rep(f: Field, v: Any, c: list[int]) -> list[Any]:
    if type(v) is not list:
        raise Invalid(f"expected a JSON array, got {show(v)}")
    if f.kind == "float" and v:
        try:
            r = json_list(v)
        except (TypeError, OverflowError):
            r = None
        if r is not None:
            return r
    res = []
    for i, x in enumerate(v):
        try:
            if x is None:
                raise Invalid("null is not allowed as an array element")
            res.append(f.sub.conv(x, c) if f.kind == "msg" else _scalar(f, x, c))
        except Invalid as e:
            e.path.append(f"[{i}]")
            raise
    return res


def _map(f: Field, v: Any, c: list[int]) -> dict[str, Any]:
    if type(v) is not dict:
        raise Invalid(f"expected a JSON object (map), got {show(v)}")
    c[0] += len(v)
    res = {}
    for k, x in v.items():
        c[0] += k.count(":")
        try:
            res[k] = _scalar(f.value, x, c)
        except Invalid as e:
            e.path.append(f"[{show(k)}]")
            raise
    return res


def _int(f: Field, v: Any) -> int:
    """json_format's _ConvertInteger plus the range check of the field type."""
    t = type(v)
    n: int
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
                raise Invalid(f"expected an {f.what}, got {show(v)}") from None
            n = int(x)
    else:
        raise Invalid(f"expected an {f.what}, got {show(v)}")
    if not f.lo <= n <= f.hi:
        raise Invalid(f"{f.what} value out of range: {show(v)}")
    return n


def _float(f: Field, v: Any) -> Any:
    """json_format's _ConvertFloat, then what MessageToDict prints for the stored value."""
    if type(v) is float:
        x = v
        if f.kind == "float" and not -FLOAT32_MAX <= x <= FLOAT32_MAX:
            raise Fallback  # a float literal is rejected, a big integer literal is not
    else:
        if v == "nan":
            raise Invalid('expected a number, got "nan" (use "NaN")')
        try:
            x = float(v)
        except (ValueError, TypeError, OverflowError):
            raise Invalid(f"expected a {f.what}, got {show(v)}") from None
    if f.kind == "float":
        return r32(array("f", (x,))[0])
    if x != x:
        return "NaN"
    if x in (_INF, -_INF):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def _enum(f: Field, v: Any) -> Any:
    try:
        n = f.enum_num.get(v)
        if n is None:
            n = int(v)
    except (ValueError, TypeError, OverflowError):
        raise Invalid(f"invalid value {show(v)} for enum {f.what}") from None
    if not -(2**31) <= n < 2**31:
        raise Invalid(f"enum value out of range: {show(v)}")
    return f.enum_names.get(n, n)


def ts_value(v: Any, c: list[int]) -> str:
    """A Timestamp string as Timestamp.FromJsonString + ToJsonString would give it."""
    if type(v) is str and is_canonical_stamp(v):
        c[0] += 2  # the two colons of HH:MM:SS
        return v
    return ts_general(v, c)


def ts_general(v: Any, c: list[int]) -> str:
    """``ts_value`` for any input (the exact path)."""
    if type(v) is not str:
        raise Invalid(f"expected an RFC 3339 timestamp string, got {show(v)}")
    c[0] += v.count(":")
    m = _TS_RE.fullmatch(v)
    if m is None or len(m[7] or "") > 9:
        ts = timestamp_pb2.Timestamp()
        try:
            ts.FromJsonString(v)
            return ts.ToJsonString()
        except Exception as exc:
            raise Invalid(f"invalid timestamp {show(v)}: {exc}") from None
    try:
        year, month, day, hour, minute, second = map(int, m.groups()[:6])
        datetime(year, month, day, hour, minute, second)
    except ValueError as exc:
        raise Invalid(f"invalid timestamp {show(v)}: {exc}") from None
    nanos = round(float("0." + m[7]) * 1e9) if m[7] else 0
    head = v[:19]
    if nanos % 1e9 == 0:
        return head + "Z"
    if nanos % 1e6 == 0:
        return f"{head}.{int(nanos / 1e6):03d}Z"
    if nanos % 1e3 == 0:
        return f"{head}.{int(nanos / 1e3):06d}Z"
    return f"{head}.{nanos:09d}Z"


def _scalar(f: Field, v: Any, c: list[int]) -> Any:
    k = f.kind
    if k == "string":
        if type(v) is not str:
            raise Invalid(f"expected a string, got {show(v)}")
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
            raise Invalid(f"expected true or false, got {show(v)}")
        return v
    if k == "enum":
        return _enum(f, v)
    if k == "timestamp":
        return ts_value(v, c)
    if k == "msg":
        return f.sub.conv(v, c)
    raise Invalid(f"unsupported field kind {k}")  # pragma: no cover


UNSET = object()


def general_value(f: Field, v: Any, c: list[int]) -> Any:
    if not f.map and not f.repeated:
        r = _scalar(f, v, c)
        return UNSET if _is_default(f, r) else r
    many = _map(f, v, c) if f.map else _rep(f, v, c)
    return many if many else UNSET


def build(md: _desc.Descriptor, specs: dict[str, Msg]) -> Msg:
    """The tables of ``md`` and every message below it (``conv`` starts as ``general``)."""
    m = specs.get(md.full_name)
    if m is not None:
        return m
    m = specs[md.full_name] = Msg(md)
    for fd in sorted(md.fields, key=lambda x: x.number):
        f = Field(fd, specs)
        m.fields.append(f)
        m.by_key[f.name] = m.by_key[f.json] = m.by_number[f.number] = f
        m.order.append(f.name)
    return m
