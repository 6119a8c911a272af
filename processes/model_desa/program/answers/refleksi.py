"""The example answers of Refleksi (refleksi.bpmn):
reflection: the Pokja's evaluation, the next cycle's plan and report."""

from __future__ import annotations

from typing import Any

from ..people import kegiatan

REFLEKSI: dict[str, dict[str, Any]] = {
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
