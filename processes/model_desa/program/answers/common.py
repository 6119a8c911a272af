"""What several steps' answers share: the central facilitators and Table 1's counts of people."""

from __future__ import annotations

from typing import Any

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
