"""`desa demo`: demo staff for every role, and the program running in every demo village.

Each village starts at its own date in the past and is played forward on the engine clock: every
task is done by a staff member of the task's role for that village, a few days after it appeared,
and timers fire at their due times, until the next thing would happen after today. So the demo
villages stand at different points of the program (preparation, mid-training, waiting for the
month-3 visit, evaluated, reporting, terminated, a second reflection cycle) with believable
histories and open tasks.
"""

from __future__ import annotations

import copy
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from engine import clock
from engine.core import Engine
from engine.demo.data import FORM_EXAMPLES
from engine.directory import access, users, villages
from engine.errors import EngineError
from engine.runtime import actions as runtime
from engine.store.models import User, Village, WaitingMessage
from engine.views import queries
from engine.worker import timers

PROCESS = "program_desa"


@dataclass
class Story:
    """How one demo village goes: when it started, how quickly tasks are done, what it decides."""

    age_days: float
    delay_days: float = 1.0
    bersedia: bool = True
    calon_peserta: int = 30
    perlu_revisi: bool = False
    skor_awal: int = 2
    skor_evaluasi: int = 3
    laporan_delay_days: float | None = None
    lanjut_siklus: bool = False
    # Tasks that take people longer than a day or two: monthly progress, visits, the report.
    slow: dict[str, float] = field(
        default_factory=lambda: {
            "catat_kemajuan": 2,
            "monitoring_bulan_3": 4,
            "evaluasi_bulan_5": 5,
            "tulis_laporan": 9,
            "setujui_laporan": 3,
            "berita_acara_serah_terima": 4,
            "evaluasi_pokja": 12,
        }
    )


# Ordered from the youngest to the oldest; villages take them in turn.
STORIES = [
    Story(age_days=1.5),
    Story(age_days=4.5, calon_peserta=26),
    Story(age_days=6, bersedia=False),
    Story(age_days=9.5),
    Story(age_days=13.5),
    Story(age_days=16.5),
    Story(age_days=19.5),
    Story(age_days=53),
    Story(age_days=83, calon_peserta=28),
    Story(age_days=100),
    Story(age_days=112, perlu_revisi=True),
    Story(age_days=116.5, perlu_revisi=True),
    Story(age_days=174, skor_evaluasi=2),
    Story(age_days=180, skor_evaluasi=4),
    Story(age_days=218),
    Story(age_days=252, laporan_delay_days=40),
    Story(age_days=224.5),
    Story(age_days=231),
    Story(age_days=240, skor_evaluasi=2),
    Story(age_days=300, lanjut_siklus=True),
    Story(age_days=262),
    Story(age_days=140),
]


def slug(text: str) -> str:
    """A username part from a place name: "Kab. Pulang Pisau" -> "pulangpisau"."""
    return re.sub(r"[^a-z0-9]+", "", text.lower().replace("kab.", ""))[:20]


@dataclass
class DemoResult:
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # username, password, what for
    villages: list[tuple[str, str, str]] = field(default_factory=list)  # code, name, where it stands


Grants = list[tuple[str, str | None, str | None]]  # role, village, kabupaten


def _add_user(engine: Engine, result: DemoResult, username: str, password: str, what: str, **kw: Any) -> None:
    with engine.db.transaction() as session:
        if session.scalars(select(User).where(User.username == username)).first() is None:
            users.add(session, username, kw.get("full_name", ""), password, kw.get("admin", False))
        for role, village, kabupaten in kw.get("grants", []):
            access.assign(session, username, role, village, kabupaten)
    result.logins.append((username, password, what))


def _staff(engine: Engine, demo_villages: list[Village], password: Callable[[], str]) -> DemoResult:
    result = DemoResult()
    _add_user(engine, result, "admin", password(), "admin", admin=True, full_name="Admin Sistem")
    for name in ("pusat.andi", "pusat.dewi"):
        grants: Grants = [("Fasilitator Pusat", None, None)]
        _add_user(engine, result, name, password(), "Fasilitator Pusat, semua desa", grants=grants)
    grants = [("Perancang Program", None, None)]
    _add_user(engine, result, "perancang", password(), "Perancang Program (Badiklit Kessos)", grants=grants)
    grants = [("Auditor", None, None)]
    what = "Auditor (Itjen), semua desa, hanya baca"
    _add_user(engine, result, "auditor.itjen", password(), what, grants=grants)
    kabupaten = sorted({(v.kabupaten_code, v.kabupaten) for v in demo_villages})
    for code, name in kabupaten:
        username = f"daerah.{slug(name)}"
        grants = [("Fasilitator Daerah", None, code)]
        _add_user(engine, result, username, password(), f"Fasilitator Daerah, {name}", grants=grants)
    for village in demo_villages:
        base = slug(village.name)
        for n in (1, 2):
            grants = [("Pendamping", village.code, None)]
            _add_user(
                engine,
                result,
                f"pendamping{n}.{base}",
                password(),
                f"Pendamping, {village.name}",
                grants=grants,
            )
        grants = [("Pengurus Pokja", village.code, None)]
        _add_user(
            engine, result, f"pokja.{base}", password(), f"Pengurus Pokja, {village.name}", grants=grants
        )
    return result


def _actor(village: Village, role: str) -> str:
    base = slug(village.name)
    return {
        "Fasilitator Pusat": "pusat.andi",
        "Fasilitator Daerah": f"daerah.{slug(village.kabupaten)}",
        "Pendamping": f"pendamping1.{base}",
        "Pengurus Pokja": f"pokja.{base}",
    }.get(role, "admin")


def _scores(template: dict[str, Any], score: int) -> dict[str, Any]:
    return {
        dimension: {key: {**value, "skor": score} for key, value in parameters.items()}
        for dimension, parameters in template.items()
    }


def task_data(task: queries.TaskRow, story: Story, seen: dict[str, int]) -> dict[str, Any]:
    """The demo's answers for one task: the example form data, varied by the village's story."""
    data: dict[str, Any] = copy.deepcopy(FORM_EXAMPLES.get(f"{task.bpmn_id}.json", {}))
    if task.bpmn_id == "koordinasi_dinas_sosial" and not story.bersedia:
        data["desa_bersedia"] = False
        data["alasan_mundur"] = (
            "Pemerintah desa sedang menghadapi pemilihan kepala desa dan meminta program ditunda."
        )
    if task.bpmn_id == "siapkan_calon_peserta":
        data["calon_peserta"] = data["calon_peserta"][: story.calon_peserta]
    if task.bpmn_id == "pemetaan_kondisi_awal":
        data["kondisi_awal"] = _scores(data["kondisi_awal"], story.skor_awal)
    if task.bpmn_id == "evaluasi_bulan_5":
        data["kondisi_evaluasi"] = _scores(data["kondisi_evaluasi"], story.skor_evaluasi)
    if task.bpmn_id == "monitoring_bulan_3":
        data["perlu_revisi"] = story.perlu_revisi
    if task.bpmn_id == "evaluasi_pokja":
        data["lanjut_siklus"] = story.lanjut_siklus and seen.get("evaluasi_pokja", 0) < 1
    return data


def _due(engine: Engine, instance_id: int) -> datetime | None:
    due = [t["due_at"] for t in queries.timers(engine) if t["instance"] == instance_id]
    return min((datetime.fromisoformat(d) for d in due), default=None)


def _set_clock(engine: Engine, at: datetime) -> None:
    with engine.db.transaction() as session:
        clock.set_time(session, at, frozen=True)


def play(
    engine: Engine,
    village: Village,
    story: Story,
    today: datetime,
    actor: Callable[[Village, str], str] | None = None,
) -> str:
    """Run one village's program from `today - age` until the next thing would happen after today.

    `actor(village, role)` names who does a task (the demo staff by default)."""
    actor = actor or _actor
    now = today - timedelta(days=story.age_days)
    _set_clock(engine, now)
    instance_id = runtime.start(engine, PROCESS, village.code, "pusat.andi").instance_id
    seen: dict[str, int] = {}
    for _ in range(500):
        open_tasks = queries.tasks(engine, instance_id=instance_id)
        if open_tasks:
            task = min(open_tasks, key=lambda t: t.created_at or "")
            delay = story.slow.get(task.bpmn_id, story.delay_days)
            if task.bpmn_id == "tulis_laporan" and story.laporan_delay_days is not None:
                delay = story.laporan_delay_days
            created = datetime.fromisoformat(task.created_at or now.isoformat())
            done_at = max(now, created + timedelta(days=delay))
            due = _due(engine, instance_id)
            if due is not None and due <= done_at:  # a timer comes first (a reminder, a month passing)
                if due > today:
                    break
                now = due
                _set_clock(engine, now)
                timers.fire_due(engine, now)
                continue
            if done_at > today:
                break
            now = done_at
            _set_clock(engine, now)
            runtime.complete(engine, task.id, actor(village, task.lane), task_data(task, story, seen))
            seen[task.bpmn_id] = seen.get(task.bpmn_id, 0) + 1
            continue
        due = _due(engine, instance_id)
        waiting = _waiting_messages(engine, instance_id)
        if waiting:  # the report went out: the receipts come back a few days later
            at = now + timedelta(days=story.delay_days * 3)
            if at > today:
                break
            now = at
            _set_clock(engine, now)
            for name in waiting:
                payload = {"diterima_oleh": _receiver(name), "tanggal": now.date().isoformat()}
                runtime.deliver_message(engine, name, village.code, "pusat.andi", payload)
            continue
        if due is None or due > today:
            break
        now = due
        _set_clock(engine, now)
        timers.fire_due(engine, now)
    return _where(engine, instance_id)


def _waiting_messages(engine: Engine, instance_id: int) -> list[str]:
    with engine.db.sessions() as session:
        names = session.scalars(select(WaitingMessage.name).where(WaitingMessage.instance_id == instance_id))
        return sorted(set(names))


def _receiver(message: str) -> str:
    return {
        "tanda_terima_badiklit": "Sekretariat Badiklit Kessos, Jakarta",
        "tanda_terima_dinsos_kabupaten": "Kepala Bidang Pemberdayaan Sosial, Dinas Sosial Kabupaten/Kota",
        "tanda_terima_dinsos_provinsi": "Kepala Bidang Pemberdayaan Sosial, Dinas Sosial Provinsi",
    }[message]


STEPS = {
    "persiapan": "Persiapan",
    "pelaksanaan_pengembangan": "Pelaksanaan Pengembangan",
    "monitoring_evaluasi_pelaporan": "Monitoring, Evaluasi dan Pelaporan",
    "terminasi": "Terminasi",
    "refleksi": "Refleksi",
}


def _where(engine: Engine, instance_id: int) -> str:
    """Where the village stands, in the words of the program."""
    detail = queries.instance_detail(engine, instance_id)
    if detail["status"] == "completed":
        data = queries.instance_data(engine, instance_id)
        if data.get("desa_bersedia") is False:
            return "mengundurkan diri pada Persiapan"
        return "program selesai; Pokja menutup siklus refleksi"
    if detail["tasks"]:
        step = STEPS.get(detail["tasks"][0]["process_id"], "")
        return f"{step}: " + "; ".join(sorted({t["name"] for t in detail["tasks"]}))
    if detail["timers"]:
        timer = detail["timers"][0]
        return f"menunggu {timer['name']} ({timer['due_at'][:10]})"
    waiting = _waiting_messages(engine, instance_id)
    if waiting:
        return "menunggu tanda terima laporan: " + ", ".join(waiting)
    return str(detail["status"])


def demo_villages(engine: Engine, csv_file: Path) -> list[Village]:
    with engine.db.transaction() as session:
        villages.import_csv(session, csv_file)
    with engine.db.sessions() as session:
        return list(session.scalars(select(Village).order_by(Village.code)))


def run(
    engine: Engine,
    csv_file: Path,
    password: str | None = None,
    today: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoResult:
    """Create the demo staff and play every demo village forward to today (`progress(done, total)`)."""
    today = today or clock.real_now()
    found = demo_villages(engine, csv_file)
    if not found:
        raise EngineError(f"no village could be imported from {csv_file}")
    result = _staff(engine, found, (lambda: password) if password else (lambda: secrets.token_urlsafe(9)))
    for done, (village, story) in enumerate(zip(found, _stories(len(found)), strict=False), start=1):
        result.villages.append((village.code, village.name, play(engine, village, story, today)))
        if progress is not None:
            progress(done, len(found))
    with engine.db.transaction() as session:
        clock.reset(session)
    return result


def _stories(count: int) -> Iterator[Story]:
    for index in range(count):
        yield STORIES[index % len(STORIES)]
