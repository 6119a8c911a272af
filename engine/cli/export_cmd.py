"""`desa export`: the audit history as a CSV event log, XES or JSON Lines, to a file or stdout."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click
from click._termui_impl import ProgressBar

from engine.cli.common import engine, report_errors
from engine.history.export import stream as export


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(export.FORMATS), required=True, help="What to write.")
@click.option("--village", default=None, help="Only this village's history (its code).")
@click.option("--output", required=True, help="The file to write, or - for stdout.")
@report_errors
def export_command(fmt: str, village: str | None, output: str) -> None:
    """Export the audit history of every instance (or one village's) for auditors.

    csv: one row per event (process-mining columns, the stored event, the form fields);
    xes: IEEE XES, one trace per instance; jsonl: every stored column, to check the hash chains."""
    job = export.Export(engine(), fmt, village)  # an unknown village stops here, before any file
    bar: ProgressBar[int] = click.progressbar(length=1, label=f"exporting ({fmt})", file=sys.stderr)

    def progress(done: int, total: int) -> None:
        bar.length = max(total, 1)
        bar.update(done - bar.pos)

    job.progress = progress
    with bar:
        if output == "-":
            sys.stdout.flush()
            written = job.write_to(sys.stdout.buffer)
        else:
            written = _to_file(job, Path(output))
    where = "stdout" if output == "-" else output
    click.echo(f"{written} events written to {where} ({fmt})", err=output == "-")


def _to_file(job: export.Export, path: Path) -> int:
    """Write beside the target and rename at the end, so a file that is there is a whole export."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            written = job.write_to(out)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return written
