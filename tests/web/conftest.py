"""Web test fixtures: the program deployed, two villages in two kabupaten, and their facilitators."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import access, registry, runtime, users, villages
from engine.steps import Engine

ROOT = Path(__file__).resolve().parent.parent.parent
LEMPUR, SIGI = "15.01.01.2003", "62.11.03.2005"


@pytest.fixture
def staffed(engine: Engine) -> Engine:
    """`processes/` deployed, Lempur Mudik and Sigi running the program, a fasilitator pusat and one
    fasilitator daerah per kabupaten (password "kata-sandi-" + username)."""
    registry.deploy(engine.db, [ROOT / "processes"])
    with engine.db.transaction() as s:
        villages.upsert(s, LEMPUR, "Lempur Mudik", "Gunung Raya", "Kab. Kerinci", "Jambi")
        villages.upsert(s, SIGI, "Sigi", "Kahayan Tengah", "Kab. Pulang Pisau", "Kalimantan Tengah")
        for name, role, village, kabupaten in [
            ("pusat", "Fasilitator Pusat", None, None),
            ("daerah.kerinci", "Fasilitator Daerah", None, "15.01"),
            ("daerah.pulangpisau", "Fasilitator Daerah", None, "62.11"),
        ]:
            users.add(s, name, password="kata-sandi-" + name)
            access.assign(s, name, role, village, kabupaten)
    for code in (LEMPUR, SIGI):
        runtime.start(engine, "program_desa", code, "pusat")
    return engine
