"""Per-stream rate limit (``MAX_STREAM_HZ``), like the Go service's ``max-stream-hz``.

A token bucket: a stream may send ``rate`` messages per second on average, and
a burst of up to one second's worth (at least one message) at once. A message
over the limit is answered ``success: false, error: "rate limited"`` with the
seconds to wait in ``retry_after``; it is neither parsed nor stored, and the
connection stays open so the agent can send it again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

RATE_LIMITED = "rate limited"


class TokenBucket:
    """``take()`` is 0.0 when a message may pass, else the seconds until one may."""

    def __init__(
        self, rate: float, burst: float | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = max(1.0, burst if burst is not None else rate)
        self._clock = clock
        self._tokens = self.burst
        self._updated = clock()

    def set_rate(self, rate: float) -> None:
        """Go on at ``rate``, with a burst of one second's worth of it."""
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate, self.burst = rate, max(1.0, rate)
        self._tokens = min(self._tokens, self.burst)

    def take(self) -> float:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0.0
        return (1.0 - self._tokens) / self.rate


def limited_reply(seq: int, retry_after: float) -> dict[str, Any]:
    """The reply to a message over the limit (nothing stored)."""
    return {
        "success": False,
        "error": RATE_LIMITED,
        "stored": False,
        "retry_after": round(max(retry_after, 0.001), 3),
        "seq": seq,
    }


def bucket_for(max_stream_hz: float) -> TokenBucket | None:
    """The bucket of one stream, or None when ``MAX_STREAM_HZ`` is off."""
    return TokenBucket(max_stream_hz) if max_stream_hz > 0 else None
