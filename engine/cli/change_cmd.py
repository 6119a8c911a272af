"""`desa deploy --dry-run`, `desa diff` and `desa migrate`: what a change of the program does to the
villages already running it, and moving them over."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from engine import spiff
from engine.cli.common import emit_json, engine, report_errors
from engine.definitions import registry
from engine.errors import InvalidInput, NotFound
from engine.runtime import moves as migrate

SIGNS = {"added": "+", "removed": "-", "changed": "~"}
STANDING = {"before": "before the change", "inside": "inside the change", "past": "past the change"}


def _change_line(c: spiff.ElementChange) -> str:
    what = f" ({', '.join(c.attributes)})" if c.attributes else ""
    return f"  {c.process_id}: {SIGNS[c.change]} {c.bpmn_id} '{c.name}'{what}"


def _verdict(i: migrate.InstancePlan) -> str:
    if i.standing == "past":
        return f"{STANDING['past']}, stays"
    if i.result and i.result != "would move":
        return i.result + (f": {'; '.join(i.reasons)}" if i.reasons else "")
    if i.reasons:
        return f"{STANDING[i.standing]}, cannot move: {'; '.join(i.reasons)}"
    return f"{STANDING[i.standing]}, can move"


def _instance_line(i: migrate.InstancePlan) -> str:
    return (
        f"  #{i.instance_id} {i.village}: {_verdict(i)} (version {i.version}, at {', '.join(i.where) or '-'})"
    )


def show_plan(plan: migrate.ProcessPlan, header: str) -> None:
    click.echo(header)
    for change in plan.changes:
        click.echo(_change_line(change))
    if not plan.changes:
        click.echo("  no element changed (names, layout or forms only)")
    if not plan.instances:
        click.echo("  no running instance")
        return
    on = ", ".join(f"{n} on version {v}" for v, n in plan.versions.items())
    at = ", ".join(f"{e} {n}" for e, n in plan.at_elements.items())
    click.echo(f"  running: {on}; at: {at or '-'}")
    for item in plan.instances:
        click.echo(_instance_line(item))
    movable = sum(1 for i in plan.instances if i.can_move)
    stays = sum(1 for i in plan.instances if i.standing == "past")
    refused = len(plan.instances) - movable - stays
    summary = f"  {movable} can move, {stays} stays on its version"
    click.echo(summary + (f", {refused} cannot move" if refused else ""))


def dry_run_deploy(paths: list[Path], as_json: bool) -> None:
    """What deploying `paths` would create, and what it would mean for running instances."""
    _, prepared = registry.prepare(paths)
    plans = []
    with engine().db.sessions() as session:
        pending = [
            (item, registry.latest_number(session, item.process_id))
            for item in prepared
            if registry.existing_version(session, item) is None
        ]
    for item, latest in pending:
        plan = migrate.plan(engine(), item.process_id, item.spec, latest + 1)
        plans.append((item, latest, plan))
    if as_json:
        emit_json([p.as_json() for _, _, p in plans])
        return
    if not plans:
        click.echo("nothing to deploy: every process is unchanged")
    for item, latest, plan in plans:
        before = f"version {latest} -> {latest + 1}" if latest else "new process, version 1"
        show_plan(plan, f"{item.process_id}: {before} (dry run: nothing deployed)")


@click.command("diff")
@click.argument("process_id")
@click.argument("v1", type=int)
@click.argument("v2", type=int)
@click.option("--json", "as_json", is_flag=True)
@report_errors
def diff_command(process_id: str, v1: int, v2: int, as_json: bool) -> None:
    """Elements added, removed and changed between two versions of a process."""
    with engine().db.sessions() as session:
        specs = [
            engine().specs.get(session, registry.version_row(session, process_id, v).id).spec
            for v in (v1, v2)
        ]
    changes = spiff.element_changes(*specs)
    if as_json:
        emit_json([c.__dict__ for c in changes])
        return
    click.echo(f"{process_id}: version {v1} -> {v2}: {len(changes)} element change(s)")
    for change in changes:
        click.echo(_change_line(change))


@click.command("migrate")
@click.argument("process_id")
@click.option("--from", "from_version", type=int, required=True, help="The version instances are on.")
@click.option("--to", "to_version", type=int, required=True, help="The version to move them to.")
@click.option("--village", default=None, help="Only the instances of this village.")
@click.option("--all", "everything", is_flag=True, help="Every running instance on --from.")
@click.option("--dry-run", is_flag=True, help="Say what would move; move nothing.")
@click.option("--as", "actor", default="system", show_default=True, help="Who moves them (recorded).")
@click.option("--json", "as_json", is_flag=True)
@report_errors
def migrate_command(
    process_id: str,
    from_version: int,
    to_version: int,
    village: str | None,
    everything: bool,
    dry_run: bool,
    actor: str,
    as_json: bool,
) -> None:
    """Move running instances of PROCESS_ID (default: the program) to a new version."""
    if bool(village) == everything:
        raise InvalidInput("give --village CODE or --all")
    result = migrate.migrate(engine(), process_id, from_version, to_version, actor, village, dry_run)
    if village and not result.instances:
        raise NotFound(f"village {village} has no running instance of {process_id} version {from_version}")
    if as_json:
        emit_json(result.as_json())
        return
    show_plan(
        result, f"{process_id}: version {from_version} -> {to_version}" + (" (dry run)" if dry_run else "")
    )
    moved = sum(1 for i in result.instances if i.result == "moved")
    if not dry_run:
        click.echo(f"{moved} of {len(result.instances)} instance(s) moved to version {to_version}")
    sys.stdout.flush()
