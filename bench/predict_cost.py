"""What storing the predicted tasks saves a restore: their rows read back, against SpiffWorkflow
predicting them again from the spec.

    .venv/bin/python bench/predict_cost.py URL [--villages 200]

URL is a database `bench/sweep_profile.py build` made (a month-3 cohort). For each village it
restores the workflow, then takes out the tasks SpiffWorkflow predicts
(MAYBE and LIKELY, and FUTURE tasks under a task that has not finished) and has SpiffWorkflow
predict them again from the tasks left (`TaskSpec._predict` from each definite task under a
finished one, as it does when a task becomes ready), checking that the same tasks come back (the
same task specs under the same parents). It prints, per village, the rows, the predicted tasks,
the CPU time of a restore from the rows a new ledger writes, with the predicted tasks and without
them, and of predicting them again.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from SpiffWorkflow.util.task import TaskState  # noqa: E402

from engine import spiff  # noqa: E402
from engine.core import Engine, decode  # noqa: E402
from engine.runtime.step import stored_tasks  # noqa: E402
from engine.spiff import json_read, packing  # noqa: E402
from engine.spiff.ledger import Ledger  # noqa: E402
from engine.spiff.stepping import made  # noqa: E402
from engine.spiff.tasks import release  # noqa: E402
from engine.store.db import Database, normalise_url  # noqa: E402
from engine.store.fastsql import Sql  # noqa: E402

PREDICTED = TaskState.PREDICTED_MASK
FINISHED = TaskState.FINISHED_MASK
ACTIVE = TaskState.FUTURE | TaskState.WAITING | TaskState.READY | TaskState.STARTED


def _predicted(wf: Any) -> list[Any]:
    """The tasks SpiffWorkflow would predict again: MAYBE and LIKELY ones, and FUTURE ones under a
    task that has not finished (a FUTURE task under a finished one was made as that task finished)."""
    found = []
    for task in wf.tasks.values():
        parent = wf.tasks.get(task._parent)
        if task._state & PREDICTED or (
            task._state == TaskState.FUTURE and parent is not None and not parent._state & FINISHED
        ):
            found.append(task)
    return found


def _shape(tasks: list[Any], wf: Any) -> Counter[tuple[str, str]]:
    return Counter((wf.tasks[t._parent].task_spec.name, t.task_spec.name) for t in tasks)


def _restore_time(workflow: Any, spec: Any) -> float:
    """The CPU time of restoring `workflow` from the rows a new ledger writes for it (packed as the
    engine packs them), the same way for both states compared."""
    snapshot = Ledger().snapshot(workflow)
    rows_ = [*snapshot.upserts]
    for key, blob in snapshot.packs:
        rows_.extend(packing.unpack(key, blob))
    started = time.process_time()
    restored, _ = spiff.restore(snapshot.header, rows_, spec, [key for key, _ in snapshot.packs])
    spent = time.process_time() - started
    release(restored)
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--villages", type=int, default=200)
    args = parser.parse_args()
    engine = Engine(Database(normalise_url(args.url)))
    gc.disable()  # as a sweep runs (`engine.worker.timers`); `release` breaks the workflows' cycles
    with engine.db.sessions() as session:
        sql = Sql.of(session)
        rows = sql.all(
            "SELECT id, process_version_id, header FROM instance ORDER BY id LIMIT :n", n=args.villages
        )
        specs = {i: engine.specs.get(session, v).spec_for_instance() for i, v, _ in rows}
        headers = {i: json_read.loads(decode(sql.blob(h))) for i, _, h in rows}
        tasks = stored_tasks(sql, list(headers), [i for i, h in headers.items() if h.get("packed")])
    restore_cpu = predict_cpu = without_cpu = 0.0
    stored = predicted = 0
    for instance_id, header in headers.items():
        rows_, packed = tasks[instance_id]
        stored += len(rows_)
        workflow, _ = spiff.restore(dict(header), rows_, specs[instance_id], packed)
        restore_cpu += _restore_time(workflow, specs[instance_id])
        for wf in made([workflow, *workflow.subprocesses.values()]):
            gone = _predicted(wf)
            if not gone:
                continue
            before = _shape(gone, wf)
            predicted += len(gone)
            for task in gone:
                del wf.tasks[task.id]
            for task in gone:
                parent = wf.tasks.get(task._parent)
                if parent is not None and task.id in parent._children:
                    parent._children.remove(task.id)
            started = time.process_time()
            for task in list(wf.tasks.values()):
                parent = wf.tasks.get(task._parent)
                if task._state & ACTIVE and (parent is None or parent._state & FINISHED):
                    task.task_spec._predict(task, mask=PREDICTED | TaskState.DEFINITE_MASK)
            predict_cpu += time.process_time() - started
            again = _predicted(wf)
            if _shape(again, wf) != before:
                raise SystemExit(f"instance {instance_id}: predicting again gave other tasks")
            for task in again:  # the state as it would be stored without them
                del wf.tasks[task.id]
                parent = wf.tasks.get(task._parent)
                if parent is not None and task.id in parent._children:
                    parent._children.remove(task.id)
        without_cpu += _restore_time(workflow, specs[instance_id])
        release(workflow)
    n = len(headers)
    print(
        f"{n} villages: {stored / n:.0f} rows, {predicted / n:.0f} of their tasks predicted; "
        f"restore {1000 * restore_cpu / n:.2f} ms CPU, {1000 * without_cpu / n:.2f} ms without the "
        f"predicted tasks' rows; predicting those tasks again {1000 * predict_cpu / n:.2f} ms CPU "
        "(the same tasks came back)"
    )


if __name__ == "__main__":
    main()
