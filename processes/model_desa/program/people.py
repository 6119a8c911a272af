"""Lempur Mudik's people and plans: the facts the demo's form answers are built from.

Lempur Mudik (Kecamatan Gunung Raya, Kabupaten Kerinci, Jambi). The 30 participants are generated
deterministically from the village's institutions; the Pokja board, the two pendamping, the
social-resilience scores before and after, and the action plan (and its revision) are named here so
that every form answer in `engine.demo_data` agrees with every other.
"""

from __future__ import annotations

import copy
from typing import Any

# (pranata, peran, jenis kelamin, youngest, oldest): 30 seats across the village's institutions.
_SEATS: list[tuple[str, str, str, int, int]] = [
    ("Tokoh Agama", "Imam Masjid Al-Ikhlas", "L", 45, 70),
    ("Tokoh Agama", "Khatib dan guru mengaji", "L", 35, 60),
    ("Tokoh Agama", "Ketua Majelis Taklim", "P", 40, 65),
    ("Tokoh Adat", "Depati, pemangku adat", "L", 55, 75),
    ("Tokoh Adat", "Ninik mamak", "L", 50, 72),
    ("Tokoh Adat", "Pemangku adat dusun", "L", 50, 70),
    ("Tokoh Adat", "Bundo kanduang", "P", 50, 70),
    ("Tokoh Masyarakat", "Ketua RT 02", "L", 40, 60),
    ("Tokoh Masyarakat", "Ketua kelompok tani kopi", "L", 35, 60),
    ("Tokoh Masyarakat", "Guru SD Negeri Lempur", "P", 30, 55),
    ("Tokoh Masyarakat", "Pensiunan guru", "L", 60, 72),
    ("Karang Taruna/Pemuda", "Ketua Karang Taruna", "L", 20, 30),
    ("Karang Taruna/Pemuda", "Anggota Karang Taruna", "P", 17, 25),
    ("Karang Taruna/Pemuda", "Remaja masjid (IRMA)", "L", 17, 22),
    ("Karang Taruna/Pemuda", "Pengurus IRMA", "P", 17, 24),
    ("PKK/Perempuan", "Ketua TP PKK desa", "P", 35, 55),
    ("PKK/Perempuan", "Sekretaris PKK", "P", 30, 50),
    ("PKK/Perempuan", "Kader PKK", "P", 28, 50),
    ("PKK/Perempuan", "Ketua kelompok wanita tani", "P", 30, 55),
    ("Posyandu", "Kader Posyandu", "P", 25, 45),
    ("Posyandu", "Kader Posyandu lansia", "P", 30, 50),
    ("Posyandu", "Bidan desa", "P", 25, 40),
    ("Pemerintah Desa", "Sekretaris desa", "L", 30, 50),
    ("Pemerintah Desa", "Ketua BPD", "L", 40, 60),
    ("Pemerintah Desa", "Kepala dusun", "L", 35, 55),
    ("Dunia Usaha", "Pedagang kopi dan kayu manis", "L", 35, 55),
    ("Dunia Usaha", "Pemilik warung dan usaha kerupuk", "P", 30, 50),
    ("Perguruan Tinggi", "Dosen IAIN Kerinci", "L", 30, 50),
    ("Lainnya", "Anggota Linmas", "L", 25, 45),
    ("Lainnya", "Petani kopi", "L", 40, 60),
]
_NAMA_L = [
    "Hasan Basri",
    "Zulkifli",
    "Syahrial",
    "Darmawi",
    "Asmadi",
    "Jufri Hamdani",
    "Arlis Saputra",
    "Irwandi",
    "Mukhlis",
    "Nasrul Hadi",
    "Alfian Rahman",
    "Rahmat Hidayat",
    "Edi Saputra",
    "Ferdi Ardiansyah",
    "Yusril Mahendra",
    "Amrizal",
    "Dedi Kurniawan",
]
_NAMA_P = [
    "Nurhayati",
    "Rosmaini",
    "Yusniar",
    "Asnimar",
    "Desmawati",
    "Fitri Yanti",
    "Siti Aminah",
    "Lely Marlina",
    "Rahmi Yulia",
    "Suryani",
    "Putri Ramadhani",
    "Wulan Sari",
    "Nelly Yusra",
]


def _people() -> list[dict[str, Any]]:
    men, women = iter(_NAMA_L), iter(_NAMA_P)
    people = []
    for index, (pranata, peran, jk, youngest, oldest) in enumerate(_SEATS):
        umur = youngest + (index * 7) % (oldest - youngest + 1)
        nama = next(men) if jk == "L" else next(women)
        people.append({"nama": nama, "jenis_kelamin": jk, "umur": umur, "pranata": pranata, "peran": peran})
    return people


PESERTA: list[dict[str, Any]] = _people()
NAMA_PESERTA: list[str] = [p["nama"] for p in PESERTA]
KETUA, SEKRETARIS, BENDAHARA = "Arlis Saputra", "Yusniar", "Fitri Yanti"
PENGURUS = (KETUA, SEKRETARIS, BENDAHARA)
PENDAMPING: list[dict[str, Any]] = [
    {
        "nama": "Rina Marlina",
        "jenis_kelamin": "P",
        "telepon": "0812-7411-2233",
        "asal_lembaga": "TKSK Kecamatan Gunung Raya",
    },
    {
        "nama": "Doni Saputra",
        "jenis_kelamin": "L",
        "telepon": "0853-6620-1147",
        "asal_lembaga": "Pekerja Sosial Masyarakat (PSM) Kabupaten Kerinci",
    },
]
REKENING = {"bank": "Bank 9 Jambi", "nomor": "1502-0317-4421", "atas_nama": "Pokja Tansosmas Lempur Mudik"}


def kondisi(skor: dict[str, dict[str, int]], bukti: dict[str, str]) -> dict[str, Any]:
    return {d: {p: {"skor": s, "bukti": bukti[p]} for p, s in params.items()} for d, params in skor.items()}


BUKTI_AWAL = {
    "kesesuaian_layanan": "Ada SD, Puskesmas Pembantu dan masjid; belum ada layanan untuk lansia "
    "terlantar dan penyandang disabilitas.",
    "jangkauan_layanan": "Puskesmas terdekat 11 km di Lempur Tengah; jalan ke Dusun Baru rusak saat hujan.",
    "keberlanjutan_layanan": "Posyandu berjalan tiap bulan; kader sering berganti dan tanpa dana tetap.",
    "tren_kelompok_rentan": "Data desa: keluarga miskin naik dari 121 (2025) menjadi 134 KK (2026).",
    "warga_dalam_organisasi": "Sekitar 20% warga dewasa aktif di PKK, Karang Taruna atau kelompok tani.",
    "warga_dalam_pelayanan_sosial": "Gotong royong hanya saat ada musibah; belum ada relawan tetap.",
    "relasi_sosial": "Kenduri sko dan pengajian rutin masih ramai; hubungan antardusun baik.",
    "respons_cepat": "Sengketa batas kebun 2026 ditangani depati dalam dua hari.",
    "pencegahan_meluas": "Perkelahian pemuda antardesa 2025 sempat melebar ke desa tetangga.",
    "pencegahan_dampak": "Belum ada mekanisme pemulihan bagi keluarga korban konflik.",
    "warga_merusak_lingkungan": "Masih ada pembukaan kebun di tepi hutan adat dan racun ikan di sungai.",
    "aturan_lokal": "Ada aturan adat hutan adat Lempur, tetapi belum tertulis dalam peraturan desa.",
    "kelembagaan_lingkungan": "Kelompok pengelola hutan adat ada, tetapi jarang bertemu.",
    "wahana_pemeliharaan": "Belum ada pembibitan atau lubuk larangan yang dikelola bersama.",
}
BUKTI_EVALUASI = {
    "kesesuaian_layanan": "Posyandu lansia berjalan sejak bulan ke-2; 37 lansia terlayani.",
    "jangkauan_layanan": "Jadwal Pustu keliling ke Dusun Baru dua kali sebulan disepakati dengan Puskesmas.",
    "keberlanjutan_layanan": "Iuran jimpitan dan dana Pokja membiayai kader Posyandu.",
    "tren_kelompok_rentan": "Keluarga miskin turun menjadi 126 KK; 8 keluarga ikut usaha kerupuk bersama.",
    "warga_dalam_organisasi": "Anggota aktif kelompok naik; rapat Pokja dihadiri rata-rata 26 peserta.",
    "warga_dalam_pelayanan_sosial": "Ada 14 relawan tetap pendamping lansia dan anak putus sekolah.",
    "relasi_sosial": "Kenduri sko dan gotong royong bulanan berjalan; tidak ada perselisihan baru.",
    "respons_cepat": "Forum rembuk depati dan pemuda bertemu dalam 24 jam bila ada perselisihan.",
    "pencegahan_meluas": "Kesepakatan damai pemuda dengan Desa Lempur Hilir ditandatangani.",
    "pencegahan_dampak": "Dana sosial Pokja menyiapkan bantuan bagi keluarga korban.",
    "warga_merusak_lingkungan": "Tidak ada lagi laporan racun ikan sejak lubuk larangan dibuka.",
    "aturan_lokal": "Peraturan desa tentang hutan adat dan lubuk larangan disahkan BPD.",
    "kelembagaan_lingkungan": "Kelompok pengelola hutan adat rapat tiap bulan bersama Pokja.",
    "wahana_pemeliharaan": "Pembibitan kayu manis dan lubuk larangan di Sungai Lempur berjalan.",
}
SKOR_AWAL = {
    "perlindungan_sosial": {
        "kesesuaian_layanan": 2,
        "jangkauan_layanan": 2,
        "keberlanjutan_layanan": 3,
        "tren_kelompok_rentan": 2,
    },
    "partisipasi": {"warga_dalam_organisasi": 3, "warga_dalam_pelayanan_sosial": 2, "relasi_sosial": 4},
    "pengendalian_konflik": {"respons_cepat": 3, "pencegahan_meluas": 2, "pencegahan_dampak": 2},
    "kearifan_lokal": {
        "warga_merusak_lingkungan": 2,
        "aturan_lokal": 3,
        "kelembagaan_lingkungan": 2,
        "wahana_pemeliharaan": 1,
    },
}
SKOR_EVALUASI = {
    "perlindungan_sosial": {
        "kesesuaian_layanan": 3,
        "jangkauan_layanan": 3,
        "keberlanjutan_layanan": 4,
        "tren_kelompok_rentan": 4,
    },
    "partisipasi": {"warga_dalam_organisasi": 4, "warga_dalam_pelayanan_sosial": 4, "relasi_sosial": 4},
    "pengendalian_konflik": {"respons_cepat": 4, "pencegahan_meluas": 3, "pencegahan_dampak": 3},
    "kearifan_lokal": {
        "warga_merusak_lingkungan": 4,
        "aturan_lokal": 4,
        "kelembagaan_lingkungan": 3,
        "wahana_pemeliharaan": 3,
    },
}


def kegiatan(
    dimensi: str, kegiatan: str, sasaran: str, bulan: int, anggaran: int, mitra: str, pj: str
) -> dict[str, Any]:
    return {
        "dimensi": dimensi,
        "kegiatan": kegiatan,
        "sasaran": sasaran,
        "bulan": bulan,
        "anggaran": anggaran,
        "mitra_kerja": mitra,
        "penanggung_jawab": pj,
    }


POSYANDU_LANSIA = "Membentuk Posyandu lansia di Dusun Baru"
KERUPUK = "Usaha bersama kerupuk ubi bagi keluarga miskin"
RELAWAN = "Pelatihan relawan pendamping lansia dan anak putus sekolah"
FORUM = "Membentuk forum rembuk depati dan pemuda"
PERDES = "Menyusun peraturan desa tentang hutan adat dan lubuk larangan"
LUBUK = "Membuka lubuk larangan dan pembibitan kayu manis"

RENCANA_AKSI: list[dict[str, Any]] = [
    kegiatan(
        "perlindungan_sosial",
        POSYANDU_LANSIA,
        "37 lansia, 6 di antaranya terlantar",
        1,
        3_500_000,
        "Puskesmas Lempur",
        "Putri Ramadhani",
    ),
    kegiatan(
        "perlindungan_sosial",
        KERUPUK,
        "12 keluarga miskin",
        2,
        6_000_000,
        "Dinas Koperasi dan UKM Kabupaten Kerinci",
        "Nelly Yusra",
    ),
    kegiatan(
        "partisipasi",
        RELAWAN,
        "15 pemuda dan kader PKK",
        2,
        2_500_000,
        "TKSK Kecamatan Gunung Raya",
        "Lely Marlina",
    ),
    kegiatan(
        "pengendalian_konflik",
        FORUM,
        "Tokoh adat dan Karang Taruna",
        3,
        1_500_000,
        "Polsek Gunung Raya",
        "Syahrial",
    ),
    kegiatan(
        "kearifan_lokal", PERDES, "Seluruh warga desa", 3, 2_000_000, "BPD Lempur Mudik", "Rahmat Hidayat"
    ),
    kegiatan(
        "kearifan_lokal",
        LUBUK,
        "Kelompok pengelola hutan adat",
        4,
        4_500_000,
        "Balai Taman Nasional Kerinci Seblat",
        "Asmadi",
    ),
]
RENCANA_AKSI_REVISI = copy.deepcopy(RENCANA_AKSI)
RENCANA_AKSI_REVISI[1]["bulan"] = 3  # the kerupuk equipment came late
RENCANA_AKSI_REVISI[1]["anggaran"] = 5_000_000
RENCANA_AKSI_REVISI[5]["anggaran"] = 5_500_000
RENCANA_AKSI_REVISI.append(
    kegiatan(
        "partisipasi",
        "Gotong royong bulanan membersihkan saluran irigasi",
        "Warga tiga dusun",
        4,
        500_000,
        "Kelompok tani kopi",
        "Jufri Hamdani",
    )
)
