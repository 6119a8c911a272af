"""`desa dashboard check`: the dashboard's counts, kept by the steps, against the counts made from
every instance (a scan of the nation: for operators, never for a page)."""

from __future__ import annotations

import click
from sqlalchemy.orm import Session

from engine.cli.common import engine, report_errors
from engine.runtime import place_check


def recount(session: Session) -> list[str]:
    """After villages were renamed or moved to another code: the dashboard counts them where they
    now are (in the caller's transaction)."""
    session.flush()
    return place_check.repair(session.connection())


@click.group("dashboard")
def dashboard_group() -> None:
    """The dashboard's counts (villages per program, provinsi and step; overdue tasks)."""


@dashboard_group.command("check")
@click.option("--repair", is_flag=True, help="Write the counts made from scratch where they differ.")
@report_errors
def dashboard_check(repair: bool) -> None:
    """Count every instance from scratch and list where the kept counts differ (exit status 1 when
    they do, unless repaired). Repair with the workers and the web app stopped: a step written
    meanwhile may be counted twice (check again after)."""
    with engine().db.transaction() as session:
        connection = session.connection()
        found = place_check.repair(connection) if repair else place_check.check(connection)
    for line in found:
        click.echo(line)
    if not found:
        click.echo("the dashboard's counts agree with the instances")
    elif repair:
        click.echo(f"{len(found)} difference(s) repaired")
    else:
        raise click.ClickException(f"{len(found)} difference(s); `desa dashboard check --repair` writes them")
