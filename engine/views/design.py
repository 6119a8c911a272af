"""What a program designer reads: the deployed processes and their versions, how many villages run
on each and at which elements, the validation of the files on disk, and two versions compared.

Read-only, for admins and holders of a designer role (`designer = true` in processes/roles.toml).
No village's data is shown here: counts only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from threading import Lock

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import clock, spiff
from engine.core import Engine
from engine.definitions import folder as definitions
from engine.definitions import registry
from engine.definitions.reload import ReloadState, fingerprint
from engine.directory import access
from engine.errors import Forbidden, Problem
from engine.store.models import HumanTask, Instance, ProcessVersion, Timer
from engine.views import diagram


def designer(session: Session, user: str) -> access.Principal:
    who = access.principal(session, user)
    if not who.is_designer:
        raise Forbidden("the design pages are for program designers and admins")
    return who


@dataclass
class VersionRow:
    version: int
    sha256: str
    deployed_at: datetime
    deployed_by: str
    instances: dict[str, int]  # status -> count


@dataclass
class ProcessRow:
    process_id: str
    name: str
    versions: list[VersionRow] = field(default_factory=list)


def processes(engine: Engine, user: str) -> list[ProcessRow]:
    with engine.db.sessions() as session:
        designer(session, user)
        counts: dict[int, dict[str, int]] = {}
        for version_id, status, n in session.execute(
            select(Instance.process_version_id, Instance.status, func.count()).group_by(
                Instance.process_version_id, Instance.status
            )
        ):
            counts.setdefault(version_id, {})[status] = n
        rows: dict[str, ProcessRow] = {}
        for v in session.scalars(
            select(ProcessVersion).order_by(ProcessVersion.process_id, ProcessVersion.version)
        ):
            row = rows.setdefault(v.process_id, ProcessRow(v.process_id, v.name))
            row.name = v.name
            row.versions.append(
                VersionRow(
                    v.version, v.sha256, clock.as_utc(v.deployed_at), v.deployed_by, counts.get(v.id, {})
                )
            )
        return list(rows.values())


_cache: dict[str, tuple[tuple[tuple[str, int, int], ...], ReloadState]] = {}
_lock = Lock()


def validation(processes_dir: Path, reloaded: ReloadState | None = None) -> ReloadState:
    """The problems of the files on disk: the reloader's last look, or a check now (kept until the
    files change)."""
    if reloaded is not None and reloaded.checked_at is not None:
        return reloaded
    seen = fingerprint([processes_dir, definitions.forms_dir_for(processes_dir)])
    key = str(processes_dir.resolve())
    with _lock:
        cached = _cache.get(key)
    if cached is not None and cached[0] == seen:
        return cached[1]
    bundle = definitions.load([processes_dir])
    state = ReloadState(checked_at=clock.real_now(), problems=list(bundle.problems), ok=bundle.ok)
    with _lock:
        _cache[key] = (seen, state)
    return state


@dataclass
class VersionView:
    process_id: str
    name: str
    version: int
    sha256: str
    deployed_at: datetime
    deployed_by: str
    sources: dict[str, str]
    drawn: list[str]  # the processes of this version that have a diagram
    at_elements: dict[str, int]  # element -> running instances of this version at it
    names: dict[str, str]  # element -> name
    versions: list[int]


def _drawn(sources: dict[str, str], first: str) -> list[str]:
    files = diagram.read_model(sources).files
    return [first, *sorted(p for p in files if p != first)] if first in files else sorted(files)


def version_view(engine: Engine, user: str, process_id: str, version: int) -> VersionView:
    with engine.db.sessions() as session:
        designer(session, user)
        row = registry.version_row(session, process_id, version)
        running = select(Instance.id).where(
            Instance.process_version_id == row.id, Instance.status.in_(("running", "waiting", "suspended"))
        )
        at = Counter[str]()
        for table in (HumanTask, Timer):
            for bpmn_id, n in session.execute(
                select(table.bpmn_id, func.count(func.distinct(table.instance_id)))
                .where(table.instance_id.in_(running))
                .group_by(table.bpmn_id)
            ):
                at[bpmn_id] += n
        sources = dict(row.sources)
        model = diagram.read_model(sources)
        versions = list(
            session.scalars(
                select(ProcessVersion.version)
                .where(ProcessVersion.process_id == process_id)
                .order_by(ProcessVersion.version)
            )
        )
        return VersionView(
            process_id,
            row.name,
            row.version,
            row.sha256,
            clock.as_utc(row.deployed_at),
            row.deployed_by,
            sources,
            _drawn(sources, process_id),
            dict(sorted(at.items())),
            {k: e.name or k for k, e in model.elements.items()},
            versions,
        )


@dataclass
class DiffView:
    process_id: str
    v1: int
    v2: int
    changes: list[spiff.ElementChange]
    old_sources: dict[str, str]
    new_sources: dict[str, str]
    drawn: list[str]  # processes with a change, that have a diagram in either version


def diff_view(engine: Engine, user: str, process_id: str, v1: int, v2: int) -> DiffView:
    with engine.db.sessions() as session:
        designer(session, user)
        old, new = (
            registry.version_row(session, process_id, v1),
            registry.version_row(session, process_id, v2),
        )
        changes = spiff.element_changes(
            engine.specs.get(session, old.id).spec, engine.specs.get(session, new.id).spec
        )
        old_sources, new_sources = dict(old.sources), dict(new.sources)
    files = set(diagram.read_model(old_sources).files) | set(diagram.read_model(new_sources).files)
    drawn = sorted({c.process_id for c in changes} & files)
    return DiffView(process_id, v1, v2, changes, old_sources, new_sources, drawn)


def problems_by_file(state: ReloadState) -> dict[str, list[Problem]]:
    out: dict[str, list[Problem]] = {}
    for problem in state.problems:
        out.setdefault(problem.file, []).append(problem)
    return out
