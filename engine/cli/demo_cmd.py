"""`desa demo`: demo staff and villages at different points of the program."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from click._termui_impl import ProgressBar
from sqlalchemy import func, select

from engine.cli.common import engine, report_errors, table
from engine.definitions import programs, registry
from engine.demo import runner as demo
from engine.errors import EngineError
from engine.store.models import Instance, ProcessVersion

LOGINS_FILE = Path("instance") / "demo-logins.txt"


@click.command("demo")
@click.option("--password", default=None, help="One password for every demo user (default: random ones).")
@click.option(
    "--program",
    "folder",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="The program folder whose demo to run (default: the one program under processes/ with a demo).",
)
@click.option(
    "--villages",
    "csv_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Demo villages instead of the program's own (CSV: code,name,kecamatan,kabupaten,provinsi,tahun).",
)
@report_errors
def demo_command(password: str | None, folder: Path | None, csv_file: Path | None) -> None:
    """Create demo staff for every role and run the program in every demo village up to today.
    Deploys the program folders first when the program is not deployed yet."""
    eng = engine()
    program = _program(folder)
    with eng.db.sessions() as session:
        existing = session.scalar(select(func.count(Instance.id))) or 0
    if existing:
        click.echo(f"the demo is already loaded ({existing} instances).")
        if LOGINS_FILE.exists():
            click.echo(LOGINS_FILE.read_text(encoding="utf-8"))
        return
    bar: ProgressBar[int] = click.progressbar(
        length=1, label="playing the demo villages forward", file=sys.stderr
    )
    with bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(1)

        _deploy_if_needed(eng, program)
        result = demo.run(eng, program, password, progress=progress, villages_file=csv_file)
    lines = ["Demo logins (username / password / role):"]
    lines += [f"  {u:<32} {p:<16} {w}" for u, p, w in result.logins]
    text = "\n".join(lines)
    click.echo(text)
    LOGINS_FILE.parent.mkdir(parents=True, exist_ok=True)
    LOGINS_FILE.write_text(text + "\n", encoding="utf-8")
    LOGINS_FILE.chmod(0o600)
    click.echo(f"(also written to {LOGINS_FILE})\n")
    table(
        [[code, name, where] for code, name, where in result.villages], ["village", "name", "where it stands"]
    )


def _program(folder: Path | None) -> programs.Program:
    if folder is not None:
        program, problems = programs.load(folder)
        if program is None:
            raise EngineError("; ".join(str(p) for p in problems) or f"{folder} has no program.toml")
        return program
    found = [p for p in programs.installed() if (p.description.get("demo") or {}).get("package")]
    if len(found) != 1:
        names = ", ".join(p.name for p in found) or "none"
        raise EngineError(f"name the program to run with --program (programs with a demo: {names})")
    return found[0]


def _deploy_if_needed(eng: Any, program: programs.Program) -> None:
    """A fresh database has no process: deploy the program folders (as `desa deploy processes`)."""
    with eng.db.sessions() as session:
        deployed = session.scalar(
            select(ProcessVersion.id).where(ProcessVersion.process_id == program.process)
        )
    if deployed is None and program.folder is not None:
        click.echo(f"deploying {program.folder.parent} first (desa deploy {program.folder.parent})", err=True)
        registry.deploy(eng.db, [program.folder.parent])
