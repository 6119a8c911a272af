"""One village's program in data: a complete, valid submission for every form in forms/.

`FORM_EXAMPLES` maps a form file name to what its task submits, for Lempur Mudik (Kecamatan
Gunung Raya, Kabupaten Kerinci, Jambi), in process order. The examples agree with each other: the
30 participants are generated deterministically, the Pokja board, the commitments, the attendance
and the FGD participants are names from that list, progress reports name action-plan activities,
and the report's authors are the board and the two pendamping.

`context_for(form)` is the task data a form sees: every earlier example merged, plus the item of a
multi-instance task (`pendamping_ini`, `tingkat_ini`).
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
_PENGURUS = (KETUA, SEKRETARIS, BENDAHARA)
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


def _kondisi(skor: dict[str, dict[str, int]], bukti: dict[str, str]) -> dict[str, Any]:
    return {d: {p: {"skor": s, "bukti": bukti[p]} for p, s in params.items()} for d, params in skor.items()}


_BUKTI_AWAL = {
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
_BUKTI_EVALUASI = {
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
_SKOR_AWAL = {
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
_SKOR_EVALUASI = {
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


def _kegiatan(
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
    _kegiatan(
        "perlindungan_sosial",
        POSYANDU_LANSIA,
        "37 lansia, 6 di antaranya terlantar",
        1,
        3_500_000,
        "Puskesmas Lempur",
        "Putri Ramadhani",
    ),
    _kegiatan(
        "perlindungan_sosial",
        KERUPUK,
        "12 keluarga miskin",
        2,
        6_000_000,
        "Dinas Koperasi dan UKM Kabupaten Kerinci",
        "Nelly Yusra",
    ),
    _kegiatan(
        "partisipasi",
        RELAWAN,
        "15 pemuda dan kader PKK",
        2,
        2_500_000,
        "TKSK Kecamatan Gunung Raya",
        "Lely Marlina",
    ),
    _kegiatan(
        "pengendalian_konflik",
        FORUM,
        "Tokoh adat dan Karang Taruna",
        3,
        1_500_000,
        "Polsek Gunung Raya",
        "Syahrial",
    ),
    _kegiatan(
        "kearifan_lokal", PERDES, "Seluruh warga desa", 3, 2_000_000, "BPD Lempur Mudik", "Rahmat Hidayat"
    ),
    _kegiatan(
        "kearifan_lokal",
        LUBUK,
        "Kelompok pengelola hutan adat",
        4,
        4_500_000,
        "Balai Taman Nasional Kerinci Seblat",
        "Asmadi",
    ),
]
_REVISI = copy.deepcopy(RENCANA_AKSI)
_REVISI[1]["bulan"] = 3  # the kerupuk equipment came late
_REVISI[1]["anggaran"] = 5_000_000
_REVISI[5]["anggaran"] = 5_500_000
_REVISI.append(
    _kegiatan(
        "partisipasi",
        "Gotong royong bulanan membersihkan saluran irigasi",
        "Warga tiga dusun",
        4,
        500_000,
        "Kelompok tani kopi",
        "Jufri Hamdani",
    )
)

FORM_EXAMPLES: dict[str, dict[str, Any]] = {
    # --- persiapan
    "tetapkan_petugas.json": {
        "fasilitator_daerah": {
            "nama": "Budi Santoso",
            "instansi": "Dinas Sosial Kabupaten Kerinci",
            "telepon": "0811-7450-332",
        },
        "pendamping": copy.deepcopy(PENDAMPING),
    },
    "koordinasi_dinas_sosial.json": {
        "tanggal_koordinasi": "2027-01-11",
        "dinas_sosial_kabupaten": {
            "nama_petugas": "Drs. Hendri Yusuf",
            "jabatan": "Kepala Bidang Pemberdayaan Sosial",
        },
        "dinas_sosial_provinsi": {
            "nama_petugas": "Yuliana, S.Sos.",
            "jabatan": "Kepala Seksi Pemberdayaan Masyarakat",
        },
        "desa_bersedia": True,
    },
    "siapkan_lokasi.json": {
        "lokasi_bimbingan": {
            "tempat": "Balai Desa Lempur Mudik",
            "alamat": "Jl. Raya Lempur, Desa Lempur Mudik, Kecamatan Gunung Raya, Kabupaten Kerinci, Jambi",
            "kapasitas": 50,
        },
        "tanggal_mulai_bimbingan": "2027-02-15",
    },
    "siapkan_calon_peserta.json": {"calon_peserta": copy.deepcopy(PESERTA)},
    "setujui_peserta_kurang.json": {
        "setuju_peserta_kurang": True,
        "alasan_persetujuan": "Dua calon peserta sedang merantau; 28 peserta sudah mewakili semua pranata "
        "sosial desa.",
    },
    # --- pelaksanaan pengembangan
    "pemetaan_kondisi_awal.json": {
        "profil_desa": {
            "jumlah_penduduk": 1873,
            "jumlah_kk": 492,
            "jumlah_pmks": 134,
            "pranata_sosial": [
                "Lembaga adat (depati dan ninik mamak)",
                "Majelis Taklim Al-Ikhlas",
                "Karang Taruna Tunas Harapan",
                "TP PKK Desa Lempur Mudik",
                "Posyandu Melati",
                "Kelompok pengelola hutan adat",
            ],
        },
        "kondisi_awal": _kondisi(_SKOR_AWAL, _BUKTI_AWAL),
    },
    "pembekalan.json": {
        "tanggal_pembekalan": "2027-02-13",
        "materi_pembekalan": [
            "Konsep desa berketahanan sosial dan empat dimensinya",
            "Peran fasilitator daerah, pendamping dan peserta",
            "Metode MPA, TOP dan PRA",
            "Pengelolaan dana stimulan dan pelaporan",
        ],
        "jumlah_hadir": 33,
    },
    "registrasi_peserta.json": {"peserta": copy.deepcopy(PESERTA)},
    "kontrak_belajar.json": {
        "jumlah_hari": 4,
        "jam_mulai": "08:30",
        "jam_selesai": "21:30",
        "jeda": [
            {"mulai": "10:00", "selesai": "10:15", "keterangan": "Rehat kopi"},
            {"mulai": "12:00", "selesai": "13:30", "keterangan": "Ishoma"},
            {"mulai": "15:30", "selesai": "16:00", "keterangan": "Salat Asar dan rehat"},
            {"mulai": "18:00", "selesai": "19:30", "keterangan": "Ishoma"},
        ],
        "aturan": [
            "Hadir tepat waktu; terlambat lebih dari 15 menit memberi tahu pendamping",
            "Telepon genggam dalam mode senyap selama sesi",
            "Menghargai pendapat setiap peserta",
        ],
    },
    "absensi_bimbingan.json": {
        "hadir": [n for n in NAMA_PESERTA if n not in ("Zulkifli", "Putri Ramadhani", "Dedi Kurniawan")],
        "catatan_absensi": "Zulkifli sakit; Putri Ramadhani menjaga anak yang demam; Dedi Kurniawan ke "
        "ladang di Renah Kayu Embun.",
    },
    "asesmen_masalah.json": {
        "masalah_kebutuhan": [
            {
                "dimensi": "perlindungan_sosial",
                "masalah": "Lansia terlantar di Dusun Baru tidak terjangkau layanan kesehatan.",
                "kebutuhan": "Layanan kesehatan lansia yang dekat dan rutin.",
            },
            {
                "dimensi": "perlindungan_sosial",
                "masalah": "Keluarga miskin bergantung pada upah harian di kebun kopi.",
                "kebutuhan": "Sumber penghasilan tambahan bagi keluarga miskin.",
            },
            {
                "dimensi": "partisipasi",
                "masalah": "Warga hanya bergotong royong saat ada musibah.",
                "kebutuhan": "Relawan tetap dan kegiatan bersama yang rutin.",
            },
            {
                "dimensi": "pengendalian_konflik",
                "masalah": "Perkelahian pemuda antardesa pernah meluas.",
                "kebutuhan": "Wadah musyawarah tokoh adat dan pemuda.",
            },
            {
                "dimensi": "kearifan_lokal",
                "masalah": "Penangkapan ikan dengan racun dan pembukaan kebun di hutan adat.",
                "kebutuhan": "Aturan tertulis dan kegiatan pemeliharaan sungai dan hutan.",
            },
        ]
    },
    "alternatif_program.json": {
        "alternatif": [
            {
                "dimensi": "perlindungan_sosial",
                "masalah": "Lansia terlantar tidak terjangkau layanan",
                "alternatif_kegiatan": "Posyandu lansia di Dusun Baru; kunjungan rumah oleh relawan.",
            },
            {
                "dimensi": "perlindungan_sosial",
                "masalah": "Keluarga miskin tanpa penghasilan tetap",
                "alternatif_kegiatan": "Usaha bersama kerupuk ubi; kebun sayur pekarangan.",
            },
            {
                "dimensi": "partisipasi",
                "masalah": "Gotong royong tidak rutin",
                "alternatif_kegiatan": "Pelatihan relawan; gotong royong bulanan.",
            },
            {
                "dimensi": "pengendalian_konflik",
                "masalah": "Perkelahian pemuda antardesa",
                "alternatif_kegiatan": "Forum rembuk depati dan pemuda; turnamen sepak bola antardesa.",
            },
            {
                "dimensi": "kearifan_lokal",
                "masalah": "Kerusakan sungai dan hutan adat",
                "alternatif_kegiatan": "Peraturan desa hutan adat; lubuk larangan; pembibitan kayu manis.",
            },
        ]
    },
    "rencana_aksi.json": {"metode": "TOP", "rencana_aksi": RENCANA_AKSI},
    "bentuk_pokja.json": {
        "pokja": {
            "nama": "Pokja Tansosmas Lempur Mudik",
            "tanggal_pembentukan": "2027-02-18",
            "cara_pemilihan": "Musyawarah",
            "ketua": KETUA,
            "sekretaris": SEKRETARIS,
            "bendahara": BENDAHARA,
            "rekening": dict(REKENING),
        }
    },
    "komitmen_peserta.json": {
        "komitmen": [
            {
                "nama": nama,
                "jenis": "Uang",
                "uraian": "Iuran tunai modal awal Pokja",
                "nilai": 50_000 * (1 + i % 4),
            }
            if i % 3
            else {"nama": nama, "jenis": "Barang", "uraian": "Dua karung bibit kayu manis", "nilai": 150_000}
            for i, nama in enumerate(NAMA_PESERTA)
        ]
    },
    "transfer_dana_stimulan.json": {
        "dana_stimulan": {
            "jumlah": 20_000_000,
            "tanggal_transfer": "2027-03-01",
            "rekening_tujuan": "Bank 9 Jambi 1502-0317-4421 a.n. Pokja Tansosmas Lempur Mudik",
            "nomor_bukti": "TRF/BADIKLIT/2027/03/0147",
        }
    },
    # --- monitoring, evaluasi dan pelaporan
    "catat_kemajuan.json": {
        "kemajuan": [
            {
                "kegiatan": POSYANDU_LANSIA,
                "status": "Selesai",
                "catatan": "Posyandu lansia dibuka; 29 lansia datang pada pertemuan pertama.",
                "bukti": "Foto kegiatan dan daftar hadir 12 Maret 2027",
            },
            {
                "kegiatan": KERUPUK,
                "status": "Terhambat",
                "catatan": "Alat pengering belum datang dari Sungai Penuh.",
                "bukti": "",
            },
            {"kegiatan": RELAWAN, "status": "Berjalan", "catatan": "Dua dari empat sesi pelatihan selesai."},
        ]
    },
    "monitoring_bulan_3.json": {
        "monitoring": {
            "tanggal_fgd": "2027-06-02",
            "peserta_fgd": [
                KETUA,
                SEKRETARIS,
                BENDAHARA,
                *[n for n in NAMA_PESERTA if n not in _PENGURUS][:9],
            ],
            "temuan": "Posyandu lansia dan pelatihan relawan berjalan baik. Usaha kerupuk mundur satu bulan "
            "karena alat pengering terlambat; forum rembuk sudah dua kali bertemu.",
        },
        "perlu_revisi": False,
    },
    "revisi_rencana_aksi.json": {
        "rencana_aksi": _REVISI,
        "tanggapan_revisi": "Usaha kerupuk dipindah ke bulan ke-3 dan anggarannya dikurangi; sisa "
        "anggaran untuk lubuk larangan. Ditambah gotong royong bulanan membersihkan saluran irigasi.",
    },
    "evaluasi_bulan_5.json": {
        "evaluasi": {
            "tanggal_fgd": "2027-08-04",
            "catatan_fgd": "FGD dengan 24 anggota Pokja, kepala desa dan Dinas Sosial Kabupaten Kerinci. "
            "Lima dari enam kegiatan selesai; peraturan desa hutan adat sudah disahkan.",
        },
        "kondisi_evaluasi": _kondisi(_SKOR_EVALUASI, _BUKTI_EVALUASI),
    },
    "tulis_laporan.json": {
        "laporan": {
            "ringkasan": "Rencana aksi enam bulan Pokja Tansosmas Lempur Mudik: enam kegiatan di empat "
            "dimensi ketahanan sosial, dibiayai dana stimulan Rp20.000.000 dan komitmen peserta.",
            "capaian": "Posyandu lansia melayani 37 lansia; 14 relawan tetap; peraturan desa hutan adat "
            "dan lubuk larangan disahkan; usaha kerupuk melibatkan 12 keluarga miskin.",
            "kendala": "Alat usaha kerupuk terlambat datang; jalan ke Dusun Baru rusak pada musim hujan.",
            "rekomendasi": "Dinas Sosial Kabupaten Kerinci melanjutkan pembinaan usaha kerupuk; Puskesmas "
            "menetapkan jadwal Pustu keliling.",
            "penulis": [KETUA, SEKRETARIS, BENDAHARA, PENDAMPING[0]["nama"], PENDAMPING[1]["nama"]],
        }
    },
    "ingatkan_laporan.json": {
        "pengingat_laporan": {
            "tanggal": "2027-09-15",
            "cara": "Kunjungan",
            "tanggapan_pokja": "Ketua Pokja berjanji laporan selesai sebelum 22 September.",
        }
    },
    "eskalasi_laporan.json": {
        "tindak_lanjut_laporan": {
            "tanggal": "2027-10-01",
            "penyebab": "Sekretaris Pokja sakit dan bukti kegiatan belum terkumpul.",
            "tindakan": "Pendamping membantu mengumpulkan bukti; rapat penyusunan laporan di balai desa.",
            "target_selesai": "2027-10-08",
        }
    },
    "setujui_laporan.json": {
        "persetujuan": {"setuju": True, "catatan": "Laporan sesuai dengan kegiatan yang kami dampingi."}
    },
    # --- terminasi
    "berita_acara_serah_terima.json": {
        "serah_terima": {
            "nomor": "BA-01/TANSOSMAS/LM/IX/2027",
            "tanggal": "2027-09-27",
            "penerima": {
                "nama": "Syafrial",
                "jabatan": "Kepala Desa Lempur Mudik",
                "instansi": "Pemerintah Desa Lempur Mudik",
            },
            "catatan": "Pembinaan Pokja Tansosmas diserahkan kepada pemerintah desa.",
        }
    },
    "pengakhiran_program.json": {
        "pengakhiran": {
            "tanggal": "2027-09-30",
            "catatan": "Program berakhir; pembinaan dilanjutkan oleh desa, kecamatan, Dinas Sosial Kabupaten "
            "Kerinci dan Dinas Sosial Provinsi Jambi.",
        }
    },
    # --- refleksi
    "evaluasi_pokja.json": {
        "refleksi": {
            "capaian": "Empat dimensi menguat; Posyandu lansia dan lubuk larangan berjalan tanpa dana pusat.",
            "kendala": "Pemasaran kerupuk masih terbatas di pasar Lempur.",
            "umpan_balik": "Pokja perlu melibatkan lebih banyak pemuda dan mencari mitra pemasaran.",
        },
        "lanjut_siklus": False,
    },
    "rencana_aksi_lanjutan.json": {
        "rencana_aksi": [
            _kegiatan(
                "perlindungan_sosial",
                "Pemasaran kerupuk ke toko oleh-oleh Sungai Penuh",
                "12 keluarga miskin",
                1,
                1_500_000,
                "Asosiasi UMKM Kerinci",
                "Nelly Yusra",
            ),
            _kegiatan(
                "partisipasi",
                "Turnamen sepak bola pemuda antardesa",
                "Pemuda Kecamatan Gunung Raya",
                2,
                2_000_000,
                "Karang Taruna kecamatan",
                "Mukhlis",
            ),
            _kegiatan(
                "kearifan_lokal",
                "Penanaman 2.000 bibit kayu manis di tepi hutan adat",
                "Kelompok pengelola hutan adat",
                3,
                0,
                "Balai Taman Nasional Kerinci Seblat",
                "Asmadi",
            ),
        ]
    },
    "laporan_siklus.json": {
        "laporan_siklus": {
            "ringkasan": "Siklus kedua dijalankan Pokja sendiri dengan dana iuran dan mitra kerja.",
            "capaian": "Kerupuk dijual di tiga toko oleh-oleh; 2.000 bibit kayu manis ditanam.",
        }
    },
}

# The item a multi-instance task is working on, as its task data carries it.
_INSTANCE_ITEM: dict[str, dict[str, Any]] = {
    "setujui_laporan.json": {"pendamping_ini": PENDAMPING[0]},
    "berita_acara_serah_terima.json": {"tingkat_ini": "Desa/Kelurahan"},
}


def context_for(form: str) -> dict[str, Any]:
    """The task data the form's task sees: every earlier example merged in process order."""
    data: dict[str, Any] = {}
    for name, example in FORM_EXAMPLES.items():
        if name == form:
            break
        data.update(copy.deepcopy(example))
    data.update(copy.deepcopy(_INSTANCE_ITEM.get(form, {})))
    return data
