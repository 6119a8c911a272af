"""The end of step 3 (processes/model_desa/monitoring_evaluasi_pelaporan.bpmn), for
tools/layout_monev.py: the village's verdict once the six months are over, the report written by
the Pokja board and the two pendamping, and the three receipts, each with a deadline."""

from __future__ import annotations

from bpmn_builder import Node, Process
from program_parts import merge, user

# What "applied" (diterapkan) means for one dimension: the action-plan activities of that dimension
# carried out (status Selesai in any month's progress) and its evaluated score; the thresholds are
# in processes/model_desa/penerapan_dimensi.dmn.
PENERAPAN = (
    "kegiatan_terlaksana = sorted(set([b['kegiatan'] for m in kemajuan_bulanan for b in m['butir'] "
    "if b['status'] == 'Selesai']))\n"
    "dimensi_penerapan = [{'dimensi': d, 'kegiatan_terlaksana': len([r for r in rencana_aksi "
    "if r['dimensi'] == d and r['kegiatan'] in kegiatan_terlaksana]), 'skor_evaluasi': skor_evaluasi[i]} "
    "for (i, d) in enumerate(dimensi_urut)]"
)
RECEIPTS = [
    ("badiklit", "Badiklit Kessos", 0, 0, "Fasilitator pusat"),
    ("dinsos_kabupaten", "Dinas Sosial Kabupaten/Kota", 2, 1, "Fasilitator daerah"),
    ("dinsos_provinsi", "Dinas Sosial Provinsi", 4, 1, "Fasilitator daerah"),
]


def laporan(p: Process) -> None:
    p.messages = {
        "Pesan_laporan_dikirim": "laporan_dikirim",
        **{f"Pesan_tanda_terima_{key}": f"tanda_terima_{key}" for key, *_ in RECEIPTS},
    }
    verdict(p)
    report(p)
    receipts(p)


def verdict(p: Process) -> None:
    """Berketahanan Sosial when all four dimensions are applied (the source's "empat dimensi")."""
    p.add(
        Node("hitung_penerapan", "scriptTask", "Menghitung Penerapan Setiap Dimensi", 1, 12, script=PENERAPAN)
    )
    p.add(
        Node(
            "penerapan_dimensi",
            "businessRuleTask",
            "Menentukan Dimensi yang Diterapkan",
            1,
            13,
            decision="penerapan_dimensi",
            multi={
                "collection": "dimensi_penerapan",
                "item": "dimensi_ini",
                "output": "dimensi_diterapkan_ya",
                "output_item": "diterapkan",
                "sequential": "1",
            },
        )
    )
    p.add(
        Node(
            "rekap_penerapan",
            "scriptTask",
            "Merekap Dimensi yang Diterapkan",
            1,
            14,
            script="dimensi_diterapkan = [dimensi_urut[i] for i in range(4) if dimensi_diterapkan_ya[i]]\n"
            "jumlah_diterapkan = len(dimensi_diterapkan)",
        )
    )
    p.add(
        Node(
            "status_ketahanan",
            "businessRuleTask",
            "Menentukan Status Ketahanan Sosial Desa",
            1,
            15,
            decision="status_ketahanan_sosial",
            doc="Tabel keputusan status_ketahanan_sosial: desa berketahanan sosial bila keempat dimensinya diterapkan.",
        )
    )
    chain = ["gabung_jalur", "hitung_penerapan", "penerapan_dimensi", "rekap_penerapan", "status_ketahanan"]
    for a, b in zip(chain, chain[1:], strict=False):
        p.flow(a, b)


def report(p: Process) -> None:
    user(
        p,
        "tulis_laporan",
        "Menyusun Laporan Pelaksanaan",
        2,
        16,
        "Pengurus Pokja menulis laporan pelaksanaan rencana aksi; kedua pendamping menulis bagian mereka "
        "saat menyetujuinya.",
    )
    for slot, (days, name) in enumerate([(14, "14 Hari Terlambat"), (30, "30 Hari Terlambat")]):
        p.add(
            Node(
                "laporan_terlambat" if days == 14 else "laporan_sangat_terlambat",
                "boundaryEvent",
                name,
                2,
                16,
                attached_to="tulis_laporan",
                interrupting=False,
                timer=("timeDuration", f'"P{days}D"'),
                slot=slot,
            )
        )
    user(
        p,
        "ingatkan_laporan",
        "Mengingatkan Pokja tentang Laporan",
        3,
        17,
        row=1,
        doc="Pendamping mengingatkan pengurus Pokja bahwa laporan belum dikirim.",
    )
    p.add(Node("pengingat_selesai", "endEvent", "Pengingat Disampaikan", 3, 18, row=1))
    user(
        p,
        "eskalasi_laporan",
        "Menindaklanjuti Laporan yang Terlambat",
        1,
        17,
        "Fasilitator daerah menindaklanjuti laporan yang terlambat 30 hari bersama Pokja dan pendamping.",
    )
    p.add(Node("eskalasi_selesai", "endEvent", "Eskalasi Ditindaklanjuti", 1, 18))
    user(
        p,
        "setujui_laporan",
        "Persetujuan Laporan oleh Pendamping",
        3,
        17,
        "Setiap pendamping menulis bagiannya dalam laporan dan menyetujuinya; kedua persetujuan diberikan oleh "
        "dua orang yang berbeda.",
        props={
            "displayName": "Persetujuan Laporan oleh Pendamping ({pendamping_ini[nama]})",
            "separate_from": "setujui_laporan",
        },
        multi={
            "collection": "pendamping",
            "item": "pendamping_ini",
            "output": "persetujuan_pendamping",
            "output_item": "persetujuan",
        },
    )
    p.add(
        Node(
            "kirim_laporan",
            "intermediateThrowEvent",
            "Laporan Dikirim ke Badiklit Kessos",
            2,
            18,
            message="Pesan_laporan_dikirim",
            message_payload="laporan",
        )
    )
    p.flow("status_ketahanan", "tulis_laporan")
    p.flow("laporan_terlambat", "ingatkan_laporan")
    p.flow("ingatkan_laporan", "pengingat_selesai")
    p.flow("laporan_sangat_terlambat", "eskalasi_laporan")
    p.flow("eskalasi_laporan", "eskalasi_selesai")
    p.flow("tulis_laporan", "setujui_laporan")
    p.flow("setujui_laporan", "kirim_laporan")


def receipts(p: Process) -> None:
    """Each receipt is awaited 14 days at a time; when none came, someone who can act follows it up."""
    p.add(Node("bagi_tembusan", "parallelGateway", "", 0, 19, row=2))
    p.add(Node("gabung_tembusan", "parallelGateway", "", 0, 24, row=2))
    p.add(Node("monev_selesai", "endEvent", "Laporan dan Tembusan Diterima", 0, 25, row=2))
    for key, whom, row, lane, who in RECEIPTS:
        merge(p, f"ulang_{key}", 0, 20, row=row)
        p.add(Node(f"tunggu_{key}", "eventBasedGateway", "", 0, 21, row=row))
        p.add(
            Node(
                f"terima_{key}",
                "intermediateCatchEvent",
                "Diterima Badiklit Kessos" if key == "badiklit" else f"Tembusan Diterima {whom}",
                0,
                22,
                row=row,
                message=f"Pesan_tanda_terima_{key}",
                message_var=f"tanda_terima_{key}",
            )
        )
        p.add(
            Node(
                f"batas_tanda_terima_{key}",
                "intermediateCatchEvent",
                "14 Hari Tanpa Tanda Terima",
                0,
                22,
                row=row + 1,
                timer=("timeDuration", '"P14D"'),
            )
        )
        user(
            p,
            f"tindak_lanjut_tanda_terima_{key}",
            f"Menindaklanjuti Tanda Terima {whom}",
            lane,
            23,
            row=row + 1 if lane == 0 else row,
            doc=f"{who} menanyakan laporan yang belum diterima {whom} dan mengirimnya ulang bila perlu.",
            props={"formJsonSchemaFilename": "tindak_lanjut_tanda_terima.json"},
        )
        p.flow("bagi_tembusan", f"ulang_{key}")
        p.flow(f"ulang_{key}", f"tunggu_{key}")
        p.flow(f"tunggu_{key}", f"terima_{key}")
        p.flow(f"tunggu_{key}", f"batas_tanda_terima_{key}")
        p.flow(f"batas_tanda_terima_{key}", f"tindak_lanjut_tanda_terima_{key}")
        p.flow(f"tindak_lanjut_tanda_terima_{key}", f"ulang_{key}")
        p.flow(f"terima_{key}", "gabung_tembusan")
    p.flow("kirim_laporan", "bagi_tembusan")
    p.flow("gabung_tembusan", "monev_selesai")
