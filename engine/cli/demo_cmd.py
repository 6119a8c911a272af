"""`desa demo`: demo staff and villages at different points of the program."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click._termui_impl import ProgressBar
from sqlalchemy import func, select

from engine.cli.common import engine, report_errors, table
from engine.demo import runner as demo
from engine.store.models import Instance

DEFAULT_CSV = Path("processes") / "model_desa" / "desa-2006-2009.csv"
LOGINS_FILE = Path("instance") / "demo-logins.txt"


@click.command("demo")
@click.option("--password", default=None, help="One password for every demo user (default: random ones).")
@click.option(
    "--villages",
    "csv_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=DEFAULT_CSV,
    show_default=True,
    help="Demo villages (CSV: code,name,kecamatan,kabupaten,provinsi).",
)
@report_errors
def demo_command(password: str | None, csv_file: Path) -> None:
    """Create demo staff for every role and run the program in every demo village up to today."""
    eng = engine()
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

        result = demo.run(eng, csv_file, password, progress=progress)
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
