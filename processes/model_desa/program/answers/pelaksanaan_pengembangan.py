"""The example answers of Pelaksanaan dan Pengembangan (pelaksanaan_pengembangan.bpmn):
implementation: baseline, training, learning contract, problems, action plan, Pokja, commitments, fund."""

from __future__ import annotations

import copy
from typing import Any

from ..people import (
    BENDAHARA,
    BUKTI_AWAL,
    KETUA,
    NAMA_PESERTA,
    PESERTA,
    REKENING,
    RENCANA_AKSI,
    SEKRETARIS,
    SKOR_AWAL,
    kondisi,
)
from .common import FASILITATOR_PUSAT, JUMLAH_AWAL, with_counts

PELAKSANAAN_PENGEMBANGAN: dict[str, dict[str, Any]] = {
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
        "kondisi_awal": with_counts(kondisi(SKOR_AWAL, BUKTI_AWAL), JUMLAH_AWAL),
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
        "tanggal_bimbingan": ["2027-02-15", "2027-02-16", "2027-02-17", "2027-02-18"],
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
        "metode_bimbingan": ["Ceramah", "Tanya Jawab", "Diskusi (FGD)", "Simulasi", "Games/Role Playing"],
        "prinsip": {
            "kesadaran_komunitas": "Masalah dan kebutuhan diungkap oleh warga sendiri dalam asesmen.",
            "kebersamaan": "Rencana aksi disusun dan dikerjakan bersama semua unsur pranata sosial.",
            "kemandirian": "Setiap peserta menyumbang modal awal; dana stimulan hanya pancingan.",
            "kemitraan": "Setiap kegiatan punya mitra kerja di desa, kecamatan atau kabupaten.",
            "kesetaraan": "Setiap peserta berhak bicara dan memilih, tua dan muda, laki-laki dan perempuan.",
            "keberlanjutan": "Pokja menyusun rencana aksi berikutnya sendiri setelah program berakhir.",
        },
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
    "rencana_aksi.json": {
        "metode": "TOP",
        "tanggal_mulai_rencana_aksi": "2027-03-01",
        "penyusunan": {
            "disusun_oleh": NAMA_PESERTA[:26],
            "fasilitator_pusat": list(FASILITATOR_PUSAT),
            "fasilitator_daerah": ["Budi Santoso"],
            "disepakati_oleh": NAMA_PESERTA[:27],
            "tanggal_kesepakatan": "2027-02-18",
        },
        "rencana_aksi": RENCANA_AKSI,
    },
    "bentuk_pokja.json": {
        "pokja": {
            "nama": "Pokja Tansosmas Lempur Mudik",
            "tanggal_pembentukan": "2027-02-18",
            "cara_pemilihan": "Musyawarah",
            "ketua": KETUA,
            "sekretaris": SEKRETARIS,
            "bendahara": BENDAHARA,
            "pemilih": NAMA_PESERTA[:27],
            "hasil_pemilihan": "Musyawarah mufakat 27 peserta yang hadir pada hari terakhir bimbingan.",
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
}
