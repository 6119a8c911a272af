"""The example answers of Persiapan (persiapan.bpmn):
preparation: officers, the Dinas Sosial, the site, the candidates."""

from __future__ import annotations

import copy
from typing import Any

from ..people import (
    PENDAMPING,
    PESERTA,
)

PERSIAPAN: dict[str, dict[str, Any]] = {
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
}
