"""Which key layouts get code of their own (``fastframe_layouts``), over time.

The reference agent leaves defaults out, so its players' key layouts change as
bools flip and stats leave zero. A layout gets code on its ``COMPILE_AFTER``-th
use, at most one compile per message type every ``COMPILE_INTERVAL`` (the tests
move the clock); a full table is swept, so a layout sent today gets code however
many came before it, and code nobody uses is dropped. Every answer stays the
reference's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from nevr_events.wire.fastframe import FastFrameValidator, compile_converters
from nevr_events.wire.fastframe_layouts import (
    COMPILE_AFTER,
    COMPILE_INTERVAL,
    COMPILED_PER_MESSAGE,
    LAYOUTS_PER_MESSAGE,
    LayoutTable,
)
from tests.test_fastframe import REF, outcome
from tests.test_fastframe_shapes import member_layouts

LAYOUTS = [text.decode() for text in member_layouts(9)]  # 511, each its own TeamMember layout


class Clock:
    """A worker's clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Worker:
    """A fresh worker's validator, with production settings and a clock of its own."""

    def __init__(self) -> None:
        self.clock = Clock()
        converters = compile_converters(clock=self.clock)
        self.validator = FastFrameValidator(converters)
        table = converters.specs["enginehttp.TeamMember"].layouts
        assert table is not None
        self.table: LayoutTable = table

    def same(self, text: str) -> Any:
        fast, ref = outcome(self.validator, text), outcome(REF, text)
        assert fast == ref, text
        return fast

    def send(self, text: str, times: int = COMPILE_AFTER) -> None:
        """``text`` sent ``times`` times (its layout's uses), then the clock moves on."""
        for _ in range(times):
            self.same(text)
        self.clock.now += COMPILE_INTERVAL

    def has_code(self, text: str) -> bool:
        keys = keys_of(text)
        code = self.table.code.get(keys)
        return code is not None and self.table.shapes.get(keys) is code


@pytest.fixture
def worker() -> Iterator[Worker]:
    yield Worker()


def keys_of(text: str) -> tuple[str, ...]:
    return tuple(orjson.loads(text)["frame"]["session"]["teams"][0]["players"][0])


def test_a_layout_gets_code_on_its_nth_use(worker: Worker) -> None:
    worker.send(LAYOUTS[0], COMPILE_AFTER - 1)
    assert len(worker.table.code) == 0  # until then: the converter for any layout
    worker.send(LAYOUTS[0], 1)
    assert len(worker.table.code) == 1 and worker.has_code(LAYOUTS[0])
    worker.send(LAYOUTS[0], 1)  # and keeps it
    assert worker.has_code(LAYOUTS[0])


def test_layouts_seen_once_get_no_code(worker: Worker) -> None:
    for text in LAYOUTS[:200]:
        worker.send(text, 1)
        assert len(worker.table.shapes) <= LAYOUTS_PER_MESSAGE
        assert len(worker.table.uses) <= LAYOUTS_PER_MESSAGE
    assert len(worker.table.code) == 0


def test_a_new_layout_gets_code_after_thousands_came_and_went(worker: Worker) -> None:
    """What a long-running worker meets: old matches' layouts must not keep the code slots."""
    old, cold, new = LAYOUTS[:16], LAYOUTS[16:450], LAYOUTS[450]
    for text in old:  # a past match: 16 layouts with code, the most there may be
        worker.send(text)
    assert len(worker.table.code) == COMPILED_PER_MESSAGE
    for text in cold:  # layouts seen once each: several sweeps
        worker.send(text, 1)
        assert len(worker.table.shapes) <= LAYOUTS_PER_MESSAGE
    assert len(worker.table.code) == 0  # the old code was unused for a sweep
    worker.send(new)
    assert worker.has_code(new)


def test_code_in_use_survives_sweeps(worker: Worker) -> None:
    hot, cold = LAYOUTS[0], LAYOUTS[1:400]
    worker.send(hot)
    code = worker.table.code[keys_of(hot)]
    for i, text in enumerate(cold):
        worker.send(text, 1)
        if i % 40 == 0:  # the agent still sends it, less often than a sweep comes
            worker.send(hot, 1)
    worker.send(hot, 1)
    assert worker.table.shapes[keys_of(hot)] is code  # the same code: never dropped, never redone


def test_hot_layouts_past_the_code_slots_keep_the_fast_converter(worker: Worker) -> None:
    for text in LAYOUTS[:20]:
        worker.send(text)
    assert len(worker.table.code) == COMPILED_PER_MESSAGE
    assert sum(map(worker.has_code, LAYOUTS[:20])) == COMPILED_PER_MESSAGE


def test_one_compile_per_interval_per_message_type(worker: Worker) -> None:
    for text in LAYOUTS[:3]:
        for _ in range(COMPILE_AFTER):
            worker.same(text)  # the clock stands still
    assert [worker.has_code(text) for text in LAYOUTS[:3]] == [True, False, False]
    worker.clock.now += COMPILE_INTERVAL
    worker.send(LAYOUTS[2], 1)  # past its threshold already: code at its next use
    assert worker.has_code(LAYOUTS[2]) and not worker.has_code(LAYOUTS[1])


def test_a_list_of_a_layouts_keys_is_no_example_to_compile(worker: Worker) -> None:
    # tuple(["a", "b"]) == tuple({"a": 1, "b": 2}): a list of key names finds the dict
    # layout's entry in the table; its uses count, but code is compiled only from a dict.
    player = {"display_name": "x", "level": 5}
    frame = orjson.dumps({"frame": {"session": {"teams": [{"players": [player]}]}}}).decode()
    listed = {"frame": {"session": {"teams": [{"players": [list(player)]}]}}}
    worker.send(frame, 1)
    worker.send(orjson.dumps(listed).decode(), COMPILE_AFTER)
    assert len(worker.table.code) == 0
    worker.send(frame, 1)
    assert worker.has_code(frame)
