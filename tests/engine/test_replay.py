"""Replay: a village's whole program rebuilt from its history, at every event, equals what was stored."""

from __future__ import annotations

from engine import spiff
from engine.history import replay
from tests.engine.program_history import RecordingVillage, stored_view


def test_replay_at_every_event_reproduces_the_state_stored_then(full_village: RecordingVillage) -> None:
    engine, instance_id = full_village.engine, full_village.instance
    with engine.db.sessions() as session:
        events = replay.events_of(session, instance_id)
        again = replay.Replay(replay.spec_source(engine, session))
        compared = 0
        for event in events:
            again.apply(event)  # every event re-runs: replay to N exists for every N
            if event.seq in full_village.recorded:
                view, status = full_village.recorded[event.seq]
                assert spiff.normalised_view(again.workflow) == view, f"differs after event #{event.seq}"
                assert again.status == status
                compared += 1
    kinds = {e.type for e in events}
    assert {"INSTANCE_STARTED", "TASK_COMPLETED", "TIMER_FIRED", "MESSAGE_RECEIVED"} <= kinds
    assert len(events) > 50  # the whole program, five steps and the second reflection cycle
    assert compared == len(full_village.recorded)  # compared after every transaction
    assert again.status == "completed"
    # Parallel tasks of one element (the four berita acara) were matched by their recorded order.
    assert sum(1 for e in events if e.data.get("occurrence") is not None) >= 3


def test_replay_to_a_point_equals_that_point_and_the_end_equals_the_stored_state(
    full_village: RecordingVillage,
) -> None:
    engine, instance_id = full_village.engine, full_village.instance
    points = sorted(full_village.recorded)
    for seq in (points[1], points[len(points) // 2], points[-1]):
        at = replay.replay_instance(engine, instance_id, upto=seq)
        assert at.seq == seq
        assert spiff.normalised_view(at.workflow) == full_village.recorded[seq][0]
    final = replay.replay_instance(engine, instance_id)
    assert spiff.normalised_view(final.workflow) == stored_view(engine, instance_id)[0]
