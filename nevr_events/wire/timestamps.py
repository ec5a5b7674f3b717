"""Frame timestamps in the form agents send nearly always, checked without a regex per frame.

Every frame carries a ``google.protobuf.Timestamp``, which the validator
normalises (``fastframe_compile.ts_value``) and the stream turns into a
datetime (``frames.parse_timestamp``). Both cost a regex, a ``datetime`` and
some formatting per frame. An agent sends whole seconds or
milliseconds in UTC (``2025-12-04T03:38:22.060Z``), which is already the form
``Timestamp.ToJsonString`` prints: :func:`is_canonical_stamp` recognises it by
its fixed positions, with the date and hour checked once per hour seen; the
validator then keeps it as it is and the stream reads it with
``datetime.fromisoformat``. Anything else takes the exact general paths.
"""

from __future__ import annotations

import re
from datetime import datetime

_HOUR = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}")
_HOURS_KEPT = 4096
_hours: dict[str, bool] = {}  # "YYYY-MM-DDTHH" -> a real date and hour


def is_canonical_stamp(v: str) -> bool:
    """Whether ``v`` is a valid UTC time exactly as ``Timestamp.ToJsonString`` prints it,
    in whole seconds or in milliseconds (``…:SSZ``, ``…:SS.fffZ`` with ``fff`` not 000)."""
    n = len(v)
    if n == 24:
        if v[19] != "." or not v[20:23].isdigit() or v[20:23] == "000":
            return False
    elif n != 20:
        return False
    minute, second = v[14:16], v[17:19]
    if (
        v[-1] != "Z"
        or v[13] != ":"
        or v[16] != ":"
        or not v.isascii()
        or not minute.isdigit()
        or not second.isdigit()
        or minute > "59"
        or second > "59"
    ):
        return False
    hour = v[:13]
    valid = _hours.get(hour)
    if valid is None:
        valid = _valid_hour(hour)
        if len(_hours) >= _HOURS_KEPT:
            _hours.clear()
        _hours[hour] = valid
    return valid


def _valid_hour(hour: str) -> bool:
    if _HOUR.fullmatch(hour) is None:
        return False
    try:
        datetime(int(hour[:4]), int(hour[5:7]), int(hour[8:10]), int(hour[11:13]))
    except ValueError:
        return False
    return True
