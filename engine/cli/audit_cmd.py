"""`desa audit`: verify histories (chains and replay), replay an instance to a point, correct data."""

from __future__ import annotations

import sys

import click
from click._termui_impl import ProgressBar

from engine import spiff
from engine.cli.common import emit_json, engine, parse_json, report_errors, table
from engine.errors import InvalidInput, NotFound
from engine.history import replay, verify
from engine.runtime import corrections


@click.group("audit")
def audit_group() -> None:
    """The history of every instance: verify it, replay it."""


@audit_group.command("verify")
@click.option("--village", default=None, help="Only the instances of this village (Kemendagri code).")
@click.option("--all", "everything", is_flag=True, help="Every instance of every village.")
@click.option(
    "--as", "actor", default="system", show_default=True, help="Who verifies (kept with the result)."
)
@click.option("--json", "as_json", is_flag=True)
@report_errors
def verify_cmd(village: str | None, everything: bool, actor: str, as_json: bool) -> None:
    """Check every hash chain and replay every instance; exit 1 if anything fails."""
    if bool(village) == everything:
        raise InvalidInput("give --village CODE or --all")
    with engine().db.sessions() as session:
        if village and not replay.instance_ids(session, village):
            raise NotFound(f"village {village} has no instance (or no such village)")
    bar: ProgressBar[int] | None = None
    if everything and not as_json:
        bar = click.progressbar(length=1, label="verifying histories", file=sys.stderr)
        bar.__enter__()

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.length = total
            bar.update(1)

    try:
        checks = verify.verify(engine(), village, checked_by=actor, progress=progress)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    failed = [c for c in checks if not c.ok]
    if as_json:
        emit_json([c.as_json() for c in checks])
    else:
        table(
            [
                [c.instance_id, c.village_code, c.process_id, c.events, "OK" if c.ok else "FAILED", c.message]
                for c in checks
            ],
            ["instance", "village", "process", "events", "result", "detail"],
        )
        click.echo(f"{len(checks) - len(failed)} of {len(checks)} instance histories verified")
    if failed:
        sys.exit(1)


@audit_group.command("replay")
@click.argument("instance_id", type=int)
@click.option("--to", "upto", type=int, default=None, help="Stop after this event (default: the last).")
@click.option("--json", "as_json", is_flag=True)
@report_errors
def replay_cmd(instance_id: int, upto: int | None, as_json: bool) -> None:
    """The instance rebuilt from its history: its status, open tasks and data at event --to."""
    at = replay.replay_instance(engine(), instance_id, upto)
    open_tasks = sorted(v.bpmn_id for v in spiff.human_tasks(at.workflow))
    if as_json:
        emit_json(
            {
                "instance": instance_id,
                "seq": at.seq,
                "status": at.status,
                "open_tasks": open_tasks,
                "data": spiff.current_data(at.workflow),
            }
        )
        return
    click.echo(f"instance {instance_id} after event #{at.seq}: {at.status}")
    click.echo(f"open tasks: {', '.join(open_tasks) or '(none)'}")


@audit_group.command("correct")
@click.argument("instance_id", type=int)
@click.option("--data", "data", required=True, help="The corrected fields as JSON, e.g. '{\"jumlah\": 5}'.")
@click.option("--reason", required=True, help="Why (kept in the history).")
@click.option("--as", "actor", required=True, help="The admin who corrects.")
@report_errors
def correct_cmd(instance_id: int, data: str, reason: str, actor: str) -> None:
    """Correct data an instance holds (admins), recorded as DATA_CORRECTED with the reason."""
    changes = parse_json(data) or {}
    result = corrections.correct_data(engine(), instance_id, actor, changes, reason)
    click.echo(f"instance {instance_id}: corrected {', '.join(sorted(changes))} (event #{result.event_seq})")
