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

from .localise import retell
from .people import (
    BENDAHARA,
    BUKTI_AWAL,
    BUKTI_EVALUASI,
    FORUM,
    KERUPUK,
    KETUA,
    NAMA_PESERTA,
    PENDAMPING,
    PENGURUS,
    PERDES,
    PESERTA,
    POSYANDU_LANSIA,
    REKENING,
    RELAWAN,
    RENCANA_AKSI,
    RENCANA_AKSI_REVISI,
    SEKRETARIS,
    SKOR_AWAL,
    SKOR_EVALUASI,
    kegiatan,
    kondisi,
)

FASILITATOR_PUSAT = ("Dr. Andi Prasetyo", "Dewi Kartika, M.Si.")
# Table 1's parameters that count people (jiwa), at the baseline and at the evaluation.
JUMLAH_AWAL = {
    "tren_kelompok_rentan": 134,
    "warga_dalam_organisasi": 210,
    "warga_dalam_pelayanan_sosial": 35,
    "warga_merusak_lingkungan": 41,
}
JUMLAH_EVALUASI = {
    "tren_kelompok_rentan": 118,
    "warga_dalam_organisasi": 296,
    "warga_dalam_pelayanan_sosial": 58,
    "warga_merusak_lingkungan": 17,
}


def with_counts(condition: dict[str, Any], counts: dict[str, int]) -> dict[str, Any]:
    """The four dimensions' scores, with the number of people beside the parameters that count them."""
    for parameters in condition.values():
        for key, parameter in parameters.items():
            if key in counts:
                parameter["jumlah"] = counts[key]
    return condition


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
            {"kegiatan": RELAWAN, "status": "Selesai", "catatan": "Empat sesi pelatihan selesai."},
            {
                "kegiatan": FORUM,
                "status": "Selesai",
                "catatan": "Forum rembuk terbentuk dan sudah bertemu dua kali.",
            },
            {"kegiatan": PERDES, "status": "Selesai", "catatan": "Peraturan desa hutan adat disahkan BPD."},
        ]
    },
    "monitoring_bulan_3_pusat.json": {
        "monitoring_pusat": {
            "tanggal_kunjungan": "2027-06-02",
            "fasilitator": list(FASILITATOR_PUSAT),
            "temuan": "Pokja aktif bertemu tiap bulan; pembukuan dana stimulan rapi. Usaha kerupuk perlu "
            "alat pengering sendiri.",
            "perlu_revisi": False,
        }
    },
    "monitoring_bulan_3.json": {
        "monitoring": {
            "fasilitator": ["Budi Santoso"],
            "tanggal_fgd": "2027-06-02",
            "peserta_fgd": [
                KETUA,
                SEKRETARIS,
                BENDAHARA,
                *[n for n in NAMA_PESERTA if n not in PENGURUS][:9],
            ],
            "temuan": "Posyandu lansia dan pelatihan relawan berjalan baik. Usaha kerupuk mundur satu bulan "
            "karena alat pengering terlambat; forum rembuk sudah dua kali bertemu.",
        },
        "perlu_revisi": False,
    },
    "revisi_rencana_aksi.json": {
        "rencana_aksi": RENCANA_AKSI_REVISI,
        "tanggapan_revisi": "Usaha kerupuk dipindah ke bulan ke-3 dan anggarannya dikurangi; sisa "
        "anggaran untuk lubuk larangan. Ditambah gotong royong bulanan membersihkan saluran irigasi.",
    },
    "evaluasi_bulan_5.json": {
        "evaluasi": {
            "fasilitator": ["Budi Santoso"],
            "tanggal_fgd": "2027-07-02",
            "catatan_fgd": "FGD dengan 24 anggota Pokja, kepala desa dan Dinas Sosial Kabupaten Kerinci. "
            "Lima dari enam kegiatan selesai; peraturan desa hutan adat sudah disahkan.",
        },
        "kondisi_evaluasi": with_counts(kondisi(SKOR_EVALUASI, BUKTI_EVALUASI), JUMLAH_EVALUASI),
    },
    "evaluasi_bulan_5_pusat.json": {
        "evaluasi_pusat": {
            "tanggal_kunjungan": "2027-07-02",
            "fasilitator": list(FASILITATOR_PUSAT),
            "metode": ["Diskusi (FGD)", "Tanya Jawab"],
            "penerapan_prinsip": {
                "kesadaran_komunitas": "Terlaksana",
                "kebersamaan": "Terlaksana",
                "kemandirian": "Sebagian",
                "kemitraan": "Terlaksana",
                "kesetaraan": "Terlaksana",
                "keberlanjutan": "Sebagian",
            },
            "temuan": "Lima dari enam kegiatan berjalan; iuran anggota menutup biaya Posyandu lansia.",
        }
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
            "penulis_pengurus": [KETUA, SEKRETARIS, BENDAHARA],
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
        "persetujuan": {
            "bagian_laporan": "Pendampingan dua kali sebulan di balai desa; pembukuan Pokja diperiksa setiap "
            "bulan. Kegiatan perlindungan sosial dan kearifan lokal berjalan paling baik.",
            "setuju": True,
            "catatan": "Laporan sesuai dengan kegiatan yang kami dampingi.",
        }
    },
    "tindak_lanjut_tanda_terima.json": {
        "tindak_lanjut_tanda_terima": {
            "tanggal": "2027-09-20",
            "tindakan": "Menelepon sekretariat penerima; laporan dikirim ulang lewat pos tercatat.",
            "dikirim_ulang": True,
        }
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
            kegiatan(
                "perlindungan_sosial",
                "Pemasaran kerupuk ke toko oleh-oleh Sungai Penuh",
                "12 keluarga miskin",
                1,
                1_500_000,
                "Asosiasi UMKM Kerinci",
                "Nelly Yusra",
            ),
            kegiatan(
                "partisipasi",
                "Turnamen sepak bola pemuda antardesa",
                "Pemuda Kecamatan Gunung Raya",
                2,
                2_000_000,
                "Karang Taruna kecamatan",
                "Mukhlis",
            ),
            kegiatan(
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


def context_for(form: str, examples: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The task data the form's task sees: every earlier example merged in process order."""
    examples = FORM_EXAMPLES if examples is None else examples
    data: dict[str, Any] = {}
    for name, example in examples.items():
        if name == form:
            break
        data.update(copy.deepcopy(example))
    data.update(copy.deepcopy(_INSTANCE_ITEM.get(form, {})))
    return data


_RETOLD: dict[str, dict[str, dict[str, Any]]] = {}


def examples_for(village: Any) -> dict[str, dict[str, Any]]:
    """The example answers as `village` gives them: its own people, places and activities
    (`localise.retell`); Lempur Mudik's own for Lempur Mudik, or for no village."""
    if village is None:
        return FORM_EXAMPLES
    if village.code not in _RETOLD:
        _RETOLD[village.code] = retell(FORM_EXAMPLES, village)
    return _RETOLD[village.code]
