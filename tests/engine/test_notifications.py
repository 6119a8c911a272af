"""Notifications: the in-app list, the e-mail outbox and sending it to a local SMTP server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from engine.core import Engine
from engine.runtime import actions as runtime
from engine.store.models import HumanTask, OutboxMessage, User
from engine.views import notifications
from engine.worker import mailer, timers
from tests.conftest import LEMPUR, SIGI
from tests.engine.helpers import set_clock

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _due(engine: Engine, task_id: str, at: datetime) -> None:
    with engine.db.transaction() as s:
        s.execute(update(HumanTask).where(HumanTask.id == task_id).values(due_at=at))


def _first_task(engine: Engine, instance_id: int) -> str:
    with engine.db.sessions() as s:
        found = s.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance_id))
    assert found is not None
    return found


@pytest.fixture
def noticed(basic: Engine) -> dict[str, str]:
    """Two tasks in Lempur Mudik (one overdue, one due soon) and an overdue one in Sigi."""
    set_clock(basic, T0)
    ids = {}
    for key, village, who in [("overdue", LEMPUR, "rina"), ("soon", LEMPUR, "rina"), ("sigi", SIGI, "sari")]:
        ids[key] = _first_task(basic, runtime.start(basic, "simple", village, who).instance_id)
    _due(basic, ids["overdue"], T0 - timedelta(days=1))
    _due(basic, ids["soon"], T0 + timedelta(days=2))
    _due(basic, ids["sigi"], T0 - timedelta(days=1))
    with basic.db.transaction() as s:
        s.execute(update(User).where(User.username == "rina").values(email="rina@desa.test"))
    return ids


def test_the_list_of_a_pendamping_holds_their_villages_tasks_only(
    basic: Engine, noticed: dict[str, str]
) -> None:
    groups = notifications.for_user(basic, "rina", T0 + timedelta(hours=1))
    assert [n.task.id for n in groups["overdue"]] == [noticed["overdue"]]
    assert [n.task.id for n in groups["soon"]] == [noticed["soon"]]
    assert {n.task.id for n in groups["new"]} == {noticed["overdue"], noticed["soon"]}
    assert groups["overdue"][0].village_name == "Lempur Mudik"
    assert noticed["sigi"] not in {n.task.id for notices in groups.values() for n in notices}
    assert notifications.count(basic, "rina", T0 + timedelta(hours=1)) == 2
    # Three days on, the tasks are no longer new, and the one due soon is overdue too.
    later = notifications.for_user(basic, "rina", T0 + timedelta(days=3))
    assert later["new"] == [] and later["soon"] == []
    assert [n.task.id for n in later["overdue"]] == [noticed["soon"], noticed["overdue"]]  # newest first


def _outbox(engine: Engine) -> list[OutboxMessage]:
    with engine.db.sessions() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_queue_due_is_idempotent(basic: Engine, noticed: dict[str, str]) -> None:
    now = T0 + timedelta(hours=1)
    assert notifications.queue_due(basic, now) == 3  # rina: two new tasks, one overdue; sari has no e-mail
    assert notifications.queue_due(basic, now) == 0
    rows = _outbox(basic)
    assert sorted((r.username, r.task_id, r.kind) for r in rows) == sorted(
        [
            ("rina", noticed["overdue"], "new"),
            ("rina", noticed["soon"], "new"),
            ("rina", noticed["overdue"], "overdue"),
        ]
    )
    assert all(r.recipient == "rina@desa.test" and r.sent_at is None for r in rows)
    # Once the second task is overdue too, only that one is added.
    assert notifications.queue_due(basic, T0 + timedelta(days=3)) == 1


class Collector:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def smtp() -> Iterator[tuple[Collector, int]]:
    handler = Collector()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def test_send_pending_delivers_and_marks_sent(
    basic: Engine, noticed: dict[str, str], smtp: tuple[Collector, int]
) -> None:
    handler, port = smtp
    now = T0 + timedelta(hours=1)
    notifications.queue_due(basic, now)
    assert mailer.send_pending(basic, "127.0.0.1", port, "desa@desa.test", now=now) == 3
    assert len(handler.messages) == 3
    assert all(m.rcpt_tos == ["rina@desa.test"] and m.mail_from == "desa@desa.test" for m in handler.messages)
    texts = [m.content.decode() for m in handler.messages]
    overdue = [t for t in texts if "Tugas terlambat" in t]
    assert len(overdue) == 1 and "Isi Data" in overdue[0] and "Lempur Mudik" in overdue[0]
    assert f"/tugas/{noticed['overdue']}" in overdue[0]
    assert all(r.sent_at is not None and r.attempts == 1 and r.last_error is None for r in _outbox(basic))
    assert mailer.send_pending(basic, "127.0.0.1", port, "desa@desa.test", now=now) == 0  # nothing twice
    assert len(handler.messages) == 3


def test_a_failure_is_recorded_and_tried_again_later(
    basic: Engine, noticed: dict[str, str], smtp: tuple[Collector, int]
) -> None:
    handler, port = smtp
    now = T0 + timedelta(hours=1)
    notifications.queue_due(basic, now)
    assert mailer.send_pending(basic, "127.0.0.1", _free_port(), "desa@desa.test", now=now) == 0
    rows = _outbox(basic)
    assert all(r.sent_at is None and r.attempts == 1 and r.last_error for r in rows)
    assert mailer.send_pending(basic, "127.0.0.1", port, "desa@desa.test", now=now) == 0  # not yet
    assert (
        mailer.send_pending(basic, "127.0.0.1", port, "desa@desa.test", now=now + timedelta(minutes=6)) == 3
    )
    assert len(handler.messages) == 3


def test_the_worker_queues_but_sends_nothing_without_smtp(
    basic: Engine, noticed: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DESA_SMTP_HOST", raising=False)
    set_clock(basic, T0 + timedelta(hours=1))
    timers.Worker(basic).sweep()
    rows = _outbox(basic)
    assert len(rows) == 3 and all(r.sent_at is None and r.attempts == 0 for r in rows)
    assert mailer.send_configured(basic) == 0


def test_the_worker_sends_when_configured(
    basic: Engine, noticed: dict[str, str], smtp: tuple[Collector, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, port = smtp
    monkeypatch.setenv("DESA_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DESA_SMTP_PORT", str(port))
    monkeypatch.setenv("DESA_SMTP_FROM", "desa@desa.test")
    set_clock(basic, T0 + timedelta(hours=1))
    timers.Worker(basic).sweep()
    assert len(handler.messages) == 3
    assert all(r.sent_at is not None for r in _outbox(basic))
