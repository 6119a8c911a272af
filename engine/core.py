"""The engine's handle: a database and the in-process caches that serve it.

`Engine` is what the web app, the CLI and the worker hold. Its caches keep deployed versions
(`SpecCache`: a version never changes, so its entries never go stale) and the live workflows of
recently used instances (`WorkflowCache`: valid for one revision; a step takes its entry out while
it works). `encode`/`decode` are the stored form of an instance's header.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from threading import Lock
from typing import Any

from sqlalchemy.orm import Session

from engine import spiff
from engine.errors import NotFound
from engine.spiff.tasks import release
from engine.store.db import Database
from engine.store.models import ProcessVersion


@dataclass
class Projection:
    """What the projection tables hold for one instance."""

    human: dict[str, datetime | None] = field(default_factory=dict)  # task id -> due at
    timers: dict[str, datetime] = field(default_factory=dict)  # task id -> due at
    messages: dict[str, str] = field(default_factory=dict)  # task id -> message name


@dataclass
class Deployed:
    """A deployed version as the runtime needs it: the restored spec and the forms."""

    id: int
    process_id: str
    version: int
    spec: spiff.Spec
    forms: dict[str, Any]
    spec_dict: dict[str, Any]
    private: bool  # SpiffWorkflow changes this spec at run time: each instance gets its own copy

    def spec_for_instance(self) -> spiff.Spec:
        return spiff.spec_from_dict(self.process_id, self.spec_dict) if self.private else self.spec

    @cached_property
    def task_properties(self) -> dict[str, dict[str, Any]]:
        """The spiffworkflow properties of each task with any, by BPMN id: the process's own tasks
        and those of the processes it calls (read once per version, for listings of many tasks)."""
        return {bpmn_id: props for bpmn_id, (_, props) in self._tasks.items() if props}

    @cached_property
    def task_lanes(self) -> dict[str, str | None]:
        """The lane of each task, by BPMN id (None: drawn outside any lane)."""
        return {bpmn_id: lane for bpmn_id, (lane, _) in self._tasks.items()}

    @cached_property
    def _tasks(self) -> dict[str, tuple[str | None, dict[str, Any]]]:
        found: dict[str, tuple[str | None, dict[str, Any]]] = {}
        for workflow_spec in (self.spec.spec, *self.spec.subprocess_specs.values()):
            for task_spec in workflow_spec.task_specs.values():
                bpmn_id = getattr(task_spec, "bpmn_id", None)
                if not bpmn_id:
                    continue
                # A multi-instance task is two specs of one id; the properties are its child's.
                lane, properties = found.get(str(bpmn_id), (None, {}))
                found[str(bpmn_id)] = (
                    lane or getattr(task_spec, "lane", None),
                    properties or spiff.task_spec_properties(task_spec),
                )
        return found


class SpecCache:
    """Deployed versions by id (of one database); a version never changes, so entries never go stale."""

    def __init__(self, size: int = 64) -> None:
        self._items: OrderedDict[int, Deployed] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def get(self, session: Session, version_id: int) -> Deployed:
        with self._lock:
            if version_id in self._items:
                self._items.move_to_end(version_id)
                return self._items[version_id]
        row = session.get(ProcessVersion, version_id)
        if row is None:
            raise NotFound(f"definition version {version_id} does not exist")
        spec = spiff.spec_from_dict(row.process_id, row.spec)
        deployed = Deployed(
            row.id,
            row.process_id,
            row.version,
            spec,
            dict(row.forms),
            row.spec,
            spiff.mutated_at_run_time(spec),
        )
        with self._lock:
            self._items[version_id] = deployed
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return deployed


@dataclass
class Live:
    """A deserialized workflow with what is known to be stored for it."""

    workflow: Any
    ledger: spiff.Ledger
    projection: Projection
    spec: spiff.Spec


class WorkflowCache:
    """Live workflows by instance, valid for one revision. A step takes its entry out while it
    works, so two threads never share a workflow object; a failed step simply does not put it back.
    A workflow the cache lets go (too old, stale, or no cache at all) is taken apart
    (`spiff.release`): nobody holds it then, and reference counting frees it at once instead of
    leaving a few thousand objects in reference cycles to the cyclic garbage collector."""

    def __init__(self, size: int = 256) -> None:
        self._items: OrderedDict[int, tuple[int, Live]] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def take(self, instance_id: int, revision: int) -> Live | None:
        with self._lock:
            entry = self._items.pop(instance_id, None)
        if entry is None:
            return None
        if entry[0] != revision:  # changed elsewhere since (another process)
            release(entry[1].workflow)
            return None
        return entry[1]

    def put(self, instance_id: int, revision: int, live: Live) -> None:
        """Keep `live` for the next step; the caller does not use it after this."""
        if self._size <= 0:
            release(live.workflow)
            return
        dropped = []
        with self._lock:
            self._items[instance_id] = (revision, live)
            self._items.move_to_end(instance_id)
            while len(self._items) > self._size:
                dropped.append(self._items.popitem(last=False)[1][1])
        for old in dropped:
            release(old.workflow)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class Engine:
    """A database plus the in-process caches that serve it; what the web app, CLI and worker hold."""

    def __init__(self, db: Database, cache_size: int = 256) -> None:
        self.db = db
        self.workflows = WorkflowCache(cache_size)
        self.specs = SpecCache()


def encode(text: str) -> bytes:
    """A header as stored: plain JSON when small, zlib-compressed when large."""
    raw = text.encode("utf-8")
    return raw if len(raw) < 2048 else zlib.compress(raw, 1)


def decode(blob: bytes) -> str:
    # A JSON header starts with "{"; a zlib stream never does (its first byte is 0x78).
    return (blob if blob[:1] == b"{" else zlib.decompress(blob)).decode("utf-8")
