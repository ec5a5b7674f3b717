"""Telemetry v2 (the ``.tape`` payload) to and from v1 stored frames, one capture at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nevr_events._exports import lazy_exports

EXPORTS, __getattr__ = lazy_exports(
    __name__,
    {
        "nevr_events.wire.v2.tov2": ("MappingError", "V1ToV2"),
        "nevr_events.wire.v2.tov1": ("V2ToV1",),
    },
)
__all__ = sorted(EXPORTS)

if TYPE_CHECKING:
    from nevr_events.wire.v2.tov1 import V2ToV1 as V2ToV1
    from nevr_events.wire.v2.tov2 import MappingError as MappingError
    from nevr_events.wire.v2.tov2 import V1ToV2 as V1ToV2
