"""`desa tokens`: API tokens for scripts (shown once when made; stored only as a hash)."""

from __future__ import annotations

import click

from engine.cli.common import emit_json, engine, report_errors, table
from engine.directory import tokens


@click.group("tokens")
def tokens_group() -> None:
    """API tokens for the JSON API (Authorization: Bearer <token>)."""


@tokens_group.command("create")
@click.argument("username")
@click.option("--name", default="", help="What the token is for (shown in the list).")
@report_errors
def tokens_create(username: str, name: str) -> None:
    """Make a token for USERNAME; the token is printed once and cannot be shown again."""
    with engine().db.transaction() as session:
        info, secret = tokens.create(session, username, name)
    click.echo(
        f"token {info.id} for {info.user}{f' ({name})' if name else ''}; keep it now, it is not shown again:"
    )
    click.echo(secret)


@tokens_group.command("revoke")
@click.argument("token_id", type=int)
@report_errors
def tokens_revoke(token_id: int) -> None:
    """Revoke token TOKEN_ID: requests with it are refused from now on."""
    with engine().db.transaction() as session:
        info = tokens.revoke(session, token_id)
    click.echo(f"revoked token {info.id} of {info.user}")


@tokens_group.command("list")
@click.option("--user", "username", default=None, help="Only this user's tokens.")
@click.option("--json", "as_json", is_flag=True)
@report_errors
def tokens_list(username: str | None, as_json: bool) -> None:
    """The tokens (never their secrets), with when each was made, last used and revoked."""
    with engine().db.sessions() as session:
        rows = tokens.listing(session, username)
    if as_json:
        emit_json([t.to_json() for t in rows])
        return
    table(
        [[t.id, t.user, t.name, t.created_at, t.last_used_at or "", t.revoked_at or ""] for t in rows],
        ["id", "user", "name", "created", "last used", "revoked"],
    )
