"""A form's `pattern` cannot hold a completion (issue 15, finding 8): patterns run with RE2 in time
linear in the text, and the few RE2 does not accept run in a sandbox process stopped at the time
budget. Each check runs in a forked child killed after 20 s, so a backtracking check fails the test
instead of hanging it."""

from __future__ import annotations

import time
from typing import Any

import pytest

from engine.definitions import forms
from engine.errors import InvalidInput
from engine.sandbox import guard
from tests.engine.test_sandbox_os_limits import in_child


def _form(pattern: str) -> dict[str, Any]:
    return {"type": "object", "properties": {"kode": {"type": "string", "pattern": pattern}}}


def _check(pattern: str, text: str) -> dict[str, Any]:
    started = time.monotonic()
    try:
        forms.validate(_form(pattern), {"kode": text}, "isian")
        refused: list[str] = []
    except InvalidInput as err:
        refused = [f"{f.path}:{f.code}" for f in err.fields]
    return {"refused": refused, "seconds": time.monotonic() - started}


def checked(pattern: str, text: str) -> dict[str, Any]:
    return dict(in_child(lambda: _check(pattern, text), None, seconds=20))


@pytest.mark.parametrize("length", [26, 10_000])
def test_the_redos_pattern_of_the_issue_answers_at_once(length: int) -> None:
    outcome = checked("^(a+)+$", "a" * length + "b")  # 26: 4.4 s with a backtracking matcher
    assert outcome["refused"] == ["kode:pattern"]
    assert outcome["seconds"] < 0.5


def test_ordinary_patterns_still_match_and_refuse() -> None:
    assert checked("^[0-9]{16}$", "1234567890123456")["refused"] == []
    assert checked("^[0-9]{16}$", "12345")["refused"] == ["kode:pattern"]
    assert checked("^(a+)+$", "aaaa")["refused"] == []
    from engine.sandbox import patterns

    assert patterns.is_linear("^[A-Z][a-z]+$") and not patterns.is_linear(r"(a)\1")


def test_a_pattern_re2_does_not_accept_runs_where_it_can_be_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guard, "TIME_BUDGET_SECONDS", 0.5)
    assert checked(r"^(\w)\1$", "aa")["refused"] == []  # a backreference: matched by re, elsewhere
    assert checked(r"^(\w)\1$", "ab")["refused"] == ["kode:pattern"]
    slow = checked("^(a|aa)+(?=b)", "a" * 60 + "c")  # lookahead, and backtracking for ages
    assert slow["refused"] == ["kode:pattern"]
    assert slow["seconds"] < 0.5 + 3
