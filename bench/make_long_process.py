"""Write bench/fixtures/processes/long.bpmn: one village programme cycle with 66 user tasks.

The process walks a village through the Desa Berketahanan Sosial cycle. Its user tasks sit in lanes
named by the roles (Pendamping, Fasilitator Daerah, Fasilitator Pusat); it has a script task that
computes a score, an exclusive gateway on that score, a three-way parallel section (one branch per
role), an exclusive gateway on the category chosen in a form, and long sequential stretches.
One run completes 12 + 6 + 18 + 12 + 6 + 12 = 66 user tasks.

    .venv/bin/python bench/make_long_process.py      # rewrites the file
    .venv/bin/desa validate bench/fixtures/processes
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

OUT = Path(__file__).parent / "fixtures" / "processes" / "long.bpmn"
PROCESS_ID = "siklus_desa"

P, D, N = "Pendamping", "Fasilitator Daerah", "Fasilitator Pusat"
LANES = {P: "Lane_pendamping", D: "Lane_daerah", N: "Lane_pusat"}

# (bpmn id, name, lane, form)
PERSIAPAN = [
    ("sosialisasi_desa", "Sosialisasi Program di Desa", P, "laporan.json"),
    ("bentuk_tim", "Bentuk Tim Pelaksana Desa", P, "laporan.json"),
    ("pendataan_keluarga", "Pendataan Keluarga", P, "laporan.json"),
    ("pendataan_lansia", "Pendataan Lansia", P, "laporan.json"),
    ("pendataan_disabilitas", "Pendataan Penyandang Disabilitas", P, "laporan.json"),
    ("pemetaan_potensi", "Pemetaan Potensi Desa", P, "laporan.json"),
    ("pemetaan_risiko", "Pemetaan Risiko Bencana", P, "laporan.json"),
    ("verifikasi_data", "Verifikasi Data Pendataan", D, "laporan.json"),
    ("penilaian_kerentanan", "Penilaian Kerentanan Keluarga", D, "penilaian.json"),
    ("rekap_kabupaten", "Rekap Data Kabupaten", D, "laporan.json"),
    ("telaah_pusat", "Telaah Data oleh Pusat", N, "laporan.json"),
    ("tetapkan_sasaran", "Tetapkan Sasaran Intervensi", N, "laporan.json"),
]
INTENSIF = [
    ("intensif_rencana", "Susun Rencana Pendampingan Intensif", P, "laporan.json"),
    ("intensif_kunjungan_1", "Kunjungan Rumah Pertama", P, "laporan.json"),
    ("intensif_kunjungan_2", "Kunjungan Rumah Kedua", P, "laporan.json"),
    ("intensif_rujukan", "Rujukan Layanan Sosial", P, "laporan.json"),
    ("intensif_supervisi", "Supervisi Pendampingan Intensif", D, "laporan.json"),
    ("intensif_evaluasi", "Evaluasi Pendampingan Intensif", D, "laporan.json"),
]
REGULER = [
    ("reguler_rencana", "Susun Rencana Pendampingan Reguler", P, "laporan.json"),
    ("reguler_kunjungan", "Kunjungan Rumah", P, "laporan.json"),
    ("reguler_pertemuan", "Pertemuan Kelompok", P, "laporan.json"),
    ("reguler_catatan", "Catatan Perkembangan", P, "laporan.json"),
    ("reguler_supervisi", "Supervisi Pendampingan Reguler", D, "laporan.json"),
    ("reguler_evaluasi", "Evaluasi Pendampingan Reguler", D, "laporan.json"),
]
PARALEL = [
    [
        ("desa_musyawarah", "Musyawarah Desa", P, "laporan.json"),
        ("desa_rencana_aksi", "Rencana Aksi Desa", P, "laporan.json"),
        ("desa_kader", "Pelatihan Kader", P, "laporan.json"),
        ("desa_posko", "Bentuk Posko Siaga", P, "laporan.json"),
        ("desa_simulasi", "Simulasi Tanggap Darurat", P, "laporan.json"),
        ("desa_laporan", "Laporan Kegiatan Desa", P, "laporan.json"),
    ],
    [
        ("daerah_koordinasi", "Rapat Koordinasi Kabupaten", D, "laporan.json"),
        ("daerah_anggaran", "Usulan Anggaran Daerah", D, "laporan.json"),
        ("daerah_mitra", "Libatkan Mitra Daerah", D, "laporan.json"),
        ("daerah_pelatihan", "Pelatihan Pendamping", D, "laporan.json"),
        ("daerah_monitoring", "Monitoring Kabupaten", D, "laporan.json"),
        ("daerah_laporan", "Laporan Kabupaten", D, "laporan.json"),
    ],
    [
        ("pusat_pedoman", "Terbitkan Pedoman Teknis", N, "laporan.json"),
        ("pusat_alokasi", "Alokasi Bantuan", N, "laporan.json"),
        ("pusat_sistem", "Siapkan Sistem Pelaporan", N, "laporan.json"),
        ("pusat_bimtek", "Bimbingan Teknis Nasional", N, "laporan.json"),
        ("pusat_kunjungan", "Kunjungan Lapangan Pusat", N, "laporan.json"),
        ("pusat_laporan", "Laporan Nasional Tahap", N, "laporan.json"),
    ],
]
PELAKSANAAN = [
    ("salur_bantuan", "Salurkan Bantuan", P, "laporan.json"),
    ("dokumentasi_bantuan", "Dokumentasi Penyaluran", P, "laporan.json"),
    ("kelompok_usaha", "Bentuk Kelompok Usaha", P, "laporan.json"),
    ("pelatihan_usaha", "Pelatihan Usaha", P, "laporan.json"),
    ("pendampingan_usaha", "Pendampingan Usaha", P, "laporan.json"),
    ("laporan_bulanan", "Laporan Bulanan Desa", P, "laporan.json"),
    ("periksa_laporan", "Periksa Laporan Bulanan", D, "laporan.json"),
    ("monitoring_lapangan", "Monitoring Lapangan", D, "laporan.json"),
    ("umpan_balik", "Umpan Balik ke Desa", D, "laporan.json"),
    ("perbaikan_desa", "Perbaikan oleh Desa", P, "laporan.json"),
    ("validasi_kabupaten", "Validasi Kabupaten", D, "laporan.json"),
    ("penetapan_kategori", "Penetapan Kategori Desa", N, "kategori.json"),
]
TANGGUH = [
    ("tangguh_dokumentasi", "Dokumentasi Praktik Baik", P, "laporan.json"),
    ("tangguh_replikasi", "Rencana Replikasi", D, "laporan.json"),
    ("tangguh_mentor", "Tetapkan Desa Mentor", D, "laporan.json"),
    ("tangguh_publikasi", "Publikasi Praktik Baik", N, "laporan.json"),
    ("tangguh_penghargaan", "Usulan Penghargaan", N, "laporan.json"),
    ("tangguh_forum", "Forum Berbagi Nasional", N, "laporan.json"),
]
BERKEMBANG = [
    ("berkembang_analisis", "Analisis Kesenjangan", D, "laporan.json"),
    ("berkembang_rencana", "Rencana Penguatan", P, "laporan.json"),
    ("berkembang_pelatihan", "Pelatihan Lanjutan", P, "laporan.json"),
    ("berkembang_pendampingan", "Pendampingan Lanjutan", P, "laporan.json"),
    ("berkembang_review", "Tinjau Kemajuan", D, "laporan.json"),
    ("berkembang_laporan", "Laporan Penguatan", D, "laporan.json"),
]
RINTISAN = [
    ("rintisan_asesmen", "Asesmen Ulang", D, "laporan.json"),
    ("rintisan_rencana", "Rencana Pembinaan Khusus", P, "laporan.json"),
    ("rintisan_pendampingan", "Pendampingan Khusus", P, "laporan.json"),
    ("rintisan_kunjungan", "Kunjungan Pembinaan", D, "laporan.json"),
    ("rintisan_review", "Review Pusat", N, "laporan.json"),
    ("rintisan_laporan", "Laporan Pembinaan", D, "laporan.json"),
]
PENUTUPAN = [
    ("evaluasi_akhir_desa", "Evaluasi Akhir Desa", P, "laporan.json"),
    ("survei_kepuasan", "Survei Kepuasan Warga", P, "laporan.json"),
    ("laporan_akhir_desa", "Laporan Akhir Desa", P, "laporan.json"),
    ("serah_terima", "Serah Terima ke Pemerintah Desa", P, "laporan.json"),
    ("evaluasi_kabupaten", "Evaluasi Kabupaten", D, "laporan.json"),
    ("laporan_akhir_kabupaten", "Laporan Akhir Kabupaten", D, "laporan.json"),
    ("arsip_kabupaten", "Arsipkan Dokumen Kabupaten", D, "laporan.json"),
    ("evaluasi_nasional", "Evaluasi Nasional", N, "laporan.json"),
    ("laporan_nasional", "Laporan Nasional", N, "laporan.json"),
    ("rekomendasi", "Rekomendasi Kebijakan", N, "laporan.json"),
    ("penutupan_siklus", "Penutupan Siklus", N, "laporan.json"),
    ("arsip_nasional", "Arsipkan Dokumen Nasional", N, "laporan.json"),
]


Task = tuple[str, str, str, str]


class Builder:
    def __init__(self) -> None:
        self.nodes: list[tuple[str, str, str, dict[str, str]]] = []  # kind, id, name, extra
        self.flows: list[tuple[str, str, str, str | None]] = []  # id, source, target, condition
        self.lanes: dict[str, list[str]] = {lane: [] for lane in LANES}
        self.defaults: dict[str, str] = {}  # gateway id -> default flow id

    def node(self, kind: str, node_id: str, name: str, lane: str, **extra: str) -> str:
        self.nodes.append((kind, node_id, name, extra))
        self.lanes[lane].append(node_id)
        return node_id

    def flow(self, source: str, target: str, condition: str | None = None) -> str:
        fid = f"f{len(self.flows) + 1}"
        self.flows.append((fid, source, target, condition))
        return fid

    def chain(
        self, start: str, tasks: list[Task], condition: str | None = None, default: bool = False
    ) -> str:
        """User tasks one after the other from `start` (the first flow may carry a condition or be
        the gateway's default); returns the last task's id."""
        previous = start
        for i, (bpmn_id, name, lane, form) in enumerate(tasks):
            self.node("userTask", bpmn_id, name, lane, form=form)
            fid = self.flow(previous, bpmn_id, condition if i == 0 else None)
            if i == 0 and default:
                self.defaults[start] = fid
            previous = bpmn_id
        return previous


SCRIPT = "skor = jumlah_kk_rentan * 2 + len(catatan) // 10\nprioritas = 'tinggi' if skor >= 10 else 'biasa'"


def build() -> Builder:
    b = Builder()
    b.node("startEvent", "mulai", "Siklus Dimulai", P)
    last = b.chain("mulai", PERSIAPAN)

    b.node("scriptTask", "hitung_skor", "Hitung Skor Kerentanan", D, script=SCRIPT)
    b.flow(last, "hitung_skor")
    b.node("exclusiveGateway", "cek_skor", "Skor tinggi?", D)
    b.flow("hitung_skor", "cek_skor")
    b.node("exclusiveGateway", "gabung_pendampingan", "", P)
    b.flow(b.chain("cek_skor", INTENSIF, condition="skor >= 10"), "gabung_pendampingan")
    b.flow(b.chain("cek_skor", REGULER, default=True), "gabung_pendampingan")

    b.node("parallelGateway", "pisah_paralel", "", N)
    b.flow("gabung_pendampingan", "pisah_paralel")
    b.node("parallelGateway", "gabung_paralel", "", N)
    for branch in PARALEL:
        b.flow(b.chain("pisah_paralel", branch), "gabung_paralel")

    last = b.chain("gabung_paralel", PELAKSANAAN)
    b.node("exclusiveGateway", "cek_kategori", "Kategori desa?", N)
    b.flow(last, "cek_kategori")
    b.node("exclusiveGateway", "gabung_kategori", "", N)
    b.flow(b.chain("cek_kategori", TANGGUH, condition="kategori == 'tangguh'"), "gabung_kategori")
    b.flow(b.chain("cek_kategori", BERKEMBANG, condition="kategori == 'berkembang'"), "gabung_kategori")
    b.flow(b.chain("cek_kategori", RINTISAN, default=True), "gabung_kategori")

    last = b.chain("gabung_kategori", PENUTUPAN)
    b.node("endEvent", "selesai", "Siklus Selesai", N)
    b.flow(last, "selesai")
    return b


def render(b: Builder) -> str:
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for fid, source, target, _ in b.flows:
        outgoing.setdefault(source, []).append(fid)
        incoming.setdefault(target, []).append(fid)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"',
        '    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"',
        '    id="Definitions_long" targetNamespace="http://bpmn.io/schema/bpmn">',
        "  <!-- Generated by bench/make_long_process.py; edit that script, not this file. -->",
        '  <bpmn:collaboration id="Collab_long">',
        f'    <bpmn:participant id="Participant_long" name="Siklus Desa" processRef="{PROCESS_ID}" />',
        "  </bpmn:collaboration>",
        f'  <bpmn:process id="{PROCESS_ID}" name="Siklus Desa Berketahanan Sosial" isExecutable="true">',
        '    <bpmn:laneSet id="LaneSet_long">',
    ]
    for lane, lane_id in LANES.items():
        out.append(f'      <bpmn:lane id="{lane_id}" name="{escape(lane)}">')
        out.extend(f"        <bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in b.lanes[lane])
        out.append("      </bpmn:lane>")
    out.append("    </bpmn:laneSet>")
    for kind, node_id, name, extra in b.nodes:
        attrs = f' id="{node_id}"' + (f' name="{escape(name)}"' if name else "")
        if node_id in b.defaults:
            attrs += f' default="{b.defaults[node_id]}"'
        out.append(f"    <bpmn:{kind}{attrs}>")
        if "form" in extra:
            out += [
                "      <bpmn:extensionElements>",
                "        <spiffworkflow:properties>",
                f'          <spiffworkflow:property name="formJsonSchemaFilename" value="{extra["form"]}" />',
                "        </spiffworkflow:properties>",
                "      </bpmn:extensionElements>",
            ]
        out += [f"      <bpmn:incoming>{f}</bpmn:incoming>" for f in incoming.get(node_id, [])]
        out += [f"      <bpmn:outgoing>{f}</bpmn:outgoing>" for f in outgoing.get(node_id, [])]
        if "script" in extra:
            out.append(f"      <bpmn:script>{escape(extra['script'])}</bpmn:script>")
        out.append(f"    </bpmn:{kind}>")
    for fid, source, target, condition in b.flows:
        if condition:
            out.append(f'    <bpmn:sequenceFlow id="{fid}" sourceRef="{source}" targetRef="{target}">')
            out.append(f"      <bpmn:conditionExpression>{escape(condition)}</bpmn:conditionExpression>")
            out.append("    </bpmn:sequenceFlow>")
        else:
            out.append(f'    <bpmn:sequenceFlow id="{fid}" sourceRef="{source}" targetRef="{target}" />')
    out += ["  </bpmn:process>", "</bpmn:definitions>", ""]
    return "\n".join(out)


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(render(build()), encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
