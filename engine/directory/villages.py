"""The villages (desa/kelurahan) the program runs in, keyed by their Kemendagri region code.

One village at a time (`upsert`), a CSV file (`import_csv`), or the official list of all 83,762
(`bulk_upsert` of `engine.kemendagri.iter_villages`). The bulk paths compare with what is stored and
write only new and changed rows, in batches of plain INSERT/UPDATE statements (executemany).

A village the official list does not have (yet) runs under a provisional code: its kecamatan's
code and `P` with three digits (`71.04.13.P001`). No Kemendagri code can be one (theirs end in four
digits), and staff of its kabupaten reach it as any other. `replace_code` moves such a village,
with its instances, open tasks and staff, onto the official code once one is established.
A village keeps the year (`tahun`) the program ran there, when a CSV gives it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from engine.directory.access import kabupaten_code_of
from engine.errors import InvalidInput
from engine.store.models import HumanTask, Instance, RoleAssignment, Village, WaitingMessage

CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.(\d{4}|P\d{3}))?)?)?$")
PROVISIONAL = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.P\d{3}$")
COLUMNS = ("code", "name", "kecamatan", "kabupaten", "provinsi")
# Columns a CSV may carry besides COLUMNS (the Table 2 file of processes/ has them): the year is
# stored, status and note are for the people who keep the file.
EXTRA_COLUMNS = ("tahun", "status", "note")
YEARS = range(1945, 2101)
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
        raise InvalidInput(
            f"'{code}' is not a Kemendagri region code such as 15.01.01.2003 (nor a provisional "
            "village code such as 71.04.13.P001)"
        )
    return code


def is_provisional(code: str) -> bool:
    """Whether a village code is provisional (not a Kemendagri code): `71.04.13.P001`."""
    return bool(PROVISIONAL.match(code))


def check_year(text: str) -> int | None:
    """The year a CSV cell gives ('' is none)."""
    if not text.strip():
        return None
    if not text.strip().isdigit() or int(text) not in YEARS:
        raise InvalidInput(f"tahun '{text}' is not a year such as 2007")
    return int(text)


def upsert(
    session: Session,
    code: str,
    name: str,
    kecamatan: str = "",
    kabupaten: str = "",
    provinsi: str = "",
    tahun: int | None = None,
) -> bool:
    """Add or update one village (its year kept unless `tahun` is given); True when it was new."""
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
    if tahun is not None:
        row.tahun = tahun
    return created


def bulk_upsert(
    session: Session,
    rows: Iterable[Row],
    progress: Progress | None = None,
    years: dict[str, int] | None = None,
) -> ImportResult:
    """Add or update many villages in the session's transaction: new rows are inserted and changed
    rows updated in batches; rows equal to what is stored are not written. A code given twice:
    the last row wins. `years` sets the year of the villages it names (the others keep theirs).
    `progress(n)` is called after each batch with the rows it covered."""
    latest: dict[str, Row] = {}
    for code, name, kecamatan, kabupaten, provinsi in rows:
        latest[code] = (code, name.strip(), kecamatan.strip(), kabupaten.strip(), provinsi.strip())
    connection = session.connection()
    result = ImportResult(0, 0)
    pending = list(latest.values())
    for start in range(0, len(pending), BATCH):
        batch = pending[start : start + BATCH]
        added, updated = _write_batch(connection, batch, years or {})
        result.added += added
        result.updated += updated
        result.unchanged += len(batch) - added - updated
        if progress is not None:
            progress(len(batch))
    return result


def _write_batch(connection: Connection, batch: Sequence[Row], years: dict[str, int]) -> tuple[int, int]:
    table = cast(Table, Village.__table__)
    columns = [table.c[c] for c in COLUMNS]
    stored = {
        r[0]: (tuple(r[:-1]), r[-1])
        for r in connection.execute(
            select(*columns, table.c.tahun).where(table.c.code.in_([r[0] for r in batch]))
        )
    }
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for row in batch:
        before, year_before = stored.get(row[0], (None, None))
        year = years.get(row[0], year_before)
        if before == row and year == year_before:
            continue
        values: dict[str, Any] = dict(zip(COLUMNS, row, strict=True))
        values["tahun"] = year
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
            .values({c: bindparam(c) for c in (*COLUMNS[1:], "tahun")}),
            changed,
        )
    return len(new), len(changed)


@dataclass
class CsvVillages:
    rows: list[Row]
    skipped: list[Skipped]
    years: dict[str, int]  # the year of each village whose row gives one


def read_csv(path: Path) -> CsvVillages:
    """The villages of a CSV with a header naming at least code and name (and kecamatan, kabupaten,
    provinsi, tahun; status and note are accepted and not stored). A row without a code is skipped
    and named: it waits for a person to find its code (fill it in and the row imports, whatever its
    status says)."""
    rows: list[Row] = []
    skipped: list[Skipped] = []
    years: dict[str, int] = {}
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
                year = check_year(record.get("tahun", ""))
                if year is not None:
                    years[code] = year
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
    return CsvVillages(rows, skipped, years)


def import_csv(session: Session, path: Path) -> ImportResult:
    """Import a CSV (see `read_csv`); every row is checked before anything is written."""
    found = read_csv(path)
    result = bulk_upsert(session, found.rows, years=found.years)
    result.skipped = found.skipped
    return result


@dataclass
class Replaced:
    village: Village
    instances: int  # instances moved onto the official code


def replace_code(session: Session, provisional: str, official: str) -> Replaced:
    """Move a village from its provisional code onto the official one, with its instances, open
    tasks, waiting messages and village-scoped staff, keeping its year; the provisional code goes.
    The official village takes the official list's names; it may be stored already (after an
    official import), but nothing may run under it yet."""
    from engine.directory import kemendagri

    old = session.get(Village, check_code(provisional))
    if old is None or not is_provisional(old.code):
        raise InvalidInput(f"'{provisional}' is no provisional village code that is stored")
    if is_provisional(check_code(official)) or len(official.split(".")) != 4:
        raise InvalidInput(f"'{official}' is not a Kemendagri village code")
    name, kecamatan, kabupaten, provinsi = (kemendagri.region_name(official[:n]) for n in (13, 8, 5, 2))
    if name is None:
        raise InvalidInput(f"'{official}' is not in the official list ({kemendagri.SOURCE})")
    if session.scalar(select(Instance.id).where(Instance.village_code == official).limit(1)) is not None:
        raise InvalidInput(f"village {official} has instances of its own; nothing was moved")
    upsert(session, official, name, kecamatan or "", kabupaten or "", provinsi or "", old.tahun)
    session.flush()
    moved = session.scalar(
        select(func.count()).select_from(Instance).where(Instance.village_code == old.code)
    )
    session.execute(update(Instance).where(Instance.village_code == old.code).values(village_code=official))
    session.execute(
        update(HumanTask)
        .where(HumanTask.village_code == old.code)
        .values(village_code=official, kabupaten_code=kabupaten_code_of(official))
    )
    session.execute(
        update(WaitingMessage).where(WaitingMessage.village_code == old.code).values(village_code=official)
    )
    held = {(g.user_id, g.role) for g in _village_grants(session, official)}
    for grant in _village_grants(session, old.code):
        if (grant.user_id, grant.role) in held:
            session.delete(grant)  # the same person already holds the role there
        else:
            grant.scope_code = official
    session.delete(old)
    village = session.get(Village, official)
    assert village is not None
    return Replaced(village, int(moved or 0))


def _village_grants(session: Session, code: str) -> list[RoleAssignment]:
    where = (RoleAssignment.scope == "village", RoleAssignment.scope_code == code)
    return list(session.scalars(select(RoleAssignment).where(*where)))
