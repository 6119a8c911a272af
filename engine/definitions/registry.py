"""Deployed definition versions: deploy files, look versions up, and hold their specs in memory.

A version belongs to one executable process and is identified by the sha256 of its content (its
serialized spec with the processes it calls, the forms its tasks use, and its BPMN sources).
Deploying unchanged files creates nothing; a changed process gets version N+1; instances keep the
version they started on. The spec is stored once per version, never per instance.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import clock, spiff
from engine.definitions import folder as definitions
from engine.definitions import programs
from engine.errors import DefinitionError, NotFound
from engine.store.db import Database
from engine.store.models import ProcessVersion, Role


@dataclass
class VersionInfo:
    id: int
    process_id: str
    name: str
    version: int
    sha256: str
    created: bool


def content_hash(spec_dict: dict[str, Any], forms: dict[str, Any], sources: dict[str, str]) -> str:
    canonical = json.dumps(
        {"spec": spec_dict, "forms": forms, "sources": sources}, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class Prepared:
    """One executable process of a set of files, as it would be deployed."""

    process_id: str
    spec: spiff.Spec
    spec_dict: dict[str, Any]
    forms: dict[str, Any]
    sources: dict[str, str]
    sha256: str


def prepare(paths: list[Path]) -> tuple[definitions.Bundle, list[Prepared]]:
    """Validate files and prepare each process for deployment; refuses on any error. A folder of
    program folders (`processes/`) is every program in it, each checked as its own bundle."""
    each = prepare_each(paths)
    whole = programs.merged([bundle for bundle, _ in each])
    return whole, [item for _, prepared in each for item in prepared]


def prepare_each(paths: list[Path]) -> list[tuple[definitions.Bundle, list[Prepared]]]:
    """Per bundle (one per program when `paths` name a folder of programs): its processes, ready."""
    bundles = programs.load_bundles(paths)
    whole = programs.merged(bundles)
    if not whole.ok:
        raise DefinitionError([p for p in whole.problems if p.severity == "error"])
    return [(bundle, _prepared(bundle)) for bundle in bundles]


def _prepared(bundle: definitions.Bundle) -> list[Prepared]:
    prepared = []
    for process_id, spec in sorted(bundle.specs.items()):
        spec_dict = spiff.spec_to_dict(spec)
        forms = {f: bundle.forms[f] for f in sorted(definitions.forms_of(spec))}
        sources = {f: bundle.sources[f] for f in sorted(definitions.files_of(spec)) if f in bundle.sources}
        prepared.append(
            Prepared(process_id, spec, spec_dict, forms, sources, content_hash(spec_dict, forms, sources))
        )
    return prepared


def existing_version(session: Session, item: Prepared) -> ProcessVersion | None:
    return session.scalars(
        select(ProcessVersion).where(
            ProcessVersion.process_id == item.process_id, ProcessVersion.sha256 == item.sha256
        )
    ).first()


def latest_number(session: Session, process_id: str) -> int:
    found = session.scalar(
        select(func.max(ProcessVersion.version)).where(ProcessVersion.process_id == process_id)
    )
    return int(found or 0)


def deploy(db: Database, paths: list[Path], actor: str = "system") -> list[VersionInfo]:
    """Validate and deploy; all processes of the change or none (of every program, when `paths`
    name a folder of programs). Returns one entry per process."""
    each = prepare_each(paths)
    results = []
    with db.transaction() as session:
        now = clock.now(session)
        for bundle, _ in each:
            if bundle.roles is not None:
                sync_roles(session, bundle.roles)
        for item in (item for _, prepared in each for item in prepared):
            existing = existing_version(session, item)
            if existing is not None:
                results.append(_info(existing, created=False))
                continue
            row = ProcessVersion(
                process_id=item.process_id,
                name=item.spec.name,
                version=latest_number(session, item.process_id) + 1,
                sha256=item.sha256,
                spec=item.spec_dict,
                forms=item.forms,
                sources=item.sources,
                deployed_at=now,
                deployed_by=actor,
            )
            session.add(row)
            session.flush()
            results.append(_info(row, created=True))
    return results


def sync_roles(session: Session, roles: Any) -> None:
    """Add or update the roles a roles file declares. Its `default_role` becomes the default (the
    role of tasks drawn outside any lane) unless another program's role already is: the default
    moves only between roles of the same file, so deploying a second program keeps the first's."""
    current = session.scalars(select(Role.name).where(Role.is_default)).first()
    takes_default = bool(roles.default_role) and (current is None or current in roles.roles)
    for role in roles.roles.values():
        row = session.get(Role, role.name) or Role(name=role.name)
        row.description = role.description
        row.scope = role.scope
        row.read_only = role.read_only
        row.designer = role.designer
        row.is_default = role.name == roles.default_role if takes_default else bool(row.is_default)
        session.add(row)
    if takes_default:
        for row in session.scalars(select(Role).where(Role.name != roles.default_role, Role.is_default)):
            row.is_default = False


def _info(row: ProcessVersion, created: bool) -> VersionInfo:
    return VersionInfo(row.id, row.process_id, row.name, row.version, row.sha256, created)


def latest(session: Session, process_id: str) -> ProcessVersion:
    row = session.scalars(
        select(ProcessVersion)
        .where(ProcessVersion.process_id == process_id)
        .order_by(ProcessVersion.version.desc())
        .limit(1)
    ).first()
    if row is None:
        known = ", ".join(session.scalars(select(ProcessVersion.process_id).distinct())) or "none"
        raise NotFound(f"no deployed process '{process_id}' (deployed: {known})")
    return row


def version_row(session: Session, process_id: str, version: int) -> ProcessVersion:
    """One deployed version of a process, by its number."""
    row = session.scalars(
        select(ProcessVersion).where(
            ProcessVersion.process_id == process_id, ProcessVersion.version == version
        )
    ).first()
    if row is None:
        raise NotFound(f"process '{process_id}' has no version {version}")
    return row


def versions(session: Session) -> list[VersionInfo]:
    rows = session.scalars(select(ProcessVersion).order_by(ProcessVersion.process_id, ProcessVersion.version))
    return [_info(r, created=False) for r in rows]
