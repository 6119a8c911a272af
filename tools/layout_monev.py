"""The layout of step 3, Monitoring, Evaluasi dan Pelaporan
(processes/model_desa/monitoring_evaluasi_pelaporan.bpmn), for tools/make_program.py.

Every date of this step counts from the day the action plan starts (`tanggal_mulai_rencana_aksi`,
agreed in the action plan): month n's progress when month n ends, the monitoring after three
months, the evaluation as month 5 begins. The verdict and the receipts are in layout_laporan.py."""

from __future__ import annotations

from bpmn_builder import Node, Process
from layout_laporan import laporan
from program_parts import DIMENSI, FD, FP, PD, PK, ZONA, due, merge, user

# jadwal_bulan[n]: the plan's start plus n months (n = 0..6), the day clamped to the month's last
# day (31 January + 1 month = 28 or 29 February); batas_kemajuan[n]: 14 days after it.
JADWAL = (
    "jadwal_bulan = [date(y, m, min(d, (date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1)).day))"
    f".isoformat() + 'T00:00:00{ZONA}' for (t, n) in [(tanggal_mulai_rencana_aksi, n) for n in range(7)] "
    "for (y, m, d) in [((int(t[:4]) * 12 + int(t[5:7]) - 1 + n) // 12, (int(t[5:7]) - 1 + n) % 12 + 1, "
    "int(t[8:10]))]]\n"
    "batas_kemajuan = [(date(int(j[:4]), int(j[5:7]), int(j[8:10])) + timedelta(days=14)).isoformat() + "
    f"'T00:00:00{ZONA}' for j in jadwal_bulan]"
)
# Table 1's parameters that count people: measured at the baseline and again at the evaluation.
JUMLAH = (
    "[('perlindungan_sosial', 'tren_kelompok_rentan'), ('partisipasi', 'warga_dalam_organisasi'), "
    "('partisipasi', 'warga_dalam_pelayanan_sosial'), ('kearifan_lokal', 'warga_merusak_lingkungan')]"
)


def monev() -> Process:
    p = Process(
        "monitoring_evaluasi_pelaporan",
        "Monitoring, Evaluasi dan Pelaporan",
        [FP, FD, PK, PD],
        doc="Langkah 3: rencana aksi berjalan enam bulan sejak tanggal mulainya; tim fasilitator pusat dan "
        "daerah memonitor setelah tiga bulan dan mengevaluasi saat memasuki bulan kelima; laporan ke Badiklit "
        "Kessos dengan tembusan ke Dinas Sosial Kabupaten/Kota dan Provinsi.",
    )
    p.add(Node("monev_mulai", "startEvent", "Rencana Aksi Mulai Berjalan", 1, 0))
    p.add(Node("jadwal_rencana_aksi", "scriptTask", "Menghitung Jadwal Rencana Aksi", 1, 1, script=JADWAL))
    p.add(Node("bagi_jalur", "parallelGateway", "", 1, 2))
    bulanan(p)
    monitoring(p)
    evaluasi(p)
    p.add(Node("gabung_jalur", "parallelGateway", "", 1, 11))
    laporan(p)
    p.flow("monev_mulai", "jadwal_rencana_aksi")
    p.flow("jadwal_rencana_aksi", "bagi_jalur")
    for target in ("mulai_bulan", "tunggu_bulan_3", "tunggu_bulan_5"):
        p.flow("bagi_jalur", target)
    return p


def bulanan(p: Process) -> None:
    """The Pokja records progress when each of the six months ends."""
    p.add(
        Node(
            "mulai_bulan",
            "scriptTask",
            "Memulai Pencatatan Bulanan",
            2,
            3,
            script="bulan_ke = 1\nkemajuan_bulanan = []",
        )
    )
    merge(p, "gabung_bulan", 2, 4)
    p.add(
        Node(
            "tunggu_bulan",
            "intermediateCatchEvent",
            "Akhir Bulan Rencana Aksi",
            2,
            5,
            timer=("timeDate", "jadwal_bulan[bulan_ke]"),
        )
    )
    user(
        p,
        "catat_kemajuan",
        "Mencatat Kemajuan Rencana Aksi",
        2,
        6,
        "Pengurus Pokja mencatat kemajuan setiap butir rencana aksi bulan ini, dengan catatan dan bukti.",
        props={"displayName": "Kemajuan Rencana Aksi Bulan ke-{bulan_ke}"},
    )
    due(p, "catat_kemajuan", ("timeDate", "batas_kemajuan[bulan_ke]"), 2, 6, row=1)
    p.add(
        Node(
            "bulan_berikut",
            "scriptTask",
            "Bulan Berikutnya",
            2,
            7,
            script="kemajuan_bulanan = kemajuan_bulanan + [{'bulan': bulan_ke, 'butir': kemajuan}]\n"
            "bulan_ke = bulan_ke + 1",
        )
    )
    p.add(Node("cek_bulan", "exclusiveGateway", "Enam Bulan Selesai?", 2, 8))
    for a, b in [
        ("mulai_bulan", "gabung_bulan"),
        ("gabung_bulan", "tunggu_bulan"),
        ("tunggu_bulan", "catat_kemajuan"),
    ]:
        p.flow(a, b)
    p.flow("catat_kemajuan", "bulan_berikut")
    p.flow("bulan_berikut", "cek_bulan")
    p.flow("cek_bulan", "gabung_bulan", "Belum", "bulan_ke <= 6")
    p.default("cek_bulan", "gabung_jalur", "Selesai")


def monitoring(p: Process) -> None:
    """After three months: the central and the regional facilitators, each recording their part of
    the FGD with the Pokja; either side may ask for a revised action plan."""
    p.add(
        Node(
            "tunggu_bulan_3",
            "intermediateCatchEvent",
            "Setelah Tiga Bulan",
            1,
            3,
            timer=("timeDate", "jadwal_bulan[3]"),
        )
    )
    p.add(Node("bagi_monitoring", "parallelGateway", "", 1, 4))
    user(
        p,
        "monitoring_bulan_3_pusat",
        "Monitoring Bulan ke-3 (FGD): Fasilitator Pusat",
        0,
        5,
        "Fasilitator pusat mencatat kunjungan monitoring dan FGD bersama tim daerah: siapa yang ikut dan temuannya.",
        props={"separate_from": "monitoring_bulan_3"},
    )
    due(p, "monitoring_bulan_3_pusat", ("timeDate", "jadwal_bulan[4]"), 0, 5, row=1)
    user(
        p,
        "monitoring_bulan_3",
        "Monitoring Bulan ke-3 (FGD): Fasilitator Daerah",
        1,
        5,
        "Fasilitator daerah mencatat FGD monitoring bersama tim pusat: siapa yang ikut, temuan, dan perlu "
        "tidaknya revisi rencana aksi.",
        props={"separate_from": "monitoring_bulan_3_pusat"},
    )
    due(p, "monitoring_bulan_3", ("timeDate", "jadwal_bulan[4]"), 1, 5, row=1)
    p.add(Node("gabung_monitoring", "parallelGateway", "", 1, 6))
    p.add(
        Node(
            "hasil_monitoring",
            "scriptTask",
            "Merangkum Monitoring Tim Pusat dan Daerah",
            1,
            7,
            script="tim_monitoring = {'fasilitator_pusat': monitoring_pusat['fasilitator'], "
            "'fasilitator_daerah': monitoring['fasilitator']}\n"
            "revisi_diminta = perlu_revisi or monitoring_pusat['perlu_revisi']",
        )
    )
    p.add(Node("cek_revisi", "exclusiveGateway", "Perlu Revisi Rencana Aksi?", 1, 8))
    user(
        p,
        "revisi_rencana_aksi",
        "Merevisi Rencana Aksi",
        2,
        9,
        row=1,
        doc="Pengurus Pokja merevisi rencana aksi sesuai temuan monitoring tim pusat dan daerah.",
    )
    p.add(Node("gabung_revisi", "exclusiveGateway", "", 1, 10))
    p.flow("tunggu_bulan_3", "bagi_monitoring")
    for side in ("monitoring_bulan_3_pusat", "monitoring_bulan_3"):
        p.flow("bagi_monitoring", side)
        p.flow(side, "gabung_monitoring")
    p.flow("gabung_monitoring", "hasil_monitoring")
    p.flow("hasil_monitoring", "cek_revisi")
    p.flow("cek_revisi", "revisi_rencana_aksi", "Ya", "revisi_diminta == True")
    p.default("cek_revisi", "gabung_revisi", "Tidak")
    p.flow("revisi_rencana_aksi", "gabung_revisi")
    p.flow("gabung_revisi", "gabung_jalur")


def evaluasi(p: Process) -> None:
    """As month 5 begins: the joint team's FGD, the four dimensions measured again, the counts of
    Table 1 compared with the baseline."""
    p.add(
        Node(
            "tunggu_bulan_5",
            "intermediateCatchEvent",
            "Memasuki Bulan Kelima",
            1,
            3,
            row=2,
            timer=("timeDate", "jadwal_bulan[4]"),
        )
    )
    p.add(Node("bagi_evaluasi", "parallelGateway", "", 1, 4, row=2))
    user(
        p,
        "evaluasi_bulan_5_pusat",
        "Evaluasi Bulan ke-5 (FGD): Fasilitator Pusat",
        0,
        5,
        row=2,
        doc="Fasilitator pusat mencatat evaluasi dan FGD bersama tim daerah: siapa yang ikut, metode, "
        "penerapan enam prinsip, dan temuannya.",
        props={"separate_from": "evaluasi_bulan_5"},
    )
    due(p, "evaluasi_bulan_5_pusat", ("timeDate", "jadwal_bulan[5]"), 0, 5, row=3)
    user(
        p,
        "evaluasi_bulan_5",
        "Evaluasi Bulan ke-5 (FGD dan Pengukuran Ulang): Fasilitator Daerah",
        1,
        5,
        row=2,
        doc="Fasilitator daerah mencatat FGD evaluasi bersama tim pusat dan mengukur ulang empat dimensi dengan "
        "parameter yang sama seperti kondisi awal.",
        props={"separate_from": "evaluasi_bulan_5_pusat"},
    )
    due(p, "evaluasi_bulan_5", ("timeDate", "jadwal_bulan[5]"), 1, 5, row=3)
    p.add(Node("gabung_evaluasi", "parallelGateway", "", 1, 6, row=2))
    p.add(
        Node(
            "hitung_skor_evaluasi",
            "scriptTask",
            "Menghitung Skor Evaluasi",
            1,
            7,
            row=2,
            script=f"dimensi_urut = {DIMENSI}\n"
            "skor_evaluasi = [round(sum(p['skor'] for p in kondisi_evaluasi[d].values()) / "
            "len(kondisi_evaluasi[d]), 2) for d in dimensi_urut]\n"
            "tim_evaluasi = {'fasilitator_pusat': evaluasi_pusat['fasilitator'], "
            "'fasilitator_daerah': evaluasi['fasilitator']}",
        )
    )
    p.add(
        Node(
            "tingkat_evaluasi",
            "businessRuleTask",
            "Menentukan Tingkat Evaluasi per Dimensi",
            1,
            8,
            row=2,
            decision="tingkat_ketahanan",
            multi={
                "collection": "skor_evaluasi",
                "item": "skor_dimensi",
                "output": "tingkat_evaluasi",
                "output_item": "tingkat",
                "sequential": "1",
            },
        )
    )
    p.add(
        Node(
            "bandingkan_kondisi",
            "scriptTask",
            "Membandingkan dengan Kondisi Awal",
            1,
            9,
            row=2,
            doc="Selisih skor setiap dimensi (menguat bila naik paling sedikit 0,5) dan perubahan jumlah warga "
            "pada parameter Tabel 1 yang menghitung orang.",
            script="selisih_skor = [round(skor_evaluasi[i] - skor_awal[i], 2) for i in range(4)]\n"
            "dimensi_menguat = [dimensi_urut[i] for i in range(4) if selisih_skor[i] >= 0.5]\n"
            "jumlah_menguat = len(dimensi_menguat)\n"
            "skor_terendah = min(skor_evaluasi)\n"
            "perubahan_jumlah = {p: {'awal': kondisi_awal[d][p]['jumlah'], 'evaluasi': "
            "kondisi_evaluasi[d][p]['jumlah'], 'selisih': kondisi_evaluasi[d][p]['jumlah'] - "
            f"kondisi_awal[d][p]['jumlah']}} for (d, p) in {JUMLAH}}}",
        )
    )
    p.flow("tunggu_bulan_5", "bagi_evaluasi")
    for side in ("evaluasi_bulan_5_pusat", "evaluasi_bulan_5"):
        p.flow("bagi_evaluasi", side)
        p.flow(side, "gabung_evaluasi")
    for a, b in [
        ("gabung_evaluasi", "hitung_skor_evaluasi"),
        ("hitung_skor_evaluasi", "tingkat_evaluasi"),
        ("tingkat_evaluasi", "bandingkan_kondisi"),
        ("bandingkan_kondisi", "gabung_jalur"),
    ]:
        p.flow(a, b)
