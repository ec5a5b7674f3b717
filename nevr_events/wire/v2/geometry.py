"""Geometry shared by both directions of the v1 ⇄ v2 mapping.

v1 gives an orientation as three axis vectors (``left``, ``up``, ``forward``),
v2 as a quaternion; v1 positions are lists of doubles, v2's are float32
vectors; v1 bones are float lists, v2's packed little-endian float32 bytes.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence

from nevr_events.wire.pb import spatial_pb2

Axes = tuple[list[float], list[float], list[float]]


def vec3(values: Sequence[float]) -> spatial_pb2.Vec3 | None:
    """A v2 vector from a v1 list; None unless it has exactly three coordinates."""
    if len(values) != 3:
        return None
    return spatial_pb2.Vec3(x=values[0], y=values[1], z=values[2])


def vec3_list(vector: spatial_pb2.Vec3) -> list[float]:
    return [float(vector.x), float(vector.y), float(vector.z)]


def quat_from_axes(
    left: Sequence[float], up: Sequence[float], forward: Sequence[float]
) -> spatial_pb2.Quat | None:
    """The quaternion of a rotation whose matrix columns are left, up, forward.

    The trace method in double precision, as the reference converter computes
    it: not normalised and no sign fix, so the bytes match its output. None
    unless all three axes have three coordinates.
    """
    if len(left) != 3 or len(up) != 3 or len(forward) != 3:
        return None
    m = [[left[r], up[r], forward[r]] for r in range(3)]
    trace = m[0][0] + m[1][1] + m[2][2]
    if trace > 0:
        s = 2.0 * math.sqrt(trace + 1.0)
        w, x = s / 4, (m[2][1] - m[1][2]) / s
        y, z = (m[0][2] - m[2][0]) / s, (m[1][0] - m[0][1]) / s
    elif m[0][0] > m[1][1] and m[0][0] > m[2][2]:
        s = 2.0 * math.sqrt(1.0 + m[0][0] - m[1][1] - m[2][2])
        w, x = (m[2][1] - m[1][2]) / s, s / 4
        y, z = (m[0][1] + m[1][0]) / s, (m[0][2] + m[2][0]) / s
    elif m[1][1] > m[2][2]:
        s = 2.0 * math.sqrt(1.0 + m[1][1] - m[0][0] - m[2][2])
        w, x = (m[0][2] - m[2][0]) / s, (m[0][1] + m[1][0]) / s
        y, z = s / 4, (m[1][2] + m[2][1]) / s
    else:
        s = 2.0 * math.sqrt(1.0 + m[2][2] - m[0][0] - m[1][1])
        w, x = (m[1][0] - m[0][1]) / s, (m[0][2] + m[2][0]) / s
        y, z = (m[1][2] + m[2][1]) / s, s / 4
    return spatial_pb2.Quat(x=x, y=y, z=z, w=w)


def axes_from_quat(q: spatial_pb2.Quat) -> Axes:
    """``(left, up, forward)``: the columns of the quaternion's rotation matrix.

    The reference's formula, which :func:`quat_from_axes` inverts exactly for
    any quaternion except in its trace branch, where it assumes a unit one. A
    float32 quaternion is never quite unit, so there the diagonal is moved by
    the norm's error (far below the game's own precision): that makes
    ``quat_from_axes(*axes_from_quat(q))`` give ``q`` back, float32 for float32,
    up to sign (``q`` and ``-q`` are one rotation) and for components that are
    zero or not tiny beside the others.
    """
    x, y, z, w = float(q.x), float(q.y), float(q.z), float(q.w)
    m00, m11, m22 = 1 - 2 * (y * y + z * z), 1 - 2 * (x * x + z * z), 1 - 2 * (x * x + y * y)
    if m00 + m11 + m22 > 0:
        shift = 4 * (1 - (x * x + y * y + z * z + w * w)) / 3
        m00, m11, m22 = m00 - shift, m11 - shift, m22 - shift
    left = [m00, 2 * (x * y + w * z), 2 * (x * z - w * y)]
    up = [2 * (x * y - w * z), m11, 2 * (y * z + w * x)]
    forward = [2 * (x * z + w * y), 2 * (y * z - w * x), m22]
    return left, up, forward


def pose(
    position: Sequence[float],
    left: Sequence[float],
    up: Sequence[float],
    forward: Sequence[float],
) -> spatial_pb2.Pose | None:
    """A v2 pose, None when v1 has neither a position nor a full orientation."""
    where, turn = vec3(position), quat_from_axes(left, up, forward)
    if where is None and turn is None:
        return None
    found = spatial_pb2.Pose()
    if where is not None:
        found.position.CopyFrom(where)
    if turn is not None:
        found.orientation.CopyFrom(turn)
    return found


def pose_parts(found: spatial_pb2.Pose) -> tuple[list[float], Axes | None]:
    """A v2 pose as a v1 position list and axes (None without an orientation)."""
    position = vec3_list(found.position) if found.HasField("position") else []
    axes = axes_from_quat(found.orientation) if found.HasField("orientation") else None
    return position, axes


def pack_floats(values: Sequence[float]) -> bytes:
    """Little-endian float32 bytes, as v2 bones carry them."""
    return struct.pack(f"<{len(values)}f", *values)


def unpack_floats(data: bytes) -> list[float]:
    """The float32 values of little-endian bytes (a trailing partial value is dropped)."""
    count = len(data) // 4
    return list(struct.unpack_from(f"<{count}f", data))
