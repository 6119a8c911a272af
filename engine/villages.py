"""The villages (desa/kelurahan) the program runs in, keyed by their Kemendagri region code."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from .access import kabupaten_code_of
from .errors import InvalidInput
from .models import Village

CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
COLUMNS = ("code", "name", "kecamatan", "kabupaten", "provinsi")


@dataclass
class ImportResult:
    added: int
    updated: int


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


def import_csv(session: Session, path: Path) -> ImportResult:
    """Import a CSV with a header naming at least code and name (and kecamatan, kabupaten, provinsi)."""
    added = updated = 0
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        if "code" not in header or "name" not in header:
            raise InvalidInput(
                f"{path}: the header must name the columns code and name (found: {', '.join(header)})"
            )
        for line_no, raw in enumerate(reader, start=2):
            record = {k.strip().lower(): (v or "") for k, v in raw.items() if k}
            if not record.get("code", "").strip():
                continue
            try:
                created = upsert(session, *(record.get(c, "") for c in COLUMNS))
            except InvalidInput as err:
                raise InvalidInput(f"{path}:{line_no}: {err}") from err
            added += created
            updated += not created
    return ImportResult(added, updated)
