"""An instance's current data read from its stored task rows, without rebuilding the workflow.

`tasks.current_data` on a restored workflow takes the data of the task that finished last (in the
process or any subprocess) and puts the data of the READY tasks on top. Restoring the workflow
for that builds every task object and gives the unfinished ones their data (`rows.rebuild_data`). Here the
rows are parsed as `restoring.restore` parses them (`rows.parse`, both row formats), those tasks are
found the same way (same states, same order, so the same task wins a tie), and only their data
and the data of the tasks it is based on are built, as `rows.rebuild_data` builds it.

Rows this cannot read (a base that is not stored, a row `rows.parse` refuses) raise `Unreadable`;
the caller then restores the workflow (`queries.data_in`), which reports the problem itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from SpiffWorkflow.util.task import TaskState

from engine.spiff import rows as stored_rows
from engine.spiff.tasks import ViewEncoder


class Unreadable(ValueError):
    """Stored rows this reader cannot read: rebuild the workflow to read the data."""


def current_data(rows: Iterable[tuple[str, str, int, str]]) -> dict[str, Any]:
    """The data the instance holds now (JSON-ready), from its rows (task_id, workflow, ord, body)."""
    found = sorted(rows, key=lambda r: r[2])
    uuid_of = {ord_: task_id for task_id, _, ord_, _ in found}
    how: dict[UUID, stored_rows.DataOf] = {}
    by_workflow: dict[str, list[tuple[UUID, dict[str, Any]]]] = {}
    try:
        for task_id, workflow, _, body in found:
            dct, how[UUID(task_id)] = stored_rows.parse(task_id, body, uuid_of)
            by_workflow.setdefault(workflow, []).append((UUID(task_id), dct))
    except (KeyError, TypeError, ValueError) as err:
        raise Unreadable(f"a stored task row this reader cannot read: {err!r}") from err
    # The restored workflow's task order: the top workflow's tasks, then each subprocess (keyed by
    # the task that runs it) after the tasks before it, depth first, as SpiffWorkflow restores them.
    ordered: list[tuple[UUID, dict[str, Any]]] = []
    seen: set[str] = set()

    def walk(key: str) -> None:
        seen.add(key)
        tasks = by_workflow.get(key, [])
        ordered.extend(tasks)
        for task_id, _ in tasks:
            if str(task_id) in by_workflow and str(task_id) not in seen:
                walk(str(task_id))

    walk("")
    built: dict[UUID, dict[str, Any]] = {}
    done = [(tid, t) for tid, t in ordered if t["state"] == TaskState.COMPLETED]
    data: dict[str, Any] = {}
    if done:
        last, _ = max(done, key=lambda d: d[1]["last_state_change"])
        data.update(_view(_data(how, built, last)))
    for ready, t in ordered:
        if t["state"] == TaskState.READY:
            data.update(_view(_data(how, built, ready)))
    return data


def _data(
    how: dict[UUID, stored_rows.DataOf], built: dict[UUID, dict[str, Any]], task_id: UUID
) -> dict[str, Any]:
    """One task's data as `rows.rebuild_data` gives it: each base built before what is based on it."""
    try:
        return stored_rows.data_of(how, built, task_id)
    except ValueError as err:
        raise Unreadable(str(err)) from err


def _view(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data, cls=ViewEncoder))  # type: ignore[no-any-return]
