"""GraphQL types generated at start-up from the protobuf descriptors of the wire schema.

``ProtoTypes(root_descriptor)`` walks every message and enum reachable from the
root message and produces

* ``sdl``: GraphQL SDL for them, appended to ``schema.graphql`` before
  ``build_schema``;
* ``bind(schema)``: attaches the field resolvers (and union type resolvers) to
  the built schema.

Mapping rules (the values come from stored protojson dicts with proto field
names, as ``MessageToDict(preserving_proto_field_name=True)`` writes them, which
leaves out fields holding their default value):

* field names are the lowerCamel form of the proto names (``frame_index`` →
  ``frameIndex``); type names are the message names, nested ones joined
  (``EmotePlayed.EmoteType`` → ``EmotePlayedEmoteType``);
* 32-bit integers → ``Int!``, 64-bit integers → ``Int64!`` (a decimal string),
  ``bool`` → ``Boolean!``, ``string``/``bytes`` → ``String!`` (bytes in base64),
  ``float``/``double`` → ``Float`` (null for NaN and the infinities, which
  GraphQL cannot carry); a missing scalar is its proto3 default;
* enums → GraphQL enums with the proto value names; a missing enum is its
  zero value, an unknown number is null;
* messages → object types, null when absent; repeated fields → non-null lists
  (empty when absent); maps → ``JSON``; ``google.protobuf.Timestamp`` → ``Time``;
* a oneof whose members are distinct messages (the frame's ``event``) becomes a
  union ``<Message><Oneof>`` with a field ``<oneof>`` returning the set member,
  plus ``<oneof>Type``, the proto name of the set field (e.g. ``player_goal``,
  the value the ``eventType`` filters take).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor
from graphql import GraphQLObjectType, GraphQLSchema, GraphQLUnionType

TIMESTAMP = "google.protobuf.Timestamp"
# Key under which a union member's payload carries its GraphQL type name.
TYPE_KEY = "__graphql_type"

_INT32 = {
    FieldDescriptor.TYPE_INT32,
    FieldDescriptor.TYPE_SINT32,
    FieldDescriptor.TYPE_SFIXED32,
    FieldDescriptor.TYPE_UINT32,
    FieldDescriptor.TYPE_FIXED32,
}
_INT64 = {
    FieldDescriptor.TYPE_INT64,
    FieldDescriptor.TYPE_SINT64,
    FieldDescriptor.TYPE_SFIXED64,
    FieldDescriptor.TYPE_UINT64,
    FieldDescriptor.TYPE_FIXED64,
}
_FLOAT = {FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT}

Resolver = Callable[..., Any]


def lower_camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def type_name(descriptor: Descriptor | EnumDescriptor) -> str:
    """``telemetry.v1.EmotePlayed.EmoteType`` → ``EmotePlayedEmoteType``."""
    package = descriptor.file.package
    full = descriptor.full_name
    local = full[len(package) + 1 :] if package else full
    return local.replace(".", "")


def _message_type(field: FieldDescriptor) -> Descriptor:
    """The message type of a field known to hold a message (a union member)."""
    if field.message_type is None:
        raise TypeError(f"{field.full_name} is not a message field")
    return field.message_type


def _is_map(field: FieldDescriptor) -> bool:
    message = field.message_type
    return message is not None and message.GetOptions().map_entry


def _is_repeated(field: FieldDescriptor) -> bool:
    return bool(field.is_repeated)


def _describe(text: str) -> str:
    return '"""' + text.replace('"""', "'''") + '"""'


class ProtoTypes:
    """The GraphQL types of every message reachable from ``root``."""

    def __init__(self, root: Descriptor, reserved: set[str] | None = None) -> None:
        self.root = root
        self.root_name = type_name(root)
        self._messages: dict[str, Descriptor] = {}
        self._enums: dict[str, EnumDescriptor] = {}
        self._unions: dict[str, tuple[Descriptor, Any, list[FieldDescriptor]]] = {}
        self._collect(root)
        taken = set(self._messages) | set(self._enums) | set(self._unions)
        clash = taken & (reserved or set())
        if clash:
            raise ValueError(f"generated GraphQL types clash with hand-written ones: {clash}")
        self.sdl = self._render()

    # --- discovery -------------------------------------------------------------------

    def _collect(self, message: Descriptor) -> None:
        name = type_name(message)
        if name in self._messages:
            if self._messages[name] is not message:
                raise ValueError(f"two messages map to the GraphQL type {name}")
            return
        self._messages[name] = message
        for field in message.fields:
            if field.enum_type is not None:
                self._enums.setdefault(type_name(field.enum_type), field.enum_type)
            elif (
                field.message_type is not None
                and not _is_map(field)
                and field.message_type.full_name != TIMESTAMP
            ):
                self._collect(field.message_type)
        for oneof in message.oneofs:
            members = list(oneof.fields)
            targets = [f.message_type for f in members if f.message_type is not None]
            if len(members) < 2 or len(targets) < len(members):
                continue  # scalar or synthetic (proto3 optional) oneofs: no union
            if len({t.full_name for t in targets}) != len(targets):
                continue
            self._unions[name + oneof.name[:1].upper() + lower_camel(oneof.name)[1:]] = (
                message,
                oneof,
                members,
            )

    # --- SDL -------------------------------------------------------------------------

    def _field_type(self, field: FieldDescriptor) -> str:
        if _is_map(field):
            return "JSON"
        kind = field.type
        if field.message_type is not None:
            inner = "Time" if field.message_type.full_name == TIMESTAMP else None
            inner = inner or type_name(field.message_type)
            return f"[{inner}!]!" if _is_repeated(field) else inner
        if field.enum_type is not None:
            inner = type_name(field.enum_type)
            return f"[{inner}]!" if _is_repeated(field) else inner
        if kind in _FLOAT:
            return "[Float]!" if _is_repeated(field) else "Float"
        if kind in _INT32:
            inner = "Int"
        elif kind in _INT64:
            inner = "Int64"
        elif kind == FieldDescriptor.TYPE_BOOL:
            inner = "Boolean"
        else:  # string, bytes
            inner = "String"
        return f"[{inner}!]!" if _is_repeated(field) else f"{inner}!"

    def _render(self) -> str:
        parts: list[str] = []
        for name, enum in self._enums.items():
            values = "\n".join(f"  {value.name}" for value in enum.values)
            parts.append(
                f"{_describe('Protobuf enum ' + enum.full_name)}\nenum {name} {{\n{values}\n}}"
            )
        for name, (message, oneof, members) in self._unions.items():
            types = " | ".join(type_name(_message_type(f)) for f in members)
            text = f"The set member of oneof {oneof.name} of {message.full_name}"
            parts.append(f"{_describe(text)}\nunion {name} = {types}")
        for name, message in self._messages.items():
            lines = []
            for field in message.fields:
                doc = f"{field.name} = {field.number} (JSON name {field.json_name})"
                lines.append(
                    f"  {_describe(doc)}\n  {lower_camel(field.name)}: {self._field_type(field)}"
                )
            for union, (owner, oneof, _members) in self._unions.items():
                if owner is message:
                    camel = lower_camel(oneof.name)
                    lines.append(f"  {_describe('The set member of oneof ' + oneof.name)}")
                    lines.append(f"  {camel}: {union}")
                    lines.append(f"  {_describe('Proto name of the set member, e.g. player_goal')}")
                    lines.append(f"  {camel}Type: String")
            if not lines:
                lines.append(
                    f"  {_describe('Always null: the message has no fields')}\n  _empty: Boolean"
                )
            body = "\n".join(lines)
            parts.append(
                f"{_describe('Protobuf message ' + message.full_name)}\ntype {name} {{\n{body}\n}}"
            )
        return "\n\n".join(parts) + "\n"

    # --- resolvers -------------------------------------------------------------------

    def bind(self, schema: GraphQLSchema) -> None:
        for name, message in self._messages.items():
            gql_type = schema.type_map[name]
            assert isinstance(gql_type, GraphQLObjectType)
            for field in message.fields:
                gql_type.fields[lower_camel(field.name)].resolve = _field_resolver(field)
        for union_name, (owner, oneof, members) in self._unions.items():
            union = schema.type_map[union_name]
            assert isinstance(union, GraphQLUnionType)
            union.resolve_type = _resolve_union_type
            owner_type = schema.type_map[type_name(owner)]
            assert isinstance(owner_type, GraphQLObjectType)
            camel = lower_camel(oneof.name)
            owner_type.fields[camel].resolve = _oneof_resolver(members)
            owner_type.fields[camel + "Type"].resolve = _oneof_case_resolver(members)


def _resolve_union_type(value: Any, _info: Any, _type: Any) -> str | None:
    return value.get(TYPE_KEY) if isinstance(value, dict) else None


def _oneof_resolver(members: list[FieldDescriptor]) -> Resolver:
    names = [(f.name, type_name(_message_type(f))) for f in members]

    def resolve(parent: dict[str, Any], _info: Any) -> Any:
        for proto_name, gql_name in names:
            payload = parent.get(proto_name)
            if isinstance(payload, dict):
                return {**payload, TYPE_KEY: gql_name}
        return None

    return resolve


def _oneof_case_resolver(members: list[FieldDescriptor]) -> Resolver:
    names = [f.name for f in members]

    def resolve(parent: dict[str, Any], _info: Any) -> str | None:
        return next((name for name in names if name in parent), None)

    return resolve


def _float(value: Any) -> float | None:
    try:
        number = float(value)  # protojson writes "NaN", "Infinity", "-Infinity" as strings
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _scalar(field: FieldDescriptor) -> tuple[Callable[[Any], Any], Any]:
    """(convert one stored value, proto3 default) for a non-message field."""
    kind = field.type
    if field.enum_type is not None:
        by_number = {value.number: value.name for value in field.enum_type.values}
        default = by_number.get(0, field.enum_type.values[0].name)
        names = set(by_number.values())

        def enum(value: Any) -> str | None:
            if isinstance(value, str):
                return value if value in names else None
            return by_number.get(value) if isinstance(value, int) else None

        return enum, default
    if kind in _FLOAT:
        return _float, 0.0
    if kind in _INT32:
        return int, 0
    if kind in _INT64:
        return str, "0"
    if kind == FieldDescriptor.TYPE_BOOL:
        return bool, False
    return str, ""


def _field_resolver(field: FieldDescriptor) -> Resolver:
    key = field.name
    repeated = _is_repeated(field)
    if _is_map(field):
        return lambda parent, _info: parent.get(key) or {}
    if field.message_type is not None:
        if repeated:
            return lambda parent, _info: [v for v in parent.get(key) or () if v is not None]
        return lambda parent, _info: parent.get(key)
    convert, default = _scalar(field)
    if repeated:
        return lambda parent, _info: [convert(v) for v in parent.get(key) or ()]

    def resolve(parent: dict[str, Any], _info: Any) -> Any:
        value = parent.get(key)
        return default if value is None else convert(value)

    return resolve
