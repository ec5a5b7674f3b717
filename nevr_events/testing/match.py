"""A synthetic match for the telemetry v2 tests and benchmarks: v1 frames v2 can carry.

``v2_match`` builds the v1 frames (protobuf ``LobbySessionStateFrame``) of one
capture: ``players`` players on two teams, bones on some frames, every v1 event
type, a player who leaves and one who joins in the slot, stats, grabs and a
goal. Every value lies in what the v1 ⇄ v2 mapping carries (see
``nevr_events.wire.v2.tov2``): floats are float32 values, orientations are the
axes of float32 quaternions, strings come from the mapping's vocabularies and
derived fields (team stats, possession, the clock display) are derived. So a
v1 → v2 → v1 round trip must give these frames back exactly.
"""

from __future__ import annotations

import math
import random
import struct
from typing import Any

from google.protobuf.json_format import MessageToDict

from nevr_events.wire.pb import enginehttp_pb2, spatial_pb2, telemetry_pb2
from nevr_events.wire.v2.geometry import axes_from_quat
from nevr_events.wire.v2.names import v1_role
from nevr_events.wire.v2.tov1 import clock_display

BONES = 23
START_SECONDS = 1_764_817_102  # 2025-12-04T03:38:22Z
TEAM_NAMES = ("BLUE TEAM", "ORANGE TEAM")
GOAL_TYPES = ("INSIDE SHOT", "LONG SHOT", "SLAM DUNK", "BOUNCE SHOT", "LONG HEADBUTT")
STAT_NAMES = ("points", "saves", "goals", "stuns", "passes", "catches", "steals", "blocks")


def f32(value: float) -> float:
    """The nearest float32 value."""
    result: float = struct.unpack("<f", struct.pack("<f", value))[0]
    return result


class _Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def num(self, lo: float, hi: float) -> float:
        return f32(self.rng.uniform(lo, hi))

    def vec(self, scale: float) -> list[float]:
        return [self.num(-scale, scale) for _ in range(3)]

    def axes(self) -> tuple[list[float], list[float], list[float]]:
        q = [self.rng.gauss(0, 1) for _ in range(4)]
        norm = math.sqrt(sum(c * c for c in q))
        quat = spatial_pb2.Quat(x=q[0] / norm, y=q[1] / norm, z=q[2] / norm, w=q[3] / norm)
        return axes_from_quat(quat)

    def part(self, target: Any, position: str, scale: float = 40.0) -> None:
        getattr(target, position).extend(self.vec(scale))
        left, up, forward = self.axes()
        target.left.extend(left)
        target.up.extend(up)
        target.forward.extend(forward)


def _events(
    index: int, frames: int, gen: _Gen, slots: list[int]
) -> list[telemetry_pb2.LobbySessionEvent]:
    """A few v1 events on some frames: every type at least once in 300 frames."""
    E = telemetry_pb2.LobbySessionEvent
    slot = slots[index % len(slots)]
    chosen: list[telemetry_pb2.LobbySessionEvent] = []
    step = index % 30
    if index == 0:
        chosen.append(E(round_started=telemetry_pb2.RoundStarted(round_number=1)))
    if step == 3:
        chosen.append(
            E(
                disc_possession_changed=telemetry_pb2.DiscPossessionChanged(
                    player_slot=slot, previous_player_slot=-1
                )
            )
        )
        chosen.append(E(disc_caught=telemetry_pb2.DiscCaught(player_slot=slot)))
    if step == 6:
        throw = enginehttp_pb2.LastThrowInfo(
            arm_speed=gen.num(0, 10), total_speed=gen.num(0, 20), rot_per_sec=gen.num(0, 5)
        )
        chosen.append(
            E(disc_thrown=telemetry_pb2.DiscThrown(player_slot=slot, throw_details=throw))
        )
    if step == 9:
        chosen.append(
            E(
                player_steal=telemetry_pb2.PlayerSteal(
                    player_slot=slot, total_steals=1, victim_player_slot=-1 if index % 60 else slot
                )
            )
        )
        chosen.append(E(player_save=telemetry_pb2.PlayerSave(player_slot=slot, total_saves=2)))
        chosen.append(E(player_stun=telemetry_pb2.PlayerStun(player_slot=slot, total_stuns=3)))
    if step == 12:
        chosen.append(E(player_pass=telemetry_pb2.PlayerPass(player_slot=slot, total_passes=4)))
        chosen.append(E(player_block=telemetry_pb2.PlayerBlock(player_slot=slot, total_blocks=1)))
        chosen.append(
            E(
                player_interception=telemetry_pb2.PlayerInterception(
                    player_slot=slot, total_interceptions=1
                )
            )
        )
        chosen.append(
            E(player_assist=telemetry_pb2.PlayerAssist(player_slot=slot, total_assists=1))
        )
        chosen.append(
            E(player_shot_taken=telemetry_pb2.PlayerShotTaken(player_slot=slot, total_shots=5))
        )
    if step == 15:
        chosen.append(
            E(
                emote_played=telemetry_pb2.EmotePlayed(
                    player_slot=slot,
                    emote=telemetry_pb2.EmotePlayed.EMOTE_TYPE_PRIMARY
                    if index % 2
                    else telemetry_pb2.EmotePlayed.EMOTE_TYPE_SECONDARY,
                )
            )
        )
        chosen.append(
            E(
                player_switched_team=telemetry_pb2.PlayerSwitchedTeam(
                    player_slot=slot,
                    new_role=telemetry_pb2.ROLE_ORANGE_TEAM,
                    prev_role=telemetry_pb2.ROLE_BLUE_TEAM,
                )
            )
        )
    if step == 18:
        chosen.append(
            E(
                generic_event=telemetry_pb2.GenericEvent(
                    event_type="custom", data={"k": str(index)}, payload="p"
                )
            )
        )
    if index == frames // 3:
        pause = enginehttp_pb2.PauseState(
            paused_state="paused", paused_requested_team="orange", paused_timer=gen.num(0, 5)
        )
        chosen.append(E(round_paused=telemetry_pb2.RoundPaused(pause_state=pause)))
    if index == frames // 3 + 5:
        chosen.append(
            E(
                round_unpaused=telemetry_pb2.RoundUnpaused(
                    pause_state=enginehttp_pb2.PauseState(paused_state="unpausing")
                )
            )
        )
    if index == frames - 2:
        chosen.append(
            E(
                round_ended=telemetry_pb2.RoundEnded(
                    round_number=1, winning_team=telemetry_pb2.ROLE_BLUE_TEAM
                )
            )
        )
        chosen.append(
            E(match_ended=telemetry_pb2.MatchEnded(winning_team=telemetry_pb2.ROLE_BLUE_TEAM))
        )
    return chosen


def v2_match(
    frames: int = 300,
    players: int = 10,
    seed: int = 1,
    session_id: str = "8380FAE5-E20F-4B61-BEDA-B94E0811244F",
) -> list[telemetry_pb2.LobbySessionStateFrame]:
    """The v1 frames of one synthetic capture (see the module docstring)."""
    gen = _Gen(seed)
    roster = {
        slot: (3963667097037078 + slot * 7919, f"player{slot:02d}", slot % 100, 1 + slot % 50)
        for slot in range(players)
    }
    teams_of = {slot: slot % 2 for slot in range(players)}
    stats = {slot: [0] * len(STAT_NAMES) for slot in range(players)}
    possession_time = {slot: 0.0 for slot in range(players)}
    grabs = {slot: ("none", "none") for slot in range(players)}
    # The last player leaves mid-match and a newcomer takes the slot (with two or more).
    leaver = players - 1 if players > 1 else -1
    leave_at, join_at = frames // 2, frames // 2 + 20
    round_scores = (0, 0)
    last_score: enginehttp_pb2.LastScore | None = None
    out: list[telemetry_pb2.LobbySessionStateFrame] = []
    for index in range(frames):
        frame = telemetry_pb2.LobbySessionStateFrame(frame_index=index)
        frame.timestamp.seconds, millis = START_SECONDS + index * 33 // 1000, index * 33 % 1000
        frame.timestamp.nanos = millis * 1_000_000
        present = [s for s in range(players) if not (s == leaver and leave_at <= index < join_at)]
        events = _events(index, frames, gen, present)
        if index == leave_at and leaver >= 0:
            events.append(
                telemetry_pb2.LobbySessionEvent(
                    player_left=telemetry_pb2.PlayerLeft(
                        player_slot=leaver, display_name=roster[leaver][1]
                    )
                )
            )
        if index == join_at and leaver >= 0:
            roster[leaver] = (42, "newcomer", 7, 3)
            member = enginehttp_pb2.TeamMember(
                slot_number=leaver,
                account_number=42,
                display_name="newcomer",
                jersey_number=7,
                level=3,
            )
            events.append(
                telemetry_pb2.LobbySessionEvent(
                    player_joined=telemetry_pb2.PlayerJoined(
                        player=member, role=v1_role(teams_of[leaver] + 1)
                    )
                )
            )
        if index == frames // 2 + 40:
            last_score = enginehttp_pb2.LastScore(
                disc_speed=gen.num(5, 20),
                team="blue",
                goal_type=GOAL_TYPES[seed % len(GOAL_TYPES)],
                point_amount=2,
                distance_thrown=gen.num(1, 30),
                person_scored="player00",
                assist_scored="player02",
            )
            events.append(
                telemetry_pb2.LobbySessionEvent(
                    goal_scored=telemetry_pb2.GoalScored(score_details=last_score)
                )
            )
            round_scores = (1, 0)
            board = telemetry_pb2.ScoreboardUpdated(
                blue_points=2,
                orange_points=0,
                blue_round_score=1,
                orange_round_score=0,
                game_clock_display="04:00.00",
            )
            events.append(telemetry_pb2.LobbySessionEvent(scoreboard_updated=board))
            events.append(
                telemetry_pb2.LobbySessionEvent(
                    player_goal=telemetry_pb2.PlayerGoal(player_slot=0, total_goals=1, points=2)
                )
            )
        frame.events.extend(events)
        s = frame.session
        s.session_id, s.session_ip, s.client_name = session_id, "10.0.0.7", "recorder"
        s.map_name, s.match_type, s.private_match = "mpl_arena_a", "Echo_Arena_Private", True
        s.total_round_count, s.rules_changed_by, s.rules_changed_at = 3, "[INVALID]", 0
        s.game_status = "playing" if index < frames - 2 else "post_match"
        s.game_clock = f32(600 - index / 30)
        s.game_clock_display = clock_display(s.game_clock)
        s.blue_points = 2 if last_score else 0
        s.blue_round_score, s.orange_round_score = round_scores
        if last_score is not None:
            s.last_score.CopyFrom(last_score)
        paused = frames // 3 <= index < frames // 3 + 5
        s.pause.paused_state = "paused" if paused else "unpaused"
        s.pause.unpaused_team = "none"
        s.pause.paused_requested_team = "orange" if paused else "none"
        if paused:
            s.pause.paused_timer = f32(5 - (index - frames // 3) / 30)
        s.left_shoulder_pressed = gen.num(0, 1)
        s.right_shoulder_pressed2 = gen.num(0, 1)
        gen.part(s.disc, "position", 10)
        s.disc.velocity.extend(gen.vec(20))
        s.disc.bounce_count = index % 4
        s.player.vr_position.extend(gen.vec(2))
        left, up, forward = gen.axes()
        s.player.vr_left.extend(left)
        s.player.vr_up.extend(up)
        s.player.vr_forward.extend(forward)
        holder = present[index // 10 % len(present)]
        possession = [-1, -1]
        for team_index, name in enumerate(TEAM_NAMES):
            team = s.teams.add(team_name=name)
            for slot in (p for p in present if teams_of[p] == team_index):
                if index % 25 == slot:
                    stats[slot][index % len(STAT_NAMES)] += 1
                if index % 40 == slot:
                    grabs[slot] = ("disc", "none") if grabs[slot][0] == "none" else ("none", "none")
                if slot == holder:
                    possession_time[slot] = f32(possession_time[slot] + 1 / 30)
                    possession = [team_index, len(team.players)]
                    team.has_possession = True
                account, display, jersey, level = roster[slot]
                m = team.players.add(
                    slot_number=slot,
                    account_number=account,
                    display_name=display,
                    jersey_number=jersey,
                    level=level,
                )
                m.ping, m.packet_loss_ratio = 20 + slot, f32(slot / 1000)
                m.is_stunned, m.is_blocking = index % 50 == slot, index % 7 == 0
                m.has_possession = slot == holder
                m.left_holding_onto, m.right_holding_onto = grabs[slot]
                for stat, value in zip(STAT_NAMES, stats[slot], strict=True):
                    setattr(m.stats, stat, value)
                    setattr(team.stats, stat, getattr(team.stats, stat) + value)
                m.stats.possession_time = possession_time[slot]
                team.stats.possession_time += possession_time[slot]
                gen.part(m.head, "position")
                gen.part(m.body, "position")
                gen.part(m.left_hand, "pos")
                gen.part(m.right_hand, "pos")
                m.velocity.extend(gen.vec(5))
        s.possession.extend(possession)
        if index % 3 == 0:
            for slot in present[:4]:
                frame.player_bones.user_bones.add(
                    player_index=slot,
                    bone_t=[gen.num(-1, 1) for _ in range(BONES * 3)],
                    bone_o=[gen.num(-1, 1) for _ in range(BONES * 4)],
                )
        out.append(frame)
    return out


def stored(frame: telemetry_pb2.LobbySessionStateFrame) -> dict[str, Any]:
    """A frame as the store keeps it: protojson, proto field names, defaults left out."""
    return MessageToDict(frame, preserving_proto_field_name=True)
