"""Web test fixtures: the program deployed, two villages in two kabupaten, and their facilitators."""

from __future__ import annotations

import pytest

from engine.core import Engine
from engine.runtime import actions as runtime
from tests.conftest import LEMPUR, PROGRAM, SIGI, set_up

_FACILITATORS = [
    ("pusat", "Fasilitator Pusat", None, None),
    ("daerah.kerinci", "Fasilitator Daerah", None, "15.01"),
    ("daerah.pulangpisau", "Fasilitator Daerah", None, "62.11"),
]


@pytest.fixture
def staffed(engine: Engine) -> Engine:
    """`processes/` deployed, Lempur Mudik and Sigi running the program, a fasilitator pusat and one
    fasilitator daerah per kabupaten (password "kata-sandi-" + username)."""
    set_up(engine, PROGRAM, [LEMPUR, SIGI], _FACILITATORS, lambda name: "kata-sandi-" + name)
    for code in (LEMPUR, SIGI):
        runtime.start(engine, "program_desa", code, "pusat")
    return engine
