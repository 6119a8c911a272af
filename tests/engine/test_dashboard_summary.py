"""The dashboard's counts are kept by the steps (engine.runtime.places): after every kind of step
(completions, timers, messages, suspension, cancellation, failure, a move to a new version) they
equal the counts made from scratch, and the dashboard shows the figures it showed when it counted
every instance on each request. A completion that leaves its village at the same step writes none."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from engine.core import Engine
from engine.definitions import registry
from engine.runtime import actions as runtime
from engine.runtime import holds, moves, place_check, places
from engine.store.models import AuditEvent, HumanTask, Village
from engine.views import dashboard
from engine.worker import timers
from tests.conftest import GOHONG, LEMPUR, PG_URL, SIGI
from tests.engine.helpers import downgrade_schema, open_task, set_clock
from tests.engine.program_change import add_month_4_visit, copy_program
from tests.test_program import (
    T0,
    through_monitoring_and_evaluation,
    through_preparation_and_training,
    through_report_termination_and_reflection,
)
from tests.test_program import Village as ProgramVillage


def assert_kept(engine: Engine) -> None:
    """The kept counts equal the counts made from scratch, and the dashboard shows the latter."""
    with engine.db.engine.connect() as connection:
        assert place_check.check(connection) == []
        scratch = place_check.expected(connection)
    shown = dashboard.dashboard(engine, "pusat" if _has(engine, "pusat") else "dewi")
    figures: Counter[tuple[str, str, str]] = Counter()
    for board in shown.boards:
        for provinsi, counts in board.by_province.items():
            figures.update({(board.process, provinsi, step): n for step, n in counts.items()})
        figures.update({(board.process, p, places.FINISHED): n for p, n in board.finished.items()})
    assert +figures == Counter({(p, prov or "-", place): n for (p, prov, place), n in scratch.places.items()})
    with engine.db.sessions() as session:  # overdue, as the dashboard counted it per request
        late = session.execute(
            select(Village.kabupaten, func.count())
            .select_from(HumanTask)
            .join(Village, Village.code == HumanTask.village_code)
            .where(HumanTask.due_at < shown.now)
            .group_by(Village.kabupaten)
        ).all()
    assert shown.overdue == sorted(((k, int(n)) for k, n in late), key=lambda item: (-item[1], item[0]))


def _has(engine: Engine, username: str) -> bool:
    with engine.db.engine.connect() as connection:
        found = connection.execute(text("SELECT 1 FROM user_account WHERE username = :u"), {"u": username})
        return found.first() is not None


class CheckedVillage(ProgramVillage):
    """A village of the program whose counts are checked after every transaction."""

    def __init__(self, engine: Engine, code: str = LEMPUR) -> None:
        super().__init__(engine, code)
        assert_kept(engine)

    def do(self, *args: Any, **kwargs: Any) -> str:
        name = super().do(*args, **kwargs)
        assert_kept(self.engine)
        return name

    def advance_to(self, at: Any) -> int:
        fired = super().advance_to(at)
        assert_kept(self.engine)
        return fired

    def deliver(self, message: str, payload: dict[str, Any]) -> list[int]:
        delivered = super().deliver(message, payload)
        assert_kept(self.engine)
        return delivered


def test_the_counts_follow_a_village_through_the_whole_program(program: Engine) -> None:
    v = CheckedVillage(program)
    through_preparation_and_training(v, baseline=2)
    through_monitoring_and_evaluation(v, evaluation=4, revise=True)
    through_report_termination_and_reflection(v)
    [board] = dashboard.dashboard(program, "pusat").boards
    assert board.finished == {"Jambi": 1} and sum(board.by_province["Jambi"].values()) == 0


def test_a_village_that_withdraws_is_counted_as_finished(program: Engine) -> None:
    v = CheckedVillage(program)
    v.do("tetapkan_petugas", "Fasilitator Pusat")
    v.do("koordinasi_dinas_sosial", "Fasilitator Daerah", desa_bersedia=False, alasan_mundur="Ditunda.")
    [board] = dashboard.dashboard(program, "pusat").boards
    assert board.finished == {"Jambi": 1}


def test_suspension_cancellation_and_failure_keep_the_counts(basic: Engine) -> None:
    set_clock(basic, T0)
    lempur = runtime.start(basic, "timers", LEMPUR, "rina").instance_id
    sigi = runtime.start(basic, "simple", SIGI, "sari").instance_id
    gohong = runtime.start(basic, "message", GOHONG, "admin").instance_id
    assert_kept(basic)
    holds.suspend(basic, lempur, "admin", "banjir")
    assert_kept(basic)
    holds.resume(basic, lempur, "admin")
    assert_kept(basic)
    set_clock(basic, T0 + timedelta(days=4))  # the report is late: overdue in Kerinci
    assert [k for k, _ in dashboard.dashboard(basic, "dewi").overdue] == ["Kab. Kerinci"]
    assert_kept(basic)
    assert timers.fire_due(basic, T0 + timedelta(days=4)) == 1  # the escalation replaces it
    assert_kept(basic)
    holds.cancel(basic, sigi, "admin", "mundur")
    assert_kept(basic)
    runtime.fail(basic, gohong, "a script broke", T0 + timedelta(days=4))
    assert_kept(basic)
    boards = {b.process: b for b in dashboard.dashboard(basic, "dewi").boards}
    assert boards["simple"].finished == {"Kalimantan Tengah": 1}
    assert boards["message"].finished == {"Kalimantan Tengah": 1}
    assert boards["timers"].by_province["Jambi"] == {"timers": 1}


def test_overdue_counts_earlier_days_and_today_before_now(basic: Engine) -> None:
    set_clock(basic, T0)  # 08:00: each report is due three days later at 08:00
    for code in (LEMPUR, SIGI, GOHONG):
        runtime.start(basic, "timers", code, "admin")
    set_clock(basic, T0 + timedelta(hours=3))
    for code in (LEMPUR, SIGI):
        runtime.start(basic, "timers", code, "admin")  # due at 11:00 three days later
    set_clock(basic, T0 + timedelta(days=3, hours=1))  # the first three late, the others not yet
    assert dashboard.dashboard(basic, "dewi").overdue == [("Kab. Pulang Pisau", 2), ("Kab. Kerinci", 1)]
    assert_kept(basic)
    set_clock(basic, T0 + timedelta(days=4))  # the next day: all five from earlier days
    assert dashboard.dashboard(basic, "dewi").overdue == [("Kab. Pulang Pisau", 3), ("Kab. Kerinci", 2)]
    assert_kept(basic)


def test_moving_villages_to_a_new_version_keeps_the_counts(program: Engine, tmp_path: Path) -> None:
    inside = CheckedVillage(program)
    through_preparation_and_training(inside)
    before = CheckedVillage(program)
    processes = copy_program(tmp_path)
    add_month_4_visit(processes)
    registry.deploy(program.db, [processes])
    moved = moves.migrate(program, "program_desa", 1, 2, "pusat")
    assert sorted(i.result for i in moved.instances) == ["moved", "moved"]
    assert_kept(program)
    before.do("tetapkan_petugas", "Fasilitator Pusat")


def _log_writes(engine: Engine) -> None:
    """Every row written into the kept counts leaves a line in count_write (a trigger each)."""
    with engine.db.engine.begin() as c:
        c.execute(text("CREATE TABLE count_write (tbl VARCHAR(20))"))
        for table in ("instance_place", "place_count", "overdue_count"):
            for op in ("INSERT", "UPDATE", "DELETE"):
                name = f"log_{table}_{op.lower()}"
                if PG_URL:
                    c.execute(
                        text(
                            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
                            f"$$ BEGIN INSERT INTO count_write VALUES ('{table}'); RETURN NULL; END $$"
                        )
                    )
                    c.execute(
                        text(
                            f"CREATE TRIGGER {name} AFTER {op} ON {table} "
                            f"FOR EACH ROW EXECUTE FUNCTION {name}()"
                        )
                    )
                else:
                    c.execute(
                        text(
                            f"CREATE TRIGGER {name} AFTER {op} ON {table} "
                            f"BEGIN INSERT INTO count_write VALUES ('{table}'); END"
                        )
                    )


def _writes(engine: Engine) -> int:
    with engine.db.engine.connect() as c:
        return int(c.execute(text("SELECT COUNT(*) FROM count_write")).scalar_one())


@pytest.mark.parametrize("cached", [True, False])
def test_a_completion_inside_a_step_writes_no_count(basic: Engine, cached: bool) -> None:
    set_clock(basic, T0)
    iid = runtime.start(basic, "simple", SIGI, "sari").instance_id
    _log_writes(basic)
    if not cached:  # a restarted server: the place is read, not written
        basic.workflows.clear()
    runtime.complete(basic, open_task(basic, iid, "isi_data").id, "sari", {"jumlah": 9, "catatan": "ok"})
    assert open_task(basic, iid, "periksa")  # the next task, of the same step (the process itself)
    assert _writes(basic) == 0
    assert_kept(basic)
    runtime.complete(basic, open_task(basic, iid, "periksa").id, "budi", {})
    assert _writes(basic) > 0  # done: the village moves to finished
    assert_kept(basic)


def test_check_finds_a_count_gone_wrong_and_repair_puts_it_right(basic: Engine) -> None:
    set_clock(basic, T0)
    first = runtime.start(basic, "simple", SIGI, "sari").instance_id
    runtime.start(basic, "timers", LEMPUR, "rina")
    with basic.db.engine.begin() as c:
        c.execute(text("UPDATE place_count SET n = n + 2 WHERE process_id = 'simple'"))
        c.execute(text("DELETE FROM instance_place WHERE instance_id = :i"), {"i": first})
        c.execute(text("DELETE FROM overdue_count"))
    with basic.db.engine.begin() as c:
        found = place_check.check(c)
        assert any(line.startswith("villages at ('simple', 'Kalimantan Tengah', 'simple')") for line in found)
        assert any(line.startswith("tasks due ('Kab. Kerinci'") for line in found)
        assert any(line.startswith(f"instance {first}") for line in found)
        assert place_check.repair(c) == found
    assert_kept(basic)


def test_the_schema_upgrade_counts_the_instances_already_there(basic: Engine) -> None:
    set_clock(basic, T0)
    runtime.start(basic, "timers", LEMPUR, "rina")
    done = runtime.start(basic, "simple", SIGI, "sari").instance_id
    holds.cancel(basic, done, "admin", "mundur")
    runtime.start(basic, "message", GOHONG, "admin")
    downgrade_schema(basic, "0014")
    basic.db.upgrade()  # to 0015: the counts made from the instances as they are
    basic.workflows.clear()  # the cached places were of the dropped tables
    assert_kept(basic)
    set_clock(basic, T0 + timedelta(days=4))
    assert dashboard.dashboard(basic, "dewi").overdue == [("Kab. Kerinci", 1)]


def test_desa_dashboard_check_tells_and_repairs(basic: Engine) -> None:
    from click.testing import CliRunner

    from engine.cli.main import main

    set_clock(basic, T0)
    runtime.start(basic, "timers", LEMPUR, "rina")
    runner = CliRunner()
    ok = runner.invoke(main, ["dashboard", "check"])
    assert ok.exit_code == 0 and "agree" in ok.output, ok.output
    with basic.db.engine.begin() as c:
        c.execute(text("UPDATE place_count SET n = n + 1"))
    wrong = runner.invoke(main, ["dashboard", "check"])
    assert (
        wrong.exit_code == 1
        and "villages at ('timers', 'Jambi', 'timers'): kept 2, counted 1" in wrong.output
    )
    fixed = runner.invoke(main, ["dashboard", "check", "--repair"])
    assert fixed.exit_code == 0 and "1 difference(s) repaired" in fixed.output, fixed.output
    assert runner.invoke(main, ["dashboard", "check"]).exit_code == 0


def test_a_renamed_village_is_counted_under_its_new_province(basic: Engine) -> None:
    from click.testing import CliRunner

    from engine.cli.main import main

    set_clock(basic, T0)
    runtime.start(basic, "timers", LEMPUR, "rina")
    renamed = CliRunner().invoke(
        main,
        [
            "villages",
            "add",
            LEMPUR,
            "Lempur Mudik",
            "--kabupaten",
            "Kab. Kerinci",
            "--provinsi",
            "Jambi Baru",
        ],
    )
    assert renamed.exit_code == 0, renamed.output
    boards = {b.process: b for b in dashboard.dashboard(basic, "dewi").boards}
    assert set(boards["timers"].by_province) == {"Jambi Baru"}
    assert_kept(basic)


def test_the_latest_reports_are_read_newest_first(program: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.engine.test_migrate import to_terminasi

    first = ProgramVillage(program)
    to_terminasi(first)
    second = ProgramVillage(program)  # the program's second cycle in the same village
    second.now = first.now
    to_terminasi(second)
    villages = [first, second]
    monkeypatch.setattr(dashboard, "REPORTS_SHOWN", 1)
    monkeypatch.setattr(dashboard, "RECEIVED_BATCH", 2)  # a batch holds fewer receipts than a report has
    with program.db.sessions() as session:
        latest = session.scalars(  # as the dashboard read them before: every receipt, grouped
            select(AuditEvent.instance_id)
            .where(AuditEvent.type == "MESSAGE_RECEIVED")
            .group_by(AuditEvent.instance_id)
            .order_by(func.max(AuditEvent.id).desc())
        ).all()
        assert latest == [villages[1].instance, villages[0].instance]
        assert dashboard._latest_received(session, "program_desa") == [villages[1].instance]
    [board] = dashboard.dashboard(program, "pusat").boards
    assert len(board.reports) == 1  # the second cycle's
