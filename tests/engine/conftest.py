"""What every engine test starts from."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_outside_folders(monkeypatch: pytest.MonkeyPatch) -> None:
    """Roles and forms come from the folder the test names, not from the environment."""
    monkeypatch.delenv("DESA_FORMS_DIR", raising=False)
    monkeypatch.delenv("DESA_PROCESSES_DIR", raising=False)
