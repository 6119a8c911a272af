"""Exports of the audit history, on the demo's history: what an auditor opens in a spreadsheet, a
process-mining tool or a script that checks the hash chains."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from sqlalchemy import event, func, select

from engine import clock
from engine.cli import main
from engine.core import Engine
from engine.definitions import registry
from engine.demo import runner as demo
from engine.errors import NotFound
from engine.history.export import stream as export
from engine.runtime import actions as runtime
from engine.runtime import holds
from engine.runtime.step import Step
from engine.store.db import Database
from engine.store.models import AuditEvent, Instance
from engine.views import queries
from tests import model_desa_program as program
from tests.conftest import PG_URL, PROGRAM, _fresh_postgres
from tests.engine import xes_structure

TODAY = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
AWKWARD = 'Kata "kunci", koma; baris\nbaru\r\ndan\x0bkendali'
START_DATA = {
    "catatan": AWKWARD,
    "jumlah": 3,
    "rasio": 0.5,
    "aktif": True,
    "daftar": [1, "dua"],
    "kosong": None,
}


def _more_history(engine: Engine) -> int:
    """An instance whose history has what the demo never does: claims, a suspension with an awkward
    reason, awkward start data, a cancellation, and an event type of a later engine."""
    code = queries.instances(engine)[0].village
    started = runtime.start(engine, program.PROCESS, code, "pusat.andi", START_DATA)
    task = queries.tasks(engine, instance_id=started.instance_id)[0]
    runtime.claim(engine, task.id, "admin")
    runtime.unclaim(engine, task.id, "admin")
    holds.suspend(engine, started.instance_id, "admin", AWKWARD)
    holds.resume(engine, started.instance_id, "admin")
    with engine.db.transaction() as session:
        step = Step.bare(engine, session, started.instance_id, clock.now(session))
        step.save("DATA_CORRECTED", "admin", {"data": {"jumlah": 4}, "reason": "salah ketik"})
    step.keep()
    holds.cancel(engine, started.instance_id, "admin", "uji ekspor")
    return started.instance_id


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The demo loaded once for the module (about 600 events), plus `_more_history`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("DESA_VERIFY_STATE", raising=False)  # as tests/test_demo.py: the demo is long
        if PG_URL:
            db = _fresh_postgres(PG_URL)
        else:
            db = Database(f"sqlite:///{tmp_path_factory.mktemp('export') / 'demo.sqlite'}")
            db.upgrade()
        engine = Engine(db)
        registry.deploy(db, [PROGRAM])
        demo.run(engine, program.PROGRAM, password="demo-rahasia", today=TODAY)
        _more_history(engine)
    yield engine
    db.dispose()


def stored(engine: Engine, village: str | None = None) -> list[tuple[str, int]]:
    """(case id, seq) of every stored event, from the table itself."""
    query = select(Instance.village_code, AuditEvent.instance_id, AuditEvent.seq).join(
        Instance, Instance.id == AuditEvent.instance_id
    )
    if village is not None:
        query = query.where(Instance.village_code == village)
    with engine.db.sessions() as session:
        return sorted((f"{code}/{i}", seq) for code, i, seq in session.execute(query))


def exported(engine: Engine, fmt: str, **scope: object) -> bytes:
    out = io.BytesIO()
    export.write(engine, fmt, out, **scope)  # type: ignore[arg-type]
    return out.getvalue()


def test_csv_is_an_event_log_with_one_row_per_event(history: Engine) -> None:
    text = exported(history, "csv").decode("utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    assert sorted((r["case_id"], int(r["seq"])) for r in rows) == stored(history)
    columns = reader.fieldnames or []
    assert columns[:5] == ["case_id", "activity", "timestamp", "resource", "lifecycle"]
    assert {"event_type", "village", "kabupaten", "provinsi", "process_id", "bpmn_id", "hash"} <= set(columns)
    assert {"data", "data.catatan", "data.jumlah", "data.desa_bersedia"} <= set(columns)

    for row in rows:
        assert datetime.fromisoformat(row["timestamp"]).utcoffset() is not None
        assert row["resource"]
        if row["event_type"] == "TASK_COMPLETED":
            assert row["activity"] == json.loads(row["data"])["name"] == row["task_name"]
            assert row["lifecycle"] == "complete" and row["role"]
    lifecycle = {
        (r["event_type"], r["activity"], r["lifecycle"]) for r in rows if r["event_type"] != "TASK_COMPLETED"
    }
    assert ("INSTANCE_STARTED", "Instance started", "start") in lifecycle
    assert ("TASK_CLAIMED", "Task claimed", "assign") in lifecycle
    assert ("INSTANCE_SUSPENDED", "Instance suspended", "suspend") in lifecycle
    assert ("INSTANCE_CANCELLED", "Instance cancelled", "pi_abort") in lifecycle
    assert ("DATA_CORRECTED", "Data corrected", "unknown") in lifecycle  # a type this export never knew
    assert any(
        t == "TIMER_FIRED" and a.startswith("Timer fired: ") and c == "complete" for t, a, c in lifecycle
    )

    lempur = next(r for r in rows if r["village"] == "Lempur Mudik")
    assert (lempur["kabupaten"], lempur["provinsi"]) == ("Kab. Kerinci", "Jambi")
    started = next(r for r in rows if r["data.catatan"] == AWKWARD)  # quotes, commas, line breaks intact
    assert (started["data.jumlah"], started["data.rasio"], started["data.aktif"]) == ("3", "0.5", "true")
    assert (started["data.daftar"], started["data.kosong"]) == ('[1,"dua"]', "")
    suspended = next(r for r in rows if r["event_type"] == "INSTANCE_SUSPENDED")
    assert json.loads(suspended["data"]) == {"reason": AWKWARD}


def test_xes_follows_the_standard_with_one_trace_per_instance(history: Engine) -> None:
    document = etree.ElementTree(etree.fromstring(exported(history, "xes")))
    assert xes_structure.problems(document) == []
    assert xes_structure.schema_problems(document) == []
    log = document.getroot()
    assert {e.get("prefix") for e in log.findall("extension")} == {"concept", "time", "org", "lifecycle"}
    assert [c.get("name") for c in log.findall("classifier")][0] == "Activity"

    def attributes(element: etree._Element) -> dict[str, str]:
        return {str(a.get("key")): str(a.get("value")) for a in element if a.tag != "event"}

    traces = log.findall("trace")
    with history.db.sessions() as session:
        instances = session.scalar(select(func.count(Instance.id)))
    assert len(traces) == instances
    events = [
        (attributes(t)["concept:name"], int(attributes(e)["desa.seq"]))
        for t in traces
        for e in t.iter("event")
    ]
    assert sorted(events) == stored(history)

    first = attributes(traces[0])
    assert first["desa.village"] and first["desa.provinsi"] and first["desa.process"] == program.PROCESS
    completed = [attributes(e) for e in log.iter("event") if attributes(e)["desa.type"] == "TASK_COMPLETED"]
    assert all(
        e["concept:name"] == e["desa.task"] and e["lifecycle:transition"] == "complete" for e in completed
    )
    start = next(e for e in log.iter("event") if attributes(e).get("data.rasio"))
    typed = {a.get("key"): a.tag for a in start}
    assert (typed["data.jumlah"], typed["data.rasio"], typed["data.aktif"]) == ("int", "float", "boolean")
    assert attributes(start)["data.catatan"] == AWKWARD.replace("\x0b", "\ufffd")


def test_jsonl_lines_recompute_to_their_stored_hashes(history: Engine) -> None:
    lines = exported(history, "jsonl").decode("ascii").split("\n")
    assert lines.pop() == ""
    records = [json.loads(line) for line in lines]
    assert sorted((f"{r['village_code']}/{r['instance_id']}", r["seq"]) for r in records) == stored(history)
    previous: dict[int, str] = {}
    for record in records:
        body = {
            "instance": record["instance_id"],
            "prev": record["prev_hash"],
            **{
                k: record[k]
                for k in ("seq", "type", "actor", "task_id", "bpmn_id", "data", "engine_time", "wall_time")
            },
        }
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert hashlib.sha256(canonical.encode("utf-8")).hexdigest() == record["hash"]
        assert record["prev_hash"] == previous.get(record["instance_id"], "0" * 64)
        previous[record["instance_id"]] = record["hash"]


def test_the_download_is_the_file_and_refuses_an_unknown_village_at_once(history: Engine) -> None:
    assert b"".join(export.chunks(history, "xes")) == exported(history, "xes")
    with pytest.raises(NotFound):
        export.chunks(history, "csv", village="99.99.99.9999")


def test_villages_the_caller_may_see_limit_the_export(history: Engine) -> None:
    first, second, *_ = sorted({i.village for i in queries.instances(history)})
    rows = list(csv.DictReader(io.StringIO(exported(history, "csv", villages={first, second}).decode())))
    assert {r["village_code"] for r in rows} == {first, second}
    assert len(rows) == len(stored(history, first)) + len(stored(history, second))
    one = exported(history, "jsonl", village=second, villages={first, second}).splitlines()
    assert {json.loads(line)["village_code"] for line in one} == {second}
    with pytest.raises(NotFound):  # a village outside what the caller may see is not there for them
        export.chunks(history, "jsonl", village=second, villages={first})
    assert exported(history, "jsonl", villages=set()) == b""


@contextmanager
def selects_of_events(engine: Engine) -> Iterator[list[str]]:
    """The SELECT statements that read audit_event while the block runs."""
    seen: list[str] = []

    def listen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM audit_event" in statement:
            seen.append(statement)

    event.listen(engine.db.engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine.db.engine, "before_cursor_execute", listen)


def test_events_are_read_in_batches_and_written_as_they_come(history: Engine) -> None:
    total = len(stored(history))
    with selects_of_events(history) as seen:
        job = export.Export(history, "jsonl", batch_size=50)
        stream = job.chunks()
        first = next(stream)
        assert len(first.splitlines()) <= 50 and len(seen) == 1  # output before the rest is read
        for _ in stream:
            pass
    assert job.written == total and len(seen) >= total // 50


class _Discard:
    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes) -> None:
        self.size += len(data)


def _peak(engine: Engine, fmt: str, village: str | None = None) -> tuple[int, int]:
    """The most memory Python held while exporting (25 events a batch), and the bytes written."""
    sink = _Discard()
    tracemalloc.start()
    try:
        export.Export(engine, fmt, village, batch_size=25).write_to(sink)  # type: ignore[arg-type]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, sink.size


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_memory_is_bounded_by_the_batch_not_the_history(history: Engine, fmt: str) -> None:
    sizes = Counter(case for case, _ in stored(history))
    small = min((n, case.split("/")[0]) for case, n in sizes.items() if n >= 25)[1]
    export.Export(history, fmt, batch_size=25).write_to(_Discard())  # type: ignore[arg-type]  # warm caches
    village_peak, village_size = _peak(history, fmt, small)
    all_peak, all_size = _peak(history, fmt)
    assert all_size > 10 * village_size
    assert all_peak < 2 * village_peak, (all_peak, village_peak)


@pytest.fixture
def desa(history: Engine, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DESA_DATABASE_URL", history.db.engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    return lambda *args: runner.invoke(main, ["export", *args], catch_exceptions=False)


def test_desa_export_one_village_to_a_file(desa, history: Engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    village = queries.instances(history)[-1].village
    target = tmp_path / "out" / "desa.xes"
    result = desa("--format", "xes", "--village", village, "--output", str(target))
    assert result.exit_code == 0, result.output + result.stderr
    count = len(stored(history, village))
    assert f"{count} events written to {target} (xes)" in result.stdout
    document = etree.parse(str(target))
    assert xes_structure.problems(document) == []
    names = {a.get("value") for a in document.iter("string") if a.get("key") == "desa.village_code"}
    assert names == {village}
    assert [p.name for p in target.parent.iterdir()] == ["desa.xes"]


def test_desa_export_to_stdout(desa, history: Engine) -> None:  # type: ignore[no-untyped-def]
    result = desa("--format", "csv", "--output", "-")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8"), newline="")))
    assert len(rows) == len(stored(history))
    assert f"{len(rows)} events written to stdout (csv)" in result.stderr
    assert Counter(r["event_type"] for r in rows)["INSTANCE_STARTED"] == len({r["case_id"] for r in rows})


def test_desa_export_unknown_village_is_one_line_and_no_file(desa, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "x.csv"
    result = desa("--format", "csv", "--village", "99.99.99.9999", "--output", str(target))
    assert result.exit_code != 0
    assert result.stderr.strip().splitlines() == ["error: unknown village 99.99.99.9999"]
    assert not target.exists()


def test_typed_text_that_a_spreadsheet_would_run_is_written_inert() -> None:
    from engine.history.export.csv_log import cell

    assert cell('=HYPERLINK("http://x","klik")') == '\'=HYPERLINK("http://x","klik")'
    assert [cell(v) for v in ("+62 812", "@SUM(A1)", "\tx", "-x", "-5", "-", "5", "Rp 5.000")] == [
        "'+62 812",
        "'@SUM(A1)",
        "'\tx",
        "'-x",
        "'-5",
        "'-",
        "5",
        "Rp 5.000",
    ]
