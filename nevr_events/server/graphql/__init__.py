"""The GraphQL API (``/v3/query``, ``/v3/graphql``) and GraphiQL (``/v3/playground``).

See docs/graphql.md.
"""

from __future__ import annotations

from nevr_events.server.graphql.schema import get_schema
from nevr_events.server.graphql.views import bp

__all__ = ["bp", "get_schema"]
