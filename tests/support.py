"""Test helpers, from ``nevr_events.testing`` (shared with the benchmarks in ``bench/``)."""

from nevr_events.testing import FIXTURES, ROOT
from nevr_events.testing.frames import envelope, load_sample, make_frame, new_session_id
from nevr_events.testing.live import SECRET, LiveServer, send_frames, wait_until

__all__ = [
    "FIXTURES",
    "ROOT",
    "SECRET",
    "LiveServer",
    "envelope",
    "load_sample",
    "make_frame",
    "new_session_id",
    "send_frames",
    "wait_until",
]
