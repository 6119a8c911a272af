"""`desa backup FILE` and `desa restore FILE`: SQLite, with the online backup API (see
engine/backup.py); for PostgreSQL they print the pg_dump / pg_restore commands and refuse to run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from engine.cli.common import report_errors
from engine.store import backup
from engine.store.db import database_url


def _postgres(url: str, file: Path, what: str) -> None:
    dump, restore = backup.postgres_commands(url, str(file))
    if what == "backup":
        click.echo(dump)
    else:
        click.echo("\n".join(restore))
    click.echo(
        f"error: desa {what} works on SQLite databases; for PostgreSQL run the command"
        f"{'' if what == 'backup' else 's'} above (password from PGPASSWORD or ~/.pgpass; "
        "see docs/operations.md)",
        err=True,
    )
    sys.exit(1)


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@report_errors
def backup_command(file: Path, force: bool) -> None:
    """Copy the database to FILE, consistently, while the server and worker run."""
    url = database_url()
    if backup.sqlite_path(url) is None:
        _postgres(url, file, "backup")
    summary = backup.backup(url, file, force)
    click.echo(f"backed up {backup.sqlite_path(url)} to {file} ({file.stat().st_size} bytes)")
    click.echo(summary.describe())


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
@report_errors
def restore_command(file: Path, force: bool) -> None:
    """Replace the database with the backup FILE (stop the server and worker first)."""
    url = database_url()
    if backup.sqlite_path(url) is None:
        _postgres(url, file, "restore")
    summary = backup.restore(url, file, force)
    click.echo(f"restored {file} into {backup.sqlite_path(url)}")
    if summary.upgraded_from:
        click.echo(f"upgraded from schema revision {summary.upgraded_from} to {summary.revision}")
    click.echo(summary.describe())
    click.echo("check every history with: desa audit verify --all")


def register(main: click.Group) -> None:
    """Add both commands to `desa`."""
    main.add_command(backup_command)
    main.add_command(restore_command)
