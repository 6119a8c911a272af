"""What the subcommands share: the engine they act on, JSON input/output, one-line errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from engine.core import Engine
from engine.errors import DefinitionError, EngineError, InvalidInput
from engine.store.db import Database

F = TypeVar("F", bound=Callable[..., Any])


def engine() -> Engine:
    ctx = click.get_current_context()
    root = ctx.find_root()
    if root.obj is None:
        db = Database()
        if not db.is_initialised():
            raise click.ClickException(f"the database {db.url} is not initialised; run `desa init` first")
        root.obj = Engine(db)
    return root.obj  # type: ignore[no-any-return]


def parse_json(text: str | None, what: str = "--data") -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidInput(f"{what} is not valid JSON: {err.msg} at column {err.colno}") from err
    except RecursionError as err:
        raise InvalidInput(f"{what} is nested too deeply to be task data") from err
    if not isinstance(value, dict):
        raise InvalidInput(f"{what} must be a JSON object, like '{{\"jumlah\": 3}}'")
    return value


def emit_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str))


def report_errors(func: F) -> F:
    """Turn engine errors into one clear line on stderr and a non-zero exit."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DefinitionError as err:
            for problem in err.problems:
                click.echo(f"error: {problem}", err=True)
            sys.exit(1)
        except InvalidInput as err:
            click.echo(f"error: {err}", err=True)
            for field in err.fields:
                click.echo(f"  {field.path}: {field.message}", err=True)
            sys.exit(1)
        except EngineError as err:
            click.echo(f"error: {err}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def table(rows: list[list[Any]], header: list[str]) -> None:
    if not rows:
        click.echo("(none)")
        return
    cells = [[str("" if c is None else c) for c in r] for r in [header, *rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    for index, row in enumerate(cells):
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            click.echo("  ".join("-" * w for w in widths))
