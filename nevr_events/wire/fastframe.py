"""A fast ``FrameValidator`` with the exact behaviour of ``json_format``.

``FastFrameValidator`` accepts and rejects the same messages as
``ProtobufFrameValidator`` and returns the same dicts, at a fraction of the cost.
Everything is compiled from the protobuf descriptors at import time
(``compile_converters``): the tables and general rules (``fastframe_compile``),
a converter per message type (``fastframe_convert``), code per key layout an
agent keeps sending (``fastframe_shapes``, paced by ``fastframe_layouts``) and,
here, a dumper per message type for binary.

Text: ``orjson`` parses, the converters check and normalise. Duplicate keys:
``json_format`` rejects them, ``orjson`` keeps the last one. The converters count
the keys of every object plus the colons inside accepted strings; without
duplicates that equals the colons in the text (colons outside strings are exactly
the key separators), so a mismatch sends the text to an exact check. Rare case
handed to the reference parser: a float32 value beyond the float range.

Binary: ``ParseFromString``, then the dumper reads the plain fields with one
``attrgetter`` call, the fields with presence by ``HasField`` / ``WhichOneof``, in
field-number order (the order of ``ListFields``, which ``MessageToDict`` follows).
"""

from __future__ import annotations

import json
import keyword
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Literal, cast

from google.protobuf.descriptor import Descriptor

from nevr_events.exceptions import InvalidFrame
from nevr_events.wire.fastframe_compile import (
    Fallback,
    Field,
    Invalid,
    Msg,
    UnknownField,
    build,
    show,
)
from nevr_events.wire.fastframe_convert import compile_converter, has_oneofs
from nevr_events.wire.fastframe_floats import r32, shortest_list
from nevr_events.wire.fastframe_shapes import install
from nevr_events.wire.frames import (
    ParsedMessage,
    ProtobufFrameValidator,
    keep_unknown,
    load_json_object,
    parse_binary,
)
from nevr_events.wire.pb import telemetry_pb2


# ------------------------------------------------------------------ text path
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
        return f"{{k: {_conv(f.value, 'y', ns)} for k, y in {x}.items()}}"
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


@dataclass(frozen=True)
class Converters:
    """The compiled tables of every message type, from ``Envelope`` down."""

    specs: dict[str, Msg]
    envelope: Msg
    frame: Msg

    def forget_layouts(self) -> None:
        """Drop every remembered layout and its code: a fresh worker's state."""
        for m in self.specs.values():
            if m.layouts is not None:
                m.layouts.forget()


def compile_converters(
    clock: Callable[[], float] = time.monotonic, per_layout: bool = True
) -> Converters:
    """Tables, converters and binary dumpers; with ``per_layout``, code per key
    layout too (``clock`` paces its compiles)."""
    specs: dict[str, Msg] = {}
    envelope = build(cast(Descriptor, telemetry_pb2.Envelope.DESCRIPTOR), specs)
    frame = build(cast(Descriptor, telemetry_pb2.LobbySessionStateFrame.DESCRIPTOR), specs)
    for m in specs.values():
        if not has_oneofs(m):
            compile_converter(m)
    if per_layout:  # after every converter: a layout's code calls them
        for m in specs.values():
            install(m, clock)
    _compile_dumpers(specs)
    return Converters(specs, envelope, frame)


CONVERTERS = compile_converters()


class FastFrameValidator:
    """Drop-in ``FrameValidator``: same decisions and dicts as ``ProtobufFrameValidator``."""

    def __init__(self, converters: Converters = CONVERTERS) -> None:
        self._reference = ProtobufFrameValidator()
        self._frame, self._envelope = converters.frame, converters.envelope

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
        kind: Literal["header", "frame", "empty"]
        try:
            if len(obj) == 1 and type(frame := obj.get("frame")) is dict:
                # The usual message, an Envelope holding a frame: what Envelope's
                # general path would do with it, without its per-key bookkeeping.
                try:
                    frame = self._frame.conv(frame, c)
                except Invalid as e:
                    e.path.append(".frame")
                    raise
                c[0] += 1
                kind = "frame"
            elif not root:
                env = self._envelope.conv(obj, c)
                frame = env.get("frame")
                kind = "frame" if frame is not None else "header" if "header" in env else "empty"
            else:
                kind = "frame"
                frame = self._frame.conv(obj, c)
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

    def _parse_with_unknown(self, data: str) -> ParsedMessage:
        """A text message with keys the schema lacks: the rest validated, those kept."""
        _check_duplicates(data, -1)  # the exact check, over the unknown parts too
        return keep_unknown(data, lambda known: self._parse(known, tolerant=False))

    def _parse_binary(self, data: bytes) -> ParsedMessage:
        return parse_binary(data, self._frame.dump)
