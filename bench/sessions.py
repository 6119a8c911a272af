"""What the server-side session check adds to each request of the web UI: the one read of
`web_sessions.user_of` (by the indexed hash, with the account), and the write it makes at most
once a minute per session.

    .venv/bin/python bench/sessions.py [--url DATABASE_URL] [--sessions 5000] [--calls 2000]

Without --url, a new SQLite file in a temporary folder; a PostgreSQL URL must name an empty
database (the schema is created in it). Prints p50 and p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.core import Engine  # noqa: E402
from engine.directory import users, web_sessions  # noqa: E402
from engine.store.db import Database  # noqa: E402


def _timed(call: Callable[[str], object], secrets: list[str]) -> tuple[float, float]:
    times = []
    for secret in secrets:
        start = time.perf_counter()
        call(secret)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=None)
    parser.add_argument("--sessions", type=int, default=5000)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    db = Database(args.url or f"sqlite:///{tempfile.mkdtemp()}/sessions.sqlite")
    db.upgrade()
    engine = Engine(db)
    with db.transaction() as session:
        for i in range(200):
            users.add(session, f"orang{i}")
    secrets = [web_sessions.begin(engine, f"orang{i % 200}") for i in range(args.sessions)]
    calls = min(args.calls, len(secrets))
    for secret in secrets[:calls]:  # the first use a minute after signing in records it
        web_sessions.user_of(engine, secret)

    def check(secret: str) -> object:
        return web_sessions.user_of(engine, secret)

    read = _timed(check, secrets[:calls])
    web_sessions.SEEN_RECORDED_EVERY = timedelta(0)  # as if a minute had passed: each call writes
    written = _timed(check, secrets[:calls])
    print(f"{db.engine.dialect.name}, {args.sessions} sessions, {calls} requests:")
    print(f"  the read of each request:            p50 {read[0]:.2f} ms, p95 {read[1]:.2f} ms")
    print(f"  with the once-a-minute write of seen: p50 {written[0]:.2f} ms, p95 {written[1]:.2f} ms")
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
