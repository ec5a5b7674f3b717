"""Events of the v1 ⇄ v2 mapping: each v1 event type and its v2 counterpart.

Most event messages have the same field numbers and wire types in both
schemas, so they are copied through their wire bytes, exactly. The others are
mapped field by field: pause events (v1 carries the game's pause object, v2 a
state enum, a team and a timer), joins (v1 carries the whole team member, v2
its identity), disc possession and steals (v1 marks "nobody" with -1, v2 leaves
the slot absent), throws (doubles in v1, float32 in v2) and goals (v1 carries
the game's last-score object; v2 has no scorer slots from it).

v2-only events (loadout, grab, player info and stats updates) have no v1
counterpart: ``v2_to_v1`` returns None for them and the reconstruction folds
them into the players' state instead.
"""

from __future__ import annotations

from google.protobuf.message import Message

from nevr_events.wire.pb import echo_arena_pb2 as ea
from nevr_events.wire.pb import enginehttp_pb2, telemetry_pb2
from nevr_events.wire.v2 import names

V1Event = telemetry_pb2.LobbySessionEvent
V2Event = ea.EchoEvent

# Same numbers and wire types on both sides: copied as bytes.
WIRE_SAME = frozenset(
    {
        "round_started",
        "round_ended",
        "match_ended",
        "scoreboard_updated",
        "player_left",
        "player_switched_team",
        "emote_played",
        "disc_caught",
        "player_goal",
        "player_save",
        "player_stun",
        "player_pass",
        "player_block",
        "player_interception",
        "player_assist",
        "player_shot_taken",
        "generic_event",
    }
)
# The v2 events the reconstruction folds into state; v1 has no message for them.
STATE_ONLY = frozenset(
    {"loadout_changed", "grab_changed", "player_info_updated", "player_stats_updated"}
)
THROW_FIELDS = tuple(f.name for f in ea.ThrowDetails.DESCRIPTOR.fields)


def _copy_wire(source: Message, target: Message) -> None:
    target.ParseFromString(source.SerializeToString())


def _slot_or_none(slot: int) -> int | None:
    return None if slot < 0 else slot


def v1_to_v2(event: V1Event) -> V2Event | None:
    """The v2 event of a v1 event; None for an event with nothing set."""
    kind = event.WhichOneof("event")
    if kind is None:
        return None
    out = V2Event()
    if kind in WIRE_SAME:
        _copy_wire(getattr(event, kind), getattr(out, kind))
    elif kind == "round_paused":
        pause = event.round_paused.pause_state
        out.round_paused.pause_state = names.PAUSE_STATE.enum(pause.paused_state)
        out.round_paused.requesting_team = names.TEAM.enum(pause.paused_requested_team)
        out.round_paused.pause_timer = pause.paused_timer
    elif kind == "round_unpaused":
        state = event.round_unpaused.pause_state.paused_state
        out.round_unpaused.pause_state = names.PAUSE_STATE.enum(state)
    elif kind == "player_joined":
        member, joined = event.player_joined.player, out.player_joined
        joined.slot = member.slot_number
        joined.account_number = member.account_number
        joined.display_name = member.display_name
        joined.role = names.v2_role(event.player_joined.role)
        joined.jersey_number = member.jersey_number
        joined.level = member.level
    elif kind == "disc_possession_changed":
        v1c, v2c = event.disc_possession_changed, out.disc_possession_changed
        v2c.SetInParent()
        if (now := _slot_or_none(v1c.player_slot)) is not None:
            v2c.player_slot = now
        if (before := _slot_or_none(v1c.previous_player_slot)) is not None:
            v2c.previous_player_slot = before
    elif kind == "disc_thrown":
        out.disc_thrown.player_slot = event.disc_thrown.player_slot
        throw = event.disc_thrown
        if throw.HasField("throw_details"):
            for name in THROW_FIELDS:
                setattr(out.disc_thrown.throw_details, name, getattr(throw.throw_details, name))
    elif kind == "goal_scored":
        score, goal = event.goal_scored.score_details, out.goal_scored
        goal.disc_speed = score.disc_speed
        goal.team = names.TEAM.enum(score.team)
        goal.goal_type = names.GOAL_TYPE.enum(score.goal_type)
        goal.point_amount = score.point_amount
        goal.distance_thrown = score.distance_thrown
        goal.person_scored = score.person_scored
        goal.assist_scored = score.assist_scored
    elif kind == "player_steal":
        steal = event.player_steal
        out.player_steal.player_slot = steal.player_slot
        out.player_steal.total_steals = steal.total_steals
        if (victim := _slot_or_none(steal.victim_player_slot)) is not None:
            out.player_steal.victim_player_slot = victim
    else:  # pragma: no cover - every v1 case is listed above
        raise ValueError(f"v1 event {kind} has no v2 mapping")
    return out


def last_score(goal: ea.GoalScored) -> enginehttp_pb2.LastScore:
    """The game's last-score object a v2 goal stands for."""
    return enginehttp_pb2.LastScore(
        disc_speed=goal.disc_speed,
        team=names.TEAM.text(goal.team),
        goal_type=names.GOAL_TYPE.text(goal.goal_type),
        point_amount=goal.point_amount,
        distance_thrown=goal.distance_thrown,
        person_scored=goal.person_scored,
        assist_scored=goal.assist_scored,
    )


def v2_to_v1(event: V2Event) -> V1Event | None:
    """The v1 event of a v2 event; None for state-only and empty events."""
    kind = event.WhichOneof("event")
    if kind is None or kind in STATE_ONLY:
        return None
    out = V1Event()
    if kind in WIRE_SAME:
        _copy_wire(getattr(event, kind), getattr(out, kind))
    elif kind == "round_paused":
        paused = event.round_paused
        pause = out.round_paused.pause_state
        pause.paused_state = names.PAUSE_STATE.text(paused.pause_state)
        pause.paused_requested_team = names.TEAM.text(paused.requesting_team)
        pause.paused_timer = paused.pause_timer
    elif kind == "round_unpaused":
        state = names.PAUSE_STATE.text(event.round_unpaused.pause_state)
        out.round_unpaused.pause_state.paused_state = state
    elif kind == "player_joined":
        joined = event.player_joined
        member = out.player_joined.player
        member.slot_number = joined.slot
        member.account_number = joined.account_number
        member.display_name = joined.display_name
        member.jersey_number = joined.jersey_number
        member.level = joined.level
        out.player_joined.role = names.v1_role(joined.role)
    elif kind == "disc_possession_changed":
        v2c, v1c = event.disc_possession_changed, out.disc_possession_changed
        v1c.player_slot = v2c.player_slot if v2c.HasField("player_slot") else -1
        had = v2c.HasField("previous_player_slot")
        v1c.previous_player_slot = v2c.previous_player_slot if had else -1
    elif kind == "disc_thrown":
        out.disc_thrown.player_slot = event.disc_thrown.player_slot
        if event.disc_thrown.HasField("throw_details"):
            details = event.disc_thrown.throw_details
            for name in THROW_FIELDS:
                setattr(out.disc_thrown.throw_details, name, getattr(details, name))
    elif kind == "goal_scored":
        out.goal_scored.score_details.CopyFrom(last_score(event.goal_scored))
    elif kind == "player_steal":
        steal = event.player_steal
        out.player_steal.player_slot = steal.player_slot
        out.player_steal.total_steals = steal.total_steals
        had = steal.HasField("victim_player_slot")
        out.player_steal.victim_player_slot = steal.victim_player_slot if had else -1
    else:  # pragma: no cover - every v2 case is listed above
        raise ValueError(f"v2 event {kind} has no v1 mapping")
    return out
