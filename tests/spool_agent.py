"""A test agent process: ``python -m tests.spool_agent URL TOKEN SPOOL SID START COUNT RATE FSYNC``.

Sends frames START .. START+COUNT-1 of session SID through a spooled
``FrameStream`` at RATE frames per second, printing each index once ``send``
has returned (the frame is in the spool), then flushes and prints the result
as one JSON line prefixed ``result``. Tests kill it with SIGKILL mid-run.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time

from nevr_events import FrameStream
from tests.support import make_frame


def main(argv: list[str]) -> None:
    url, token, spool, sid = argv[:4]
    start, count = int(argv[4]), int(argv[5])
    rate, fsync_interval = float(argv[6]), float(argv[7])
    stream = FrameStream(
        url, token, spool=spool, spool_fsync_interval=fsync_interval, backoff_max=2.0
    )
    due = time.monotonic()
    for index in range(start, start + count):
        stream.send(make_frame(sid, index))
        print(index, flush=True)
        due += 1 / rate
        time.sleep(max(0.0, due - time.monotonic()))
    result = stream.flush(timeout=240)
    stream.close(timeout=0)
    summary = dataclasses.asdict(result)
    summary.pop("rejections"), summary.pop("losses")
    print("result " + json.dumps(summary), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
