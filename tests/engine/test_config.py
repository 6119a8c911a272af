"""The environment, read in one place (engine/config.py): what it gives, and that it is documented."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from engine import clock, config
from engine.errors import InvalidInput
from engine.store import db

OPERATIONS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def test_every_variable_is_documented_with_its_default() -> None:
    text = OPERATIONS.read_text()
    documented = dict(re.findall(r"^\| `(DESA_[A-Z0-9_]+)` \| `?([^`|]*?)`? \|", text, re.MULTILINE))
    for variable in config.VARIABLES:
        assert variable.name in documented, f"{variable.name} is not in docs/operations.md"
        assert documented[variable.name] == variable.default, variable.name


def test_defaults_without_any_variable() -> None:
    found = config.Settings.from_environ({})
    assert (found.env, found.production, found.smtp, found.processes_dir) == (
        "development",
        False,
        None,
        None,
    )
    assert (found.db_pool_size, found.db_max_overflow, found.db_pool_recycle) == (10, 20, 1800)
    assert found.gc_threshold == 50_000 and not found.verify_state


def test_the_environment_is_read_once_until_reloaded() -> None:
    before = config.reload()
    os.environ["DESA_ENV"] = "production"
    try:
        assert config.settings() is before and clock.movable() == (not before.production)
        assert config.reload().production and not clock.movable()
    finally:
        del os.environ["DESA_ENV"]
        config.reload()
    assert clock.movable()


def test_a_variable_a_test_sets_is_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESA_DATABASE_URL", "sqlite:////tmp/elsewhere.sqlite")
    assert db.database_url() == "sqlite:////tmp/elsewhere.sqlite"
    monkeypatch.setenv("DESA_ENV", "production")
    assert not clock.movable()
    monkeypatch.undo()
    assert clock.movable() and db.database_url() != "sqlite:////tmp/elsewhere.sqlite"


def test_smtp_settings_come_together() -> None:
    found = config.Settings.from_environ(
        {"DESA_SMTP_HOST": " mail.example.org ", "DESA_SMTP_PORT": "587", "DESA_SMTP_STARTTLS": "yes"}
    )
    assert found.smtp == config.Smtp("mail.example.org", 587, "desa@localhost", None, None, True)


def test_a_number_that_is_not_one_is_named() -> None:
    with pytest.raises(InvalidInput, match="DESA_DB_POOL_SIZE must be a whole number, not 'ten'"):
        config.Settings.from_environ({"DESA_DB_POOL_SIZE": "ten"})
