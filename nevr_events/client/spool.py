"""The disk spool of ``FrameStream(..., spool=DIR)``: frames waiting for the server's answer.

The directory layout and record format are in :mod:`nevr_events.client.spoolformat`.
``Spool`` owns a directory (a lock file keeps other processes out), appends
records, hands them to the drain in order, remembers the answered position and
deletes answered segments; ``fsync`` runs in a background thread every
``fsync_interval`` seconds (0: on every append).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
import zlib
from pathlib import Path

from nevr_events.client.spoolformat import (
    BINARY,
    HEADER,
    MAX_TAG_BYTES,
    PREFIX,
    TEXT,
    Segment,
    SpoolRecord,
    SpoolStatus,
    check_format,
    list_segments,
    read_acked,
    read_record,
    segment_path,
    spool_status,
    walk_segment,
)
from nevr_events.exceptions import SpoolError, SpoolFull, SpoolLocked

__all__ = ["Spool", "SpoolRecord", "SpoolStatus", "spool_status"]

log = logging.getLogger(__name__)


class Spool:
    """An append-only, crash-safe queue of encoded frames in a directory (one owner).

    ``append`` (any thread) writes a record and returns its sequence number;
    ``read_next`` (one drain thread) hands out records in order; ``ack`` marks
    the oldest handed-out record answered. Counts: ``waiting`` (not yet
    answered), ``unsent`` (not yet handed out), ``corrupt`` (skipped as unreadable).
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        max_bytes: int = 1 << 30,
        fsync_interval: float = 0.1,
        segment_bytes: int | None = None,
    ) -> None:
        if max_bytes < 1:
            raise ValueError("spool_max_bytes must be positive")
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self.fsync_interval = fsync_interval
        self.segment_bytes = segment_bytes or min(max(max_bytes // 16, 64 << 10), 16 << 20)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._lock_fd = self._take_lock()
        except OSError as exc:
            raise SpoolError(f"cannot use spool {self.directory}: {exc}") from None
        try:
            check_format(self.directory, create=True)
            self._recover()
        except OSError as exc:
            os.close(self._lock_fd)
            raise SpoolError(f"cannot use spool {self.directory}: {exc}") from None
        except BaseException:
            os.close(self._lock_fd)
            raise
        self._mutex = threading.Lock()
        self._stop = threading.Event()
        self._syncer = threading.Thread(target=self._sync_loop, name="nevr-spool-sync", daemon=True)
        self._syncer.start()

    # -- opening -----------------------------------------------------------------------------

    def _take_lock(self) -> int:
        fd = os.open(self.directory / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise SpoolLocked(
                f"spool {self.directory} is in use by another process (pid {owner}); "
                "only one process may send from a spool"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return fd

    def _recover(self) -> None:
        """Count what earlier processes left, cut a torn tail, open the write segment."""
        segments = list_segments(self.directory)
        acked = read_acked(self.directory)
        for number, segment in enumerate(segments):
            newest = number == len(segments) - 1
            good_end = walk_segment(segment, verify=newest)
            if good_end < segment.size:
                what = "torn last record" if newest else "unreadable records"
                log.warning(
                    "spool %s: %s in %s (%d bytes) skipped",
                    self.directory,
                    what,
                    segment.path.name,
                    segment.size - good_end,
                )
                if newest:  # the process died mid-write: cut it off so appends follow good data
                    os.truncate(segment.path, good_end)
                    segment.size = good_end
        # Delete segments answered in full (all but the newest, which is reused below).
        while len(segments) > 1 and segments[0].end_seq <= acked:
            segments.pop(0).path.unlink()
        if segments:
            acked = min(max(acked, segments[0].first_seq), segments[-1].end_seq)
            self.next_seq = segments[-1].end_seq
        else:
            self.next_seq = acked
        self.acked = self._saved_acked = acked
        self.waiting = sum(max(0, s.end_seq - max(s.first_seq, acked)) for s in segments)
        self.corrupt = 0
        if not segments or segments[-1].size >= self.segment_bytes:
            segments.append(Segment(segment_path(self.directory, self.next_seq), self.next_seq))
        self._segments = segments
        self._write_fd: int | None = os.open(
            segments[-1].path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644
        )
        self._bytes = sum(s.size for s in segments)
        self._retired: list[int] = []  # write fds of full segments: fsync, then close
        self._dirty = self._dir_dirty = True
        self._read_seq = acked
        self._read_fd: int | None = None
        self._read_segment: Segment | None = None
        self._read_offset = 0

    # -- writing (any thread) ----------------------------------------------------------------

    def append(self, payload: str | bytes, frame_index: int | None, tag: object = None) -> int:
        """Write one frame; returns its sequence number. Raises :class:`SpoolFull`."""
        if isinstance(payload, str):
            kind, data = TEXT, payload.encode()
        else:
            kind, data = BINARY, payload
        tag_bytes = b"" if tag is None else str(tag).encode()[:MAX_TAG_BYTES]
        index = frame_index if frame_index is not None else -1
        prefix = PREFIX.pack(kind, time.time(), index, len(tag_bytes)) + tag_bytes
        crc = zlib.crc32(data, zlib.crc32(prefix))
        header = HEADER.pack(len(prefix) + len(data), crc)
        length = len(header) + len(prefix) + len(data)
        with self._mutex:
            if self._write_fd is None:
                raise SpoolError(f"spool {self.directory} is closed")
            if self._bytes + length > self.max_bytes:
                raise SpoolFull(
                    f"spool {self.directory} is full ({self._bytes} of {self.max_bytes} bytes, "
                    f"{self.waiting} frames waiting); frame not spooled"
                )
            segment = self._segments[-1]
            if segment.size and segment.size + length > self.segment_bytes:
                segment = self._roll(self._write_fd)
            try:
                written = os.writev(self._write_fd, (header, prefix, data))
                if written != length:
                    raise OSError(f"short write ({written} of {length} bytes)")
                if self.fsync_interval <= 0:
                    os.fsync(self._write_fd)
            except OSError as exc:
                with contextlib.suppress(OSError):  # never leave half a record behind
                    os.ftruncate(self._write_fd, segment.size)
                raise SpoolError(f"cannot write to spool {self.directory}: {exc}") from None
            seq = self.next_seq
            self.next_seq += 1
            segment.count += 1
            segment.size += length
            self._bytes += length
            self.waiting += 1
            self._dirty = True
            return seq

    def _roll(self, full_fd: int) -> Segment:
        segment = Segment(segment_path(self.directory, self.next_seq), self.next_seq)
        fd = os.open(segment.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
        self._retired.append(full_fd)
        self._write_fd = fd
        self._segments.append(segment)
        self._dir_dirty = True
        return segment

    # -- draining (one thread) ---------------------------------------------------------------

    @property
    def disk_size(self) -> int:
        """Bytes of every segment file (what ``max_bytes`` bounds)."""
        return self._bytes

    @property
    def unsent(self) -> int:
        return self.next_seq - self._read_seq

    def read_next(self) -> SpoolRecord | None:
        """The next record not handed out yet, in order; None when there is none (or it
        was unreadable: skipped with a warning and counted in ``corrupt``)."""
        with self._mutex:
            if self._read_seq >= self.next_seq or not self._seek_read():
                return None
            fd, offset, seq = self._read_fd, self._read_offset, self._read_seq
            segment = self._read_segment
            assert fd is not None and segment is not None
            size = segment.size
        body, length = read_record(fd, offset, size)
        with self._mutex:
            self._read_offset += length
            if body is None:
                # Framing lost (no length): nothing more can be read from this segment.
                skipped = 1 if length else segment.end_seq - seq
                self.corrupt += skipped
                self.waiting -= skipped
                self._read_seq = seq + skipped
                log.warning("spool %s: %d corrupt record(s) skipped", self.directory, skipped)
                return None
            self._read_seq += 1
        kind, written, index, tag_length = PREFIX.unpack_from(body)
        start = PREFIX.size + tag_length
        data = body[start:]
        return SpoolRecord(
            seq=seq,
            payload=data.decode() if kind == TEXT else data,
            frame_index=None if index < 0 else index,
            tag=body[PREFIX.size : start].decode(errors="replace") if tag_length else None,
            written=written,
        )

    def _seek_read(self) -> bool:
        """Point the reader at the segment holding ``_read_seq``, or the first one after it
        (mutex held); False when there is no such segment."""
        segment = self._read_segment
        if segment is not None and segment.first_seq <= self._read_seq < segment.end_seq:
            return True
        for candidate in self._segments:
            if candidate.end_seq > self._read_seq:
                break
        else:
            return False
        if self._read_fd is not None:
            os.close(self._read_fd)
        self._read_fd = os.open(candidate.path, os.O_RDONLY)
        self._read_segment, self._read_offset = candidate, 0
        if candidate.first_seq > self._read_seq:  # records lost to corruption at open
            self._read_seq = candidate.first_seq
        for _ in range(self._read_seq - candidate.first_seq):  # skip answered records
            header = os.pread(self._read_fd, HEADER.size, self._read_offset)
            self._read_offset += HEADER.size + HEADER.unpack(header)[0]
        return True

    def ack(self, seq: int) -> None:
        """The record ``seq`` (the oldest handed out and not yet acked) was answered."""
        with self._mutex:
            self.acked = seq + 1
            self.waiting -= 1

    # -- background: fsync, save the ack position, delete answered segments ------------------

    def _sync_loop(self) -> None:
        while not self._stop.wait(self.fsync_interval if self.fsync_interval > 0 else 0.1):
            try:
                self.sync()
            except OSError as exc:
                log.error("spool %s: sync failed: %s", self.directory, exc)

    def sync(self) -> None:
        with self._mutex:
            fd, dirty, self._dirty = self._write_fd, self._dirty, False
            retired, self._retired = self._retired, []
            dir_dirty, self._dir_dirty = self._dir_dirty, False
            acked = self.acked
            done = []
            while len(self._segments) > 1 and self._segments[0].end_seq <= acked:
                segment = self._segments.pop(0)
                self._bytes -= segment.size
                done.append(segment)
        for old in retired:
            os.fsync(old)
            os.close(old)
        if dirty and fd is not None:
            os.fsync(fd)
        if acked != self._saved_acked:
            tmp = self.directory / "acked.tmp"
            tmp.write_text(f"{acked}\n")
            os.replace(tmp, self.directory / "acked")
            self._saved_acked = acked
        for segment in done:
            segment.path.unlink(missing_ok=True)
        if dir_dirty or done:
            dir_fd = os.open(self.directory, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

    def close(self) -> None:
        """Sync and release the lock. An empty spool keeps only FORMAT, lock and acked."""
        self._stop.set()
        self._syncer.join()
        with self._mutex:
            empty = self.waiting == 0  # every frame answered (or skipped as corrupt)
            if empty:
                self.acked = self.next_seq
        self.sync()
        with self._mutex:
            if empty:
                for segment in self._segments:
                    segment.path.unlink(missing_ok=True)
                self._segments = []
            for fd in (self._write_fd, self._read_fd):
                if fd is not None:
                    os.close(fd)
            self._write_fd = self._read_fd = None
        os.close(self._lock_fd)  # releases the flock
