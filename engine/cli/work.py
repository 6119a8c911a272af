"""Commands that run the program: start, tasks, complete, messages, timers, the clock, the worker."""

from __future__ import annotations

import logging
import signal
import sys
from contextlib import ExitStack
from datetime import datetime
from typing import Any

import click
from click._termui_impl import ProgressBar

from engine import clock, config, gc_settings
from engine.cli.common import emit_json, engine, parse_json, report_errors, table
from engine.errors import InvalidInput
from engine.runtime import actions as runtime
from engine.runtime import holds
from engine.views import queries
from engine.worker import timers

log = logging.getLogger("desa")


def register(main: click.Group) -> None:
    for command in (
        start,
        instances,
        instance,
        tasks,
        claim,
        unclaim,
        complete,
        message,
        timers_cmd,
        clock_group,
        worker,
        serve,
    ):
        main.add_command(command)


@click.command()
@click.argument("process_id")
@click.option("--village", required=True, help="Village code.")
@click.option("--data", default=None, help="Start data, a JSON object.")
@click.option("--as", "actor", default="system", show_default=True)
@report_errors
def start(process_id: str, village: str, data: str | None, actor: str) -> None:
    """Start PROCESS_ID for a village; prints the new instance's id."""
    result = runtime.start(engine(), process_id, village, actor, parse_json(data))
    click.echo(result.instance_id)


@click.command()
@click.option("--village", default=None)
@click.option("--json", "as_json", is_flag=True)
@report_errors
def instances(village: str | None, as_json: bool) -> None:
    """Process instances and their status."""
    rows = queries.instances(engine(), village)
    if as_json:
        emit_json([r.to_json() for r in rows])
    else:
        table(
            [
                [r.id, r.process_id, r.version, r.village, r.status, r.revision, r.updated_at, r.error or ""]
                for r in rows
            ],
            ["id", "process", "version", "village", "status", "revision", "updated", "error"],
        )


@click.group()
def instance() -> None:
    """One instance: show, suspend, resume, cancel."""


@instance.command("show")
@click.argument("instance_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@report_errors
def instance_show(instance_id: int, as_json: bool) -> None:
    detail = queries.instance_detail(engine(), instance_id)
    if as_json:
        emit_json(detail)
        return
    click.echo(f"instance {detail['id']}: {detail['process_id']} v{detail['version']} in {detail['village']}")
    click.echo(f"status: {detail['status']}" + (f" ({detail['error']})" if detail["error"] else ""))
    click.echo(f"revision {detail['revision']}, state {detail['state_bytes']} bytes stored")
    click.echo("open tasks:")
    table(
        [
            [t["id"], t["bpmn_id"], t["name"], t["lane"], t["claimed_by"], t["due_at"]]
            for t in detail["tasks"]
        ],
        ["id", "bpmn_id", "name", "lane", "claimed_by", "due_at"],
    )
    click.echo("timers:")
    table([[t["bpmn_id"], t["name"], t["due_at"]] for t in detail["timers"]], ["bpmn_id", "name", "due_at"])
    click.echo("history:")
    table(
        [[e["seq"], e["engine_time"], e["type"], e["actor"], e["bpmn_id"] or ""] for e in detail["history"]],
        ["seq", "engine_time", "event", "actor", "element"],
    )


def _instance_action(name: str, func: Any, with_reason: bool) -> click.Command:
    @click.argument("instance_id", type=int)
    @click.option("--as", "actor", required=True)
    @report_errors
    def command(instance_id: int, actor: str, reason: str = "") -> None:
        args = (engine(), instance_id, actor, reason) if with_reason else (engine(), instance_id, actor)
        result = func(*args)
        click.echo(f"instance {result.instance_id} is {result.status} (revision {result.revision})")

    if with_reason:
        command = click.option("--reason", default="", help="Recorded in the history.")(command)
    return click.command(name, help=f"{name.capitalize()} an instance (admin).")(command)


instance.add_command(_instance_action("suspend", holds.suspend, True))
instance.add_command(_instance_action("resume", holds.resume, False))
instance.add_command(_instance_action("cancel", holds.cancel, True))


@click.command()
@click.option("--instance", "instance_id", type=int, default=None)
@click.option("--user", default=None, help="Only tasks this user may act on (their inbox).")
@click.option("--village", default=None)
@click.option("--json", "as_json", is_flag=True)
@report_errors
def tasks(instance_id: int | None, user: str | None, village: str | None, as_json: bool) -> None:
    """Open human tasks."""
    rows = queries.tasks(engine(), user=user, instance_id=instance_id, village=village)
    if as_json:
        emit_json([r.to_json() for r in rows])
    else:
        table(
            [[r.id, r.instance, r.village, r.bpmn_id, r.name, r.role, r.claimed_by, r.due_at] for r in rows],
            ["id", "instance", "village", "bpmn_id", "name", "lane", "claimed_by", "due_at"],
        )


def _claim_action(name: str, func: Any, verb: str, doc: str) -> click.Command:
    @click.argument("task_id")
    @click.option("--as", "actor", required=True)
    @report_errors
    def command(task_id: str, actor: str) -> None:
        func(engine(), task_id, actor)
        click.echo(f"{actor} {verb} task {task_id}")

    return click.command(name, help=doc)(command)


claim = _claim_action("claim", runtime.claim, "took", "Take a task so colleagues see it is yours.")
unclaim = _claim_action("unclaim", runtime.unclaim, "released", "Release a task you took.")


@click.command()
@click.argument("task_id")
@click.option("--as", "actor", required=True)
@click.option("--data", default=None, help="The task's data, a JSON object.")
@click.option(
    "--revision", type=int, default=None, help="Refuse if the instance changed since this revision."
)
@report_errors
def complete(task_id: str, actor: str, data: str | None, revision: int | None) -> None:
    """Complete a task with its data."""
    result = runtime.complete(engine(), task_id, actor, parse_json(data) or {}, revision)
    click.echo(f"completed; instance {result.instance_id} is {result.status} (revision {result.revision})")


@click.command()
@click.argument("name")
@click.option("--village", required=True)
@click.option("--data", default=None, help="Message payload, a JSON object.")
@click.option("--as", "actor", default="system", show_default=True)
@report_errors
def message(name: str, village: str, data: str | None, actor: str) -> None:
    """Deliver message NAME to the village's instances that wait for it."""
    results = runtime.deliver_message(engine(), name, village, actor, parse_json(data))
    click.echo(f"delivered to instance(s) {', '.join(str(r.instance_id) for r in results)}")


@click.command("timers")
@click.option("--json", "as_json", is_flag=True)
@report_errors
def timers_cmd(as_json: bool) -> None:
    """Waiting timers, soonest first."""
    rows = queries.timers(engine())
    if as_json:
        emit_json(rows)
    else:
        table(
            [[t["instance"], t["village"], t["bpmn_id"], t["name"], t["due_at"]] for t in rows],
            ["instance", "village", "bpmn_id", "name", "due_at"],
        )


@click.group("clock")
def clock_group() -> None:
    """The engine clock (movable unless DESA_ENV=production)."""


@clock_group.command("show")
@report_errors
def clock_show() -> None:
    with engine().db.sessions() as session:
        click.echo(clock.now(session).isoformat())


def sweep_with_progress(at: datetime | None = None) -> int:
    """Run the timer sweep, with a progress bar when many instances have due timers."""
    with ExitStack() as stack:
        bar: Any = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None and total >= 50:
                shown: ProgressBar[int] = click.progressbar(
                    length=total, label="firing timers", file=sys.stderr
                )
                bar = stack.enter_context(shown)
            if bar is not None:
                bar.update(1)

        return timers.fire_due(engine(), at, progress=progress)


def _fire_after_move(at: datetime) -> None:
    fired = sweep_with_progress(at)
    click.echo(f"clock is now {at.isoformat()}; {fired} timer(s) fired")


@clock_group.command("set")
@click.argument("when")
@click.option("--frozen", is_flag=True, help="Stand still until moved again.")
@report_errors
def clock_set(when: str, frozen: bool) -> None:
    """Set the clock to WHEN (ISO 8601, e.g. 2027-01-15T08:00:00+07:00), or `real`."""
    with engine().db.transaction() as session:
        if when == "real":
            at = clock.reset(session)
        else:
            try:
                parsed = datetime.fromisoformat(when)
            except ValueError as err:
                raise InvalidInput(f"'{when}' is not an ISO 8601 date-time") from err
            at = clock.set_time(session, parsed, frozen)
    _fire_after_move(at)


@clock_group.command("advance")
@click.argument("duration")
@report_errors
def clock_advance(duration: str) -> None:
    """Move the clock forward by an ISO 8601 duration (P3M, P4D, PT2H) and fire what became due."""
    with engine().db.transaction() as session:
        at = clock.advance(session, duration)
    _fire_after_move(at)


@click.command()
@click.option("--interval", type=float, default=5.0, show_default=True, help="Seconds between sweeps.")
@click.option("--once", is_flag=True, help="Sweep once and exit.")
@report_errors
def worker(interval: float, once: bool) -> None:
    """Fire due timers in a loop (several may run on PostgreSQL; one on SQLite)."""
    eng = engine()
    if once:
        click.echo(f"{sweep_with_progress()} timer(s) fired")
        return
    loop = timers.Worker(eng, interval)
    gc_settings.tune_for_server()
    signal.signal(signal.SIGTERM, lambda *_: loop.stop())
    click.echo(f"timer worker sweeping {eng.db.url} every {interval:g} s; Ctrl+C stops it")
    try:
        loop.run()
    except KeyboardInterrupt:
        loop.stop()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, type=int, show_default=True)
@click.option("--no-worker", is_flag=True, help="Do not run the timer worker in this process.")
@click.option("--worker-interval", type=float, default=5.0, show_default=True, help="Seconds between sweeps.")
@click.option(
    "--reload-processes",
    is_flag=True,
    help="Development: redeploy a program when its processes or forms change (errors shown in the app).",
)
@report_errors
def serve(host: str, port: int, no_worker: bool, worker_interval: float, reload_processes: bool) -> None:
    """Serve the web app with a production WSGI server, and the timer worker beside it."""
    import waitress

    from engine.definitions.reload import Reloader, program_folders
    from web import create_app

    eng = engine()
    loop = None
    if not no_worker:
        loop = timers.Worker(eng, worker_interval)
        loop.start_thread()
    reloader = None
    if reload_processes:
        if config.settings().production:
            raise InvalidInput(
                "--reload-processes is for development; deploy with `desa deploy` in production"
            )
        reloader = Reloader(eng, program_folders())
        reloader.check()
        reloader.start_thread()
    app = create_app(engine=eng)
    app.extensions["desa_reload"] = reloader
    click.echo(f"desa is serving on http://{host}:{port}/ (database {eng.db.url})")
    if reloader is not None:
        for folder in reloader.folders:
            click.echo(f"watching {' and '.join(map(str, reloader.watched(folder)))}: changes are redeployed")
    try:
        waitress.serve(app, host=host, port=port, threads=8, ident="desa")
    finally:
        if loop is not None:
            loop.stop()
        if reloader is not None:
            reloader.stop()
