"""An inbox with a national grant counts from the kept task counts (`task_count`): the counts follow
every writer of the open tasks, and the inbox shows exactly what counting its tasks would show, at
any hour (the kept counts are per day; the days that do not decide are read from the tasks)."""

from __future__ import annotations

from dataclasses import astuple
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import text

from engine import clock
from engine.core import Engine
from engine.directory import access
from engine.runtime import actions as runtime
from engine.runtime import holds, place_check, task_counts
from engine.views import inbox
from engine.worker import timers
from tests.conftest import GOHONG, LEMPUR, SIGI
from tests.engine.helpers import downgrade_schema, open_task, set_clock
from tests.test_program import T0


def assert_kept(engine: Engine) -> None:
    with engine.db.engine.connect() as connection:
        assert place_check.check(connection) == []


def assert_counted_alike(engine: Engine, user: str) -> inbox.InboxSummary:
    """The user's inbox counts as the page shows them equal the counts made from all their tasks."""
    with engine.db.sessions() as session:
        now = clock.now(session)
        who = access.principal(session, user)
        shown = inbox._summary(session, who, user, now)
        scanned = inbox._counted(session, access.task_filter(who), who, user, now, kept=set())
    assert (shown.total, shown.mine, shown.unclaimed, shown.overdue, shown.noticed) == (
        scanned.total,
        scanned.mine,
        scanned.unclaimed,
        scanned.overdue,
        scanned.noticed,
    ), f"{user} at {now}"
    assert (shown.process_ids, shown.roles) == (scanned.process_ids, scanned.roles)
    return shown


def test_the_counts_follow_claims_suspension_timers_and_cancellation(basic: Engine) -> None:
    set_clock(basic, T0)
    lempur = runtime.start(basic, "timers", LEMPUR, "admin").instance_id
    sigi = runtime.start(basic, "simple", SIGI, "admin").instance_id
    assert_kept(basic)
    report = open_task(basic, lempur, "laporan").id
    runtime.claim(basic, report, "rina")
    assert_kept(basic)
    assert assert_counted_alike(basic, "admin").unclaimed == 1  # Sigi's task
    runtime.reassign(basic, report, "admin", "admin")  # taken, by someone else: still taken
    assert_kept(basic)
    assert assert_counted_alike(basic, "admin").mine == 1
    runtime.unclaim(basic, report, "admin")
    assert_kept(basic)
    holds.suspend(basic, lempur, "admin", "banjir")
    assert_kept(basic)
    assert assert_counted_alike(basic, "admin").total == 1  # a suspended village's task is not listed
    holds.resume(basic, lempur, "admin")
    assert_kept(basic)
    assert timers.fire_due(basic, T0 + timedelta(days=4)) == 1  # late: the escalation replaces the report
    assert_kept(basic)
    runtime.complete(basic, open_task(basic, sigi, "isi_data").id, "sari", {"jumlah": 9, "catatan": "ok"})
    assert_kept(basic)
    holds.cancel(basic, sigi, "admin", "mundur")
    assert_kept(basic)
    assert assert_counted_alike(basic, "admin").total == 1


def test_a_national_inbox_counts_exactly_at_every_hour_of_a_week(basic: Engine) -> None:
    """Tasks created at different hours of different days, each due three days later, seen at every
    hour: overdue, due soon and new change at hours the days do not decide."""
    for hours, process, code in [
        (0, "timers", LEMPUR),
        (7, "timers", SIGI),
        (26, "simple", GOHONG),
        (30, "timers", GOHONG),
        (47, "timers", LEMPUR),
        (71, "message", SIGI),
    ]:
        set_clock(basic, T0 + timedelta(hours=hours))
        runtime.start(basic, process, code, "admin")
    set_clock(basic, T0 + timedelta(hours=72))
    runtime.deliver_message(basic, "laporan_diterima", SIGI, "admin", {"nomor": "LAP-7"})  # a pusat task
    taken = inbox.tasks(basic, user="dewi")[0].id
    runtime.claim(basic, taken, "dewi")
    assert_kept(basic)
    seen = set()
    for hour in range(72, 72 + 24 * 7, 1):
        set_clock(basic, T0 + timedelta(hours=hour))
        for user in ("admin", "dewi", "budi"):
            shown = assert_counted_alike(basic, user)
            seen.add((user, shown.overdue, shown.noticed))
    # The week saw the counts change: tasks became overdue, and stopped being new.
    assert len({(o, n) for u, o, n in seen if u == "admin"}) >= 4


def test_the_schema_upgrade_counts_the_tasks_already_there(basic: Engine) -> None:
    set_clock(basic, T0)
    runtime.start(basic, "timers", LEMPUR, "admin")
    runtime.start(basic, "simple", SIGI, "admin")
    downgrade_schema(basic, "0016")
    basic.db.upgrade()
    assert_kept(basic)
    with basic.db.engine.connect() as connection:
        assert connection.execute(text("SELECT SUM(n) FROM task_count")).scalar_one() == 2
    assert astuple(assert_counted_alike(basic, "admin"))[:4] == (2, 0, 2, 0)


def test_a_returned_row_is_counted_on_its_utc_day_whatever_form_its_time_has() -> None:
    """Rows come back from SQLite as text (naive UTC, with or without microseconds, or with an
    offset when written by hand) and from PostgreSQL as aware datetimes: each is counted on its day
    in UTC, as the page reads the counts."""
    wib = timezone(timedelta(hours=7))
    rows = [
        ("r", "p", None, "2026-12-07 23:30:00.000000", "2026-12-07 23:30:00", False),
        ("r", "p", "u", "2026-12-08 01:00:00+07:00", datetime(2026, 12, 8, 1, tzinfo=wib), False),
        ("r", "p", None, None, datetime(2026, 12, 7, 23, 30, tzinfo=UTC), False),
        ("r", "p", None, "2026-12-07 10:00:00", "2026-12-07 10:00:00", True),  # suspended: not counted
    ]
    assert task_counts.counted(rows, -1) == {
        ("r", "p", False, "2026-12-07", "2026-12-07"): -1,
        ("r", "p", True, "2026-12-07", "2026-12-07"): -1,
        ("r", "p", False, "", "2026-12-07"): -1,
    }
