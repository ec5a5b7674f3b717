"""The executable schema: ``schema.graphql`` plus the types generated from the protos."""

from __future__ import annotations

import functools
from importlib import resources

from graphql import GraphQLSchema, build_schema, parse
from graphql.language import TypeDefinitionNode

from nevr_events.server.graphql import resolvers
from nevr_events.server.graphql.protoschema import ProtoTypes
from nevr_events.wire.pb import message_descriptor, telemetry_pb2


def schema_sdl() -> str:
    return (
        resources.files("nevr_events.server.graphql").joinpath("schema.graphql").read_text("utf-8")
    )


@functools.cache
def get_schema() -> GraphQLSchema:
    """Built once per process (a few milliseconds), at the first request or at start-up."""
    hand_written = schema_sdl()
    names = {
        node.name.value
        for node in parse(hand_written).definitions
        if isinstance(node, TypeDefinitionNode)
    }
    generated = ProtoTypes(message_descriptor(telemetry_pb2.LobbySessionStateFrame), reserved=names)
    schema = build_schema(hand_written + "\n" + generated.sdl)
    generated.bind(schema)
    resolvers.bind(schema)
    return schema
