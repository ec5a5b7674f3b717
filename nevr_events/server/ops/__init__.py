"""Operations: health, metrics, logs, and how gunicorn runs the workers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nevr_events._exports import lazy_exports

EXPORTS, __getattr__ = lazy_exports(
    __name__,
    {
        "nevr_events.server.ops.health": (
            "HealthCheck",
            "check_health",
        ),
        "nevr_events.server.ops.metrics": ("Metrics",),
    },
)
__all__ = sorted(EXPORTS)

if TYPE_CHECKING:
    from nevr_events.server.ops.health import HealthCheck as HealthCheck
    from nevr_events.server.ops.health import check_health as check_health
    from nevr_events.server.ops.metrics import Metrics as Metrics
