"""The auditor's pages: the timeline, a step rebuilt by replay, the badge, downloads, and an
auditor who may read everything in their scope and change nothing."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask.testing import FlaskClient
from lxml import etree
from sqlalchemy import select, update

from engine.core import Engine
from engine.directory import access, tokens, users
from engine.store.models import AuditEvent, Instance
from engine.views import queries
from tests.test_program import (
    LEMPUR,
    OTHER,
    Village,
    program,  # noqa: F401  (the fixture)
    through_preparation_and_training,
)
from tests.web.test_village import signed_in, svgs


@pytest.fixture
def audited(program: Engine) -> tuple[Engine, Village]:  # noqa: F811
    """Lempur Mudik through preparation and training, Lempur Tengah started; a national auditor
    and an auditor for Lempur Mudik alone."""
    v = Village(program)
    through_preparation_and_training(v)
    Village(program, OTHER)
    with program.db.transaction() as s:
        users.add(s, "itjen", password="rahasia")
        access.assign(s, "itjen", "Auditor", None, None)
        users.add(s, "itjen.lempur", password="rahasia")
        access.assign(s, "itjen.lempur", "Auditor", LEMPUR, None)
    return program, v


def _seq(engine: Engine, instance: int, bpmn_id: str) -> int:
    with engine.db.sessions() as s:
        found = s.scalar(
            select(AuditEvent.seq).where(AuditEvent.instance_id == instance, AuditEvent.bpmn_id == bpmn_id)
        )
    assert found is not None
    return found


def test_an_auditor_reads_the_timeline_and_steps_through_it(audited: tuple[Engine, Village]) -> None:
    engine, v = audited
    c = signed_in(engine, "itjen")
    index = c.get("/audit/").get_data(as_text=True)
    assert "Lempur Mudik" in index and "Lempur Tengah" in index and "Belum diverifikasi" in index
    home = c.get("/", follow_redirects=True).get_data(as_text=True)
    assert 'href="/audit/"' in home  # the header offers the audit pages

    page = c.get(f"/audit/desa/{LEMPUR}").get_data(as_text=True)
    assert "Transfer Dana Stimulan" in page and "Absensi Bimbingan Sosial Hari ke-4" in page
    assert page.index("Menyiapkan Petugas") < page.index("Transfer Dana Stimulan")  # oldest first
    assert "Waktu tiba" in page  # the timers that brought the training days

    seq = _seq(engine, v.instance, "transfer_dana_stimulan")
    step = c.get(f"/audit/desa/{LEMPUR}/{v.instance}/{seq}")
    assert step.status_code == 200
    text = step.get_data(as_text=True)
    assert "Transfer Dana Stimulan" in text and "pusat" in text
    # What changed: the amount and the account entered at this step, and nothing else of before.
    assert re.search(
        r"<code>dana_stimulan\.jumlah</code></td><td>ditambah</td><td></td><td>20000000</td>", text
    )
    # The diagram at that point: what came before is done, the Pokja's next step is not yet open.
    marks = {
        g.get("data-element"): g.get("data-state")
        for svg in svgs(text)
        for g in svg.iter("{http://www.w3.org/2000/svg}g")
        if g.get("data-element")
    }
    assert marks["komitmen_peserta"] == "completed" and marks["transfer_dana_stimulan"] == "completed"
    assert f'href="/audit/desa/{LEMPUR}/{v.instance}/{seq - 1}"' in text  # previous
    assert c.get(f"/audit/desa/{LEMPUR}/{v.instance}/{seq + 99}").status_code == 404

    # Jumping to a date opens the first step of that day: the second training day, by its timer
    # (the learning contract's 16 February, 08:30 WIB = 01:30 UTC), told in the village's zone.
    jumped = c.get(f"/audit/desa/{LEMPUR}/{v.instance}/tanggal?tanggal=2027-02-16")
    assert jumped.status_code == 302
    landed = c.get(jumped.headers["Location"]).get_data(as_text=True)
    assert "2027-02-16 08.30 WIB" in landed and "Waktu tiba" in landed


def test_verification_turns_the_badge_green_then_red_at_the_edited_event(
    audited: tuple[Engine, Village],
) -> None:
    engine, v = audited
    c = signed_in(engine, "itjen")
    done = c.post(f"/audit/desa/{LEMPUR}/verifikasi", follow_redirects=True).get_data(as_text=True)
    assert "Verifikasi berhasil" in done and "Terverifikasi" in done
    seq = _seq(engine, v.instance, "transfer_dana_stimulan")
    with engine.db.transaction() as s:
        row = s.scalars(
            select(AuditEvent).where(AuditEvent.instance_id == v.instance, AuditEvent.seq == seq)
        ).one()
        data = dict(row.data)
        data["data"] = {"dana_stimulan": {**row.data["data"]["dana_stimulan"], "jumlah": 90_000_000}}
        s.execute(update(AuditEvent).where(AuditEvent.id == row.id).values(data=data))
    failed = c.post(f"/audit/desa/{LEMPUR}/verifikasi", follow_redirects=True).get_data(as_text=True)
    assert "Verifikasi GAGAL" in failed and "Verifikasi gagal" in failed
    assert f"event #{seq} (TASK_COMPLETED by pusat) was altered" in failed
    assert "Verifikasi gagal" in c.get("/audit/").get_data(as_text=True)


def _csv_rows(c: FlaskClient, query: str) -> list[dict[str, str]]:
    answer = c.get(f"/audit/ekspor?{query}")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert "attachment" in answer.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))


def test_downloads_stay_within_the_auditors_villages(audited: tuple[Engine, Village]) -> None:
    engine, v = audited
    with engine.db.sessions() as s:
        lempur_events = s.scalar(select(Instance.last_seq).where(Instance.id == v.instance))
        total = queries.count_events(s)
    national = signed_in(engine, "itjen")
    assert len(_csv_rows(national, "format=csv")) == total
    assert len(_csv_rows(national, f"format=csv&desa={LEMPUR}")) == lempur_events
    xes = national.get(f"/audit/ekspor?format=xes&desa={LEMPUR}")
    assert len(etree.fromstring(xes.data).findall("{*}trace")) == 1

    scoped = signed_in(engine, "itjen.lempur")
    assert len(_csv_rows(scoped, "format=csv")) == lempur_events  # all they may see: Lempur Mudik
    assert scoped.get(f"/audit/ekspor?format=csv&desa={OTHER}").status_code == 404
    assert scoped.get(f"/audit/desa/{OTHER}").status_code == 404
    assert "Lempur Tengah" not in scoped.get("/audit/").get_data(as_text=True)
    assert scoped.get("/audit/ekspor?format=pdf").status_code == 400


def test_staff_are_refused_the_audit_pages(audited: tuple[Engine, Village]) -> None:
    engine, _ = audited
    c = signed_in(engine, "pendamping1")
    assert c.get("/audit/").status_code == 403
    assert c.get(f"/audit/desa/{LEMPUR}").status_code == 403
    assert c.get("/audit/ekspor?format=jsonl").status_code == 403
    assert 'href="/audit/"' not in c.get("/").get_data(as_text=True)


def test_an_auditor_changes_nothing(audited: tuple[Engine, Village]) -> None:
    engine, _ = audited
    task = queries.tasks(engine, village=OTHER)[0]  # Lempur Tengah waits for its first task
    with engine.db.sessions() as s:
        before = s.scalar(select(Instance.last_seq).where(Instance.id == task.instance))
    c = signed_in(engine, "itjen")
    shown = c.get(f"/tugas/{task.id}").get_data(as_text=True)  # reading is what an auditor does
    assert "Anda hanya dapat melihatnya" in shown and "Selesaikan tugas" not in shown
    for path, form in (
        (f"/tugas/{task.id}", {}),
        (f"/tugas/{task.id}", {"_draf": "1"}),
        (f"/tugas/{task.id}/ambil", {}),
        (f"/tugas/{task.id}/alihkan", {"kepada": "itjen"}),
    ):
        assert c.post(path, data=form).status_code in (403, 404), path
    with engine.db.transaction() as s:
        token = tokens.create(s, "itjen", "audit")[1]
    api = signed_in(engine, "itjen")
    headers = {"Authorization": f"Bearer {token}"}
    for path, body in (
        (f"/api/v1/tasks/{task.id}/complete", {"data": {}}),
        (f"/api/v1/tasks/{task.id}/claim", None),
        ("/api/v1/instances", {"process_id": "program_desa", "village": LEMPUR}),
    ):
        answer = api.post(path, json=body, headers=headers)
        assert answer.status_code in (403, 404), (path, answer.get_data(as_text=True))
    with engine.db.sessions() as s:
        after = s.scalar(select(Instance.last_seq).where(Instance.id == task.instance))
        kinds = list(s.scalars(select(AuditEvent.type).where(AuditEvent.actor == "itjen")))
    assert after == before and kinds == []
