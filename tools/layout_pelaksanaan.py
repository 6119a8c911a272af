"""The layout of step 2, Pelaksanaan Pengembangan (processes/pelaksanaan_pengembangan.bpmn), for
tools/make_program.py."""

from __future__ import annotations

from bpmn_builder import Node, Process
from program_parts import DIMENSI, FD, FP, PD, PK, user


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
