"""One village through the whole program, through the engine API only, as the right person each time."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from engine.core import Engine
from engine.definitions import folder as definitions
from engine.runtime import actions as runtime
from engine.views import queries
from engine.worker import timers
from tests.conftest import LEMPUR, OTHER, PROGRAM, set_up
from tests.engine.helpers import set_clock
from tests.model_desa_program import FORM_EXAMPLES

T0 = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)

STAFF = {
    "Fasilitator Pusat": "pusat",
    "Fasilitator Daerah": "daerah",
    "Pendamping": "pendamping1",
    "Pengurus Pokja": "pokja",
}


_STAFF = [
    ("pusat", "Fasilitator Pusat", None, None),
    ("daerah", "Fasilitator Daerah", None, "15.01"),
    ("pendamping1", "Pendamping", LEMPUR, None),
    ("pendamping2", "Pendamping", LEMPUR, None),
    ("pokja", "Pengurus Pokja", LEMPUR, None),
    ("pendamping.lain", "Pendamping", OTHER, None),
    ("pokja.lain", "Pengurus Pokja", OTHER, None),
]


@pytest.fixture
def program(engine: Engine) -> Engine:
    set_up(engine, PROGRAM, [LEMPUR, OTHER], _STAFF, lambda name: "rahasia")
    set_clock(engine, T0)
    return engine


class Village:
    """Drives one village's program: who gets which task, when, and what they answer."""

    def __init__(self, engine: Engine, code: str = LEMPUR) -> None:
        self.engine = engine
        self.code = code
        self.now = T0
        self.instance = runtime.start(engine, "program_desa", code, "pusat").instance_id
        self.inboxes: list[tuple[str, str, str, datetime]] = []  # (bpmn id, name, user, when)
        self.plan_start = PLAN_START  # the day its action plan starts

    def open(self) -> list[str]:
        return sorted(t.bpmn_id for t in queries.tasks(self.engine, instance_id=self.instance))

    def do(
        self,
        bpmn_id: str,
        role: str,
        changes: dict[str, Any] | None = None,
        as_user: str | None = None,
        **overrides: Any,
    ) -> str:
        found = [t for t in queries.tasks(self.engine, instance_id=self.instance) if t.bpmn_id == bpmn_id]
        assert found, f"{bpmn_id} is not open at {self.now:%Y-%m-%d}; open: {self.open()}"
        task = found[0]
        assert task.role == role, f"{bpmn_id} went to {task.role}, not {role}"
        user = as_user or STAFF[role]
        assert task.id in {t.id for t in queries.tasks(self.engine, user=user)}, (
            f"{user} does not see {bpmn_id}"
        )
        for outsider in ("pendamping.lain", "pokja.lain"):
            assert task.id not in {t.id for t in queries.tasks(self.engine, user=outsider)}
        data = copy.deepcopy(FORM_EXAMPLES.get(f"{bpmn_id}.json", {}))
        data.update(overrides)
        for key, value in (changes or {}).items():
            data[key] = value
        runtime.complete(self.engine, task.id, user, data)
        self.inboxes.append((bpmn_id, task.name, user, self.now))
        return task.name

    def advance_to(self, at: datetime) -> int:
        self.now = at
        set_clock(self.engine, at)
        return timers.fire_due(self.engine, at)

    def deliver(self, message: str, payload: dict[str, Any]) -> list[int]:
        return [
            r.instance_id for r in runtime.deliver_message(self.engine, message, self.code, "pusat", payload)
        ]

    def due(self, name: str) -> datetime:
        found = [
            t for t in queries.timers(self.engine) if t["instance"] == self.instance and t["name"] == name
        ]
        assert found, f"no timer {name}; timers: {[t['name'] for t in queries.timers(self.engine)]}"
        return datetime.fromisoformat(found[0]["due_at"])

    def appears_exactly_at(self, timer_name: str, bpmn_id: str) -> datetime:
        """The task appears when its timer is due, not a second before."""
        due = self.due(timer_name)
        self.advance_to(due - timedelta(seconds=1))
        assert bpmn_id not in self.open(), f"{bpmn_id} appeared before {due}"
        self.advance_to(due)
        assert bpmn_id in self.open(), f"{bpmn_id} did not appear at {due}"
        return due

    def data(self) -> dict[str, Any]:
        return queries.instance_data(self.engine, self.instance)


def scores(value: int) -> dict[str, Any]:
    template = FORM_EXAMPLES["pemetaan_kondisi_awal.json"]["kondisi_awal"]
    return {dim: {key: {**p, "skor": value} for key, p in params.items()} for dim, params in template.items()}


WIB = timezone(timedelta(hours=7))
PLAN_START = datetime(2027, 3, 1, tzinfo=WIB)  # rencana_aksi.json: tanggal_mulai_rencana_aksi


def month(n: int, start: datetime = PLAN_START) -> datetime:
    """The plan's start plus n calendar months, at 00:00 WIB (a start before the 29th)."""
    year, index = divmod(start.month - 1 + n, 12)
    return start.replace(year=start.year + year, month=index + 1)


def all_done() -> list[dict[str, Any]]:
    """A month's progress in which every activity of the action plan is done."""
    plan = FORM_EXAMPLES["rencana_aksi.json"]["rencana_aksi"]
    return [{"kegiatan": k["kegiatan"], "status": "Selesai", "catatan": "Terlaksana."} for k in plan]


# The tasks before the learning contract, each with the role it goes to, in order.
BEFORE_THE_CONTRACT = [
    ("tetapkan_petugas", "Fasilitator Pusat"),
    ("koordinasi_dinas_sosial", "Fasilitator Daerah"),
    ("siapkan_lokasi", "Fasilitator Daerah"),
    ("siapkan_calon_peserta", "Fasilitator Daerah"),
    ("pemetaan_kondisi_awal", "Fasilitator Daerah"),
    ("pembekalan", "Fasilitator Pusat"),
    ("registrasi_peserta", "Pendamping"),
]


def through_preparation_and_training(v: Village, baseline: int = 2) -> None:
    v.do("tetapkan_petugas", "Fasilitator Pusat")
    v.do("koordinasi_dinas_sosial", "Fasilitator Daerah")
    v.do("siapkan_lokasi", "Fasilitator Daerah")
    v.do("siapkan_calon_peserta", "Fasilitator Daerah")
    v.do("pemetaan_kondisi_awal", "Fasilitator Daerah", kondisi_awal=scores(baseline))
    v.do("pembekalan", "Fasilitator Pusat")
    v.do("registrasi_peserta", "Pendamping")
    days = FORM_EXAMPLES["kontrak_belajar.json"]["tanggal_bimbingan"]
    if v.now.date().isoformat() >= days[0]:  # a village starting later agrees later days
        days = [(v.now + timedelta(days=1 + d)).date().isoformat() for d in range(4)]
        start = datetime.fromisoformat(days[-1]).replace(tzinfo=WIB) + timedelta(days=10)
        v.plan_start = start.replace(day=min(start.day, 28))
    v.do("kontrak_belajar", "Fasilitator Pusat", tanggal_bimbingan=days)
    # Each day's attendance opens on the date agreed in the learning contract, at its start time.
    for day, date in enumerate(days, start=1):
        opened = v.appears_exactly_at("Hari Bimbingan Dimulai", "absensi_bimbingan")
        assert opened == datetime.fromisoformat(f"{date}T08:30:00+07:00")
        name = v.do("absensi_bimbingan", "Pendamping")
        assert name == f"Absensi Bimbingan Sosial Hari ke-{day}"
    v.do("asesmen_masalah", "Fasilitator Pusat")
    v.do("alternatif_program", "Fasilitator Pusat")
    v.do("rencana_aksi", "Fasilitator Daerah", tanggal_mulai_rencana_aksi=v.plan_start.date().isoformat())
    v.do("bentuk_pokja", "Fasilitator Daerah")
    v.do("komitmen_peserta", "Pengurus Pokja")
    v.do("transfer_dana_stimulan", "Fasilitator Pusat")


def through_monitoring_and_evaluation(
    v: Village, evaluation: int, revise: bool, done: list[dict[str, Any]] | None = None
) -> None:
    """Six months of the action plan, every date counted from its start; `done` is the last
    month's progress (by default the example's)."""
    for n in (1, 2):
        assert v.appears_exactly_at("Akhir Bulan Rencana Aksi", "catat_kemajuan") == month(n, v.plan_start)
        assert v.do("catat_kemajuan", "Pengurus Pokja") == f"Kemajuan Rencana Aksi Bulan ke-{n}"
    assert v.appears_exactly_at("Setelah Tiga Bulan", "monitoring_bulan_3") == month(3, v.plan_start)
    v.do("monitoring_bulan_3_pusat", "Fasilitator Pusat")
    v.do("monitoring_bulan_3", "Fasilitator Daerah", perlu_revisi=revise)
    if revise:
        assert "revisi_rencana_aksi" in v.open()
        v.do("revisi_rencana_aksi", "Pengurus Pokja")
    else:
        assert "revisi_rencana_aksi" not in v.open()
    assert "catat_kemajuan" in v.open()  # month 3's progress came with the same day
    v.do("catat_kemajuan", "Pengurus Pokja")
    assert v.appears_exactly_at("Akhir Bulan Rencana Aksi", "catat_kemajuan") == month(4, v.plan_start)
    assert {"evaluasi_bulan_5", "evaluasi_bulan_5_pusat"} <= set(v.open())  # month 5 begins: 4 months in
    v.do("catat_kemajuan", "Pengurus Pokja")
    v.do("evaluasi_bulan_5_pusat", "Fasilitator Pusat")
    v.do("evaluasi_bulan_5", "Fasilitator Daerah", kondisi_evaluasi=scores(evaluation))
    assert v.appears_exactly_at("Akhir Bulan Rencana Aksi", "catat_kemajuan") == month(5, v.plan_start)
    v.do("catat_kemajuan", "Pengurus Pokja")
    assert v.appears_exactly_at("Akhir Bulan Rencana Aksi", "catat_kemajuan") == month(6, v.plan_start)
    last = done or FORM_EXAMPLES["catat_kemajuan.json"]["kemajuan"]
    v.do("catat_kemajuan", "Pengurus Pokja", kemajuan=last)


def test_a_village_goes_through_the_whole_program(program: Engine) -> None:
    v = Village(program)
    through_preparation_and_training(v, baseline=2)
    data = v.data()
    assert data["skor_awal"] == [2.0, 2.0, 2.0, 2.0]
    assert data["tingkat_awal"] == ["Rendah"] * 4

    through_monitoring_and_evaluation(v, evaluation=4, revise=True, done=all_done())
    data = v.data()
    assert data["tingkat_evaluasi"] == ["Tinggi"] * 4
    assert data["dimensi_menguat"] == [
        "perlindungan_sosial",
        "partisipasi",
        "pengendalian_konflik",
        "kearifan_lokal",
    ]
    assert data["jumlah_diterapkan"] == 4
    assert (data["status_desa"], data["berketahanan_sosial"]) == ("Berketahanan Sosial", True)
    assert v.now == month(6, v.plan_start)  # the report is written after month 6
    through_report_termination_and_reflection(v)
    program = v.engine
    detail = queries.instance_detail(program, v.instance)
    assert detail["status"] == "completed"
    assert detail["tasks"] == [] and detail["timers"] == []

    # Who got which task: every role acted, each in its own steps.
    roles = {user for _, _, user, _ in v.inboxes}
    assert roles == {"pusat", "daerah", "pendamping1", "pendamping2", "pokja"}


def through_report_termination_and_reflection(v: Village) -> None:
    program = v.engine
    v.do("tulis_laporan", "Pengurus Pokja")
    approvals = sorted(t.name for t in queries.tasks(program, instance_id=v.instance))
    assert approvals == [
        f"Persetujuan Laporan oleh Pendamping ({p['nama']})"
        for p in sorted(FORM_EXAMPLES["tetapkan_petugas.json"]["pendamping"], key=lambda p: p["nama"])
    ]
    v.do("setujui_laporan", "Pendamping")
    v.do("setujui_laporan", "Pendamping", as_user="pendamping2")  # two approvals, two people
    history = queries.instance_detail(program, v.instance)["history"]
    sent = [m for e in history for m in e["data"].get("messages_sent", [])]
    assert [m["name"] for m in sent] == ["laporan_dikirim"]
    receipts = {
        "tanda_terima_badiklit": "Sekretariat Badiklit Kessos",
        "tanda_terima_dinsos_kabupaten": "Dinas Sosial Kabupaten Kerinci",
        "tanda_terima_dinsos_provinsi": "Dinas Sosial Provinsi Jambi",
    }
    v.advance_to(v.now + timedelta(days=3))
    for message, receiver in receipts.items():
        payload = {"diterima_oleh": receiver, "tanggal": v.now.date().isoformat()}
        assert v.deliver(message, payload) == [v.instance]
    data = v.data()
    for message, receiver in receipts.items():
        assert data[message]["diterima_oleh"] == receiver  # who received it, and when
    levels = sorted(t.name for t in queries.tasks(program, instance_id=v.instance))
    assert levels == sorted(
        f"Berita Acara Serah Terima: {level}"
        for level in ["Desa/Kelurahan", "Kecamatan", "Kabupaten/Kota", "Provinsi"]
    )
    for _ in range(4):
        v.do("berita_acara_serah_terima", "Fasilitator Daerah")
    v.do("pengakhiran_program", "Fasilitator Pusat")

    assert v.do("evaluasi_pokja", "Pengurus Pokja", lanjut_siklus=True).endswith("(Siklus ke-1)")
    v.do("rencana_aksi_lanjutan", "Pengurus Pokja")
    v.appears_exactly_at("Siklus Berjalan Enam Bulan", "laporan_siklus")
    v.do("laporan_siklus", "Pengurus Pokja")
    assert v.do("evaluasi_pokja", "Pengurus Pokja", lanjut_siklus=False).endswith("(Siklus ke-2)")


def test_a_village_that_did_not_strengthen(program: Engine) -> None:
    v = Village(program)
    through_preparation_and_training(v, baseline=2)
    through_monitoring_and_evaluation(v, evaluation=2, revise=False)
    data = v.data()
    assert data["dimensi_menguat"] == []
    assert (data["status_desa"], data["berketahanan_sosial"]) == ("Belum Berketahanan Sosial", False)


def test_a_village_that_withdraws_during_preparation(program: Engine) -> None:
    v = Village(program)
    v.do("tetapkan_petugas", "Fasilitator Pusat")
    v.do(
        "koordinasi_dinas_sosial",
        "Fasilitator Daerah",
        desa_bersedia=False,
        alasan_mundur="Ditunda oleh desa.",
    )
    detail = queries.instance_detail(program, v.instance)
    assert detail["status"] == "completed" and detail["tasks"] == []


def test_fewer_than_30_participants_need_no_approval(program: Engine) -> None:
    # "maksimal 30 (tiga puluh) orang atau sesuai dengan kebutuhan setempat": fewer is no exception.
    v = Village(program)
    v.do("tetapkan_petugas", "Fasilitator Pusat")
    v.do("koordinasi_dinas_sosial", "Fasilitator Daerah")
    v.do("siapkan_lokasi", "Fasilitator Daerah")
    calon = FORM_EXAMPLES["siapkan_calon_peserta.json"]["calon_peserta"]
    v.do("siapkan_calon_peserta", "Fasilitator Daerah", calon_peserta=calon[:26])
    assert v.open() == ["pemetaan_kondisi_awal"]


def test_a_late_report_reminds_the_companion_then_escalates(program: Engine) -> None:
    v = Village(program)
    through_preparation_and_training(v)
    through_monitoring_and_evaluation(v, evaluation=3, revise=False)
    written_from = v.now
    v.appears_exactly_at("14 Hari Terlambat", "ingatkan_laporan")
    assert v.now == written_from + timedelta(days=14)
    assert "tulis_laporan" in v.open()  # the report task stays with the Pokja
    v.do("ingatkan_laporan", "Pendamping")
    v.appears_exactly_at("30 Hari Terlambat", "eskalasi_laporan")
    v.do("eskalasi_laporan", "Fasilitator Daerah")
    v.do("tulis_laporan", "Pengurus Pokja")
    assert sorted(v.open()) == ["setujui_laporan", "setujui_laporan"]


def test_every_process_file_validates_and_has_diagram_interchange() -> None:
    bundle = definitions.load([PROGRAM])
    assert [str(p) for p in bundle.problems if p.severity == "error"] == []
    assert set(bundle.specs) >= {
        "program_desa",
        "persiapan",
        "pelaksanaan_pengembangan",
        "monitoring_evaluasi_pelaporan",
        "terminasi",
        "refleksi",
    }
    from lxml import etree

    for path in sorted(PROGRAM.glob("*.bpmn")):
        tree = etree.parse(str(path))
        ns = {
            "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
            "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
        }
        drawn = {e.get("bpmnElement") for e in tree.iterfind(".//bpmndi:BPMNShape", ns)}
        drawn |= {e.get("bpmnElement") for e in tree.iterfind(".//bpmndi:BPMNEdge", ns)}
        process = tree.find(".//bpmn:process", ns)
        assert process is not None
        for element in process:
            undrawn = ("laneSet", "documentation", "property")  # properties: declared task data
            if element.get("id") and etree.QName(element).localname not in undrawn:
                assert element.get("id") in drawn, f"{path.name}: {element.get('id')} has no diagram shape"
        for kind in ("userTask", "scriptTask", "businessRuleTask", "callActivity"):
            for task in tree.iterfind(f".//bpmn:{kind}", ns):
                documented = task.find("bpmn:documentation", ns)
                assert documented is not None and documented.text, f"{path.name}: {task.get('id')} has no doc"
        # No two shapes overlap (boundary events sit on the border of their task, as modelers draw them).
        boundary = {e.get("id") for e in tree.iterfind(".//bpmn:boundaryEvent", ns)}
        boxes = []
        for shape in tree.iterfind(".//bpmndi:BPMNShape", ns):
            element = shape.get("bpmnElement") or ""
            if element in boundary or element.startswith(("Peserta_", "Lajur_")):
                continue
            b = shape.find("{http://www.omg.org/spec/DD/20100524/DC}Bounds")
            assert b is not None
            x, y, w, h = (float(b.get(k) or 0) for k in ("x", "y", "width", "height"))
            boxes.append((element, x, y, w, h))
        for i, (a, ax, ay, aw, ah) in enumerate(boxes):
            for b_id, bx, by, bw, bh in boxes[i + 1 :]:
                overlap = ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah
                assert not overlap, f"{path.name}: {a} and {b_id} overlap"
