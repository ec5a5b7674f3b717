"""Limits that keep one query from asking for unbounded work.

Checked after validation and variable coercion, before anything runs, over
the selected operation with its fragments expanded (``@skip``/``@include`` are
not looked at: the count is an upper bound):

* depth: at most ``MAX_DEPTH`` nested fields;
* size: at most ``MAX_FIELDS`` field selections, aliases and repeats included;
* cost: the frames (and sessions) the paged fields may return, nested pages
  multiplying, at most ``MAX_COST``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError, GraphQLNamedType, GraphQLSchema, get_named_type
from graphql.language import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)

from nevr_events.wire import api

MAX_DEPTH = 20
MAX_FIELDS = 1000
MAX_COST = 10_000
# Paged fields by (type, field): (arguments giving the page size, by priority; default; maximum).
PAGED: dict[tuple[str, str], tuple[tuple[str, ...], int, int]] = {
    ("Query", "sessionEvents"): (("first", "limit"), api.EVENTS_PAGE_DEFAULT, api.EVENTS_PAGE_MAX),
    ("LobbySession", "events"): (("first", "limit"), api.EVENTS_PAGE_DEFAULT, api.EVENTS_PAGE_MAX),
    ("Query", "lobbySessions"): (("first",), api.SESSIONS_PAGE_DEFAULT, api.SESSIONS_PAGE_MAX),
}


class _Limits:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.fields = 0
        self.depth = 0
        self.cost = 0

    def _page_size(self, parent: GraphQLNamedType | None, node: FieldNode) -> int | None:
        spec = PAGED.get((parent.name, node.name.value)) if parent is not None else None
        if spec is None:
            return None
        names, default, maximum = spec
        given = {arg.name.value: arg.value for arg in node.arguments or ()}
        for name in names:
            value = given.get(name)
            size: object
            if isinstance(value, IntValueNode):
                size = int(value.value)
            elif isinstance(value, VariableNode):
                size = self.variables.get(value.name.value)
            else:
                size = None
            if isinstance(size, int):
                return api.page_size(size, default, maximum)
        return default

    def _field_type(self, parent: GraphQLNamedType | None, node: FieldNode) -> Any:
        field = getattr(parent, "fields", {}).get(node.name.value)
        return get_named_type(field.type) if field is not None else None

    def _condition(self, parent: GraphQLNamedType | None, node: Any) -> Any:
        condition = node.type_condition
        return self.schema.get_type(condition.name.value) if condition else parent

    def walk(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType | None,
        depth: int,
        multiplier: int,
    ) -> None:
        for node in selection_set.selections if selection_set else ():
            if isinstance(node, FieldNode):
                self.fields += 1
                self.depth = max(self.depth, depth)
                if self.fields > MAX_FIELDS or self.depth > MAX_DEPTH:
                    return
                inner = multiplier
                if (size := self._page_size(parent, node)) is not None:
                    inner = multiplier * size
                    self.cost += inner
                self.walk(node.selection_set, self._field_type(parent, node), depth + 1, inner)
            elif isinstance(node, InlineFragmentNode):
                self.walk(node.selection_set, self._condition(parent, node), depth, multiplier)
            elif isinstance(node, FragmentSpreadNode):
                fragment = self.fragments.get(node.name.value)
                if fragment is not None:
                    inner_type = self._condition(parent, fragment)
                    self.walk(fragment.selection_set, inner_type, depth, multiplier)
            if self.fields > MAX_FIELDS or self.depth > MAX_DEPTH:
                return


def check_limits(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
) -> list[GraphQLError]:
    """The errors of an operation that exceeds a limit (empty when within them).

    Run on validated documents only: validation has already refused fragment cycles.
    """
    limits = _Limits(schema, fragments, variables)
    limits.walk(operation.selection_set, schema.get_root_type(operation.operation), 1, 1)
    errors = []
    if limits.depth > MAX_DEPTH:
        errors.append(f"query is too deep: at most {MAX_DEPTH} nested fields")
    if limits.fields > MAX_FIELDS:
        errors.append(f"query selects too many fields: at most {MAX_FIELDS}, aliases included")
    if limits.cost > MAX_COST:
        errors.append(
            f"query may return {limits.cost} items, more than {MAX_COST}: ask for smaller "
            "pages (first/limit), especially in nested connections"
        )
    return [GraphQLError(message, operation) for message in errors]
