"""The kept counts folded: a table whose counts are spread over slots, or went back to zero, is
made one row a count again, and says the same counts (`engine.runtime.count_folding`)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from engine.core import Engine
from engine.runtime import actions as runtime
from engine.runtime import count_folding, place_check
from engine.worker import timers
from tests.conftest import GOHONG, LEMPUR, SIGI
from tests.engine.helpers import open_task, set_clock
from tests.test_program import T0


def _rows(engine: Engine, table: str) -> list[tuple[object, ...]]:
    with engine.db.engine.connect() as c:
        return [tuple(r) for r in c.execute(text(f"SELECT * FROM {table}"))]


def _spread(engine: Engine) -> None:
    """What concurrent writers leave: each count with a +1/-1 and a +2/-2 pair in slots of its own."""
    with engine.db.engine.begin() as c:
        for table, keys in count_folding.TABLES.items():
            columns = ", ".join(keys)
            for slot, n in ((11, 1), (13, 2)):
                add = f"INSERT INTO {table} ({columns}, slot, n) SELECT {columns}, :slot, :n FROM {table}"
                c.execute(text(f"{add} GROUP BY {columns}"), {"slot": slot, "n": n})
                c.execute(text(f"{add} WHERE slot = :was"), {"slot": slot + 1, "n": -n, "was": slot})


def test_a_fold_keeps_every_count_in_one_row_and_drops_the_zeros(basic: Engine) -> None:
    set_clock(basic, T0)
    lempur = runtime.start(basic, "timers", LEMPUR, "admin").instance_id
    sigi = runtime.start(basic, "simple", SIGI, "admin").instance_id
    runtime.start(basic, "message", GOHONG, "admin")
    runtime.complete(basic, open_task(basic, sigi, "isi_data").id, "sari", {"jumlah": 9, "catatan": "ok"})
    assert timers.fire_due(basic, T0 + timedelta(days=4)) == 1  # the report late: its task replaced
    assert open_task(basic, lempur, "eskalasi")
    before = {t: len(_rows(basic, t)) for t in count_folding.TABLES}
    _spread(basic)
    with basic.db.engine.connect() as c:
        assert place_check.check(c) == []  # the same counts, in more rows
    assert count_folding.fold_all(basic) > 0
    with basic.db.engine.connect() as c:
        assert place_check.check(c) == []
    for table in count_folding.TABLES:
        rows = _rows(basic, table)
        assert all(r[-2] == 0 and r[-1] != 0 for r in rows), (table, rows)  # one row a count, slot 0
        assert len(rows) <= before[table]
    assert count_folding.fold_all(basic) == 0  # nothing left to fold


def test_the_worker_folds_the_counts_once_a_minute(basic: Engine) -> None:
    set_clock(basic, T0)
    runtime.start(basic, "timers", LEMPUR, "admin")
    _spread(basic)
    worker = timers.Worker(basic)
    worker.sweep()
    assert all(r[-2] == 0 for t in count_folding.TABLES for r in _rows(basic, t))
    _spread(basic)
    worker.sweep()  # within the minute: left as it is
    assert any(r[-2] != 0 for t in count_folding.TABLES for r in _rows(basic, t))
