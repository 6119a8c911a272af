"""Known ways out of a Python sandbox, tried in BPMN scripts and gateway conditions.

Each payload is refused twice: by `desa validate` (engine.sandbox.check, before anything is
deployed) and when a deployed process runs it. For the second, the process in
tests/fixtures/hostile/ is deployed with harmless code and its stored definition is then edited to
hold the payload, as a version deployed before a rule existed (or a database someone edited) would:
completing the task before the script must fail with an error naming the script's task, and leave
the instance exactly as it was. Endless code, deep recursion and single huge operations are stopped
without hanging the test."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine.cli import main
from engine.core import Engine
from engine.definitions import registry
from engine.errors import DefinitionError, ScriptError
from engine.runtime import actions as runtime
from engine.sandbox import guard as sandbox
from engine.sandbox.guard import SandboxError
from engine.store.models import ProcessVersion
from engine.views import queries
from tests.conftest import LEMPUR, set_up
from tests.engine.escape_payloads import CONDITIONS, MARKER, PAYLOADS, SCRIPTS
from tests.engine.helpers import snapshot

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile" / "processes"
SCRIPT = "hasil = jumlah + 1"  # what skrip.bpmn's script task runs
CONDITION = "hasil > 1000"  # the condition of its gateway


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "desa-escaped"


def _with_marker(source: str, marker: Path) -> str:
    return source.replace(MARKER, str(marker))


# --- refused by desa validate ---------------------------------------------------------------------


@pytest.mark.parametrize(("name", "script", "words"), SCRIPTS, ids=[s[0] for s in SCRIPTS])
def test_validate_refuses_the_payload_as_a_script(name: str, script: str, words: str) -> None:
    why = sandbox.check(script, expression=False)
    assert why is not None and words in why


@pytest.mark.parametrize(("name", "condition", "words"), CONDITIONS, ids=[c[0] for c in CONDITIONS])
def test_validate_refuses_the_payload_as_a_condition(name: str, condition: str, words: str) -> None:
    why = sandbox.check(condition, expression=True)
    assert why is not None and words in why


def _bpmn_with(script: str, condition: str, folder: Path) -> Path:
    text = (HOSTILE / "skrip.bpmn").read_text(encoding="utf-8")
    escape = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
    for old, new in ((SCRIPT, script), (CONDITION.replace(">", "&gt;"), condition)):
        new = "".join(escape.get(c, c) for c in new)
        text = text.replace(old, new)
    path = folder / "skrip.bpmn"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("script", "condition"),
    [(PAYLOADS[0][1], CONDITION), (SCRIPT, PAYLOADS[0][2] or "")],
    ids=["in the script", "in the condition"],
)
def test_desa_validate_and_deploy_refuse_a_file_holding_a_payload(
    script: str, condition: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _bpmn_with(script, condition, tmp_path)
    result = CliRunner().invoke(
        main, ["validate", "--processes", str(HOSTILE), "--format", "json", str(path)]
    )
    assert result.exit_code == 1
    [problem] = [p for p in json.loads(result.stdout)["problems"] if p["severity"] == "error"]
    assert (problem["element"], problem["rule"]) == ("hitung" if script != SCRIPT else "f_besar", "script")
    assert '"__class__" is an invalid attribute name' in problem["message"]
    monkeypatch.setenv("DESA_PROCESSES_DIR", str(HOSTILE))
    with pytest.raises(DefinitionError):
        registry.deploy(engine.db, [path])
    with engine.db.sessions() as session:
        assert registry.versions(session) == []


# --- refused when a deployed process runs it -------------------------------------------------------


@pytest.fixture
def deployed(engine: Engine) -> Engine:
    """skrip.bpmn deployed, Lempur Mudik, and its pendamping rina."""
    return set_up(engine, HOSTILE, [LEMPUR], [("rina", "Pendamping", LEMPUR, None)])


def _store(engine: Engine, old: str, new: str) -> Engine:
    """The deployed definition with `old` code replaced by `new`; a fresh engine, so no cached spec."""

    def swap(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: swap(v) for k, v in node.items()}
        if isinstance(node, list):
            return [swap(v) for v in node]
        return new if node == old else node

    with engine.db.transaction() as session:
        version = session.scalars(select(ProcessVersion).where(ProcessVersion.process_id == "skrip")).one()
        spec = swap(version.spec)
        assert spec != version.spec, f"{old!r} is not in the deployed definition"
        version.spec = spec
    return Engine(engine.db)


def _refused_at_run_time(engine: Engine, task_name: str, words: str, marker: Path) -> None:
    started = runtime.start(engine, "skrip", LEMPUR, "rina")
    [task] = queries.tasks(engine, instance_id=started.instance_id)
    before = snapshot(engine, started.instance_id)
    with pytest.raises(ScriptError) as refused:
        runtime.complete(engine, task.id, "rina", {"jumlah": 3})
    message = str(refused.value)
    assert task_name in message
    assert words in message
    assert "Traceback" not in message
    assert snapshot(engine, started.instance_id) == before  # same revision, history and open task
    assert not marker.exists()


@pytest.mark.parametrize(("name", "script", "words"), SCRIPTS, ids=[s[0] for s in SCRIPTS])
def test_a_deployed_script_running_the_payload_is_refused_and_nothing_is_saved(
    name: str, script: str, words: str, deployed: Engine, marker: Path
) -> None:
    engine = _store(deployed, SCRIPT, _with_marker(script, marker))
    _refused_at_run_time(engine, "in task 'Hitung Hasil' (hitung)", words, marker)


@pytest.mark.parametrize(("name", "condition", "words"), CONDITIONS, ids=[c[0] for c in CONDITIONS])
def test_a_deployed_condition_running_the_payload_is_refused_and_nothing_is_saved(
    name: str, condition: str, words: str, deployed: Engine, marker: Path
) -> None:
    engine = _store(deployed, CONDITION, _with_marker(condition, marker))
    _refused_at_run_time(engine, "in task 'Hasil Besar?' (cek)", words, marker)


def test_the_unchanged_process_runs(deployed: Engine) -> None:
    started = runtime.start(deployed, "skrip", LEMPUR, "rina")
    [task] = queries.tasks(deployed, instance_id=started.instance_id)
    done = runtime.complete(deployed, task.id, "rina", {"jumlah": 3})
    assert [t.bpmn_id for t in done.open_tasks] == ["periksa"]


# --- stopped while running -------------------------------------------------------------------------


@pytest.fixture
def watchdog() -> Iterator[None]:
    """Fails the test instead of hanging it if the sandbox does not stop the code within 20 s."""

    def expired(signum: int, frame: object) -> None:
        pytest.fail("the sandbox did not stop the code within 20 s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(20)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# (name, script, words); none is refused before it runs: each one is stopped while it runs.
STOPPED = [
    ("endless loop", "while True: pass", "stopped after running longer than 0.2 s"),
    ("deep recursion", "def f():\n    f()\nf()", "called each other more than 100 deep"),
    (
        "deep recursion that catches the error and recurses again",
        "def f():\n    try:\n        f()\n    except Exception:\n        f()\nf()",
        "called each other more than 100 deep",
    ),
    ("exponential recursion", "def f(n):\n    if n:\n        f(n - 1)\n        f(n - 1)\nf(60)", "0.2 s"),
    ("a text of a billion characters", "x = 'x' * 10**9", "repeating a text or list would be too large"),
    ("a list of a billion items", "x = [0] * (jumlah * 10**9)", "repeating a text or list"),
    ("a power of a billion digits", "x = 10 ** (jumlah * 10**9)", "the power would have more than"),
    ("pow()", "x = pow(10, 10**9)", "the power would have more than"),
    ("augmented power", "x = 7\nx **= 10**9", "the power would have more than"),
    ("augmented repetition", "x = 'ab'\nx *= 10**9", "repeating a text or list"),
    ("a shift by a billion bits", "x = 1 << 10**10", "the shifted number would have more than"),
    ("a squaring loop", "x = 3\nwhile True:\n    x = x * x", "the product would have more than"),
    ("math.factorial", "x = math.factorial(10**7)", "math.factorial is limited"),
]


@pytest.mark.parametrize(("name", "script", "words"), STOPPED, ids=[s[0] for s in STOPPED])
def test_the_sandbox_stops_code_that_would_run_too_long(
    name: str, script: str, words: str, monkeypatch: pytest.MonkeyPatch, watchdog: None
) -> None:
    monkeypatch.setattr(sandbox, "TIME_BUDGET_SECONDS", 0.2)
    assert sandbox.check(script, expression=False) is None
    data: dict[str, object] = {"jumlah": 1}
    started = time.monotonic()
    with pytest.raises(SandboxError) as stopped:
        sandbox.execute(script, data, {})
    assert words in str(stopped.value)
    assert time.monotonic() - started < 5
    assert data == {"jumlah": 1}


@pytest.mark.parametrize(
    ("name", "script", "words"), [STOPPED[0], STOPPED[2], STOPPED[4]], ids=[STOPPED[i][0] for i in (0, 2, 4)]
)
def test_a_deployed_step_that_runs_too_long_is_refused_and_nothing_is_saved(
    name: str,
    script: str,
    words: str,
    deployed: Engine,
    marker: Path,
    monkeypatch: pytest.MonkeyPatch,
    watchdog: None,
) -> None:
    monkeypatch.setattr(sandbox, "TIME_BUDGET_SECONDS", 0.2)
    engine = _store(deployed, SCRIPT, script)
    _refused_at_run_time(engine, "in task 'Hitung Hasil' (hitung)", words, marker)


def test_ordinary_arithmetic_is_not_limited() -> None:
    data: dict[str, object] = {"nilai": [2, 3]}
    sandbox.execute(
        "a = 'ab' * 3\nb = [0] * 4\nc = 2 ** 64\nd = 10 * 2.5\ne = 1 << 10\nf = pow(2, 10, 1000)\n"
        "g = math.factorial(20)\nh = 3\nh *= 4\nh **= 2\ni = nilai[0] * nilai[1] * -1.5\n"
        "def fakt(n):\n    return 1 if n < 2 else n * fakt(n - 1)\nj = fakt(50)",
        data,
        {},
    )
    assert (data["a"], data["b"], data["c"], data["d"], data["e"], data["f"]) == (
        "ababab",
        [0, 0, 0, 0],
        18446744073709551616,
        25.0,
        1024,
        24,
    )
    assert (data["g"], data["h"], data["i"]) == (2432902008176640000, 144, -9.0)
    assert data["j"] == 30414093201713378043612608166064768844377641568960512000000000000


def test_data_named_like_the_sandbox_guards_is_only_data() -> None:
    data: dict[str, object] = {"_getattr_": "x", "__builtins__": {}, "_mul_": 1, "catatan": "ok"}
    sandbox.execute("hasil = catatan.upper() * 2", data, {})
    assert data["hasil"] == "OKOK"
    assert sandbox.evaluate("catatan.upper()", data, {}) == "OK"


@pytest.mark.parametrize(
    ("code", "replaced", "where", "words"),
    [
        ("x = {}[jumlah]", SCRIPT, "in task 'Hitung Hasil' (hitung)", "KeyError: 3"),
        ("raise ValueError(jumlah)", SCRIPT, "in task 'Hitung Hasil' (hitung)", "ValueError: 3"),
        ("{}[jumlah]", CONDITION, "in task 'Hasil Besar?' (cek)", "KeyError: 3"),
        ("nilai > 1", CONDITION, "in task 'Hasil Besar?' (cek)", "name 'nilai' is not defined"),
    ],
)
def test_a_script_failing_with_any_error_is_reported_naming_its_task(
    code: str, replaced: str, where: str, words: str, deployed: Engine, marker: Path
) -> None:
    _refused_at_run_time(_store(deployed, replaced, code), where, words, marker)
