"""Idempotency keys of task completions: the same key from the same person completes once.

A client that cannot know whether its completion arrived (the connection dropped, a phone sends
what was filled offline, two tabs send the same queue) sends it again with the same key. The first
completion under a key is recorded (`completion_key`) in the completion's own transaction, with a
fingerprint of what was sent (the task, its data, the revision the person saw); the same key again
answers that recorded result and changes nothing. The same key with different input is refused
(`KeyReused`): two different submissions under one key are a mistake of the client, and neither
answer would be right. Keys belong to the person who sent them: another person's key never
replays. Refusals (invalid input, conflicts) are not recorded: they changed nothing, so sending
again is answered afresh, by what holds then. Keys are kept `KEEP`; expired ones are deleted as
new ones are written.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from engine.errors import FieldError, InvalidInput
from engine.store.fastsql import Sql, insert_sql

KEEP = timedelta(days=30)  # longer than a week offline, with room to spare
MAX_LENGTH = 200
_VALID = re.compile(rf"[\x21-\x7e]{{1,{MAX_LENGTH}}}")


class KeyReused(InvalidInput):
    """The key was used already for a different submission (another task, other data or revision)."""


@dataclass(frozen=True)
class Key:
    """An idempotency key and the fingerprint of the submission it came with."""

    value: str
    fingerprint: str


def key_for(value: str, task_id: str, sent: Any) -> Key:
    """The key `value` for completing `task_id` with `sent` (what the client sent: the data and
    revision, or the form's fields); refused unless it is 1 to 200 visible ASCII characters (a
    UUID is the usual choice)."""
    if not _VALID.fullmatch(value):
        message = f"the idempotency key must be 1 to {MAX_LENGTH} visible ASCII characters (a UUID, say)"
        raise InvalidInput(
            message,
            [FieldError("Idempotency-Key", "Kunci idempotensi tidak sah.", message, "idempotency_key")],
        )
    text = json.dumps(
        {"task": task_id, "sent": sent},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return Key(value, hashlib.sha256(text.encode("utf-8")).hexdigest())


def _now() -> datetime:
    # Wall time: how long a phone stays offline is about people, not the engine's program clock.
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def recorded(session: Session, username: str, key: Key) -> dict[str, Any] | None:
    """The result recorded for `username`'s `key`, or None when there is none (or it expired).
    Raises `KeyReused` when the key came with a different submission."""
    sql = Sql.of(session)
    found = sql.one(
        "SELECT fingerprint, result, expires_at FROM completion_key WHERE username = :user AND key = :key",
        user=username,
        key=key.value,
    )
    if found is None:
        return None
    fingerprint, result, expires_at = found
    expires = sql.read_ts(expires_at)
    if expires is None or expires <= _now():
        return None
    if fingerprint != key.fingerprint:
        raise KeyReused(
            "this idempotency key was used already for a different submission (another task, other "
            "data or another revision); nothing was changed. Send a new submission with a new key"
        )
    return dict(sql.read_json(result))


_COLUMNS = ("username", "key", "task_id", "fingerprint", "result", "created_at", "expires_at")


def record(session: Session, username: str, key: Key, task_id: str, result: dict[str, Any]) -> None:
    """Keep `result` as the answer to `username`'s `key` (in the completion's transaction), and
    delete the keys that have expired (an indexed range, most often empty)."""
    sql, now = Sql.of(session), _now()
    sql.run("DELETE FROM completion_key WHERE expires_at <= :now", now=sql.ts(now))
    sql.run(
        insert_sql("completion_key", _COLUMNS),
        username=username,
        key=key.value,
        task_id=task_id,
        fingerprint=key.fingerprint,
        result=sql.json(result),
        created_at=sql.ts(now),
        expires_at=sql.ts(now + KEEP),
    )
