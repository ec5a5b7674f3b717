"""The GraphQL endpoints (GraphQL over HTTP) and the offline IDE page.

* ``POST /v3/query`` and ``POST /v3/graphql``: a JSON body ``{query, variables,
  operationName}``; ``GET`` with the same as query parameters (queries only).
* Request errors (unreadable request, syntax, validation, variables, limits) →
  400 ``{"errors": [...]}``; field errors → 200 with ``data`` and ``errors``.
* Token required as for the HTTP reads; the IDE page (``ide.py``) is served
  without (it holds no data: the page asks for the token).
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from flask import Blueprint, current_app, jsonify, request
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from graphql.error import GraphQLError, GraphQLSyntaxError
from graphql.execution import ExecutionContext, ExecutionResult, execute
from graphql.language import OperationType, parse
from graphql.validation import validate
from pymongo.errors import PyMongoError

from nevr_events.exceptions import StoreUnavailable
from nevr_events.server import auth
from nevr_events.server.graphql import ide
from nevr_events.server.graphql.limits import check_limits
from nevr_events.server.graphql.resolvers import UserError
from nevr_events.server.graphql.schema import get_schema

log = logging.getLogger(__name__)

bp = Blueprint("graphql", __name__)


def _build_schema(_state: BlueprintSetupState) -> None:
    """The schema (with the types generated from the protos) is built when the app is."""
    get_schema()


bp.record_once(_build_schema)
OPEN_ENDPOINTS = ide.register(bp)


@bp.before_request
def _authenticate() -> None:
    if request.endpoint not in OPEN_ENDPOINTS:
        auth.authenticate()


class RequestError(Exception):
    def __init__(self, *errors: GraphQLError | str, status: int = 400) -> None:
        super().__init__(errors)
        self.errors = [e if isinstance(e, GraphQLError) else GraphQLError(e) for e in errors]
        self.status = status


def _params() -> tuple[str, dict[str, Any] | None, str | None]:
    if request.method == "GET":
        raw: dict[str, Any] = dict(request.args)
        raw.pop("token", None)
    else:
        if not request.is_json:
            raise RequestError("send the request as JSON (Content-Type: application/json)")
        raw = request.get_json(silent=True)  # type: ignore[assignment]
        if not isinstance(raw, dict):
            raise RequestError("the body must be a JSON object {query, variables, operationName}")
    query, variables, name = raw.get("query"), raw.get("variables"), raw.get("operationName")
    if not isinstance(query, str) or not query.strip():
        raise RequestError("query is missing: send the GraphQL document as `query`")
    max_query_bytes = current_app.config["SETTINGS"].graphql_max_query_bytes
    if len(query.encode()) > max_query_bytes:
        raise RequestError(f"query is over GRAPHQL_MAX_QUERY_BYTES ({max_query_bytes} bytes)")
    if isinstance(variables, str) and variables.strip():
        try:
            variables = orjson.loads(variables)
        except orjson.JSONDecodeError:
            raise RequestError("variables is not valid JSON") from None
    if variables in ("", None):
        variables = None
    elif not isinstance(variables, dict):
        raise RequestError("variables must be a JSON object")
    if name in ("", None):
        name = None
    elif not isinstance(name, str):
        raise RequestError("operationName must be a string")
    return query, variables, name


def run(query: str, variables: dict[str, Any] | None, name: str | None) -> ExecutionResult:
    """Parse, validate, check the limits, then execute; RequestError before execution."""
    schema = get_schema()
    try:
        document = parse(query)
    except GraphQLSyntaxError as exc:
        raise RequestError(exc) from None
    if errors := validate(schema, document):
        raise RequestError(*errors)
    context = ExecutionContext.build(schema, document, None, None, variables, name)
    if isinstance(context, list):  # unknown operation, bad variables
        raise RequestError(*context)
    kind = context.operation.operation
    if request.method == "GET" and kind != OperationType.QUERY:
        raise RequestError("only queries may be sent with GET", status=405)
    if schema.get_root_type(kind) is None:
        raise RequestError(
            GraphQLError(f"this schema does not support {kind.value}s", context.operation)
        )
    if errors := check_limits(
        schema, context.operation, context.fragments, context.variable_values
    ):
        raise RequestError(*errors)
    result = execute(schema, document, variable_values=variables, operation_name=name)
    if isinstance(result, ExecutionResult):
        return result
    raise RuntimeError("the schema must not have asynchronous resolvers")  # pragma: no cover


def _public(error: GraphQLError) -> dict[str, Any]:
    original = error.original_error
    if original is not None and not isinstance(original, GraphQLError | UserError):
        if isinstance(original, StoreUnavailable | PyMongoError):
            log.warning("GraphQL read failed: %s", original)
            message = "database unavailable"
        else:
            log.error("GraphQL resolver failed", exc_info=original)
            message = "internal server error"
        error = GraphQLError(message, error.nodes, path=error.path)
    return error.formatted  # type: ignore[return-value]


@bp.route("/v3/query", methods=["GET", "POST"])
@bp.route("/v3/graphql", methods=["GET", "POST"])
def query() -> ResponseReturnValue:
    try:
        result = run(*_params())
    except RequestError as exc:
        return jsonify({"errors": [e.formatted for e in exc.errors]}), exc.status
    body: dict[str, Any] = {}
    if result.errors:
        body["errors"] = [_public(e) for e in result.errors]
    body["data"] = result.data
    return jsonify(body)
