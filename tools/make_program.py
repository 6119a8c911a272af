"""Write the program's BPMN files (processes/*.bpmn) with lanes and diagram interchange.

    .venv/bin/python tools/make_program.py [--out processes]

The model follows the source document (shared/seed): the five steps of the Model Desa
Berketahanan Sosial, each its own process called from `program_desa`. Run it once to (re)create
the files; afterwards the files are what designers edit in their modeler.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bpmn_builder import Node, Process, write

FP, FD, PD, PK = "Fasilitator Pusat", "Fasilitator Daerah", "Pendamping", "Pengurus Pokja"
DIMENSI = "['perlindungan_sosial', 'partisipasi', 'pengendalian_konflik', 'kearifan_lokal']"


def user(p: Process, id: str, name: str, lane: int, col: float, doc: str, row: int = 0, **kw: object) -> Node:
    props = {"formJsonSchemaFilename": f"{id}.json"}
    props.update(kw.pop("props", {}))  # type: ignore[arg-type]
    return p.add(Node(id, "userTask", name, lane, col, row, doc=doc, props=props, **kw))  # type: ignore[arg-type]


def program() -> Process:
    p = Process(
        "program_desa",
        "Program Model Desa Berketahanan Sosial",
        [FP],
        doc="Satu desa/kelurahan menjalani lima langkah program: Persiapan, Pelaksanaan Pengembangan, "
        "Monitoring-Evaluasi-Pelaporan, Terminasi, dan Refleksi.",
    )
    p.add(Node("program_mulai", "startEvent", "Program Dimulai", 0, 0))
    steps = [
        ("langkah_persiapan", "Persiapan", "persiapan", "Menyiapkan petugas, calon peserta dan lokasi."),
        (
            "langkah_pelaksanaan",
            "Pelaksanaan Pengembangan",
            "pelaksanaan_pengembangan",
            "Pemetaan, bimbingan sosial, asesmen, rencana aksi dan pembentukan Pokja Tansosmas.",
        ),
        (
            "langkah_monev",
            "Monitoring, Evaluasi dan Pelaporan",
            "monitoring_evaluasi_pelaporan",
            "Enam bulan rencana aksi berjalan, dengan monitoring bulan ke-3, evaluasi bulan ke-5 dan laporan.",
        ),
        ("langkah_terminasi", "Terminasi", "terminasi", "Serah terima pembinaan kepada instansi daerah."),
        (
            "langkah_refleksi",
            "Refleksi",
            "refleksi",
            "Pokja mengevaluasi diri dan menyusun rencana aksi lanjutan.",
        ),
    ]
    p.add(Node("cek_desa_ikut", "exclusiveGateway", "Desa Tetap Ikut?", 0, 2))
    p.add(Node("program_batal", "endEvent", "Desa Mengundurkan Diri", 0, 3, row=1))
    for index, (node_id, name, called, doc) in enumerate(steps):
        col = 1 if index == 0 else index + 2
        p.add(Node(node_id, "callActivity", name, 0, col, doc=doc, called=called))
    p.add(Node("program_selesai", "endEvent", "Program Selesai", 0, 7))
    p.flow("program_mulai", "langkah_persiapan")
    p.flow("langkah_persiapan", "cek_desa_ikut")
    p.flow("cek_desa_ikut", "program_batal", "Mengundurkan diri", "desa_bersedia == False")
    p.default("cek_desa_ikut", "langkah_pelaksanaan", "Ya")
    p.flow("langkah_pelaksanaan", "langkah_monev")
    p.flow("langkah_monev", "langkah_terminasi")
    p.flow("langkah_terminasi", "langkah_refleksi")
    p.flow("langkah_refleksi", "program_selesai")
    return p


def persiapan() -> Process:
    p = Process(
        "persiapan", "Persiapan", [FP, FD], doc="Langkah 1: menyiapkan petugas, calon peserta dan lokasi."
    )
    p.add(Node("persiapan_mulai", "startEvent", "Persiapan Dimulai", 0, 0))
    user(
        p,
        "tetapkan_petugas",
        "Menyiapkan Petugas",
        0,
        1,
        "Fasilitator pusat menetapkan fasilitator daerah dan dua pendamping untuk desa ini.",
    )
    user(
        p,
        "koordinasi_dinas_sosial",
        "Koordinasi dengan Dinas Sosial dan Desa",
        1,
        2,
        "Fasilitator daerah berkoordinasi dengan Dinas Sosial dan pemerintah desa, dan mencatat kesediaan desa.",
    )
    p.add(Node("cek_bersedia", "exclusiveGateway", "Desa Bersedia?", 1, 3))
    p.add(
        Node(
            "desa_mundur",
            "endEvent",
            "Desa Mengundurkan Diri",
            1,
            4,
            row=1,
            doc="Desa tidak bersedia melanjutkan program; alasannya tercatat pada koordinasi.",
        )
    )
    user(
        p,
        "siapkan_lokasi",
        "Menyiapkan Lokasi/Lapangan",
        1,
        4,
        "Fasilitator daerah menyiapkan tempat dan jadwal bimbingan sosial di desa.",
    )
    user(
        p,
        "siapkan_calon_peserta",
        "Menyiapkan Calon Peserta",
        1,
        5,
        "Fasilitator daerah mendaftar calon peserta (paling banyak 30) dari pranata sosial dan pemangku kepentingan.",
    )
    p.add(Node("cek_jumlah_peserta", "exclusiveGateway", "Peserta Kurang dari 30?", 1, 6))
    user(
        p,
        "setujui_peserta_kurang",
        "Menyetujui Peserta Kurang dari 30",
        0,
        7,
        "Fasilitator pusat memutuskan apakah program berjalan dengan kurang dari 30 peserta.",
    )
    p.add(Node("cek_persetujuan", "exclusiveGateway", "Disetujui?", 0, 8))
    p.add(Node("gabung_peserta", "exclusiveGateway", "", 1, 9))
    p.add(Node("persiapan_selesai", "endEvent", "Persiapan Selesai", 1, 10))
    p.flow("persiapan_mulai", "tetapkan_petugas")
    p.flow("tetapkan_petugas", "koordinasi_dinas_sosial")
    p.flow("koordinasi_dinas_sosial", "cek_bersedia")
    p.flow("cek_bersedia", "desa_mundur", "Tidak", "desa_bersedia == False")
    p.default("cek_bersedia", "siapkan_lokasi", "Ya")
    p.flow("siapkan_lokasi", "siapkan_calon_peserta")
    p.flow("siapkan_calon_peserta", "cek_jumlah_peserta")
    p.flow("cek_jumlah_peserta", "setujui_peserta_kurang", "Ya", "len(calon_peserta) < 30")
    p.default("cek_jumlah_peserta", "gabung_peserta", "30 orang")
    p.flow("setujui_peserta_kurang", "cek_persetujuan")
    p.flow(
        "cek_persetujuan", "siapkan_calon_peserta", "Tidak: tambah peserta", "setuju_peserta_kurang == False"
    )
    p.default("cek_persetujuan", "gabung_peserta", "Ya")
    p.flow("gabung_peserta", "persiapan_selesai")
    return p


def pelaksanaan() -> Process:
    p = Process(
        "pelaksanaan_pengembangan",
        "Pelaksanaan Pengembangan",
        [FP, FD, PD, PK],
        doc="Langkah 2: pemetaan kondisi awal, pembekalan, bimbingan sosial, asesmen, rencana aksi, "
        "pembentukan Pokja Tansosmas dan dana stimulan.",
    )
    p.add(Node("pelaksanaan_mulai", "startEvent", "Pelaksanaan Dimulai", 1, 0))
    user(
        p,
        "pemetaan_kondisi_awal",
        "Pemetaan Lokasi dan Komunitas (Kondisi Awal)",
        1,
        1,
        "Fasilitator daerah memetakan desa dan menilai kondisi awal empat dimensi ketahanan sosial.",
    )
    p.add(
        Node(
            "hitung_skor_awal",
            "scriptTask",
            "Menghitung Skor Kondisi Awal",
            1,
            2,
            doc="Rata-rata skor parameter per dimensi, urut seperti Tabel 1.",
            script=f"dimensi_urut = {DIMENSI}\n"
            "skor_awal = [round(sum(p['skor'] for p in kondisi_awal[d].values()) / len(kondisi_awal[d]), 2)"
            " for d in dimensi_urut]",
        )
    )
    p.add(
        Node(
            "tingkat_awal",
            "businessRuleTask",
            "Menentukan Tingkat Kondisi Awal per Dimensi",
            1,
            3,
            doc="Tabel keputusan tingkat_ketahanan dijalankan untuk setiap dimensi.",
            decision="tingkat_ketahanan",
            multi={
                "collection": "skor_awal",
                "item": "skor_dimensi",
                "output": "tingkat_awal",
                "output_item": "tingkat",
                "sequential": "1",
            },
        )
    )
    user(
        p,
        "pembekalan",
        "Pembekalan Fasilitator Daerah, Pendamping dan Peserta",
        0,
        4,
        "Fasilitator pusat membekali fasilitator daerah, pendamping dan peserta sebelum bimbingan.",
    )
    user(
        p,
        "registrasi_peserta",
        "Registrasi Peserta Bimbingan Sosial",
        2,
        5,
        "Pendamping mendaftar peserta bimbingan (paling banyak 30), berdasarkan calon peserta.",
    )
    user(
        p,
        "kontrak_belajar",
        "Menyusun Kontrak Belajar",
        0,
        6,
        "Fasilitator pusat dan peserta menyepakati jadwal, jeda dan aturan bimbingan (08.30-21.30, 4 hari).",
    )
    p.add(
        Node(
            "mulai_bimbingan",
            "scriptTask",
            "Memulai Bimbingan Sosial",
            2,
            7,
            script="hari_ke = 1\nabsensi_harian = []",
        )
    )
    user(
        p,
        "absensi_bimbingan",
        "Absensi Bimbingan Sosial",
        2,
        8,
        "Pendamping mencatat kehadiran peserta pada hari bimbingan ini.",
        props={"displayName": "Absensi Bimbingan Sosial Hari ke-{hari_ke}"},
    )
    p.add(
        Node(
            "catat_absensi",
            "scriptTask",
            "Mencatat Absensi Harian",
            2,
            9,
            script="absensi_harian = absensi_harian + [{'hari': hari_ke, 'hadir': hadir, "
            "'catatan': catatan_absensi}]\nhari_ke = hari_ke + 1",
        )
    )
    p.add(Node("cek_hari", "exclusiveGateway", "Semua Hari Selesai?", 2, 10))
    p.add(
        Node(
            "hari_berikutnya",
            "intermediateCatchEvent",
            "Hari Berikutnya",
            2,
            9,
            row=1,
            timer=("timeDuration", '"P1D"'),
        )
    )
    user(
        p,
        "asesmen_masalah",
        "Pengungkapan Masalah dan Kebutuhan (MPA)",
        0,
        11,
        "Peserta dan fasilitator mengungkap masalah dan kebutuhan per dimensi dengan Metoda Partisipatif Assessment.",
    )
    user(
        p,
        "alternatif_program",
        "Perencanaan Alternatif Program",
        0,
        12,
        "Peserta merumuskan alternatif program atau kegiatan untuk setiap masalah.",
    )
    user(
        p,
        "rencana_aksi",
        "Penyusunan Rencana Aksi (TOP/PRA)",
        1,
        13,
        "Peserta menyusun rencana aksi enam bulan dengan TOP atau PRA, dibimbing fasilitator.",
    )
    user(
        p,
        "bentuk_pokja",
        "Pembentukan Pokja Tansosmas",
        1,
        14,
        "Peserta membentuk Pokja Tansosmas dan memilih pengurusnya secara demokratis dari antara peserta.",
    )
    user(
        p,
        "komitmen_peserta",
        "Komitmen Peserta",
        3,
        15,
        "Pengurus Pokja mencatat komitmen barang atau uang setiap peserta sebagai modal awal.",
    )
    user(
        p,
        "transfer_dana_stimulan",
        "Transfer Dana Stimulan",
        0,
        16,
        "Fasilitator pusat mencatat transfer dana stimulan Badiklit Kessos ke rekening Pokja.",
    )
    p.add(Node("pelaksanaan_selesai", "endEvent", "Pelaksanaan Pengembangan Selesai", 0, 17))
    chain = [
        "pelaksanaan_mulai",
        "pemetaan_kondisi_awal",
        "hitung_skor_awal",
        "tingkat_awal",
        "pembekalan",
        "registrasi_peserta",
        "kontrak_belajar",
        "mulai_bimbingan",
        "absensi_bimbingan",
        "catat_absensi",
        "cek_hari",
    ]
    for a, b in zip(chain, chain[1:], strict=False):
        p.flow(a, b)
    p.flow("cek_hari", "hari_berikutnya", "Belum", "hari_ke <= jumlah_hari")
    p.flow("hari_berikutnya", "absensi_bimbingan")
    p.default("cek_hari", "asesmen_masalah", "Selesai")
    chain = [
        "asesmen_masalah",
        "alternatif_program",
        "rencana_aksi",
        "bentuk_pokja",
        "komitmen_peserta",
        "transfer_dana_stimulan",
        "pelaksanaan_selesai",
    ]
    for a, b in zip(chain, chain[1:], strict=False):
        p.flow(a, b)
    return p


def monev() -> Process:
    p = Process(
        "monitoring_evaluasi_pelaporan",
        "Monitoring, Evaluasi dan Pelaporan",
        [FP, FD, PK, PD],
        doc="Langkah 3: rencana aksi berjalan enam bulan; monitoring bulan ke-3, evaluasi bulan ke-5, "
        "laporan ke Badiklit Kessos dengan tembusan ke Dinas Sosial Kabupaten/Kota dan Provinsi.",
    )
    p.messages = {
        "Pesan_laporan_dikirim": "laporan_dikirim",
        "Pesan_tanda_terima_badiklit": "tanda_terima_badiklit",
        "Pesan_tanda_terima_dinsos_kabupaten": "tanda_terima_dinsos_kabupaten",
        "Pesan_tanda_terima_dinsos_provinsi": "tanda_terima_dinsos_provinsi",
    }
    p.add(Node("monev_mulai", "startEvent", "Rencana Aksi Mulai Berjalan", 1, 0))
    p.add(Node("bagi_jalur", "parallelGateway", "", 1, 1))
    # The Pokja records progress every month for six months.
    p.add(
        Node(
            "mulai_bulan",
            "scriptTask",
            "Memulai Pencatatan Bulanan",
            2,
            2,
            script="bulan_ke = 1\nkemajuan_bulanan = []",
        )
    )
    p.add(
        Node(
            "tunggu_bulan",
            "intermediateCatchEvent",
            "Satu Bulan Berjalan",
            2,
            3,
            timer=("timeDuration", '"P1M"'),
        )
    )
    user(
        p,
        "catat_kemajuan",
        "Mencatat Kemajuan Rencana Aksi",
        2,
        4,
        "Pengurus Pokja mencatat kemajuan setiap butir rencana aksi bulan ini, dengan catatan dan bukti.",
        props={"displayName": "Kemajuan Rencana Aksi Bulan ke-{bulan_ke}"},
    )
    p.add(
        Node(
            "bulan_berikut",
            "scriptTask",
            "Bulan Berikutnya",
            2,
            5,
            script="kemajuan_bulanan = kemajuan_bulanan + [{'bulan': bulan_ke, 'butir': kemajuan}]\n"
            "bulan_ke = bulan_ke + 1",
        )
    )
    p.add(Node("cek_bulan", "exclusiveGateway", "Enam Bulan Selesai?", 2, 6))
    # Month 3: monitoring by FGD; it may ask the Pokja to revise the action plan.
    p.add(
        Node("tunggu_bulan_3", "intermediateCatchEvent", "Bulan ke-3", 1, 3, timer=("timeDuration", '"P3M"'))
    )
    user(
        p,
        "monitoring_bulan_3",
        "Monitoring Bulan ke-3 (FGD)",
        1,
        4,
        "Fasilitator pusat dan daerah memonitor pelaksanaan rencana aksi lewat FGD dengan Pokja.",
    )
    p.add(Node("cek_revisi", "exclusiveGateway", "Perlu Revisi Rencana Aksi?", 1, 5))
    user(
        p,
        "revisi_rencana_aksi",
        "Merevisi Rencana Aksi",
        2,
        6,
        row=1,
        doc="Pengurus Pokja merevisi rencana aksi sesuai temuan monitoring.",
    )
    p.add(Node("gabung_revisi", "exclusiveGateway", "", 1, 7))
    # Month 5: evaluation by FGD, the four dimensions measured again.
    p.add(
        Node(
            "tunggu_bulan_5",
            "intermediateCatchEvent",
            "Bulan ke-5",
            1,
            3,
            row=1,
            timer=("timeDuration", '"P5M"'),
        )
    )
    user(
        p,
        "evaluasi_bulan_5",
        "Evaluasi Bulan ke-5 (FGD dan Pengukuran Ulang)",
        1,
        4,
        row=1,
        doc="Fasilitator mengevaluasi lewat FGD dan mengukur ulang empat dimensi dengan parameter yang sama.",
    )
    p.add(
        Node(
            "hitung_skor_evaluasi",
            "scriptTask",
            "Menghitung Skor Evaluasi",
            1,
            5,
            row=1,
            script=f"dimensi_urut = {DIMENSI}\n"
            "skor_evaluasi = [round(sum(p['skor'] for p in kondisi_evaluasi[d].values()) / "
            "len(kondisi_evaluasi[d]), 2) for d in dimensi_urut]",
        )
    )
    p.add(
        Node(
            "tingkat_evaluasi",
            "businessRuleTask",
            "Menentukan Tingkat Evaluasi per Dimensi",
            1,
            6,
            row=1,
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
            7,
            row=1,
            doc="Dimensi menguat bila skornya naik paling sedikit 0,5 dari kondisi awal.",
            script="selisih_skor = [round(skor_evaluasi[i] - skor_awal[i], 2) for i in range(4)]\n"
            "dimensi_menguat = [dimensi_urut[i] for i in range(4) if selisih_skor[i] >= 0.5]\n"
            "jumlah_menguat = len(dimensi_menguat)\n"
            "skor_terendah = min(skor_evaluasi)",
        )
    )
    p.add(
        Node(
            "status_ketahanan",
            "businessRuleTask",
            "Menentukan Status Ketahanan Sosial Desa",
            1,
            8,
            row=1,
            decision="status_ketahanan_sosial",
            doc="Tabel keputusan status_ketahanan_sosial: apakah desa berketahanan sosial.",
        )
    )
    p.add(Node("gabung_jalur", "parallelGateway", "", 1, 9))
    # Reporting after month 6.
    user(
        p,
        "tulis_laporan",
        "Menyusun Laporan Pelaksanaan",
        2,
        10,
        "Pengurus Pokja bersama dua pendamping menulis laporan pelaksanaan rencana aksi.",
    )
    p.add(
        Node(
            "laporan_terlambat",
            "boundaryEvent",
            "14 Hari Terlambat",
            2,
            10,
            attached_to="tulis_laporan",
            interrupting=False,
            timer=("timeDuration", '"P14D"'),
            slot=0,
        )
    )
    p.add(
        Node(
            "laporan_sangat_terlambat",
            "boundaryEvent",
            "30 Hari Terlambat",
            2,
            10,
            attached_to="tulis_laporan",
            interrupting=False,
            timer=("timeDuration", '"P30D"'),
            slot=1,
        )
    )
    user(
        p,
        "ingatkan_laporan",
        "Mengingatkan Pokja tentang Laporan",
        3,
        11,
        row=1,
        doc="Pendamping mengingatkan pengurus Pokja bahwa laporan belum dikirim.",
    )
    p.add(Node("pengingat_selesai", "endEvent", "Pengingat Disampaikan", 3, 12, row=1))
    user(
        p,
        "eskalasi_laporan",
        "Menindaklanjuti Laporan yang Terlambat",
        1,
        11,
        "Fasilitator daerah menindaklanjuti laporan yang terlambat 30 hari bersama Pokja dan pendamping.",
    )
    p.add(Node("eskalasi_selesai", "endEvent", "Eskalasi Ditindaklanjuti", 1, 12))
    user(
        p,
        "setujui_laporan",
        "Persetujuan Laporan oleh Pendamping",
        3,
        11,
        "Setiap pendamping memeriksa dan menyetujui laporan sebelum dikirim.",
        props={"displayName": "Persetujuan Laporan oleh Pendamping ({pendamping_ini[nama]})"},
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
            12,
            message="Pesan_laporan_dikirim",
            message_payload="laporan",
        )
    )
    p.add(Node("bagi_tembusan", "parallelGateway", "", 0, 13, row=1))
    for row, (node_id, name, message) in enumerate(
        [
            ("terima_badiklit", "Diterima Badiklit Kessos", "badiklit"),
            ("terima_dinsos_kabupaten", "Tembusan Diterima Dinas Sosial Kabupaten/Kota", "dinsos_kabupaten"),
            ("terima_dinsos_provinsi", "Tembusan Diterima Dinas Sosial Provinsi", "dinsos_provinsi"),
        ]
    ):
        p.add(
            Node(
                node_id,
                "intermediateCatchEvent",
                name,
                0,
                14,
                row=row,
                message=f"Pesan_tanda_terima_{message}",
                message_var=f"tanda_terima_{message}",
            )
        )
        p.flow("bagi_tembusan", node_id)
    p.add(Node("gabung_tembusan", "parallelGateway", "", 0, 15, row=1))
    p.add(Node("monev_selesai", "endEvent", "Laporan dan Tembusan Diterima", 0, 16, row=1))
    p.flow("monev_mulai", "bagi_jalur")
    for target in ("mulai_bulan", "tunggu_bulan_3", "tunggu_bulan_5"):
        p.flow("bagi_jalur", target)
    p.flow("mulai_bulan", "tunggu_bulan")
    p.flow("tunggu_bulan", "catat_kemajuan")
    p.flow("catat_kemajuan", "bulan_berikut")
    p.flow("bulan_berikut", "cek_bulan")
    p.flow("cek_bulan", "tunggu_bulan", "Belum", "bulan_ke <= 6")
    p.default("cek_bulan", "gabung_jalur", "Selesai")
    p.flow("tunggu_bulan_3", "monitoring_bulan_3")
    p.flow("monitoring_bulan_3", "cek_revisi")
    p.flow("cek_revisi", "revisi_rencana_aksi", "Ya", "perlu_revisi == True")
    p.default("cek_revisi", "gabung_revisi", "Tidak")
    p.flow("revisi_rencana_aksi", "gabung_revisi")
    p.flow("gabung_revisi", "gabung_jalur")
    p.flow("tunggu_bulan_5", "evaluasi_bulan_5")
    p.flow("evaluasi_bulan_5", "hitung_skor_evaluasi")
    p.flow("hitung_skor_evaluasi", "tingkat_evaluasi")
    p.flow("tingkat_evaluasi", "bandingkan_kondisi")
    p.flow("bandingkan_kondisi", "status_ketahanan")
    p.flow("status_ketahanan", "gabung_jalur")
    p.flow("gabung_jalur", "tulis_laporan")
    p.flow("laporan_terlambat", "ingatkan_laporan")
    p.flow("ingatkan_laporan", "pengingat_selesai")
    p.flow("laporan_sangat_terlambat", "eskalasi_laporan")
    p.flow("eskalasi_laporan", "eskalasi_selesai")
    p.flow("tulis_laporan", "setujui_laporan")
    p.flow("setujui_laporan", "kirim_laporan")
    p.flow("kirim_laporan", "bagi_tembusan")
    for node_id in ("terima_badiklit", "terima_dinsos_kabupaten", "terima_dinsos_provinsi"):
        p.flow(node_id, "gabung_tembusan")
    p.flow("gabung_tembusan", "monev_selesai")
    return p


def terminasi() -> Process:
    p = Process(
        "terminasi",
        "Terminasi",
        [FP, FD],
        doc="Langkah 4: program berakhir secara formal; pembinaan diserahkan kepada instansi daerah.",
    )
    p.add(Node("terminasi_mulai", "startEvent", "Terminasi Dimulai", 1, 0))
    p.add(
        Node(
            "siapkan_serah_terima",
            "scriptTask",
            "Menyiapkan Serah Terima",
            1,
            1,
            script="tingkat_serah_terima = ['Desa/Kelurahan', 'Kecamatan', 'Kabupaten/Kota', 'Provinsi']",
        )
    )
    user(
        p,
        "berita_acara_serah_terima",
        "Berita Acara Serah Terima Pembinaan",
        1,
        2,
        "Fasilitator daerah mencatat berita acara serah terima pembinaan untuk satu tingkat pemerintahan.",
        props={"displayName": "Berita Acara Serah Terima: {tingkat_ini}"},
        multi={
            "collection": "tingkat_serah_terima",
            "item": "tingkat_ini",
            "output": "berita_acara",
            "output_item": "serah_terima",
        },
    )
    user(
        p,
        "pengakhiran_program",
        "Pengakhiran Program secara Formal",
        0,
        3,
        "Fasilitator pusat menyatakan hubungan program dengan desa berakhir secara formal.",
    )
    p.add(Node("terminasi_selesai", "endEvent", "Terminasi Selesai", 0, 4))
    p.flow("terminasi_mulai", "siapkan_serah_terima")
    p.flow("siapkan_serah_terima", "berita_acara_serah_terima")
    p.flow("berita_acara_serah_terima", "pengakhiran_program")
    p.flow("pengakhiran_program", "terminasi_selesai")
    return p


def refleksi() -> Process:
    p = Process(
        "refleksi",
        "Refleksi",
        [PK],
        doc="Langkah 5: Pokja mengevaluasi, melaporkan dan memberi umpan balik untuk rencana aksi berikutnya.",
    )
    p.add(Node("refleksi_mulai", "startEvent", "Refleksi Dimulai", 0, 0))
    p.add(Node("mulai_siklus", "scriptTask", "Memulai Siklus Refleksi", 0, 1, script="siklus_ke = 1"))
    user(
        p,
        "evaluasi_pokja",
        "Evaluasi dan Umpan Balik Pokja",
        0,
        2,
        "Pengurus Pokja mengevaluasi siklus, melaporkan dan memberi umpan balik, lalu memutuskan langkah berikutnya.",
        props={"displayName": "Evaluasi dan Umpan Balik Pokja (Siklus ke-{siklus_ke})"},
    )
    p.add(Node("cek_lanjut", "exclusiveGateway", "Lanjut ke Siklus Berikutnya?", 0, 3))
    user(
        p,
        "rencana_aksi_lanjutan",
        "Menyusun Rencana Aksi Berikutnya",
        0,
        4,
        "Pengurus Pokja menyusun rencana aksi siklus berikutnya tanpa program pusat.",
    )
    p.add(Node("siklus_berikut", "scriptTask", "Siklus Berikutnya", 0, 5, script="siklus_ke = siklus_ke + 1"))
    p.add(
        Node(
            "siklus_berjalan",
            "intermediateCatchEvent",
            "Siklus Berjalan Enam Bulan",
            0,
            6,
            timer=("timeDuration", '"P6M"'),
        )
    )
    user(
        p,
        "laporan_siklus",
        "Laporan Pelaksanaan Siklus",
        0,
        7,
        "Pengurus Pokja melaporkan pelaksanaan rencana aksi siklus ini.",
    )
    p.add(Node("refleksi_selesai", "endEvent", "Pokja Menutup Siklus", 0, 4, row=1))
    p.flow("refleksi_mulai", "mulai_siklus")
    p.flow("mulai_siklus", "evaluasi_pokja")
    p.flow("evaluasi_pokja", "cek_lanjut")
    p.flow("cek_lanjut", "rencana_aksi_lanjutan", "Ya", "lanjut_siklus == True")
    p.default("cek_lanjut", "refleksi_selesai", "Tidak")
    p.flow("rencana_aksi_lanjutan", "siklus_berikut")
    p.flow("siklus_berikut", "siklus_berjalan")
    p.flow("siklus_berjalan", "laporan_siklus")
    p.flow("laporan_siklus", "evaluasi_pokja")
    return p


# One sentence for each automatic task that has none above.
DOCS = {
    "hitung_skor_awal": "Menghitung rata-rata skor parameter setiap dimensi pada kondisi awal, urut seperti Tabel 1.",
    "tingkat_awal": "Tabel keputusan tingkat_ketahanan memberi tingkat Rendah, Sedang atau Tinggi untuk setiap dimensi.",
    "mulai_bimbingan": "Memulai hitungan hari bimbingan sosial dan daftar absensinya.",
    "catat_absensi": "Menyimpan absensi hari ini dan beralih ke hari bimbingan berikutnya.",
    "mulai_bulan": "Memulai hitungan bulan pelaksanaan rencana aksi.",
    "bulan_berikut": "Menyimpan kemajuan bulan ini dan beralih ke bulan berikutnya.",
    "hitung_skor_evaluasi": "Menghitung rata-rata skor parameter setiap dimensi pada evaluasi bulan ke-5.",
    "tingkat_evaluasi": "Tabel keputusan tingkat_ketahanan memberi tingkat setiap dimensi pada evaluasi.",
    "siapkan_serah_terima": "Menyiapkan empat tingkat penerima pembinaan: desa/kelurahan, kecamatan, kabupaten/kota, provinsi.",
    "mulai_siklus": "Memulai siklus refleksi pertama Pokja.",
    "siklus_berikut": "Beralih ke siklus rencana aksi berikutnya yang dijalankan Pokja sendiri.",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "processes")
    args = parser.parse_args()
    for make in (program, persiapan, pelaksanaan, monev, terminasi, refleksi):
        process = make()
        for node in process.nodes:
            if node.kind in ("scriptTask", "businessRuleTask") and not node.doc:
                node.doc = DOCS[node.id]
        path = args.out / f"{process.id}.bpmn"
        write(process, path)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
