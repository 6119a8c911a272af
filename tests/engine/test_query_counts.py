"""No N+1: the statements an inbox costs do not grow with the number of tasks it shows.

Statements are counted twice over: with SQLAlchemy's `before_cursor_execute` event (what goes
through SQLAlchemy) and, on SQLite, with the driver's trace callback (every statement the
database runs, the engine's plain-SQL ones included)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from engine.core import Engine
from engine.runtime import actions as runtime
from engine.views import notifications, queries
from tests.conftest import LEMPUR
from web import create_app


class Counter:
    def __init__(self) -> None:
        self.orm = 0
        self.driver = 0


@contextmanager
def counting(engine: Engine) -> Iterator[Counter]:
    found = Counter()
    sa_engine = engine.db.engine

    def on_execute(*_args: Any) -> None:
        found.orm += 1

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        if engine.db.is_sqlite:
            dbapi_connection.set_trace_callback(lambda sql: setattr(found, "driver", found.driver + 1))

    sa_engine.dispose()  # new connections, each traced
    event.listen(sa_engine, "before_cursor_execute", on_execute)
    event.listen(sa_engine, "connect", on_connect)
    try:
        yield found
    finally:
        event.remove(sa_engine, "before_cursor_execute", on_execute)
        event.remove(sa_engine, "connect", on_connect)
        sa_engine.dispose()


def statements(engine: Engine, action: Callable[[], Any]) -> tuple[int, int]:
    action()  # warm: caches of specs, compiled statements
    with counting(engine) as found:
        action()
    return found.orm, found.driver


def _start(engine: Engine, count: int) -> None:
    for _ in range(count):
        runtime.start(engine, "simple", LEMPUR, "rina")


@pytest.fixture
def signed_in(basic: Engine) -> Any:
    client = create_app(
        {"TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False}, engine=basic
    ).test_client()
    answer = client.post("/masuk", data={"username": "rina", "password": "rahasia-rina"})
    assert answer.status_code == 302
    return client


def test_an_inbox_costs_the_same_statements_for_3_tasks_as_for_15(basic: Engine, signed_in: Any) -> None:
    def page() -> None:
        body = signed_in.get("/").get_data(as_text=True)
        assert 'class="task"' in body

    counted = []
    for total in (3, 15):
        _start(basic, total - sum(1 for _ in queries.tasks(basic, user="rina")))
        assert len(queries.tasks(basic, user="rina")) == total
        counted.append(
            {
                "engine inbox": statements(basic, lambda: queries.tasks(basic, user="rina")),
                "page": statements(basic, page),
                "notices": statements(basic, lambda: notifications.for_user(basic, "rina")),
                "header count": statements(basic, lambda: notifications.count(basic, "rina")),
                "e-mails queued": statements(basic, lambda: notifications.queue_due(basic)),
            }
        )
    assert counted[0] == counted[1]
    assert all(orm > 0 for orm, _ in counted[0].values())


def test_inbox_pages_follow_one_another_without_gaps_or_repeats(basic: Engine) -> None:
    _start(basic, 12)
    with basic.db.transaction() as s:  # some with a deadline: those come first
        from sqlalchemy import update

        from engine import clock
        from engine.store.models import HumanTask

        ids = [t.id for t in queries.tasks(basic, user="rina")]
        for n, task_id in enumerate(ids[:5]):
            s.execute(
                update(HumanTask)
                .where(HumanTask.id == task_id)
                .values(due_at=clock.real_now().replace(day=1 + n))
            )
    everything = [t.id for t in queries.tasks(basic, user="rina")]
    paged: list[str] = []
    after = None
    while True:
        page = queries.task_page(basic, "rina", after=after, limit=4)
        paged += [t.id for t in page.tasks]
        if page.next is None:
            break
        after = page.next
    assert paged == everything and len(set(paged)) == 12
    assert [t.due_at is not None for t in queries.tasks(basic, user="rina")][:5] == [True] * 5
