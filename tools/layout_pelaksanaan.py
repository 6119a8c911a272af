"""The layout of step 2, Pelaksanaan Pengembangan (processes/pelaksanaan_pengembangan.bpmn), for
tools/make_program.py."""

from __future__ import annotations

from bpmn_builder import Node, Process
from program_parts import DIMENSI, FD, FP, PD, PK, ZONA, due, merge, user


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
        "Pendamping mendaftar peserta bimbingan (paling banyak 30, atau lebih sesuai kebutuhan setempat dengan "
        "alasan tercatat), berdasarkan calon peserta.",
    )
    user(
        p,
        "kontrak_belajar",
        "Menyusun Kontrak Belajar",
        0,
        6,
        "Fasilitator pusat dan peserta menyepakati tanggal hari-hari bimbingan (4 hari atau sesuai kebutuhan "
        "setempat), jam (08.30-21.30), jeda, metode, prinsip dan aturan bimbingan.",
    )
    p.add(
        Node(
            "mulai_bimbingan",
            "scriptTask",
            "Memulai Bimbingan Sosial",
            2,
            7,
            script=f"jadwal_bimbingan = [t + 'T' + jam_mulai + ':00{ZONA}' for t in sorted(tanggal_bimbingan)]\n"
            f"akhir_bimbingan = [t + 'T' + jam_selesai + ':00{ZONA}' for t in sorted(tanggal_bimbingan)]\n"
            "jumlah_hari = len(jadwal_bimbingan)\nhari_ke = 1\nabsensi_harian = []",
        )
    )
    merge(p, "gabung_hari", 2, 8)
    p.add(
        Node(
            "hari_bimbingan",
            "intermediateCatchEvent",
            "Hari Bimbingan Dimulai",
            2,
            9,
            timer=("timeDate", "jadwal_bimbingan[hari_ke - 1]"),
        )
    )
    user(
        p,
        "absensi_bimbingan",
        "Absensi Bimbingan Sosial",
        2,
        10,
        "Pendamping mencatat kehadiran peserta pada hari bimbingan ini, sebelum sesi hari itu berakhir.",
        props={"displayName": "Absensi Bimbingan Sosial Hari ke-{hari_ke}"},
    )
    due(p, "absensi_bimbingan", ("timeDate", "akhir_bimbingan[hari_ke - 1]"), 2, 10, row=1)
    p.add(
        Node(
            "catat_absensi",
            "scriptTask",
            "Mencatat Absensi Harian",
            2,
            11,
            script="absensi_harian = absensi_harian + [{'hari': hari_ke, 'hadir': hadir, "
            "'catatan': catatan_absensi}]\nhari_ke = hari_ke + 1",
        )
    )
    p.add(Node("cek_hari", "exclusiveGateway", "Semua Hari Selesai?", 2, 12))
    # Within the guidance days: problems, alternatives and the action plan, due when the last day ends.
    last_day = ("timeDate", "akhir_bimbingan[jumlah_hari - 1]")
    user(
        p,
        "asesmen_masalah",
        "Pengungkapan Masalah dan Kebutuhan (MPA)",
        0,
        13,
        "Peserta dan fasilitator mengungkap masalah dan kebutuhan per dimensi dengan Metoda Partisipatif Assessment.",
    )
    due(p, "asesmen_masalah", last_day, 0, 13, row=1)
    user(
        p,
        "alternatif_program",
        "Perencanaan Alternatif Program",
        0,
        14,
        "Peserta merumuskan alternatif program atau kegiatan untuk setiap masalah.",
    )
    due(p, "alternatif_program", last_day, 0, 14, row=1)
    user(
        p,
        "rencana_aksi",
        "Penyusunan Rencana Aksi (Technic Of Partisipation/PRA)",
        1,
        15,
        "Peserta menyusun rencana aksi enam bulan bersama-sama secara partisipatif (TOP atau PRA), dibimbing "
        "fasilitator pusat dan daerah; fasilitator daerah mencatatnya dengan siapa yang menyusun dan menyepakatinya.",
    )
    due(p, "rencana_aksi", last_day, 1, 15, row=1)
    user(
        p,
        "bentuk_pokja",
        "Pembentukan Pokja Tansosmas",
        1,
        16,
        "Setelah bimbingan, peserta memilih pengurus Pokja Tansosmas secara demokratis; fasilitator daerah "
        "mencatat hasil dan siapa yang memilih.",
    )
    merge(p, "gabung_komitmen", 3, 16)
    user(
        p,
        "komitmen_peserta",
        "Komitmen Peserta",
        3,
        17,
        "Pengurus Pokja mencatat komitmen barang atau uang setiap peserta sebagai modal awal.",
    )
    p.add(
        Node(
            "periksa_komitmen",
            "scriptTask",
            "Memeriksa Komitmen Setiap Peserta",
            3,
            18,
            script="peserta_tanpa_komitmen = [p['nama'] for p in peserta "
            "if p['nama'] not in [k['nama'] for k in komitmen]]",
        )
    )
    p.add(Node("cek_komitmen", "exclusiveGateway", "Setiap Peserta Berkomitmen?", 3, 19))
    user(
        p,
        "transfer_dana_stimulan",
        "Transfer Dana Stimulan",
        0,
        20,
        "Fasilitator pusat mencatat transfer dana stimulan Badiklit Kessos ke rekening Pokja.",
    )
    p.add(Node("pelaksanaan_selesai", "endEvent", "Pelaksanaan Pengembangan Selesai", 0, 21))
    chain = [
        "pelaksanaan_mulai",
        "pemetaan_kondisi_awal",
        "hitung_skor_awal",
        "tingkat_awal",
        "pembekalan",
        "registrasi_peserta",
        "kontrak_belajar",
        "mulai_bimbingan",
        "gabung_hari",
        "hari_bimbingan",
        "absensi_bimbingan",
        "catat_absensi",
        "cek_hari",
    ]
    for a, b in zip(chain, chain[1:], strict=False):
        p.flow(a, b)
    p.flow("cek_hari", "gabung_hari", "Belum", "hari_ke <= jumlah_hari")
    p.default("cek_hari", "asesmen_masalah", "Selesai")
    chain = ["asesmen_masalah", "alternatif_program", "rencana_aksi", "bentuk_pokja", "gabung_komitmen"]
    chain += ["komitmen_peserta", "periksa_komitmen", "cek_komitmen"]
    for a, b in zip(chain, chain[1:], strict=False):
        p.flow(a, b)
    p.flow("cek_komitmen", "gabung_komitmen", "Belum semua peserta", "len(peserta_tanpa_komitmen) > 0")
    p.default("cek_komitmen", "transfer_dana_stimulan", "Ya")
    p.flow("transfer_dana_stimulan", "pelaksanaan_selesai")
    return p
