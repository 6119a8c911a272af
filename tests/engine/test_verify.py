"""Verification: an untouched history verifies; each way of altering it is detected and located."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select, text, update

from engine.cli import main
from engine.core import Engine
from engine.history import replay, verify
from engine.runtime import audit, corrections
from engine.store.models import AuditCheck, AuditEvent
from tests.engine.helpers import edit_rows
from tests.engine.program_history import RecordingVillage

ROOT = Path(__file__).resolve().parents[2]


def only(engine: Engine, instance_id: int) -> verify.Check:
    checks = [c for c in verify.verify(engine, checked_by="inspektur") if c.instance_id == instance_id]
    assert len(checks) == 1
    return checks[0]


def seq_of(engine: Engine, instance_id: int, bpmn_id: str) -> int:
    with engine.db.sessions() as session:
        found = session.scalar(
            select(AuditEvent.seq).where(
                AuditEvent.instance_id == instance_id,
                AuditEvent.bpmn_id == bpmn_id,
                AuditEvent.type == audit.TASK_COMPLETED,
            )
        )
    assert found is not None
    return found


def test_an_untouched_history_verifies(full_village: RecordingVillage) -> None:
    check = only(full_village.engine, full_village.instance)
    assert check.ok, check.message
    assert check.message == verify.OK_MESSAGE
    assert check.events > 50
    with full_village.engine.db.sessions() as session:
        kept = session.scalars(select(AuditCheck)).all()
    assert [(k.ok, k.checked_by, k.events) for k in kept] == [(True, "inspektur", check.events)]


def test_an_edited_amount_is_found_at_its_event(full_village: RecordingVillage) -> None:
    engine, instance = full_village.engine, full_village.instance
    seq = seq_of(engine, instance, "transfer_dana_stimulan")
    with engine.db.transaction() as session:
        row = session.scalars(
            select(AuditEvent).where(AuditEvent.instance_id == instance, AuditEvent.seq == seq)
        ).one()
        data = json.loads(json.dumps(row.data))
        data["data"]["dana_stimulan"]["jumlah"] = 200_000_000
        session.execute(update(AuditEvent).where(AuditEvent.id == row.id).values(data=data))
    check = only(engine, instance)
    assert (check.ok, check.kind, check.seq) == (False, "edited", seq)
    assert f"event #{seq} (TASK_COMPLETED by pusat) was altered" in check.message


def test_a_deleted_event_is_named(full_village: RecordingVillage) -> None:
    engine, instance = full_village.engine, full_village.instance
    with engine.db.transaction() as session:
        session.execute(text("DELETE FROM audit_event WHERE instance_id = :i AND seq = 20"), {"i": instance})
    check = only(engine, instance)
    assert (check.ok, check.kind, check.seq) == (False, "deleted", 20)
    assert "event #20 is missing" in check.message


def test_a_deleted_last_event_is_named(full_village: RecordingVillage) -> None:
    engine, instance = full_village.engine, full_village.instance
    with engine.db.sessions() as session:
        last = len(replay.events_of(session, instance))
    with engine.db.transaction() as session:
        session.execute(
            text("DELETE FROM audit_event WHERE instance_id = :i AND seq = :s"), {"i": instance, "s": last}
        )
    check = only(engine, instance)
    assert (check.kind, check.seq) == ("deleted", last)


def test_two_swapped_events_are_found(full_village: RecordingVillage) -> None:
    engine, instance = full_village.engine, full_village.instance
    with engine.db.transaction() as session:
        for old, new in ((10, -1), (11, 10), (-1, 11)):
            session.execute(
                text("UPDATE audit_event SET seq = :new WHERE instance_id = :i AND seq = :old"),
                {"i": instance, "old": old, "new": new},
            )
    check = only(engine, instance)
    assert (check.ok, check.kind, check.seq) == (False, "moved", 10)
    assert "holds what was recorded as event #11" in check.message


def test_an_inserted_event_is_found(full_village: RecordingVillage) -> None:
    engine, instance = full_village.engine, full_village.instance
    with engine.db.transaction() as session:
        last = session.scalars(
            select(AuditEvent).where(AuditEvent.instance_id == instance).order_by(AuditEvent.seq.desc())
        ).first()
        assert last is not None
        forged = audit.prepare(instance, last.seq, last.hash, audit.TASK_COMPLETED, "pusat", last.engine_time)
        session.add(AuditEvent(**forged.values))
    check = only(engine, instance)
    assert (check.ok, check.kind, check.seq) == (False, "inserted", last.seq + 1)


def test_a_stored_state_edited_behind_the_engine_is_found(full_village: RecordingVillage) -> None:
    engine, instance = full_village.engine, full_village.instance
    edited = 0

    def edit(_: str, text: str) -> str:
        nonlocal edited
        body = json.loads(text)
        if body["n"] != "transfer_dana_stimulan":  # the row format: engine/spiff/rows.py
            return text
        for holder in (body.get("d") or {}, body.get("u") or {}):
            if "dana_stimulan" in holder:
                holder["dana_stimulan"]["jumlah"] = 1
                edited += 1
        return json.dumps(body)

    with engine.db.transaction() as session:  # wherever the row is: on its own or in a packed row
        edit_rows(session, instance, edit)
    assert edited
    check = only(engine, instance)
    assert (check.ok, check.kind) == (False, "state")
    assert check.seq == seq_of(engine, instance, "transfer_dana_stimulan")
    assert "transfer_dana_stimulan" in check.message and "'dana_stimulan'" in check.message


def test_a_history_cut_and_rechained_is_still_found_shorter(full_village: RecordingVillage) -> None:
    engine, instance = full_village.engine, full_village.instance
    assert only(engine, instance).ok
    with engine.db.transaction() as session:
        events = replay.events_of(session, instance)
        keep = events[-2]
        session.execute(
            text("DELETE FROM audit_event WHERE instance_id = :i AND seq = :s"),
            {"i": instance, "s": keep.seq + 1},
        )
        session.execute(
            text("UPDATE instance SET last_seq = :s, last_hash = :h WHERE id = :i"),
            {"s": keep.seq, "h": keep.hash, "i": instance},
        )
    check = only(engine, instance)
    assert check.kind == "deleted"
    assert f"had {len(events)} events when it was verified" in check.message


def test_an_admin_correction_is_replayed(program: Engine) -> None:
    v = RecordingVillage(program)
    v.do("tetapkan_petugas", "Fasilitator Pusat")
    with program.db.transaction() as session:
        from engine.directory import users

        users.add(session, "admin", password="rahasia", admin=True)
    corrections.correct_data(
        program, v.instance, "admin", {"catatan_koreksi": "nama desa diperbaiki"}, "typo"
    )
    v.do("koordinasi_dinas_sosial", "Fasilitator Daerah")
    assert v.data()["catatan_koreksi"] == "nama desa diperbaiki"
    check = only(program, v.instance)
    assert check.ok, check.message
    with program.db.sessions() as session:
        kinds = [e.type for e in replay.events_of(session, v.instance)]
    assert audit.DATA_CORRECTED in kinds


def test_desa_audit_verify_reports_and_exits_non_zero(full_village: RecordingVillage) -> None:
    engine, instance = full_village.engine, full_village.instance
    runner = CliRunner()
    good = runner.invoke(main, ["audit", "verify", "--village", full_village.code])
    assert good.exit_code == 0, good.output
    assert "OK" in good.output
    with engine.db.transaction() as session:
        session.execute(text("DELETE FROM audit_event WHERE instance_id = :i AND seq = 5"), {"i": instance})
    bad = runner.invoke(main, ["audit", "verify", "--all", "--json"])
    assert bad.exit_code == 1
    reported = json.loads(bad.output)
    assert [
        (r["instance_id"], r["ok"], r["kind"], r["seq"]) for r in reported if r["instance_id"] == instance
    ] == [(instance, False, "deleted", 5)]
