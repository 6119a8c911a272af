"""The example answers of Terminasi (terminasi.bpmn):
termination: the hand-over record and the program's closing."""

from __future__ import annotations

from typing import Any

TERMINASI: dict[str, dict[str, Any]] = {
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
}
