"""What the ledger keeps of each stored task: the version of its row that is in the database."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(slots=True)
class StoredTask:
    last_state_change: float
    parent: UUID | None
    workflow: str  # "" for the top workflow, else the key of its subprocess (the running task's id)
    ord: int  # creation order within the instance; rows refer to each other by it
    body: str  # the row (`rows.encode`)
    object_id: int = 0  # id() of the live task object this entry was last matched with
