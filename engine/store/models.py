"""The database tables, as SQLAlchemy 2.x declarative models.

Instance state is stored without its spec (the spec lives once per definition version). The
human-task, timer and waiting-message tables are projections written in the same transaction as
the state, so listing an inbox or the due timers never deserializes a workflow. The dashboard's
counts are in `dashboard_models` (imported here, so every table is known wherever these are).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.base import Base as Base
from engine.store.dashboard_models import InstancePlace as InstancePlace
from engine.store.dashboard_models import OverdueCount as OverdueCount
from engine.store.dashboard_models import PlaceCount as PlaceCount
from engine.store.dashboard_models import TaskCount as TaskCount


class Village(Base):
    __tablename__ = "village"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kecamatan: Mapped[str] = mapped_column(String(200), default="")
    kabupaten: Mapped[str] = mapped_column(String(200), default="")
    provinsi: Mapped[str] = mapped_column(String(200), default="")
    # Region codes of the kabupaten/kota and provinsi above the village, for scoping staff.
    kabupaten_code: Mapped[str] = mapped_column(String(16), default="", index=True)
    provinsi_code: Mapped[str] = mapped_column(String(8), default="", index=True)
    # The year the program ran there (Table 2's cohorts), when known.
    tahun: Mapped[int | None] = mapped_column(Integer, default=None)


class ProcessVersion(Base):
    """One deployed version of one executable process, identified by the sha256 of its content."""

    __tablename__ = "process_version"
    __table_args__ = (
        UniqueConstraint("process_id", "version"),
        UniqueConstraint("process_id", "sha256"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(200), index=True)
    name: Mapped[str] = mapped_column(String(300), default="")
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # The serialized SpiffWorkflow spec with the specs of the processes it calls: once per version.
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The JSON Schemas of the forms its user tasks name, and the BPMN/DMN sources (for diagrams).
    forms: Mapped[dict[str, Any]] = mapped_column(JSON)
    sources: Mapped[dict[str, Any]] = mapped_column(JSON)
    deployed_at: Mapped[datetime]
    deployed_by: Mapped[str] = mapped_column(String(100), default="")


class Instance(Base):
    __tablename__ = "instance"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(200))
    village_code: Mapped[str] = mapped_column(ForeignKey("village.code"), index=True)
    # running | waiting | suspended | completed | cancelled | failed
    status: Mapped[str] = mapped_column(String(16), index=True)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # Workflow-level state (zlib JSON); the tasks are rows of instance_task.
    header: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    # The head of the instance's audit chain, so appending an event reads nothing.
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default="0" * 64)
    started_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class InstanceTask(Base):
    """One SpiffWorkflow task of an instance, as its serializer writes it; rewritten only when it changed."""

    __tablename__ = "instance_task"
    # On SQLite a table keyed by its primary key alone (no rowid): one B-tree to write, not two.
    __table_args__ = {"sqlite_with_rowid": False}
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), primary_key=True)
    ord: Mapped[int] = mapped_column(Integer, primary_key=True)  # creation order within the instance
    task_id: Mapped[str] = mapped_column(String(36))
    workflow: Mapped[str] = mapped_column(String(36), default="")  # "" or the subprocess's task id
    body: Mapped[str] = mapped_column(Text)


class InstancePacked(Base):
    """The task rows of one finished subprocess of an instance, as one compressed row
    (`engine.spiff.packing`)."""

    __tablename__ = "instance_packed"
    __table_args__ = {"sqlite_with_rowid": False}
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), primary_key=True)
    workflow: Mapped[str] = mapped_column(String(36), primary_key=True)  # the subprocess's task id
    body: Mapped[bytes] = mapped_column(LargeBinary)


class HumanTask(Base):
    """Projection: one row per READY user or manual task."""

    __tablename__ = "human_task"
    # The inbox asks by role and village (village-scoped grants), by role and kabupaten/kota, by
    # role alone (national grants), and for the tasks a user took; each index ends in the inbox's
    # order (due_at, created_at, id), so a page is read in order and the next starts where it
    # ended (keyset pagination, `engine.queries`). Unclaimed tasks stay out of the claim index.
    __table_args__ = (
        Index("ix_human_task_village_order", "role", "village_code", "due_at", "created_at", "id"),
        Index("ix_human_task_kabupaten_order", "role", "kabupaten_code", "due_at", "created_at", "id"),
        Index("ix_human_task_role_order", "role", "due_at", "created_at", "id"),
        # The dashboard counts the tasks due today before now (earlier days come from overdue_count).
        Index("ix_human_task_due_at", "due_at"),
        # An inbox with a national grant counts from task_count, and reads only the tasks created on
        # the day a task stops being new (`engine.views.inbox_counts`).
        Index("ix_human_task_role_created", "role", "created_at"),
        Index(
            "ix_human_task_claimed_order",
            "claimed_by",
            "due_at",
            "created_at",
            "id",
            sqlite_where=text("claimed_by IS NOT NULL"),
            postgresql_where=text("claimed_by IS NOT NULL"),
        ),
        {"sqlite_with_rowid": False},
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), index=True)
    village_code: Mapped[str] = mapped_column(String(32))
    kabupaten_code: Mapped[str] = mapped_column(String(16), default="")
    process_id: Mapped[str] = mapped_column(String(200))
    bpmn_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(100))
    form: Mapped[str | None] = mapped_column(String(300), default=None)
    created_at: Mapped[datetime]
    due_at: Mapped[datetime | None] = mapped_column(default=None)
    claimed_by: Mapped[str | None] = mapped_column(String(100), default=None)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)


class Timer(Base):
    """Projection: one row per waiting timer event with its due time."""

    __tablename__ = "timer"
    __table_args__ = {"sqlite_with_rowid": False}
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), index=True)
    bpmn_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300), default="")
    due_at: Mapped[datetime] = mapped_column(index=True)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)


class WaitingMessage(Base):
    """Projection: which instance waits for which message, so delivery loads only those."""

    __tablename__ = "waiting_message"
    __table_args__ = (Index("ix_waiting_message_name", "name", "village_code"), {"sqlite_with_rowid": False})
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), index=True)
    village_code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(300))
    bpmn_id: Mapped[str] = mapped_column(String(200))


class AuditEvent(Base):
    """Append-only history: every external input to an instance, hash-chained per instance."""

    __tablename__ = "audit_event"
    # Who completed a task that is no longer open (by task id); the report receipts the dashboard
    # lists, newest first (a partial index: no other event is written into it).
    __table_args__ = (
        UniqueConstraint("instance_id", "seq"),
        Index("ix_audit_event_task_id", "task_id"),
        Index(
            "ix_audit_event_received_id",
            "id",
            sqlite_where=text("type = 'MESSAGE_RECEIVED'"),
            postgresql_where=text("type = 'MESSAGE_RECEIVED'"),
        ),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"))
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(100))
    task_id: Mapped[str | None] = mapped_column(String(36), default=None)
    bpmn_id: Mapped[str | None] = mapped_column(String(200), default=None)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    engine_time: Mapped[datetime]
    wall_time: Mapped[datetime]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheck(Base):
    """The result of one verification of an instance's history (the auditor's badge reads the last)."""

    __tablename__ = "audit_check"
    __table_args__ = (Index("ix_audit_check_instance_id_id", "instance_id", "id"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"))
    checked_at: Mapped[datetime]
    checked_by: Mapped[str] = mapped_column(String(100))
    ok: Mapped[bool] = mapped_column(Boolean)
    kind: Mapped[str | None] = mapped_column(String(16), default=None)  # what broke, when not ok
    seq: Mapped[int | None] = mapped_column(Integer, default=None)  # the first event concerned
    message: Mapped[str] = mapped_column(Text, default="")
    events: Mapped[int] = mapped_column(Integer)  # how many events the history had
    head_hash: Mapped[str] = mapped_column(String(64), default="")


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(300), default=None)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(8), default="id", server_default="id")


class RoleAssignment(Base):
    """A user holds a role nationally, for a kabupaten/kota, or for a village."""

    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("user_id", "role", "scope", "scope_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(16))  # national | kabupaten | village
    scope_code: Mapped[str] = mapped_column(String(32), default="")


class ClockSetting(Base):
    __tablename__ = "clock_setting"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    offset_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    frozen_at: Mapped[datetime | None] = mapped_column(default=None)


class Role(Base):
    """A role declared in the processes folder's roles file; a lane's name is a role's name."""

    __tablename__ = "role"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    description: Mapped[str] = mapped_column(Text, default="")
    scope: Mapped[str] = mapped_column(String(16))  # national | kabupaten | village
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    # A read-only role (an auditor) sees the villages it is granted and may change nothing.
    read_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # A designer role reads the program's definitions and versions, and no village's data.
    designer: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))


class ApiToken(Base):
    """A bearer token for scripts using the JSON API: only its sha256 is stored; revocable."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class WebSession(Base):
    """A signed-in browser session: the cookie carries a random secret, this row its sha256.
    Ended (`revoked_at`) by signing out, by an admin, by disabling the account or by a new
    password; unused for 12 hours (`expires_at`), it has ended too."""

    __tablename__ = "web_session"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class TaskDraft(Base):
    """A form someone started and saved without sending: theirs, for one open task."""

    __tablename__ = "task_draft"
    __table_args__ = (UniqueConstraint("task_id", "username"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), index=True)
    username: Mapped[str] = mapped_column(String(100))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_at: Mapped[datetime]


class OutboxMessage(Base):
    """An e-mail about a task waiting to be sent (or sent): one per user, task and kind."""

    __tablename__ = "outbox_message"
    __table_args__ = (UniqueConstraint("username", "task_id", "kind"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    task_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(16))  # new | overdue
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(400))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)


class SignInAttempt(Base):
    """One sign-in attempt (failed, refused while throttled, or ok): what the throttle counts,
    shared by every web process, and the record of failed sign-ins."""

    __tablename__ = "sign_in_attempt"
    __table_args__ = (
        Index("ix_sign_in_attempt_username_at", "username", "at"),
        Index("ix_sign_in_attempt_address_at", "address", "at"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)  # wall time
    username: Mapped[str] = mapped_column(String(100))  # as typed, folded to lower case
    address: Mapped[str] = mapped_column(String(64))  # the client address
    outcome: Mapped[str] = mapped_column(String(8))  # failed | refused | ok


class CompletionKey(Base):
    """A task completion made under an idempotency key: the same key from the same person answers
    this result again instead of completing twice. Written in the completion's transaction; kept
    `engine.runtime.idempotency.KEEP` (30 days: a phone may stay offline a week or more)."""

    __tablename__ = "completion_key"
    __table_args__ = (UniqueConstraint("username", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(200))
    task_id: Mapped[str] = mapped_column(String(36))
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of the task, data and revision
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class SavedFilter(Base):
    """An inbox filter a person keeps under a name of their own (the query string of Tugas Saya)."""

    __tablename__ = "saved_filter"
    __table_args__ = (UniqueConstraint("username", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))
    query: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime]
