"""The example answers of Monitoring, Evaluasi dan Pelaporan (monitoring_evaluasi_pelaporan.bpmn):
monitoring, evaluation and reporting: monthly progress, the FGDs, the report and its approvals."""

from __future__ import annotations

from typing import Any

from ..people import (
    BENDAHARA,
    BUKTI_EVALUASI,
    FORUM,
    KERUPUK,
    KETUA,
    NAMA_PESERTA,
    PENGURUS,
    PERDES,
    POSYANDU_LANSIA,
    RELAWAN,
    RENCANA_AKSI_REVISI,
    SEKRETARIS,
    SKOR_EVALUASI,
    kondisi,
)
from .common import FASILITATOR_PUSAT, JUMLAH_EVALUASI, with_counts

MONITORING_EVALUASI_PELAPORAN: dict[str, dict[str, Any]] = {
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
}
