"""What a program designer reads: every program with the validation of its files on disk and its
deployed processes and their versions, how many villages run on each and at which elements, and
two versions compared.

Read-only, for admins and holders of a designer role (`designer = true` in a program's roles.toml).
No village's data is shown here: counts only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from threading import Lock
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import clock, spiff
from engine.core import Engine
from engine.definitions import folder as definitions
from engine.definitions import programs, registry
from engine.definitions.reload import Fingerprint, ReloadState, fingerprint
from engine.directory import access
from engine.errors import Forbidden, Problem
from engine.sandbox import xmlsafe
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


_cache: dict[tuple[str, str], tuple[Fingerprint, Any]] = {}
_lock = Lock()


def _cached(kind: str, folders: list[Path], compute: Callable[[], Any]) -> Any:
    """`compute()`, kept until the files of `folders` change."""
    seen = fingerprint(folders)
    key = (kind, str(folders[0].resolve()))
    with _lock:
        cached = _cache.get(key)
    if cached is not None and cached[0] == seen:
        return cached[1]
    value = compute()
    with _lock:
        _cache[key] = (seen, value)
    return value


def validation(processes_dir: Path, reloaded: ReloadState | None = None) -> ReloadState:
    """The problems of a program's files on disk (program.toml's too): the reloader's last look, or
    a check now (kept until the files change)."""
    if reloaded is not None and reloaded.checked_at is not None:
        return reloaded

    def check() -> ReloadState:
        bundle = programs.merged(programs.load_bundles([processes_dir]))
        return ReloadState(checked_at=clock.real_now(), problems=list(bundle.problems), ok=bundle.ok)

    watched = [processes_dir, definitions.forms_dir_for(processes_dir)]
    state: ReloadState = _cached("validation", watched, check)
    return state


def defined_processes(folder: Path) -> frozenset[str]:
    """The ids of the processes a program folder's BPMN files define (files that are no XML: none)."""

    def read() -> frozenset[str]:
        found = set()
        for path in sorted(folder.rglob("*.bpmn")) if folder.is_dir() else []:
            try:
                tree = xmlsafe.parse(path.read_bytes(), path.name)
            except xmlsafe.XmlRefused:
                continue
            found |= {str(e.get("id")) for e in tree.getroot().iter(f"{{{definitions.BPMN_NS}}}process")}
        return frozenset(found)

    ids: frozenset[str] = _cached("processes", [folder], read)
    return ids


@dataclass
class ProgramDesign:
    """One program on the design page: its folder's validation and its deployed processes. The
    processes no program folder defines (deployed on their own, or since removed) come last, with
    no folder and no title."""

    title: dict[str, str] | None
    folder: Path | None
    state: ReloadState | None
    processes: list[ProcessRow]
    by_file: dict[str, list[Problem]] = field(default_factory=dict)


def by_program(
    engine: Engine, user: str, folders: list[Path], reloaded: dict[Path, ReloadState] | None = None
) -> list[ProgramDesign]:
    """The design page's content: per program folder, its validation (the reloader's last look when
    it watches the folder) and the deployed processes its files define."""
    rows = processes(engine, user)
    taken: set[str] = set()
    found = []
    for folder in folders:
        state = validation(folder, (reloaded or {}).get(folder))
        program, _ = programs.load(folder)
        ids = defined_processes(folder) - taken
        taken |= ids
        title = program.title if program is not None else {"id": folder.name}
        mine = [r for r in rows if r.process_id in ids]
        found.append(ProgramDesign(title, folder, state, mine, problems_by_file(state)))
    rest = [r for r in rows if r.process_id not in taken]
    if rest:
        found.append(ProgramDesign(None, None, None, rest))
    return found


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
