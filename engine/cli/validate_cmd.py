"""`desa validate`: check process, decision, form and role files by the named rules of
docs/validation.md, one line per problem (or JSON for editors and CI); exit 1 on any error."""

from __future__ import annotations

from pathlib import Path

import click

from engine.cli.common import emit_json
from engine.definitions import folder as definitions
from engine.definitions import programs
from engine.errors import Problem


def _order(problem: Problem) -> tuple[str, int, str]:
    return problem.file, problem.line or 0, problem.rule


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--processes",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Processes folder whose roles, forms and other processes apply to single files.",
)
def validate_command(paths: tuple[Path, ...], fmt: str, processes: Path | None) -> None:
    """Check process, decision, form and role files; exits non-zero on any error (warnings alone
    exit zero). Single files are checked with the roles, forms and processes of the processes
    folder (DESA_PROCESSES_DIR, or --processes). A folder of program folders (`processes/`) checks
    each program as its own bundle."""
    chosen = list(paths) or [definitions.default_processes_dir()]
    bundle = programs.merged(programs.load_bundles(chosen, processes))  # each program of processes/
    problems = sorted(bundle.problems, key=_order)
    if fmt == "json":
        emit_json(
            {
                "ok": bundle.ok,
                "processes": sorted(bundle.specs),
                "problems": [
                    {
                        "file": p.file,
                        "line": p.line,
                        "element": p.element,
                        "message": p.message,
                        "rule": p.rule,
                        "severity": p.severity,
                    }
                    for p in problems
                ],
            }
        )
    else:
        for problem in problems:
            click.echo(f"{problem.severity}: {problem}", err=True)
        if bundle.ok:
            names = f": {', '.join(sorted(bundle.specs))}" if bundle.specs else ""
            click.echo(f"ok: {len(bundle.specs)} process(es){names}")
    raise SystemExit(0 if bundle.ok else 1)
