"""What every engine test starts from."""

from __future__ import annotations

import pytest

from engine.core import Engine
from tests.engine.program_history import full_village, program  # noqa: F401  (fixtures)
from tests.engine.scope_desk import Desk, open_desk


@pytest.fixture(autouse=True)
def _no_outside_folders(monkeypatch: pytest.MonkeyPatch) -> None:
    """Roles and forms come from the folder the test names, not from the environment."""
    monkeypatch.delenv("DESA_FORMS_DIR", raising=False)
    monkeypatch.delenv("DESA_PROCESSES_DIR", raising=False)


@pytest.fixture(params=["warm", "cold"])
def desk(engine: Engine, request: pytest.FixtureRequest) -> Desk:
    """The scope processes deployed, two villages, one user per role and an admin; the clock at T0."""
    return open_desk(engine, cold=request.param == "cold")
