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
from layout_monev import monev
from layout_pelaksanaan import pelaksanaan
from program_parts import FD, FP, PK, merge, user


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
        "Fasilitator daerah mendaftar calon peserta dari pranata sosial dan pemangku kepentingan: paling "
        "banyak 30 orang, atau lebih sesuai kebutuhan setempat dengan alasan yang dicatat.",
    )
    p.add(Node("persiapan_selesai", "endEvent", "Persiapan Selesai", 1, 6))
    p.flow("persiapan_mulai", "tetapkan_petugas")
    p.flow("tetapkan_petugas", "koordinasi_dinas_sosial")
    p.flow("koordinasi_dinas_sosial", "cek_bersedia")
    p.flow("cek_bersedia", "desa_mundur", "Tidak", "desa_bersedia == False")
    p.default("cek_bersedia", "siapkan_lokasi", "Ya")
    p.flow("siapkan_lokasi", "siapkan_calon_peserta")
    p.flow("siapkan_calon_peserta", "persiapan_selesai")
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
    merge(p, "gabung_siklus", 0, 1.5, row=1)
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
    p.flow("mulai_siklus", "gabung_siklus")
    p.flow("gabung_siklus", "evaluasi_pokja")
    p.flow("evaluasi_pokja", "cek_lanjut")
    p.flow("cek_lanjut", "rencana_aksi_lanjutan", "Ya", "lanjut_siklus == True")
    p.default("cek_lanjut", "refleksi_selesai", "Tidak")
    p.flow("rencana_aksi_lanjutan", "siklus_berikut")
    p.flow("siklus_berikut", "siklus_berjalan")
    p.flow("siklus_berjalan", "laporan_siklus")
    p.flow("laporan_siklus", "gabung_siklus")
    return p


# One sentence for each automatic task that has none above.
DOCS = {
    "hitung_skor_awal": "Menghitung rata-rata skor parameter setiap dimensi pada kondisi awal, urut seperti Tabel 1.",
    "tingkat_awal": "Tabel keputusan tingkat_ketahanan memberi tingkat Rendah, Sedang atau Tinggi untuk setiap dimensi.",
    "mulai_bimbingan": "Menyusun jadwal hari-hari bimbingan dari tanggal dan jam kontrak belajar, dan memulai "
    "daftar absensinya.",
    "catat_absensi": "Menyimpan absensi hari ini dan beralih ke hari bimbingan berikutnya.",
    "periksa_komitmen": "Mencari peserta yang belum mencatat komitmen; setiap peserta harus berkomitmen.",
    "jadwal_rencana_aksi": "Menghitung tanggal akhir setiap bulan rencana aksi dari tanggal mulainya.",
    "mulai_bulan": "Memulai hitungan bulan pelaksanaan rencana aksi.",
    "hasil_monitoring": "Mencatat tim monitoring dari kedua pihak; revisi diminta bila salah satu pihak memintanya.",
    "hitung_penerapan": "Menghitung kegiatan rencana aksi yang terlaksana di setiap dimensi, beserta skor evaluasinya.",
    "penerapan_dimensi": "Tabel keputusan penerapan_dimensi menentukan apakah setiap dimensi diterapkan.",
    "rekap_penerapan": "Mendaftar dimensi yang diterapkan dan menghitung jumlahnya.",
    "bulan_berikut": "Menyimpan kemajuan bulan ini dan beralih ke bulan berikutnya.",
    "hitung_skor_evaluasi": "Menghitung rata-rata skor parameter setiap dimensi pada evaluasi bulan ke-5.",
    "tingkat_evaluasi": "Tabel keputusan tingkat_ketahanan memberi tingkat setiap dimensi pada evaluasi.",
    "siapkan_serah_terima": "Menyiapkan empat tingkat penerima pembinaan: desa/kelurahan, kecamatan, kabupaten/kota, provinsi.",
    "mulai_siklus": "Memulai siklus refleksi pertama Pokja.",
    "siklus_berikut": "Beralih ke siklus rencana aksi berikutnya yang dijalankan Pokja sendiri.",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent.parent / "processes" / "model_desa"
    )
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
