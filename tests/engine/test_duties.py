"""Separation of duties (`separate_from`): who wrote a report may not approve it, the two approvals
and the two signatures are two people's, and who filled in a called process's task may not check
it; an admin may override, and the history says so. `desa validate` names every wrong use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine.cli import main
from engine.core import Engine
from engine.definitions import folder
from engine.errors import InvalidInput
from engine.history import verify
from engine.runtime import actions as runtime
from engine.runtime.duties import Separated
from engine.store.models import AuditEvent
from engine.views import queries
from tests.conftest import FIXTURES, LEMPUR, set_up
from tests.engine.helpers import snapshot

DUTIES = FIXTURES / "duties" / "processes"
BROKEN = FIXTURES / "duties" / "broken.bpmn"
STAFF = [(name, "Pendamping", LEMPUR, None) for name in ("rina", "tono", "umi", "wati")]


@pytest.fixture
def duties(engine: Engine) -> Engine:
    """The separation fixture deployed in Lempur Mudik, four pendamping there and an admin."""
    return set_up(engine, DUTIES, [LEMPUR], STAFF, admin=True)


def open_tasks(engine: Engine, instance_id: int, bpmn_id: str) -> list[str]:
    return [t.id for t in queries.tasks(engine, instance_id=instance_id) if t.bpmn_id == bpmn_id]


def do(engine: Engine, instance_id: int, bpmn_id: str, who: str) -> None:
    runtime.complete(engine, open_tasks(engine, instance_id, bpmn_id)[0], who)


def completions(engine: Engine, instance_id: int) -> list[tuple[str | None, str, dict[str, Any]]]:
    with engine.db.sessions() as s:
        events = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.instance_id == instance_id, AuditEvent.type == "TASK_COMPLETED")
            .order_by(AuditEvent.seq)
        )
        return [(e.bpmn_id, e.actor, e.data) for e in events]


def written_up(engine: Engine) -> int:
    """An instance where rina wrote the report and tono filled in the called process's attachment."""
    instance_id = runtime.start(engine, "pisah_tugas", LEMPUR, "rina").instance_id
    do(engine, instance_id, "tulis", "rina")
    do(engine, instance_id, "isi", "tono")
    return instance_id


def test_different_people_pass_and_the_same_person_is_refused_at_every_rule(duties: Engine) -> None:
    instance_id = written_up(duties)
    first, second = open_tasks(duties, instance_id, "setujui")

    before = snapshot(duties, instance_id)
    with pytest.raises(Separated) as wrote_it:
        runtime.complete(duties, first, "rina")
    assert str(wrote_it.value) == (
        "you may not do 'Setujui Laporan': it must be done by someone other than whoever did "
        "'Tulis Laporan', and you did 'Tulis Laporan'"
    )
    assert wrote_it.value.message == (
        "Anda tidak dapat mengerjakan 'Setujui Laporan': tugas ini harus dikerjakan oleh orang yang "
        "berbeda dari yang mengerjakan 'Tulis Laporan', dan 'Tulis Laporan' Anda yang mengerjakan."
    )
    assert snapshot(duties, instance_id) == before  # nothing written

    runtime.complete(duties, first, "tono")
    duties.workflows.clear()  # the other approvals read from the stored rows, not the live workflow
    with pytest.raises(Separated) as approved_once:  # the parallel approvals are two people's
        runtime.complete(duties, second, "tono")
    assert "other than whoever did the other 'Setujui Laporan'" in str(approved_once.value)
    runtime.complete(duties, second, "umi")

    do(duties, instance_id, "tandatangani", "umi")  # sequential: the second exists only now
    with pytest.raises(Separated):
        do(duties, instance_id, "tandatangani", "umi")
    do(duties, instance_id, "tandatangani", "wati")

    with pytest.raises(Separated) as filled_in:  # a task of the called process counts
        do(duties, instance_id, "periksa", "tono")
    assert "whoever did 'Isi Lampiran'" in str(filled_in.value)
    do(duties, instance_id, "periksa", "rina")

    assert [(bpmn_id, actor) for bpmn_id, actor, _ in completions(duties, instance_id)] == [
        ("tulis", "rina"),
        ("isi", "tono"),
        ("setujui", "tono"),
        ("setujui", "umi"),
        ("tandatangani", "umi"),
        ("tandatangani", "wati"),
        ("periksa", "rina"),
    ]
    assert all("overridden" not in data for _, _, data in completions(duties, instance_id))


def test_a_refused_person_cannot_take_the_task_nor_be_given_it(duties: Engine) -> None:
    instance_id = written_up(duties)
    first, second = open_tasks(duties, instance_id, "setujui")
    with pytest.raises(Separated):
        runtime.claim(duties, first, "rina")
    runtime.claim(duties, first, "tono")
    with pytest.raises(InvalidInput, match="rina may not be given 'Setujui Laporan'"):
        runtime.reassign(duties, second, "admin", "rina")
    runtime.complete(duties, first, "tono")
    with pytest.raises(Separated):  # the other approval, now that tono gave one
        runtime.claim(duties, second, "tono")
    runtime.reassign(duties, second, "admin", "umi")
    assert [t.claimed_by for t in queries.tasks(duties, instance_id=instance_id)] == ["umi"]


def test_an_admin_may_override_and_the_history_names_the_rule(duties: Engine) -> None:
    instance_id = runtime.start(duties, "pisah_tugas", LEMPUR, "rina").instance_id
    do(duties, instance_id, "tulis", "admin")
    do(duties, instance_id, "isi", "tono")
    first, second = open_tasks(duties, instance_id, "setujui")
    runtime.claim(duties, first, "admin")  # an admin may take it: the override is made on completing
    runtime.complete(duties, first, "admin")
    runtime.complete(duties, second, "admin")
    found = {(b, a): d for b, a, d in completions(duties, instance_id)}
    assert found[("tulis", "admin")]["override"] is True  # no role: an override, but of no rule
    assert "overridden" not in found[("tulis", "admin")]
    approvals = [d for b, a, d in completions(duties, instance_id) if b == "setujui"]
    assert [(d["override"], d["overridden"]) for d in approvals] == [
        (True, {"rule": "separate_from", "task": "tulis", "same_task": False}),
        (True, {"rule": "separate_from", "task": "tulis", "same_task": False}),
    ]
    with duties.db.sessions() as session:  # the overridden history replays and verifies as any other
        assert verify.verify_instance(duties, session, instance_id).ok


def test_the_rule_holds_per_run_of_a_multi_instance_task_and_per_instance(duties: Engine) -> None:
    """Another village's instance, or another instance of the same village, starts afresh."""
    done = written_up(duties)
    first, _ = open_tasks(duties, done, "setujui")
    runtime.complete(duties, first, "umi")
    fresh = runtime.start(duties, "pisah_tugas", LEMPUR, "tono").instance_id
    do(duties, fresh, "tulis", "tono")
    do(duties, fresh, "isi", "wati")
    first, second = open_tasks(duties, fresh, "setujui")
    runtime.complete(duties, first, "rina")  # rina wrote the other instance's report, not this one
    runtime.complete(duties, second, "umi")  # umi approved in the other instance only


def problems_of(*paths: Path) -> list[tuple[str | None, int | None, str]]:
    return [
        (p.element, p.line, p.message)
        for p in folder.load(list(paths), DUTIES).problems
        if p.rule == "separate-from"
    ]


def test_validate_accepts_the_fixture_and_names_every_wrong_use() -> None:
    """(Two tasks on parallel branches naming each other are right: either may finish first.)"""
    assert problems_of(DUTIES) == []
    found = problems_of(BROKEN)
    head = "task 'Setujui' is to be done by someone other than the performers of"
    assert found == [
        (
            "setujui_salah",
            8,
            f"{head} 'tulis_lapran', which is no element of this process or of any process in the folder",
        ),
        (
            "setujui_salah",
            8,
            f"{head} 'hitung', task 'Hitung', which no person performs; name a user or manual task",
        ),
        (
            "setujui_salah",
            8,
            f"{head} 'setujui_salah', itself, but it is not a multi-instance task: its own id means "
            "its other instances; remove it, or make the task multi-instance",
        ),
        (
            "setujui_salah",
            8,
            f"{head} 'arsip', task 'Arsipkan', which can never have run before it: every path to it "
            "passes through task 'Setujui' first",
        ),
        (
            "hitung",
            16,
            "task 'Hitung' has a separate_from property, but no person performs it; "
            "put it on a user or manual task",
        ),
        (
            "arsip",
            25,
            "task 'Arsipkan' has a separate_from property that names no task; write the ids of the tasks",
        ),
    ]


def test_desa_validate_exits_1_on_a_wrong_separate_from() -> None:
    result = CliRunner().invoke(main, ["validate", "--processes", str(DUTIES), str(BROKEN)])
    assert result.exit_code == 1
    assert "[setujui_salah] task 'Setujui' is to be done by someone other than" in result.stderr
    assert "(separate-from)" in result.stderr
