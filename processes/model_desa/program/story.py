"""How each demo village goes through Model Desa Berketahanan Sosial, for `desa demo`.

Every year's cohort of the 2006-2009 table (its `tahun`) stands at its own point of the program:
the 2009 villages are preparing or in their four days of social guidance, the 2008 villages carry
out their action plan (monthly progress, the month-3 visit, a revision), the 2007 villages are
evaluated, write and send their report and hand the program over, and the 2006 villages have
finished, one of them in its Pokja's second reflection cycle. Within a cohort the villages take the
cohort's stories in turn. Each village's answers are its own (`data.examples_for`).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from engine.demo.runner import Person
from engine.store.models import Village

from .data import examples_for


def slug(text: str) -> str:
    """A username part from a place name: "Kab. Pulang Pisau" -> "pulangpisau"."""
    return re.sub(r"[^a-z0-9]+", "", text.lower().replace("kab.", ""))[:20]


# Tasks that take people longer than a day or two: monthly progress, visits, the report.
SLOW = {
    "catat_kemajuan": 2,
    "monitoring_bulan_3": 4,
    "monitoring_bulan_3_pusat": 3,
    "evaluasi_bulan_5": 5,
    "evaluasi_bulan_5_pusat": 4,
    "tulis_laporan": 9,
    "setujui_laporan": 3,
    "berita_acara_serah_terima": 4,
    "evaluasi_pokja": 12,
}
RECEIVERS = {
    "tanda_terima_badiklit": "Sekretariat Badiklit Kessos, Jakarta",
    "tanda_terima_dinsos_kabupaten": "Kepala Bidang Pemberdayaan Sosial, Dinas Sosial {kabupaten}",
    "tanda_terima_dinsos_provinsi": "Kepala Bidang Pemberdayaan Sosial, Dinas Sosial Provinsi {provinsi}",
}


@dataclass
class Story:
    """How one demo village goes: when it started, how quickly tasks are done, what it decides."""

    village: Village
    age_days: float
    bersedia: bool = True
    calon_peserta: int = 30
    perlu_revisi: bool = False
    skor_awal: int = 2
    skor_evaluasi: int = 3
    laporan_delay_days: float | None = None
    lanjut_siklus: bool = False
    delay_days: float = 1.0
    starter: str = "pusat.andi"
    slow: dict[str, float] = field(default_factory=lambda: dict(SLOW))
    pendamping_turns: int = 0  # the two pendamping take turns: the report's approvals are two people's

    @property
    def message_days(self) -> float:
        return self.delay_days * 3

    def actor(self, role: str) -> str:
        base = slug(self.village.name)
        if role == "Pendamping":
            self.pendamping_turns += 1
        return {
            "Fasilitator Pusat": "pusat.andi",
            "Fasilitator Daerah": f"daerah.{slug(self.village.kabupaten)}",
            "Pendamping": f"pendamping{1 + self.pendamping_turns % 2}.{base}",
            "Pengurus Pokja": f"pokja.{base}",
        }.get(role, "admin")

    def delay(self, task: Any) -> float:
        if task.bpmn_id == "tulis_laporan" and self.laporan_delay_days is not None:
            return self.laporan_delay_days
        return self.slow.get(task.bpmn_id, self.delay_days)

    def answer(self, task: Any, seen: dict[str, int]) -> dict[str, Any]:
        """The village's own example answer for the task, varied by its story."""
        data: dict[str, Any] = copy.deepcopy(examples_for(self.village).get(f"{task.bpmn_id}.json", {}))
        if task.bpmn_id == "koordinasi_dinas_sosial" and not self.bersedia:
            data["desa_bersedia"] = False
            data["alasan_mundur"] = (
                "Pemerintah desa sedang menghadapi pemilihan kepala desa dan meminta program ditunda."
            )
        if task.bpmn_id == "siapkan_calon_peserta":
            data["calon_peserta"] = data["calon_peserta"][: self.calon_peserta]
        if task.bpmn_id == "pemetaan_kondisi_awal":
            data["kondisi_awal"] = _scores(data["kondisi_awal"], self.skor_awal)
        if task.bpmn_id == "evaluasi_bulan_5":
            data["kondisi_evaluasi"] = _scores(data["kondisi_evaluasi"], self.skor_evaluasi)
        if task.bpmn_id == "monitoring_bulan_3":
            data["perlu_revisi"] = self.perlu_revisi
        # The dates agreed in the village count from the day it agrees them (the example's are 2027's).
        today = datetime.fromisoformat(task.created_at or "2027-02-15") + timedelta(days=self.delay(task))
        if task.bpmn_id == "kontrak_belajar":
            days = range(2, 2 + len(data["tanggal_bimbingan"]))  # training starts two days later
            data["tanggal_bimbingan"] = [(today + timedelta(days=d)).date().isoformat() for d in days]
        if task.bpmn_id == "rencana_aksi":
            data["tanggal_mulai_rencana_aksi"] = (today + timedelta(days=3)).date().isoformat()
        if task.bpmn_id == "evaluasi_pokja":
            data["lanjut_siklus"] = self.lanjut_siklus and seen.get("evaluasi_pokja", 0) < 1
        return data

    def message(self, name: str, at: datetime) -> dict[str, Any]:
        receiver = RECEIVERS[name].format(kabupaten=self.village.kabupaten, provinsi=self.village.provinsi)
        return {"diterima_oleh": receiver, "tanggal": at.date().isoformat()}

    def outcome(self, data: dict[str, Any]) -> str:
        if data.get("desa_bersedia") is False:
            return "mengundurkan diri pada Persiapan"
        return "program selesai; Pokja menutup siklus refleksi"


def _scores(template: dict[str, Any], score: int) -> dict[str, Any]:
    return {
        dimension: {key: {**value, "skor": score} for key, value in parameters.items()}
        for dimension, parameters in template.items()
    }


# Each cohort's stories (days since the village started, and what it decides), taken in turn.
COHORTS: dict[str, list[dict[str, Any]]] = {
    "2009": [  # preparing, or in the four days of guidance
        {"age_days": 1.5},
        {"age_days": 6, "bersedia": False},
        {"age_days": 9.5},
        {"age_days": 13.5},
        {"age_days": 4.5, "calon_peserta": 26},
        {"age_days": 16.5},
        {"age_days": 11},
    ],
    "2008": [  # carrying out the action plan: monthly progress, the month-3 visit, the month-5 evaluation
        {"age_days": 83, "calon_peserta": 28},
        {"age_days": 112, "perlu_revisi": True},
        {"age_days": 53},
        {"age_days": 100},
        {"age_days": 140},
        {"age_days": 116.5, "perlu_revisi": True},
        {"age_days": 60},
        {"age_days": 125},
        {"age_days": 90},
        {"age_days": 70},
    ],
    "2007": [  # evaluated, reporting (one report late), handing over
        {"age_days": 160, "skor_evaluasi": 2},
        {"age_days": 225, "laporan_delay_days": 40},
        {"age_days": 180, "skor_evaluasi": 4},
        {"age_days": 205},
        {"age_days": 212},
        {"age_days": 218},
        {"age_days": 221, "skor_evaluasi": 2},
        {"age_days": 195},
        {"age_days": 170},
    ],
    "2006": [  # finished, reflecting, or in the Pokja's second cycle
        {"age_days": 300, "lanjut_siklus": True},
        {"age_days": 245, "skor_evaluasi": 4},
        {"age_days": 265},
        {"age_days": 230},
    ],
}


def story(village: Village, cohort: str, index: int) -> Story:
    stories = COHORTS.get(cohort) or COHORTS["2008"]
    return Story(village, **stories[index % len(stories)])


def staff(villages: list[Village]) -> list[Person]:
    people = [
        Person("admin", "admin", "Admin Sistem", admin=True),
        Person("pusat.andi", "Fasilitator Pusat, semua desa", grants=[("Fasilitator Pusat", None, None)]),
        Person("pusat.dewi", "Fasilitator Pusat, semua desa", grants=[("Fasilitator Pusat", None, None)]),
        Person(
            "perancang", "Perancang Program (Badiklit Kessos)", grants=[("Perancang Program", None, None)]
        ),
        Person("auditor.itjen", "Auditor (Itjen), semua desa, hanya baca", grants=[("Auditor", None, None)]),
    ]
    for code, name in sorted({(v.kabupaten_code, v.kabupaten) for v in villages}):
        grants: list[tuple[str, str | None, str | None]] = [("Fasilitator Daerah", None, code)]
        people.append(Person(f"daerah.{slug(name)}", f"Fasilitator Daerah, {name}", grants=grants))
    for village in villages:
        base = slug(village.name)
        for n in (1, 2):
            grants = [("Pendamping", village.code, None)]
            people.append(Person(f"pendamping{n}.{base}", f"Pendamping, {village.name}", grants=grants))
        grants = [("Pengurus Pokja", village.code, None)]
        people.append(Person(f"pokja.{base}", f"Pengurus Pokja, {village.name}", grants=grants))
    return people
