"""A finished subprocess's task rows stored as one compressed row.

Once a subprocess has finished and every one of its tasks has too (completed or cancelled),
nothing in a step changes its tasks again: most of a village's rows, a few months into a program,
are such tasks, read back on every restore and looked over on every step. They are kept as one
row per subprocess (`instance_packed`): the rows as `rows.encode` writes them, one per line
(`ord task_id body`, the body being JSON has no line break), zlib-compressed. The rows of
different tasks repeat the same keys and task spec names, so the row is a fraction of their size.

Reading unpacks them into the same (task id, `StoredTask`) pairs the per-task rows give, so a
restore, replay, verification or the data read see one list of rows either way. The ledger
decides what is packed (`Ledger.snapshot`); should a packed subprocess's task change after all
(a migration moving it, a reset), its row is written again, or its tasks go back to rows of their
own when it is no longer finished.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

from SpiffWorkflow.util.task import TaskState

from engine.spiff.ledger_entry import StoredTask

LEVEL = 6  # zlib's default: level 9 measured no smaller on these rows, and slower
_FINISHED = TaskState.FINISHED_MASK


def pack(entries: Iterable[tuple[str, StoredTask]]) -> bytes:
    """One row for these tasks' rows (one subprocess's), in creation order."""
    lines = [f"{entry.ord} {task_id} {entry.body}" for task_id, entry in sorted(entries, key=_ord)]
    return zlib.compress("\n".join(lines).encode(), LEVEL)


def unpack(workflow: str, blob: bytes) -> list[tuple[str, StoredTask]]:
    """The task rows a packed row holds, as the per-task rows would give them."""
    try:
        text = zlib.decompress(blob).decode()
    except (zlib.error, UnicodeDecodeError) as err:
        raise ValueError(
            f"the packed rows of subprocess {workflow or '(top)'} cannot be read: {err}"
        ) from err
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        parts = line.split(" ", 2)
        if len(parts) != 3 or not parts[0].isdigit():
            raise ValueError(
                f"the packed rows of subprocess {workflow}: line {number} is not 'ord task_id body'"
            )
        found.append((parts[1], StoredTask(0.0, None, workflow, int(parts[0]), parts[2])))
    return found


def settled(workflow: object) -> bool:
    """Whether a subprocess is finished for good: ended, and every task of it finished."""
    if not getattr(workflow, "completed", False):
        return False
    return all(task._state & _FINISHED for task in workflow.tasks.values())  # type: ignore[attr-defined]


def _ord(item: tuple[str, StoredTask]) -> int:
    return item[1].ord
