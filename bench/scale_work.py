"""What the scale bench asks of the engine over HTTP: open tasks of different villages, each with
the person who may do it and an answer its village's forms accept (`bench/scale.py`)."""

from __future__ import annotations

import dataclasses
import random
from typing import Any

from sqlalchemy import text

from bench import model_desa as demo
from bench import scale_load as load
from engine.core import Engine
from engine.directory import access, tokens
from engine.runtime import duties
from engine.store.models import HumanTask
from engine.views import queries


def doer(engine: Engine, session: Any, task_id: str, village: str, role: str) -> str:
    """Who of the village's staff does the task: its role's first holder, or for a pendamping's
    approval the other pendamping when the first did the work it approves (`separate_from`)."""
    staff = load.staff_of(village)
    first = staff.get(role, load.PUSAT[0])
    if role != "Pendamping":
        return first
    task = session.get(HumanTask, task_id)
    try:
        duties.check_open(engine, session, access.principal(session, first), task)
    except duties.Separated:
        return staff["Pendamping 2"]
    return first


def completion_work(
    engine: Engine, count: int, spared: set[int], people: dict[int, Any], rng: random.Random
) -> list[tuple[str, str, dict[str, Any], bool]]:
    """`count` open tasks of different instances (none of `spared`), each with its doer's token and
    the demo's answer as the village its instance was cloned from gives it (`people`: instance ->
    that village; its participants and plans are the ones the forms' choices allow); one in ten is
    listed twice (a deliberate conflict)."""
    with engine.db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, instance_id, village_code, role, bpmn_id, name FROM human_task "
                "WHERE NOT suspended AND claimed_by IS NULL ORDER BY instance_id"
            )
        ).all()
    seen: set[int] = set()
    picked = []
    for row in rng.sample(rows, len(rows)):
        if row[1] in seen or row[1] in spared or f"{row[4]}.json" not in demo.FORM_EXAMPLES:
            continue
        seen.add(row[1])
        picked.append(row)
        if len(picked) == count:
            break
    secrets: dict[str, str] = {}
    work = []
    with engine.db.transaction() as session:
        for task_id, instance_id, village, role, bpmn_id, name in picked:
            who = doer(engine, session, task_id, village, role)
            if who not in secrets:
                secrets[who] = tokens.create(session, who, "bench")[1]
            row = queries.TaskRow(task_id, 0, village, "", bpmn_id, name, role, None, None, None, None)
            story = dataclasses.replace(demo.Story(age_days=0), village=people.get(instance_id))
            work.append((task_id, secrets[who], demo.task_data(row, story, {}), False))
    duplicates = [(t, s, d, True) for t, s, d, _ in work[::10]]
    work = [(t, s, d, any(t == x[0] for x in duplicates)) for t, s, d, _ in work]
    mixed = work + duplicates
    rng.shuffle(mixed)
    return mixed
