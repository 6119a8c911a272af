"""Every demo village's own answers: Lempur Mudik's examples told again for another village.

The people get names of the village's region (drawn from given and family names the region uses,
the same for a village every time: the draw is seeded by its code), the places are the village's
own (its kecamatan, its kabupaten's Dinas Sosial, its province's regional bank), and its action plan
draws its six activities, one per slot of Lempur Mudik's, from activities of the same dimension.
Everything is replaced in one pass over every text, so the answers still agree with each other: the
Pokja board is three of the participants, the progress names the plan's activities, and so on.
"""

from __future__ import annotations

import copy
import random
import re
from typing import Any

from .people import _NAMA_L, _NAMA_P, PENDAMPING

LEMPUR_MUDIK = "15.01.01.2003"

# Given names and family (or second) names by region, men's and women's.
_REGIONS: dict[str, tuple[list[str], list[str], list[str], list[str]]] = {
    "sumatra": (
        ["Zulkarnain", "Syahrul", "Afrizal", "Hendra", "Yusman", "Jasman", "Efendi", "Rusli", "Azwar"],
        ["Putra", "Rahman", "Hamdani", "Saputra", "Chaniago", "Tanjung", "Effendi"],
        ["Yusnidar", "Ernawati", "Nurlela", "Desmita", "Rosna", "Elvi", "Misnawati", "Ratna", "Yulidar"],
        ["Sari", "Yanti", "Wati", "Marlina", "Yusra", "Hayati", "Fitri"],
    ),
    "jawa": (
        ["Bambang", "Sugeng", "Agus", "Suparman", "Joko", "Wayan", "Ketut", "Slamet", "Heru"],
        ["Santoso", "Pratama", "Setiawan", "Susanto", "Wibowo", "Gunawan", "Suryadi"],
        ["Sri", "Siti", "Endang", "Ratna", "Yuli", "Made", "Nyoman", "Tri", "Dwi"],
        ["Rahayu", "Wulandari", "Lestari", "Astuti", "Handayani", "Purwanti", "Susilowati"],
    ),
    "sunda": (
        ["Asep", "Dadang", "Ujang", "Cecep", "Engkus", "Jajang", "Yayan", "Enjang", "Dedi"],
        ["Saepudin", "Kurnia", "Suryana", "Sopian", "Permana", "Sutisna", "Hermawan"],
        ["Euis", "Neneng", "Imas", "Elis", "Yeni", "Cucu", "Entin", "Iis", "Nining"],
        ["Nurhasanah", "Kurniasih", "Rosmiati", "Sumiati", "Komalasari", "Suryani", "Jubaedah"],
    ),
    "kalteng": (
        ["Darius", "Sabran", "Yohanes", "Rahmadi", "Untung", "Salundik", "Frans", "Kristian", "Ardianto"],
        ["Toendan", "Ajun", "Nyaring", "Bungai", "Sahari", "Patianom", "Dangin"],
        ["Mariati", "Lusiana", "Theresia", "Herlina", "Enny", "Norhayati", "Setiawati", "Rusmini", "Dewi"],
        ["Asi", "Bungai", "Nyahu", "Ajun", "Lambung", "Kuhu", "Sahari"],
    ),
    "mandar": (
        ["Muhammad", "Abdul", "Syamsul", "Mustari", "Hasbi", "Ridwan", "Arifin", "Jamaluddin", "Ilham"],
        ["Tahir", "Saleh", "Hamzah", "Basri", "Yunus", "Jafar", "Mandra"],
        ["Hasna", "Rosmiati", "Sitti", "Hadijah", "Nurlia", "Salmia", "Marwah", "Hasmawati", "Nurbaya"],
        ["Tahir", "Saleh", "Basri", "Yunus", "Hamid", "Rahim", "Latif"],
    ),
    "minahasa": (
        ["Johny", "Frans", "Steven", "Roy", "Jefry", "Hendrik", "Maxi", "Ronald", "Alfrits"],
        ["Lumempouw", "Sondakh", "Mandagi", "Wowor", "Runtuwene", "Tumbelaka", "Lengkong"],
        ["Meiske", "Olivia", "Grace", "Deysi", "Vivi", "Lenny", "Marlin", "Stevani", "Jeane"],
        ["Lumempouw", "Sondakh", "Mandagi", "Wowor", "Runtuwene", "Kaunang", "Rumengan"],
    ),
    "sasak": (
        ["Lalu Ahmad", "Lalu Amir", "Zainal", "Muhtar", "Sahnan", "Hairul", "Rusdi", "Saparudin", "Junaidi"],
        ["Abidin", "Hadi", "Fauzi", "Majid", "Arif", "Sahid", "Wahyudi"],
        ["Baiq Nurul", "Baiq Rahmi", "Sitiyah", "Mariani", "Sumiati", "Rabiah", "Halimah", "Nurhidayah"],
        ["Aini", "Hidayati", "Fitriani", "Wahidah", "Zuhriah", "Jannah", "Ulfa"],
    ),
}
_REGION_OF = {
    "Jambi": "sumatra",
    "Sumatera Barat": "sumatra",
    "Bengkulu": "sumatra",
    "Lampung": "jawa",
    "Kalimantan Timur": "jawa",
    "Jawa Barat": "sunda",
    "Kalimantan Tengah": "kalteng",
    "Sulawesi Barat": "mandar",
    "Sulawesi Utara": "minahasa",
    "Nusa Tenggara Barat": "sasak",
}
_BANKS = {
    "Jambi": "Bank 9 Jambi",
    "Sumatera Barat": "Bank Nagari",
    "Bengkulu": "Bank Bengkulu",
    "Lampung": "Bank Lampung",
    "Jawa Barat": "Bank bjb",
    "Kalimantan Tengah": "Bank Kalteng",
    "Kalimantan Timur": "Bankaltimtara",
    "Sulawesi Barat": "Bank Sulselbar",
    "Sulawesi Utara": "Bank SulutGo",
    "Nusa Tenggara Barat": "Bank NTB Syariah",
}
# Lempur Mudik's six activities, and activities of the same dimension a village may choose instead.
_ACTIVITIES = {
    "Membentuk Posyandu lansia di Dusun Baru": [
        "Membentuk Posyandu lansia di {dusun}",
        "Layanan kesehatan keliling untuk lansia dan penyandang disabilitas",
        "Mendata dan mendampingi lansia terlantar bersama Puskesmas",
    ],
    "Usaha bersama kerupuk ubi bagi keluarga miskin": [
        "Usaha bersama olahan ikan bagi keluarga miskin",
        "Kebun sayur pekarangan bersama bagi keluarga miskin",
        "Usaha bersama anyaman bambu bagi keluarga miskin",
    ],
    "Pelatihan relawan pendamping lansia dan anak putus sekolah": [
        "Pelatihan relawan sosial desa",
        "Membentuk kelompok relawan tanggap darurat",
        "Pelatihan relawan pendamping anak putus sekolah",
    ],
    "Membentuk forum rembuk depati dan pemuda": [
        "Membentuk forum rembuk tokoh adat dan pemuda",
        "Membentuk forum musyawarah warga antardusun",
        "Membentuk forum kerukunan umat beragama desa",
    ],
    "Menyusun peraturan desa tentang hutan adat dan lubuk larangan": [
        "Menyusun peraturan desa tentang pengelolaan sampah dan sungai",
        "Menyusun peraturan desa tentang perlindungan mata air",
        "Menyusun peraturan desa tentang hutan desa",
    ],
    "Membuka lubuk larangan dan pembibitan kayu manis": [
        "Membuat bank sampah desa",
        "Penanaman pohon di sekitar mata air",
        "Pembibitan tanaman keras bersama warga",
    ],
}
_DUSUN = ["Dusun Sukamaju", "Dusun Mekarsari", "Dusun Harapan Jaya", "Dusun Tanjung", "Dusun Sumber Rejo"]
# Lempur Mudik's other people (staff and officials), by gender.
_STAFF_L = ["Budi Santoso", "Hendri Yusuf", "Syafrial", PENDAMPING[1]["nama"]]
_STAFF_P = ["Yuliana", PENDAMPING[0]["nama"]]


def _names(region: str, count: int, men: bool, rng: random.Random, taken: set[str]) -> list[str]:
    given, family, given_p, family_p = _REGIONS[region]
    pairs = [f"{g} {f}" for g in (given if men else given_p) for f in (family if men else family_p)]
    rng.shuffle(pairs)
    chosen = [p for p in pairs if p not in taken][:count]
    taken.update(chosen)
    return chosen


def _kabupaten(village: Any) -> tuple[str, str]:
    """('Kabupaten Sukabumi', 'Sukabumi') from 'Kab. Sukabumi'; a kota keeps its name."""
    name = str(village.kabupaten)
    short = re.sub(r"^(Kab\.|Kabupaten|Kota)\s*", "", name)
    return (f"Kabupaten {short}" if not name.startswith("Kota") else name), short


def replacements(village: Any) -> dict[str, str]:
    """What each of Lempur Mudik's names becomes in `village`."""
    rng = random.Random(village.code)
    region = _REGION_OF.get(str(village.provinsi), "jawa")
    taken: set[str] = set()
    men, women = _NAMA_L + _STAFF_L, _NAMA_P + _STAFF_P
    found = dict(zip(men, _names(region, len(men), True, rng, taken), strict=True))
    found |= dict(zip(women, _names(region, len(women), False, rng, taken), strict=True))
    long_name, short = _kabupaten(village)
    dusun = rng.choice(_DUSUN)
    for lempur, choices in _ACTIVITIES.items():
        found[lempur] = rng.choice(choices).format(dusun=dusun)
    found |= {
        "Balai Taman Nasional Kerinci Seblat": f"Dinas Lingkungan Hidup {long_name}",
        "Bank 9 Jambi": _BANKS.get(str(village.provinsi), "Bank BRI"),
        "IAIN Kerinci": f"Universitas Terbuka {village.provinsi}",
        "Kabupaten Kerinci": long_name,
        "Provinsi Jambi": f"Provinsi {village.provinsi}",
        "Desa Lempur Hilir": "desa tetangga",
        "Lempur Tengah": f"ibu kota Kecamatan {village.kecamatan}",
        "Renah Kayu Embun": "luar desa",
        "Sungai Penuh": short,
        "Gunung Raya": str(village.kecamatan),
        "Lempur Mudik": str(village.name),
        "Dusun Baru": dusun,
        "Lempur": str(village.name),
        "Kerinci": short,
        "Jambi": str(village.provinsi),
    }
    return found


def _retold(value: Any, pattern: re.Pattern[str], found: dict[str, str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(lambda m: found[m.group(0)], value)
    if isinstance(value, list):
        return [_retold(v, pattern, found) for v in value]
    if isinstance(value, dict):
        return {k: _retold(v, pattern, found) for k, v in value.items()}
    return value


def retell(examples: dict[str, Any], village: Any) -> dict[str, Any]:
    """Lempur Mudik's `examples` as `village` gives them (Lempur Mudik's unchanged)."""
    if village is None or village.code == LEMPUR_MUDIK:
        return copy.deepcopy(examples)
    found = replacements(village)
    keys = sorted(found, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, keys)) + r")(?!\w)")
    retold: dict[str, Any] = _retold(examples, pattern, found)
    _report_of_its_plan(retold)
    return retold


def _report_of_its_plan(examples: dict[str, Any]) -> None:
    """The report speaks of the village's own activities (Lempur Mudik's names its own)."""
    plan = [k["kegiatan"] for k in examples.get("rencana_aksi.json", {}).get("rencana_aksi", [])]
    report = examples.get("tulis_laporan.json", {}).get("laporan")
    if not plan or not isinstance(report, dict):
        return
    report["capaian"] = f"Berjalan: {'; '.join(plan[:4])}. Dua kegiatan lain dimulai bulan ke-4."
    report["kendala"] = f"Kegiatan '{plan[1]}' mundur satu bulan karena bahan dan alat terlambat datang."
    report["rekomendasi"] = (
        f"Dinas Sosial melanjutkan pembinaan '{plan[1]}'; pemerintah desa menganggarkan '{plan[0]}'."
    )
