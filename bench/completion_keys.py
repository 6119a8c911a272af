"""What an idempotency key costs a task completion: the median time of completions with and without
one (the lookup, the expired-key delete and the insert in the completion's transaction).

    .venv/bin/python bench/completion_keys.py [--database-url URL] [--completions N]

Without a URL a fresh SQLite file is used. A PostgreSQL URL must name a scratch database: its
public schema is dropped and made again.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.core import Engine  # noqa: E402
from engine.runtime import actions as runtime  # noqa: E402
from engine.runtime import idempotency  # noqa: E402
from engine.store.db import Database  # noqa: E402
from engine.views import queries  # noqa: E402
from tests.conftest import BASIC, LEMPUR, ONE_PER_ROLE, SIGI, set_up  # noqa: E402

DATA = {"jumlah": 9, "catatan": "ok"}


def fresh(url: str | None) -> Engine:
    url = url or f"sqlite:///{tempfile.mkdtemp()}/keys.sqlite"
    db = Database(url)
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    db.upgrade()
    engine = Engine(db)
    set_up(engine, BASIC, [LEMPUR, SIGI], ONE_PER_ROLE)
    return engine


def open_tasks(engine: Engine, count: int) -> list[str]:
    found = []
    for _ in range(count):
        instance = runtime.start(engine, "simple", SIGI, "sari").instance_id
        found += [t.id for t in queries.tasks(engine, instance_id=instance) if t.bpmn_id == "isi_data"]
    return found


def timed(engine: Engine, tasks: list[str], keyed: bool) -> list[float]:
    times = []
    for task in tasks:
        sent = {"data": DATA, "revision": None}
        key = idempotency.key_for(str(uuid.uuid4()), task, sent) if keyed else None
        start = time.perf_counter()
        runtime.complete(engine, task, "sari", dict(DATA), key=key)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--completions", type=int, default=150)
    args = parser.parse_args()
    engine = fresh(args.database_url)
    n = args.completions
    tasks = open_tasks(engine, 3 * n)
    timed(engine, tasks[:n], keyed=False)  # warm up
    plain, keyed = timed(engine, tasks[n : 2 * n], False), timed(engine, tasks[2 * n :], True)
    name = engine.db.engine.dialect.name
    print(
        f"{name}: median completion {statistics.median(plain) * 1000:.2f} ms without a key, "
        f"{statistics.median(keyed) * 1000:.2f} ms with one ({n} each)"
    )


if __name__ == "__main__":
    main()
