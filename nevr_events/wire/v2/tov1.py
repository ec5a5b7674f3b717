"""Telemetry v2 back to v1 stored frames: the SPARSE reconstruction of a capture.

A v2 frame holds only what changes every frame; who a slot is, its loadout,
what it holds and its stat counters come from the header's roster and from
events of earlier frames. :class:`V2ToV1` keeps that state for one capture:
frames must be given in order (it streams, forward only). The rules mirror
:class:`nevr_events.wire.v2.tov2.V1ToV2`, whose docstring lists what v2 cannot
carry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nevr_events.wire.pb import capture_pb2, enginehttp_pb2, telemetry_pb2
from nevr_events.wire.pb import echo_arena_pb2 as ea
from nevr_events.wire.v2 import events as v2events
from nevr_events.wire.v2 import names
from nevr_events.wire.v2.geometry import Axes, pose_parts, unpack_floats, vec3_list
from nevr_events.wire.v2.tov2 import (
    FLAG_BLOCKING,
    FLAG_EMOTE,
    FLAG_INVULNERABLE,
    FLAG_POSSESSION,
    FLAG_STUNNED,
    FRAME_FIELDS,
    HEADER_FIELDS,
    PAYLOAD_FIELDS,
    STAT_FIELDS,
    TEAM_SHIFT,
    MappingError,
    copy_fields,
    swapped,
)

_FRAME_BACK = swapped(FRAME_FIELDS)
_PAYLOAD_BACK = swapped(PAYLOAD_FIELDS)


@dataclass(slots=True)
class _Player:
    """What the capture has told about one slot so far."""

    account_number: int = 0
    display_name: str = ""
    role: int = 0
    jersey_number: int = 0
    level: int = 0


@dataclass(slots=True)
class _Held:
    """Per-slot state kept when a player leaves (the reference keeps it too)."""

    loadout: tuple[str, str, str] = ("", "", "")
    grab: tuple[str, str] = ("", "")
    stats: dict[str, int] = field(default_factory=dict)


def clock_display(clock: float) -> str:
    """``MM:SS.cc`` of a game clock in seconds, as the game formats it."""
    c = int(max(clock, 0.0) * 100)
    return f"{c // 6000:02d}:{c % 6000 // 100:02d}.{c % 100:02d}"


def _set_axes(
    target: enginehttp_pb2.BodyPart | enginehttp_pb2.HandPart | enginehttp_pb2.Disc,
    axes: Axes | None,
) -> None:
    if axes is None:
        return
    left, up, forward = axes
    target.left.extend(left)
    target.up.extend(up)
    target.forward.extend(forward)


class V2ToV1:
    """One capture's v2 → v1 frame reconstruction."""

    def __init__(self, header: capture_pb2.CaptureHeader) -> None:
        if header.frame_encoding == capture_pb2.FRAME_ENCODING_DENSE:
            raise MappingError("DENSE frames are not supported (the schema gives them no payload)")
        self.header = header
        self.base_ns = header.created_at.seconds * 1_000_000_000 + header.created_at.nanos
        self.players: dict[int, _Player] = {}
        for entry in header.echo_arena.initial_roster:
            self.players[entry.slot] = _Player(
                entry.account_number,
                entry.display_name,
                entry.role,
                entry.jersey_number,
                entry.level,
            )
        self.held: dict[int, _Held] = {}
        self.round_scores = (0, 0)
        self.last_score: enginehttp_pb2.LastScore | None = None

    def _hold(self, slot: int) -> _Held:
        return self.held.setdefault(slot, _Held())

    def _apply(self, event: ea.EchoEvent) -> None:
        kind = event.WhichOneof("event")
        if kind == "player_joined":
            j = event.player_joined
            self.players[j.slot] = _Player(
                j.account_number, j.display_name, j.role, j.jersey_number, j.level
            )
        elif kind == "player_left":
            self.players.pop(event.player_left.player_slot, None)
        elif kind == "player_switched_team":
            switched = event.player_switched_team
            self.players.setdefault(switched.player_slot, _Player()).role = switched.new_role
        elif kind == "player_info_updated":
            info = event.player_info_updated
            known = self.players.setdefault(info.player_slot, _Player())
            known.jersey_number, known.level = info.jersey_number, info.level
        elif kind == "loadout_changed":
            lo = event.loadout_changed
            self._hold(lo.player_slot).loadout = (lo.weapon, lo.ordnance, lo.tac_mod)
        elif kind == "grab_changed":
            grab = event.grab_changed
            self._hold(grab.player_slot).grab = (grab.left_holding, grab.right_holding)
        elif kind == "player_stats_updated":
            stats = event.player_stats_updated
            self._hold(stats.player_slot).stats = {n: getattr(stats, n) for n in STAT_FIELDS}
        elif kind == "scoreboard_updated":
            board = event.scoreboard_updated
            self.round_scores = (board.blue_round_score, board.orange_round_score)
        elif kind == "goal_scored":
            self.last_score = v2events.last_score(event.goal_scored)

    def frame(self, v2: capture_pb2.Frame) -> telemetry_pb2.LobbySessionStateFrame:
        """The v1 frame of the next v2 frame of the capture."""
        if v2.WhichOneof("payload") != "echo_arena":
            raise MappingError(f"frame {v2.frame_index} has no Echo Arena payload")
        arena = v2.echo_arena
        out = telemetry_pb2.LobbySessionStateFrame(frame_index=v2.frame_index)
        stamp = self.base_ns + v2.timestamp_offset_ms * 1_000_000
        out.timestamp.seconds, out.timestamp.nanos = divmod(stamp, 1_000_000_000)
        for event in arena.events:
            self._apply(event)
            if (v1 := v2events.v2_to_v1(event)) is not None:
                out.events.append(v1)
        self._session(arena, out.session)
        if arena.player_bones:
            for bones in arena.player_bones:
                out.player_bones.user_bones.add(
                    player_index=bones.slot,
                    bone_t=unpack_floats(bones.transforms),
                    bone_o=unpack_floats(bones.orientations),
                )
        return out

    def _session(self, arena: ea.EchoArenaFrame, session: enginehttp_pb2.SessionResponse) -> None:
        head = self.header.echo_arena
        session.session_id, session.map_name = head.session_id, head.map_name
        session.client_name = head.client_name
        session.match_type = names.MATCH_TYPE.text(head.match_type)
        copy_fields(head, session, HEADER_FIELDS)
        session.game_status = names.GAME_STATUS.text(arena.game_status)
        copy_fields(arena, session, _FRAME_BACK)
        session.game_clock_display = clock_display(arena.game_clock)
        session.blue_round_score, session.orange_round_score = self.round_scores
        if self.last_score is not None:
            session.last_score.CopyFrom(self.last_score)
        if arena.HasField("payload"):
            copy_fields(arena.payload, session, _PAYLOAD_BACK)
        pause = session.pause
        pause.paused_state = names.PAUSE_STATE.text(arena.pause_state)
        pause.unpaused_team = pause.paused_requested_team = "none"
        if arena.HasField("pause_detail"):
            detail = arena.pause_detail
            pause.unpaused_team = names.TEAM.text(detail.unpaused_team)
            pause.paused_requested_team = names.TEAM.text(detail.paused_requested_team)
            pause.unpaused_timer, pause.paused_timer = detail.unpaused_timer, detail.paused_timer
        if arena.HasField("disc"):
            self._disc(arena.disc, session.disc)
        if arena.HasField("vr_root"):
            position, axes = pose_parts(arena.vr_root)
            session.player.vr_position.extend(position)
            if axes is not None:
                session.player.vr_left.extend(axes[0])
                session.player.vr_up.extend(axes[1])
                session.player.vr_forward.extend(axes[2])
        self._teams(arena, session)

    @staticmethod
    def _disc(disc: ea.DiscState, out: enginehttp_pb2.Disc) -> None:
        position, axes = pose_parts(disc.pose)
        out.position.extend(position)
        _set_axes(out, axes)
        if disc.HasField("velocity"):
            out.velocity.extend(vec3_list(disc.velocity))
        out.bounce_count = disc.bounce_count

    def _teams(self, arena: ea.EchoArenaFrame, session: enginehttp_pb2.SessionResponse) -> None:
        team_names = list(self.header.echo_arena.team_names)
        grouped: dict[int, list[ea.PlayerState]] = {}
        for state in arena.players:
            grouped.setdefault(state.flags >> TEAM_SHIFT & 3, []).append(state)
        count = max([len(team_names), *(index + 1 for index in grouped)])
        holder = arena.disc_holder_slot if arena.HasField("disc_holder_slot") else None
        possession = [-1, -1]
        for index in range(count):
            team = session.teams.add(team_name=team_names[index] if index < len(team_names) else "")
            for place, state in enumerate(grouped.get(index, [])):
                member = team.players.add()
                self._member(state, member)
                if member.has_possession:
                    team.has_possession = True
                first = holder is None and member.has_possession and possession == [-1, -1]
                if state.slot == holder or first:
                    possession = [index, place]
                for name in STAT_FIELDS:
                    setattr(
                        team.stats, name, getattr(team.stats, name) + getattr(member.stats, name)
                    )
                team.stats.possession_time += member.stats.possession_time
        session.possession.extend(possession)

    def _member(self, state: ea.PlayerState, member: enginehttp_pb2.TeamMember) -> None:
        slot = state.slot
        known = self.players.get(slot, _Player())
        held = self.held.get(slot, _Held())
        member.slot_number = slot
        member.account_number = known.account_number
        member.display_name = known.display_name
        member.jersey_number, member.level = known.jersey_number, known.level
        member.ping, member.packet_loss_ratio = state.ping, state.packet_loss_ratio
        bits = state.flags
        member.is_stunned = bool(bits & FLAG_STUNNED)
        member.is_invulnerable = bool(bits & FLAG_INVULNERABLE)
        member.is_blocking = bool(bits & FLAG_BLOCKING)
        member.has_possession = bool(bits & FLAG_POSSESSION)
        member.is_emote_playing = bool(bits & FLAG_EMOTE)
        member.weapon, member.ordnance, member.tac_mod = held.loadout
        member.left_holding_onto, member.right_holding_onto = held.grab
        for name, value in held.stats.items():
            setattr(member.stats, name, value)
        member.stats.possession_time = state.possession_time
        for name, part in (("head", member.head), ("body", member.body)):
            position, axes = pose_parts(getattr(state, name))
            part.position.extend(position)
            _set_axes(part, axes)
        for name, hand in (("left_hand", member.left_hand), ("right_hand", member.right_hand)):
            position, axes = pose_parts(getattr(state, name))
            hand.pos.extend(position)
            _set_axes(hand, axes)
        if state.HasField("velocity"):
            member.velocity.extend(vec3_list(state.velocity))
