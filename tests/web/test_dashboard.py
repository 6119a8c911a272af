"""The central facilitators' dashboard, on the demo villages."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.core import Engine
from engine.definitions import registry
from engine.demo import runner as demo
from tests.model_desa_program import PROGRAM
from web import create_app

ROOT = Path(__file__).resolve().parent.parent.parent
TODAY = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def demo_loaded(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.delenv("DESA_VERIFY_STATE", raising=False)  # see tests/test_demo.py
    registry.deploy(engine.db, [ROOT / "processes" / "model_desa"])
    demo.run(engine, PROGRAM, password="rahasia", today=TODAY)
    with engine.db.transaction() as session:
        from engine import clock

        clock.set_time(session, TODAY, frozen=True)
    return engine


def test_dashboard_shows_the_program_across_villages(demo_loaded: Engine) -> None:
    c = create_app(
        {"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "t"}, engine=demo_loaded
    ).test_client()
    c.post("/masuk", data={"username": "pusat.andi", "password": "rahasia"})
    page = c.get("/dasbor").get_data(as_text=True)
    assert "Desa per provinsi dan tahap" in page
    for provinsi in ("Jambi", "Kalimantan Tengah", "Sulawesi Barat"):
        assert provinsi in page
    assert "Monitoring Bulan ke-3" in page  # a month-3 visit within 30 days
    assert "Laporan dan tembusan" in page

    c = create_app(
        {"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "t"}, engine=demo_loaded
    ).test_client()
    c.post("/masuk", data={"username": "daerah.pulangpisau", "password": "rahasia"})
    assert c.get("/dasbor").status_code == 403  # the dashboard is for the central facilitators


def test_every_demo_village_is_counted_once(demo_loaded: Engine) -> None:
    from engine.views import dashboard

    found = dashboard.dashboard(demo_loaded, "pusat.andi")
    [board] = found.boards  # the demo runs one program
    counted = sum(sum(c.values()) for c in board.by_province.values()) + sum(board.finished.values())
    assert counted == 29  # every row of the 2006-2009 table
    assert "-" not in {step for c in board.by_province.values() for step in c}  # every village has a step
    assert all(v["due"] >= found.now for v in found.visits)
