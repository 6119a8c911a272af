"""The engine's API with arbitrary JSON (Hypothesis): `runtime.start` and `runtime.complete` answer
any data with a step or with one of the engine's own errors (engine/errors.py), never a crash; a
refused completion leaves the instance exactly as it was (same revision, same history, same open
tasks) and a refused start creates nothing. Hostile values a JSON parser lets through (deep
nesting, NaN, huge numbers, lone surrogates, NUL) are refused naming where they are."""

from __future__ import annotations

import contextlib
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from engine.core import Engine
from engine.errors import EngineError, InvalidInput
from engine.runtime import actions as runtime
from engine.store.models import Instance
from engine.views import queries
from tests.conftest import SIGI
from tests.engine.helpers import snapshot
from tests.hostile import LONG_EXAMPLES, SHORT_EXAMPLES, examples, long_only_when_selected  # noqa: F401

# Text as a JSON parser hands it over: any code point, lone surrogates and NUL included.
TEXT = st.text(st.characters(codec=None), max_size=12) | st.sampled_from(["\ud800", "a\x00b", "__builtins__"])
NUMBERS = (
    st.integers()
    | st.integers(min_value=-(10**5000), max_value=10**5000)
    | st.floats()  # NaN and infinities too: Python's JSON parser accepts them
)
SCALARS = st.none() | st.booleans() | NUMBERS | TEXT
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=12,
)
# the form of simple.bpmn's first task (isian.json) asks for `jumlah` (a whole number >= 0) and `catatan`
FIELD = st.sampled_from(["jumlah", "catatan", "_getattr_", "__builtins__", "task", "spec"]) | TEXT
SUBMISSIONS = st.dictionaries(FIELD, JSON, max_size=5) | st.builds(
    lambda n, extra: {"jumlah": n, **extra}, st.integers(-3, 10**6), st.dictionaries(FIELD, JSON, max_size=3)
)


def _deep(levels: int) -> Any:
    value: Any = "dasar"
    for _ in range(levels):
        value = {"isi": [value]}
    return value


def _instances(engine: Engine) -> int:
    with engine.db.sessions() as session:
        return int(session.scalar(select(func.count(Instance.id))) or 0)


class Desk:
    """Sari, pendamping of Sigi, with one open `isi_data` task of the simple process at a time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.task_id = ""
        self.instance_id = 0

    def open_task(self) -> str:
        if not self.task_id:
            started = runtime.start(self.engine, "simple", SIGI, "sari")
            [task] = queries.tasks(self.engine, instance_id=started.instance_id)
            self.task_id, self.instance_id = task.id, started.instance_id
        return self.task_id

    def submit(self, data: Any, revision: int | None = None) -> None:
        task_id = self.open_task()
        before = snapshot(self.engine, self.instance_id)
        try:
            runtime.complete(self.engine, task_id, "sari", data, expected_revision=revision)
        except EngineError as refused:
            assert str(refused)
            if isinstance(refused, InvalidInput):
                assert all(f.path and f.message and f.message_en for f in refused.fields)
            assert snapshot(self.engine, self.instance_id) == before
            return
        self.task_id = ""  # done: the next example gets a new instance
        after = snapshot(self.engine, self.instance_id)
        assert after["revision"] == before["revision"] + 1
        assert after["events"] == before["events"] + 1


@pytest.fixture
def desk(basic: Engine) -> Desk:
    return Desk(basic)


def _complete(desk: Desk, data: Any, revision: int | None) -> None:
    desk.submit(data, revision)


def _start(desk: Desk, data: Any) -> None:
    engine = desk.engine
    before = _instances(engine)
    try:
        runtime.start(engine, "simple", SIGI, "sari", data)
    except EngineError:
        assert _instances(engine) == before
        return
    assert _instances(engine) == before + 1


REVISIONS = st.none() | st.integers(-2, 3)

test_complete_answers_any_data_with_a_step_or_an_engine_error = examples(SHORT_EXAMPLES)(
    given(data=SUBMISSIONS | JSON, revision=REVISIONS)(_complete)
)
test_complete_long = pytest.mark.hostile_long(
    examples(LONG_EXAMPLES)(given(data=SUBMISSIONS | JSON, revision=REVISIONS)(_complete))
)
test_start_answers_any_data_with_an_instance_or_an_engine_error = examples(SHORT_EXAMPLES)(
    given(data=st.none() | JSON)(_start)
)
test_start_long = pytest.mark.hostile_long(examples(LONG_EXAMPLES)(given(data=st.none() | JSON)(_start)))


def _any_ids(desk: Desk, task_id: str, process_id: str, village: str, actor: str) -> None:
    engine = desk.engine
    for call in (
        lambda: runtime.complete(engine, task_id, actor, {"jumlah": 1}),
        lambda: runtime.claim(engine, task_id, actor),
        lambda: runtime.unclaim(engine, task_id, actor),
        lambda: runtime.start(engine, process_id, village, actor),
        lambda: runtime.deliver_message(engine, process_id, village, actor),
    ):
        with contextlib.suppress(EngineError):
            call()


IDS = TEXT | st.sampled_from(["simple", SIGI, "sari", "rina", "admin", "system", "' OR 1=1 --", "%", "_"])
test_any_names_and_ids_get_an_engine_error = examples(SHORT_EXAMPLES // 2)(
    given(task_id=IDS, process_id=IDS, village=IDS, actor=IDS)(_any_ids)
)

# --- values a JSON parser lets through, one by one -------------------------------------------------

HOSTILE_VALUES = {
    "nested 1,000 deep": (_deep(1000), "nested deeper than 32 levels"),
    "NaN": (math.nan, "not a finite number"),
    "infinity": (-math.inf, "not a finite number"),
    "a number of 5,000 digits": (10**5000, "a number of more than 4000 digits"),
    "a lone surrogate": ("\udc80", "text holds an invalid character"),
    "NUL": ("a\x00", "text holds an invalid character"),
    "a key with a lone surrogate": ({"\ud800": 1}, "text holds an invalid character"),
    "a key that is not text": ({1: "satu"}, "field names must be text"),
    "a set": ({1, 2}, "not JSON data"),
}


@pytest.mark.parametrize(("value", "words"), HOSTILE_VALUES.values(), ids=HOSTILE_VALUES.keys())
def test_values_json_cannot_keep_are_refused_naming_the_field(value: Any, words: str, desk: Desk) -> None:
    desk.open_task()
    before = snapshot(desk.engine, desk.instance_id)
    with pytest.raises(InvalidInput) as refused:
        runtime.complete(desk.engine, desk.task_id, "sari", {"jumlah": 1, "catatan": value})
    [field] = refused.value.fields
    assert field.path.startswith("catatan") and words in field.message_en and field.message
    assert snapshot(desk.engine, desk.instance_id) == before
    count = _instances(desk.engine)
    with pytest.raises(InvalidInput, match=words):
        runtime.start(desk.engine, "simple", SIGI, "sari", {"catatan": value})
    assert _instances(desk.engine) == count


def test_data_nested_as_deep_as_a_form_may_be_is_kept(desk: Desk) -> None:
    desk.open_task()
    done = runtime.complete(desk.engine, desk.task_id, "sari", {"jumlah": 1, "catatan": "ok", "x": _deep(15)})
    assert done.status == "completed"
