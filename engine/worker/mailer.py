"""Sending the outbox's e-mails with smtplib.

`send_pending` sends the rows not sent yet, marks each sent (sent_at) or records its error and
tries it again later (after a growing pause). Configuration comes from the environment:
DESA_SMTP_HOST, DESA_SMTP_PORT (25), DESA_SMTP_FROM, and optionally DESA_SMTP_USER,
DESA_SMTP_PASSWORD and DESA_SMTP_STARTTLS=1. Without DESA_SMTP_HOST nothing is sent: the rows
stay queued. On PostgreSQL the rows are taken with FOR UPDATE SKIP LOCKED, so two workers never
send the same row.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import or_, select

from engine import clock, config
from engine.core import Engine
from engine.store.models import OutboxMessage
from engine.views import notifications, queries

log = logging.getLogger("desa.mailer")
FIRST_RETRY = timedelta(minutes=5)
LONGEST_RETRY = timedelta(hours=6)


def retry_after(attempts: int) -> timedelta:
    pause: timedelta = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(pause, LONGEST_RETRY)


def send_pending(
    engine: Engine,
    smtp_host: str,
    smtp_port: int,
    sender: str,
    user: str | None = None,
    password: str | None = None,
    starttls: bool = False,
    now: datetime | None = None,
    limit: int = 100,
    timeout: float = 30.0,
) -> int:
    """Send up to `limit` pending e-mails; returns how many were sent."""
    now = clock.as_utc(now if now is not None else queries.now(engine))
    sent = 0
    with engine.db.transaction() as session:
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.sent_at.is_(None))
            .where(or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        if not engine.db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        rows = list(session.scalars(query))
        if not rows:
            return 0
        try:
            smtp = smtplib.SMTP(smtp_host, smtp_port, timeout=timeout)
        except (OSError, smtplib.SMTPException) as err:
            log.warning("cannot reach the SMTP server %s:%s: %s", smtp_host, smtp_port, err)
            for row in rows:
                _failed(row, f"{type(err).__name__}: {err}", now)
            return 0
        try:
            if starttls:
                smtp.starttls()
            if user:
                smtp.login(user, password or "")
            for row in rows:
                message = EmailMessage()
                message["From"] = sender
                message["To"] = row.recipient
                message["Subject"] = row.subject
                message.set_content(row.body)
                try:
                    smtp.send_message(message)
                except (OSError, smtplib.SMTPException) as err:
                    log.warning("could not send e-mail %s to %s: %s", row.id, row.recipient, err)
                    _failed(row, f"{type(err).__name__}: {err}", now)
                else:
                    row.sent_at = now
                    row.last_error = None
                    row.attempts += 1
                    sent += 1
        except (OSError, smtplib.SMTPException) as err:  # starttls or login failed
            log.warning("SMTP session with %s:%s failed: %s", smtp_host, smtp_port, err)
            for row in rows:
                if row.sent_at is None:
                    _failed(row, f"{type(err).__name__}: {err}", now)
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
    return sent


def _failed(row: OutboxMessage, error: str, now: datetime) -> None:
    row.attempts += 1
    row.last_error = error[:2000]
    row.next_attempt_at = now + retry_after(row.attempts)


def send_configured(engine: Engine, now: datetime | None = None) -> int:
    """Send the pending e-mails when DESA_SMTP_HOST is set; otherwise send nothing."""
    settings = config.settings().smtp
    if settings is None:
        return 0
    return send_pending(
        engine,
        settings.host,
        settings.port,
        settings.sender,
        user=settings.user,
        password=settings.password,
        starttls=settings.starttls,
        now=now,
    )


def sweep(engine: Engine) -> int:
    """The worker's round: queue the e-mails now due, then send them (when configured).
    Failures are logged, never raised, so the timer sweep goes on."""
    try:
        now = queries.now(engine)
        queued = notifications.queue_due(engine, now)
        if queued:
            log.info("queued %d e-mail(s)", queued)
        return send_configured(engine, now)
    except Exception:
        log.exception("sending notifications failed; trying again next round")
        return 0
