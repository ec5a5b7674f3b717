"""v1 stored frames to telemetry v2 (the ``.tape`` payload), one capture at a time.

:class:`V1ToV2` turns a v1 frame sequence (protobuf ``LobbySessionStateFrame``s
of one session) into a v2 ``CaptureHeader`` and one v2 ``Frame`` per v1 frame;
:class:`nevr_events.wire.v2.tov1.V2ToV1` goes back. Both follow the public
reference converter's rules (schema 2.1.0, SPARSE encoding): identity, loadout,
grab state and the engine's stat counters are not repeated per frame but carried
by the header's roster and by events, which the reverse replays.

What v2 cannot carry, so a v1 → v2 → v1 round trip loses it:

- ``last_throw`` (only ``DiscThrown`` events carry throw details), the bones'
  ``err_code``, a frame's sub-millisecond time, frames before the capture's base
  time (their offset clamps to 0), double precision (floats become float32);
- orientation bases that are not orthonormal, or not all three axes given;
  position and velocity lists that do not have exactly three coordinates;
- strings outside the vocabularies of :mod:`nevr_events.wire.v2.names` (game
  status, match type, pause state, team, goal type); an empty ``paused_state``
  comes back as ``"unpaused"``, an unknown team as ``"none"``;
- the session constants (id, ip, map, match type, client, private, tournament,
  round count, rules) changing mid-capture: the header holds the first frame's;
- team names and empty teams when the first frame has no team names; team
  stats and team possession, which come back as the sums of their members';
- ``possession`` when it is not the holder's place, ``game_clock_display`` when
  it is not the clock's formatting, ``pause.unpaused_*`` in pause events, and
  the pause teams other than ``"blue"``/``"orange"``/``"none"``;
- round scores and ``last_score`` that change without a ``ScoreboardUpdated``
  or ``GoalScored`` event; a ``GoalScored``'s scorer slots;
- a ``PlayerJoined`` event's team member beyond its identity (slot, account,
  name, number, level) and role; a player who appears, or whose account or name
  changes, without one gets a ``PlayerJoined`` from the mapping, which comes
  back as a v1 event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from nevr_events.wire.pb import capture_pb2, enginehttp_pb2, telemetry_pb2
from nevr_events.wire.pb import echo_arena_pb2 as ea
from nevr_events.wire.v2 import events as v2events
from nevr_events.wire.v2 import names
from nevr_events.wire.v2.geometry import pack_floats, pose, vec3

FORMAT_VERSION = 2
FORMAT_MINOR = 1
FORMAT_PATCH = 0
MAX_OFFSET_MS = 2**32 - 1
STAT_FIELDS = tuple(f.name for f in ea.PlayerStatsUpdated.DESCRIPTOR.fields)[1:]

# Flag bits of PlayerState.flags; bits 5-6 hold the team index.
FLAG_STUNNED, FLAG_INVULNERABLE, FLAG_BLOCKING, FLAG_POSSESSION, FLAG_EMOTE = (
    1 << b for b in range(5)
)
TEAM_SHIFT = 5


# Fields with one meaning on both sides, as (v1 name, v2 name): copied as they are.
FRAME_FIELDS = (
    ("game_clock", "game_clock"),
    ("blue_points", "blue_points"),
    ("orange_points", "orange_points"),
    ("left_shoulder_pressed", "left_shoulder_pressed"),
    ("right_shoulder_pressed", "right_shoulder_pressed"),
    ("left_shoulder_pressed2", "left_shoulder_pressed_2"),
    ("right_shoulder_pressed2", "right_shoulder_pressed_2"),
    ("err_code", "err_code"),
    ("blue_team_restart_request", "blue_team_restart_request"),
    ("orange_team_restart_request", "orange_team_restart_request"),
)
PAYLOAD_FIELDS = (
    ("payload_multiplier", "multiplier"),
    ("payload_checkpoint", "checkpoint"),
    ("payload_distance", "distance"),
    ("payload_defenders", "defenders"),
    ("payload_speed", "speed"),
)
# Session constants the header holds (the id, map and client may come from metadata).
HEADER_FIELDS = tuple(
    (name, name)
    for name in (
        "private_match",
        "tournament_match",
        "total_round_count",
        "session_ip",
        "rules_changed_by",
        "rules_changed_at",
    )
)


def copy_fields(source: Message, target: Message, pairs: Iterable[tuple[str, str]]) -> None:
    """``target.<second> = source.<first>`` for each pair."""
    for source_name, target_name in pairs:
        setattr(target, target_name, getattr(source, source_name))


def swapped(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The pairs of the other direction."""
    return tuple((second, first) for first, second in pairs)


class MappingError(ValueError):
    """A v1 frame that v2 cannot hold at all (no session, a time too far out)."""


def _ns(stamp: Timestamp) -> int:
    return stamp.seconds * 1_000_000_000 + stamp.nanos


def offset_ms(stamp: Timestamp, base: Timestamp) -> int:
    """Whole milliseconds from base to stamp; earlier frames clamp to 0."""
    offset = (_ns(stamp) - _ns(base)) // 1_000_000
    if offset > MAX_OFFSET_MS:
        raise MappingError(f"frame time is {offset} ms after the capture start: beyond 32 bits")
    return max(offset, 0)


def roster_role(member: enginehttp_pb2.TeamMember, team: int) -> ea.Role:
    """The role of a member of team index ``team``."""
    if member.jersey_number == -1 or team >= 2:
        return ea.ROLE_SPECTATOR
    return ea.ROLE_BLUE_TEAM if team == 0 else ea.ROLE_ORANGE_TEAM


def members(
    session: enginehttp_pb2.SessionResponse,
) -> Iterable[tuple[int, enginehttp_pb2.TeamMember]]:
    """Every team member in team order, with the team's index."""
    for index, team in enumerate(session.teams):
        for member in team.players:
            yield index, member


def flags(member: enginehttp_pb2.TeamMember, team: int) -> int:
    bits = (
        (FLAG_STUNNED if member.is_stunned else 0)
        | (FLAG_INVULNERABLE if member.is_invulnerable else 0)
        | (FLAG_BLOCKING if member.is_blocking else 0)
        | (FLAG_POSSESSION if member.has_possession else 0)
        | (FLAG_EMOTE if member.is_emote_playing else 0)
    )
    return bits | (team & 3) << TEAM_SHIFT


def header_from_v1(
    capture_id: str,
    created_at: Timestamp | None,
    metadata: Mapping[str, str],
    first: telemetry_pb2.LobbySessionStateFrame,
) -> capture_pb2.CaptureHeader:
    """The v2 header of a capture whose first v1 frame is ``first``.

    A missing or zero ``created_at`` becomes the first frame's time.
    """
    if not first.HasField("session"):
        raise MappingError("the first frame has no session")
    session = first.session
    header = capture_pb2.CaptureHeader(
        capture_id=capture_id,
        format_version=FORMAT_VERSION,
        format_minor=FORMAT_MINOR,
        format_patch=FORMAT_PATCH,
        frame_encoding=capture_pb2.FRAME_ENCODING_SPARSE,
        metadata=dict(metadata),
    )
    header.created_at.CopyFrom(created_at if created_at and _ns(created_at) else first.timestamp)
    arena = header.echo_arena
    given = metadata if "session_id" in metadata else {}
    arena.session_id = given.get("session_id") or session.session_id
    arena.map_name = given.get("map_name") or session.map_name
    match_type = given.get("match_type") or session.match_type
    arena.match_type = names.MATCH_TYPE.enum(match_type)
    arena.client_name = given.get("client_name") or session.client_name
    copy_fields(session, arena, HEADER_FIELDS)
    team_names = [team.team_name for team in session.teams]
    if any(team_names):
        arena.team_names.extend(team_names)
    for team, member in members(session):
        arena.initial_roster.add(
            slot=member.slot_number,
            account_number=member.account_number,
            display_name=member.display_name,
            role=roster_role(member, team),
            jersey_number=member.jersey_number,
            level=member.level,
        )
    return header


class V1ToV2:
    """One capture's v1 → v2 frame mapping, with the state SPARSE frames need.

    The state mirrors what :class:`~nevr_events.wire.v2.tov1.V2ToV1` will
    rebuild, so an event is emitted exactly when the rebuilt frame would
    otherwise differ.
    """

    def __init__(self, header: capture_pb2.CaptureHeader) -> None:
        self.base = header.created_at
        self.round_number = 0
        self.identity: dict[int, tuple[int, str]] = {}
        self.info: dict[int, tuple[int, int]] = {}
        for entry in header.echo_arena.initial_roster:
            self.identity[entry.slot] = (entry.account_number, entry.display_name)
            self.info[entry.slot] = (entry.jersey_number, entry.level)
        self.loadout: dict[int, tuple[str, str, str]] = {}
        self.grab: dict[int, tuple[str, str]] = {}
        self.stats: dict[int, tuple[int, ...]] = {}

    def frame(self, v1: telemetry_pb2.LobbySessionStateFrame) -> capture_pb2.Frame:
        if not v1.HasField("session"):
            raise MappingError(f"frame {v1.frame_index} has no session")
        out = capture_pb2.Frame(
            frame_index=v1.frame_index, timestamp_offset_ms=offset_ms(v1.timestamp, self.base)
        )
        arena = out.echo_arena
        session = v1.session
        arena.game_status = names.GAME_STATUS.enum(session.game_status)
        arena.pause_state = names.PAUSE_STATE.enum(session.pause.paused_state)
        self._pause_detail(session.pause, arena)
        self._disc(session.disc, arena)
        if session.HasField("player"):
            root = session.player
            found = pose(root.vr_position, root.vr_left, root.vr_up, root.vr_forward)
            if found is not None:
                arena.vr_root.CopyFrom(found)
        copy_fields(session, arena, FRAME_FIELDS)
        if any(getattr(session, v1_name) for v1_name, _ in PAYLOAD_FIELDS):
            copy_fields(session, arena.payload, PAYLOAD_FIELDS)
        self._players(session, arena)
        if v1.HasField("player_bones"):
            for bones in v1.player_bones.user_bones:
                arena.player_bones.add(
                    slot=bones.player_index,
                    transforms=pack_floats(bones.bone_t),
                    orientations=pack_floats(bones.bone_o),
                )
        for event in v1.events:
            mapped = v2events.v1_to_v2(event)
            if mapped is not None:
                self._follow(mapped)
                arena.events.append(mapped)
        self._state_events(session, arena)
        arena.round_number = self.round_number
        return out

    @staticmethod
    def _pause_detail(pause: enginehttp_pb2.PauseState, arena: ea.EchoArenaFrame) -> None:
        unpaused = names.TEAM.enum(pause.unpaused_team)
        requested = names.TEAM.enum(pause.paused_requested_team)
        if unpaused or requested or pause.unpaused_timer or pause.paused_timer:
            detail = arena.pause_detail
            detail.unpaused_team = unpaused
            detail.paused_requested_team = requested
            detail.unpaused_timer = pause.unpaused_timer
            detail.paused_timer = pause.paused_timer

    @staticmethod
    def _disc(disc: enginehttp_pb2.Disc, arena: ea.EchoArenaFrame) -> None:
        found = pose(disc.position, disc.left, disc.up, disc.forward)
        velocity = vec3(disc.velocity)
        if found is None and velocity is None and not disc.bounce_count:
            return
        arena.disc.SetInParent()
        if found is not None:
            arena.disc.pose.CopyFrom(found)
        if velocity is not None:
            arena.disc.velocity.CopyFrom(velocity)
        arena.disc.bounce_count = max(disc.bounce_count, 0)

    @staticmethod
    def _players(session: enginehttp_pb2.SessionResponse, arena: ea.EchoArenaFrame) -> None:
        for team, member in members(session):
            state = arena.players.add(
                slot=member.slot_number,
                flags=flags(member, team),
                ping=max(member.ping, 0),
                packet_loss_ratio=member.packet_loss_ratio,
                possession_time=member.stats.possession_time,
            )
            parts = (
                ("head", member.head.position, member.head),
                ("body", member.body.position, member.body),
                ("left_hand", member.left_hand.pos, member.left_hand),
                ("right_hand", member.right_hand.pos, member.right_hand),
            )
            for name, position, part in parts:
                found = pose(position, part.left, part.up, part.forward)
                if found is not None:
                    getattr(state, name).CopyFrom(found)
            if (velocity := vec3(member.velocity)) is not None:
                state.velocity.CopyFrom(velocity)
            if member.has_possession and not arena.HasField("disc_holder_slot"):
                arena.disc_holder_slot = member.slot_number

    def _follow(self, event: ea.EchoEvent) -> None:
        """Track what the rebuilding side learns from an event."""
        kind = event.WhichOneof("event")
        if kind == "round_started":
            self.round_number = event.round_started.round_number
        elif kind == "player_joined":
            joined = event.player_joined
            self.identity[joined.slot] = (joined.account_number, joined.display_name)
            self.info[joined.slot] = (joined.jersey_number, joined.level)
        elif kind == "player_left":
            self.identity.pop(event.player_left.player_slot, None)
            self.info.pop(event.player_left.player_slot, None)

    def _state_events(
        self, session: enginehttp_pb2.SessionResponse, arena: ea.EchoArenaFrame
    ) -> None:
        """Joins, loadout, info, stats and grab events for what changed, slot by slot."""
        for team, member in sorted(members(session), key=lambda pair: pair[1].slot_number):
            self._member_events(member, team, arena)

    def _member_events(
        self, member: enginehttp_pb2.TeamMember, team: int, arena: ea.EchoArenaFrame
    ) -> None:
        slot = member.slot_number
        identity = (member.account_number, member.display_name)
        info = (member.jersey_number, member.level)
        if self.identity.get(slot) != identity:
            joined = ea.EchoEvent()
            joined.player_joined.slot = slot
            joined.player_joined.account_number = member.account_number
            joined.player_joined.display_name = member.display_name
            joined.player_joined.role = roster_role(member, team)
            joined.player_joined.jersey_number, joined.player_joined.level = info
            self._follow(joined)
            arena.events.append(joined)
        loadout = (member.weapon, member.ordnance, member.tac_mod)
        if self.loadout.get(slot) != loadout:
            self.loadout[slot] = loadout
            changed = ea.LoadoutChanged(
                player_slot=slot, weapon=loadout[0], ordnance=loadout[1], tac_mod=loadout[2]
            )
            arena.events.append(ea.EchoEvent(loadout_changed=changed))
        if self.info.get(slot) != info:
            self.info[slot] = info
            updated = ea.PlayerInfoUpdated(player_slot=slot, jersey_number=info[0], level=info[1])
            arena.events.append(ea.EchoEvent(player_info_updated=updated))
        stats = tuple(getattr(member.stats, name) for name in STAT_FIELDS)
        if self.stats.get(slot) != stats:
            self.stats[slot] = stats
            update = ea.PlayerStatsUpdated(
                player_slot=slot, **dict(zip(STAT_FIELDS, stats, strict=True))
            )
            arena.events.append(ea.EchoEvent(player_stats_updated=update))
        grab = (member.left_holding_onto, member.right_holding_onto)
        if self.grab.get(slot) != grab:
            self.grab[slot] = grab
            held = ea.GrabChanged(player_slot=slot, left_holding=grab[0], right_holding=grab[1])
            arena.events.append(ea.EchoEvent(grab_changed=held))
