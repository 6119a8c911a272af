"""The sandbox that runs the Python of BPMN scripts, conditions and timers: ordinary code works,
anything that reaches outside the task data is refused before it runs, and endless code is stopped."""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from engine.sandbox import guard as sandbox
from engine.sandbox.guard import SandboxError


def run(source: str, **data: object) -> dict[str, object]:
    context = dict(data)
    sandbox.execute(source, context, {})
    return context


# --- ordinary code -------------------------------------------------------------------------------


def test_expressions_evaluate_against_task_data() -> None:
    assert sandbox.evaluate("jumlah * 2 + 1", {"jumlah": 3}, {}) == 7
    assert sandbox.evaluate("jumlah > 5 and catatan != ''", {"jumlah": 6, "catatan": "ok"}, {}) is True
    assert sandbox.evaluate('"air" in bantuan', {"bantuan": ["air", "pangan"]}, {}) is True
    assert sandbox.evaluate("  skor >= 80\n", {"skor": 80}, {}) is True


def test_scripts_build_lists_and_dicts_and_assign_names_back_into_task_data() -> None:
    data = run(
        "anggota = ['ani', 'budi']\n"
        "ringkas = {'jumlah': len(anggota), 'pertama': anggota[0]}\n"
        "anggota.append('citra')\n"
        "ringkas['nama'] = sorted(anggota, reverse=True)\n"
        "pasangan = dict(zip(['a', 'b'], [1, 2]))\n"
    )
    assert data["anggota"] == ["ani", "budi", "citra"]
    assert data["ringkas"] == {"jumlah": 2, "pertama": "ani", "nama": ["citra", "budi", "ani"]}
    assert data["pasangan"] == {"a": 1, "b": 2}


def test_scripts_loop_and_use_comprehensions_and_augmented_assignment() -> None:
    data = run(
        "total = 0\n"
        "for n in nilai:\n"
        "    total += n\n"
        "x += 1\n"
        "kuadrat = [n * n for n in nilai if n > 1]\n"
        "indeks = {n: i for i, n in enumerate(nilai)}\n"
        "i = 0\n"
        "while i < 3:\n"
        "    i += 1\n",
        nilai=[1, 2, 3],
        x=41,
    )
    assert data["total"] == 6
    assert data["x"] == 42
    assert data["kuadrat"] == [4, 9]
    assert data["indeks"] == {1: 0, 2: 1, 3: 2}
    assert data["i"] == 3


def test_scripts_assign_several_names_and_call_safe_builtins() -> None:
    data = run(
        "a, b = 1, 2\n"
        "kecil, besar, jumlah, banyak = min(nilai), max(nilai), sum(nilai), len(nilai)\n"
        "urut = sorted(nilai)\n"
        "rata = round(jumlah / banyak, 2)\n",
        nilai=[5, 1, 4],
    )
    assert (data["a"], data["b"]) == (1, 2)
    assert (data["kecil"], data["besar"], data["jumlah"], data["banyak"]) == (1, 5, 10, 3)
    assert data["urut"] == [1, 4, 5]
    assert data["rata"] == 3.33


def test_scripts_compute_with_dates() -> None:
    data = run(
        "mulai = date(2027, 1, 4)\n"
        "tenggat = mulai + timedelta(days=lama_hari)\n"
        "sisa_hari = (tenggat - mulai).days\n"
        "bulan = tenggat.month\n",
        lama_hari=30,
    )
    assert data["tenggat"] == date(2027, 2, 3)
    assert data["sisa_hari"] == 30
    assert data["bulan"] == 2
    assert sandbox.evaluate("tenggat - timedelta(days=3)", data, {}) == date(2027, 1, 31)
    assert sandbox.evaluate("timedelta(hours=36)", {}, {}) == timedelta(days=1, hours=12)


# --- refused code --------------------------------------------------------------------------------

MARKER = "desa-sandbox-escaped"

REFUSED = [
    # (source, words the refusal must say); MARKER is replaced by a file path the code tries to create
    ("__import__('os').system('touch MARKER')", '"__import__" is an invalid variable name'),
    ("import os\nos.system('touch MARKER')", "import statements are not allowed"),
    ("from os import system\nsystem('touch MARKER')", "import statements are not allowed"),
    ("open('/etc/passwd').read()", "open() is not available in scripts"),
    ("open('MARKER', 'w').write('x')", "open() is not available in scripts"),
    ("kelas = ().__class__.__bases__[0].__subclasses__()", '"__class__" is an invalid attribute name'),
    ("kelas = getattr(x, '__class__')", "getattr() is not available in scripts"),
    ("y = eval('1')", "Eval calls are not allowed"),
    ("exec('y = 1')", "Exec calls are not allowed"),
    ("g = globals()", "globals() is not available in scripts"),
    ("v = vars()", "vars() is not available in scripts"),
    ("b = __builtins__", '"__builtins__" is an invalid variable name'),
    ("b = __builtins__['open']('MARKER', 'w')", '"__builtins__" is an invalid variable name'),
    ("c = compile('1', 'f', 'eval')", "compile() is not available in scripts"),
    ("try:\n    y = 1\nexcept:\n    y = 2", "bare 'except:' is not allowed"),
    ("try:\n    y = 1\nfinally:\n    y = 2", "'finally:' is not allowed"),
]


@pytest.mark.parametrize(("source", "words"), REFUSED, ids=[s.replace("\n", "; ") for s, _ in REFUSED])
def test_refused_code_never_runs(source: str, words: str, tmp_path: Path) -> None:
    marker = tmp_path / MARKER
    source = source.replace("MARKER", str(marker))
    data: dict[str, object] = {"x": 1}
    with pytest.raises(SandboxError) as refused:
        sandbox.execute(source, data, {})
    assert words in str(refused.value)
    assert not marker.exists()
    assert data == {"x": 1}
    # validation gives the same reason, so a designer hears it from `desa validate`
    assert words in (sandbox.check(source, expression=False) or "")


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("__import__('os')", '"__import__" is an invalid variable name'),
        ("open('/etc/passwd').read()", "open() is not available in scripts"),
        ("().__class__", '"__class__" is an invalid attribute name'),
        ("globals()", "globals() is not available in scripts"),
        ("jumlah >", "SyntaxError"),
    ],
)
def test_refused_expressions(expression: str, words: str) -> None:
    with pytest.raises(SandboxError) as refused:
        sandbox.evaluate(expression, {"jumlah": 1}, {})
    assert words in str(refused.value)
    assert words in (sandbox.check(expression, expression=True) or "")


def test_a_name_the_script_defines_itself_is_not_refused() -> None:
    data = run("def open(pintu):\n    return 'buka ' + pintu\nhasil = open('gerbang')")
    assert data["hasil"] == "buka gerbang"


# --- time budget ---------------------------------------------------------------------------------


@pytest.fixture
def watchdog() -> Iterator[None]:
    """Fails the test instead of hanging it if the sandbox does not stop endless code."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def expired(signum: int, frame: object) -> None:
        pytest.fail("the sandbox did not stop endless code within 10 s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(10)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


ENDLESS = {
    "one-line loop": "while True: pass",
    "loop with a body": "n = 0\nwhile True:\n    n += 1",
    "loop in a function": "def f():\n    while True:\n        pass\nf()",
    "stop caught by the script": "try:\n    while True:\n        pass\nexcept Exception:\n    lolos = True",
}


@pytest.mark.parametrize("source", ENDLESS.values(), ids=ENDLESS.keys())
def test_endless_code_is_stopped_by_the_time_budget(
    source: str, monkeypatch: pytest.MonkeyPatch, watchdog: None
) -> None:
    monkeypatch.setattr(sandbox, "TIME_BUDGET_SECONDS", 0.2)
    tracer = sys.gettrace()
    data: dict[str, object] = {}
    started = time.monotonic()
    with pytest.raises(SandboxError, match=r"stopped after running longer than 0\.2 s"):
        sandbox.execute(source, data, {})
    assert time.monotonic() - started < 5
    assert "lolos" not in data and "n" not in data
    assert sys.gettrace() is tracer  # the budget's tracer is gone again


def test_endless_expression_is_stopped(monkeypatch: pytest.MonkeyPatch, watchdog: None) -> None:
    monkeypatch.setattr(sandbox, "TIME_BUDGET_SECONDS", 0.2)
    with pytest.raises(SandboxError, match="stopped after running longer"):
        sandbox.evaluate("[1 for a in range(999) for b in range(999) for c in range(999)]", {}, {})
