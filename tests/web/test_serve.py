"""`desa serve` as an operator starts it: a real server process with the timer worker inside."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from engine.core import Engine
from engine.runtime import actions as runtime
from engine.views import queries
from tests.conftest import LEMPUR
from tests.engine.helpers import open_ids, set_clock
from web import create_app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_status_page_and_health(basic: Engine) -> None:
    runtime.start(basic, "timers", LEMPUR, "rina")
    client = create_app(engine=basic).test_client()
    health = client.get("/healthz").get_json()
    assert health["instances"] == 1 and health["open_tasks"] == 1 and health["timers"] == 1
    assert {"process_id": "timers", "version": 1} in health["processes"]
    page = client.get("/status")
    assert page.status_code == 200
    assert "Tugas terbuka" in page.get_data(as_text=True)


def test_serve_runs_the_worker_and_answers_http(basic: Engine, tmp_path: Path) -> None:
    set_clock(basic, datetime.now(UTC) - timedelta(days=4))  # the 3-day timer will be due at once
    iid = runtime.start(basic, "timers", LEMPUR, "rina").instance_id
    set_clock(basic, datetime.now(UTC))
    port = _free_port()
    env = dict(os.environ, DESA_DATABASE_URL=basic.db.engine.url.render_as_string(hide_password=False))
    server = subprocess.Popen(
        [sys.executable, "-m", "engine.cli.main", "serve", "--port", str(port), "--worker-interval", "0.2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        health = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    health = json.loads(response.read())
                if health["timers"] == 0:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        assert health is not None, "the server never answered"
        assert health["timers"] == 0
        basic.workflows.clear()
        assert open_ids(basic, iid) == ["eskalasi"]
        assert queries.instance_detail(basic, iid)["history"][-1]["type"] == "TIMER_FIRED"
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert f"http://127.0.0.1:{port}/" in output
