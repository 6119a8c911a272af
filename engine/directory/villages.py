"""The villages (desa/kelurahan) the program runs in, keyed by their Kemendagri region code.

One village at a time (`upsert`), a CSV file (`import_csv`), or the official list of all 83,762
(`bulk_upsert` of `engine.kemendagri.iter_villages`). The bulk paths compare with what is stored and
write only new and changed rows, in batches of plain INSERT/UPDATE statements (executemany).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from engine.directory.access import kabupaten_code_of
from engine.errors import InvalidInput
from engine.store.models import Village

CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
COLUMNS = ("code", "name", "kecamatan", "kabupaten", "provinsi")
# Columns a CSV may carry besides COLUMNS (the Table 2 file of processes/ has them); not stored.
EXTRA_COLUMNS = ("tahun", "status", "note")
BATCH = 2000  # rows per statement batch; also how often progress is reported

Row = tuple[str, str, str, str, str]  # code, name, kecamatan, kabupaten, provinsi
Progress = Callable[[int], None]


@dataclass
class Skipped:
    """A CSV row that was not imported, and why (for a person to resolve)."""

    line: int
    name: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.name}: {self.reason}"


@dataclass
class ImportResult:
    added: int
    updated: int
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)


def check_code(code: str) -> str:
    code = code.strip()
    if not CODE.match(code):
        raise InvalidInput(f"'{code}' is not a Kemendagri region code such as 15.01.01.2003")
    return code


def upsert(
    session: Session, code: str, name: str, kecamatan: str = "", kabupaten: str = "", provinsi: str = ""
) -> bool:
    """Add or update one village; True when it was new."""
    code = check_code(code)
    if not name.strip():
        raise InvalidInput(f"village {code} needs a name")
    row = session.get(Village, code)
    created = row is None
    if row is None:
        row = Village(code=code)
        session.add(row)
    row.name = name.strip()
    row.kecamatan = kecamatan.strip()
    row.kabupaten = kabupaten.strip()
    row.provinsi = provinsi.strip()
    row.kabupaten_code = kabupaten_code_of(code)
    row.provinsi_code = code.split(".")[0]
    return created


def bulk_upsert(session: Session, rows: Iterable[Row], progress: Progress | None = None) -> ImportResult:
    """Add or update many villages in the session's transaction: new rows are inserted and changed
    rows updated in batches; rows equal to what is stored are not written. A code given twice:
    the last row wins. `progress(n)` is called after each batch with the rows it covered."""
    latest: dict[str, Row] = {}
    for code, name, kecamatan, kabupaten, provinsi in rows:
        latest[code] = (code, name.strip(), kecamatan.strip(), kabupaten.strip(), provinsi.strip())
    connection = session.connection()
    result = ImportResult(0, 0)
    pending = list(latest.values())
    for start in range(0, len(pending), BATCH):
        batch = pending[start : start + BATCH]
        added, updated = _write_batch(connection, batch)
        result.added += added
        result.updated += updated
        result.unchanged += len(batch) - added - updated
        if progress is not None:
            progress(len(batch))
    return result


def _write_batch(connection: Connection, batch: Sequence[Row]) -> tuple[int, int]:
    table = cast(Table, Village.__table__)
    stored = {
        r[0]: tuple(r)
        for r in connection.execute(
            select(table.c.code, table.c.name, table.c.kecamatan, table.c.kabupaten, table.c.provinsi).where(
                table.c.code.in_([r[0] for r in batch])
            )
        )
    }
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for row in batch:
        before = stored.get(row[0])
        if before == row:
            continue
        values = dict(zip(COLUMNS, row, strict=True))
        if before is None:
            values["kabupaten_code"] = kabupaten_code_of(row[0])
            values["provinsi_code"] = row[0].split(".")[0]
            new.append(values)
        else:
            values["b_code"] = values.pop("code")
            changed.append(values)
    if new:
        connection.execute(insert(table), new)
    if changed:
        connection.execute(
            update(table)
            .where(table.c.code == bindparam("b_code"))
            .values({c: bindparam(c) for c in COLUMNS if c != "code"}),
            changed,
        )
    return len(new), len(changed)


def read_csv(path: Path) -> tuple[list[Row], list[Skipped]]:
    """The villages of a CSV with a header naming at least code and name (and kecamatan, kabupaten,
    provinsi; tahun, status and note are accepted and not stored). A row without a code is skipped
    and named: `unresolved` rows of processes/desa-2006-2009.csv wait for a person to find their code
    (fill it in and the row imports, whatever its status says)."""
    rows: list[Row] = []
    skipped: list[Skipped] = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        if "code" not in header or "name" not in header:
            raise InvalidInput(
                f"{path}: the header must name the columns code and name (found: {', '.join(header)})"
            )
        for line_no, raw in enumerate(reader, start=2):
            record = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
            if not any(record.values()):
                continue
            if not record.get("code"):
                status = record.get("status", "")
                where = ", ".join(record[c] for c in ("kecamatan", "kabupaten", "provinsi") if record.get(c))
                name = record.get("name") or "(no name)"
                reason = status or "no code"
                if record.get("note"):
                    reason += f": {record['note']}"
                skipped.append(Skipped(line_no, f"{name} ({where})" if where else name, reason))
                continue
            try:
                code = check_code(record["code"])
                if not record.get("name"):
                    raise InvalidInput(f"village {code} needs a name")
            except InvalidInput as err:
                raise InvalidInput(f"{path}:{line_no}: {err}") from err
            rows.append(
                (
                    code,
                    record["name"],
                    record.get("kecamatan", ""),
                    record.get("kabupaten", ""),
                    record.get("provinsi", ""),
                )
            )
    return rows, skipped


def import_csv(session: Session, path: Path) -> ImportResult:
    """Import a CSV (see `read_csv`); every row is checked before anything is written."""
    rows, skipped = read_csv(path)
    result = bulk_upsert(session, rows)
    result.skipped = skipped
    return result
