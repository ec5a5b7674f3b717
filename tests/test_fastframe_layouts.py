"""Which key layouts get code of their own (``fastframe_layouts``), over time.

The reference agent leaves defaults out, so its players' key layouts change as
bools flip and stats leave zero. A layout gets code on its ``COMPILE_AFTER``-th
use; a full table is swept, so a layout sent today gets code however many came
before it, and code nobody uses is dropped. Every answer stays the reference's.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest

from nevr_events.wire import fastframe_layouts, fastframe_shapes
from tests.test_fastframe import same
from tests.test_fastframe_shapes import MEMBER, SPECS, member_layouts


@pytest.fixture
def layouts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """511 frames, each with its own ``TeamMember`` layout; code on a layout's 2nd use."""
    monkeypatch.setattr(fastframe_layouts, "COMPILE_AFTER", 2)
    fastframe_shapes.forget_layouts(SPECS)
    yield [text.decode() for text in member_layouts(9)]
    fastframe_shapes.forget_layouts(SPECS)


def keys_of(text: str) -> tuple[str, ...]:
    return tuple(orjson.loads(text)["frame"]["session"]["teams"][0]["players"][0])


def has_code(text: str) -> bool:
    keys = keys_of(text)
    code = MEMBER.layouts.code.get(keys)
    return code is not None and MEMBER.shapes.get(keys) is code


def test_a_layout_gets_code_on_its_nth_use(layouts: list[str]) -> None:
    same(layouts[0])
    assert fastframe_shapes.compiled(MEMBER) == 0  # first use: the general fast converter
    same(layouts[0])
    assert fastframe_shapes.compiled(MEMBER) == 1 and has_code(layouts[0])
    same(layouts[0])  # and keeps it
    assert has_code(layouts[0])


def test_layouts_seen_once_get_no_code(layouts: list[str]) -> None:
    for text in layouts[:200]:
        same(text)
        assert len(MEMBER.shapes) <= fastframe_layouts.LAYOUTS_PER_MESSAGE
        assert len(MEMBER.layouts.uses) <= fastframe_layouts.LAYOUTS_PER_MESSAGE
    assert fastframe_shapes.compiled(MEMBER) == 0


def test_a_new_layout_gets_code_after_thousands_came_and_went(layouts: list[str]) -> None:
    """What a long-running worker meets: old matches' layouts must not keep the code slots."""
    old, cold, new = layouts[:16], layouts[16:450], layouts[450]
    for text in old + old:  # a past match: 16 layouts with code, the most there may be
        same(text)
    assert fastframe_shapes.compiled(MEMBER) == fastframe_layouts.COMPILED_PER_MESSAGE
    for text in cold:  # layouts seen once each: several sweeps
        same(text)
        assert len(MEMBER.shapes) <= fastframe_layouts.LAYOUTS_PER_MESSAGE
    assert fastframe_shapes.compiled(MEMBER) == 0  # the old code was unused for a sweep
    same(new)
    same(new)
    assert has_code(new)


def test_code_in_use_survives_sweeps(layouts: list[str]) -> None:
    hot, cold = layouts[0], layouts[1:400]
    same(hot)
    same(hot)
    code = MEMBER.layouts.code[keys_of(hot)]
    for i, text in enumerate(cold):
        same(text)
        if i % 40 == 0:  # the agent still sends it, less often than a sweep comes
            same(hot)
    same(hot)
    assert MEMBER.shapes[keys_of(hot)] is code  # the same code: never dropped, never redone


def test_hot_layouts_past_the_code_slots_keep_the_fast_converter(layouts: list[str]) -> None:
    for text in layouts[:20] * 3:
        same(text)
    assert fastframe_shapes.compiled(MEMBER) == fastframe_layouts.COMPILED_PER_MESSAGE
    assert sum(map(has_code, layouts[:20])) == fastframe_layouts.COMPILED_PER_MESSAGE


def test_one_compile_per_interval_per_message_type(
    layouts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fastframe_layouts, "COMPILE_INTERVAL", 3600.0)
    for text in layouts[:3] * 3:
        same(text)
    assert [has_code(text) for text in layouts[:3]] == [True, False, False]
    monkeypatch.setattr(fastframe_layouts, "COMPILE_INTERVAL", 0.0)
    same(layouts[2])  # past its threshold already: code at its next use
    assert has_code(layouts[2]) and not has_code(layouts[1])


def test_a_list_of_a_layouts_keys_is_no_example_to_compile(
    layouts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # tuple(["a", "b"]) == tuple({"a": 1, "b": 2}): a list of key names finds the dict
    # layout's entry in the table; its uses count, but code is compiled only from a dict.
    compile_layout = MEMBER.layouts._compile_layout
    examples: list[type] = []
    monkeypatch.setattr(
        MEMBER.layouts,
        "_compile_layout",
        lambda example: examples.append(type(example)) or compile_layout(example),
    )
    player = {"display_name": "x", "level": 5}
    frame = {"frame": {"session": {"teams": [{"players": [player]}]}}}
    same(orjson.dumps(frame).decode())
    listed = {"frame": {"session": {"teams": [{"players": [list(player)]}]}}}
    for _ in range(3):
        same(orjson.dumps(listed).decode())
    assert examples == []
    same(orjson.dumps(frame).decode())
    assert examples == [dict] and has_code(orjson.dumps(frame).decode())
