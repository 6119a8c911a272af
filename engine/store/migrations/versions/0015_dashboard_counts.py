"""the dashboard's counts, kept by the steps

Revision ID: 0015
Revises: 0014

The dashboard read every instance of the nation on each request; the steps now keep the counts it
shows (`engine.runtime.places`): where each instance is counted, the villages per program,
provinsi and place, and the open tasks per kabupaten/kota and day due, plus an index on the tasks'
due time for today's overdue tasks. Filled here from the instances as they are. The receipts'
partial index is on the event's id instead of its instance: the dashboard reads the latest
receipts newest first, instead of grouping every receipt of the nation.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

RECEIVED = sa.text("type = 'MESSAGE_RECEIVED'")


def upgrade() -> None:
    op.create_table(
        "instance_place",
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=200), nullable=False),
        sa.Column("provinsi", sa.String(length=200), nullable=False),
        sa.Column("kabupaten", sa.String(length=200), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["instance.id"]),
        sa.PrimaryKeyConstraint("instance_id"),
    )
    op.create_table(
        "place_count",
        sa.Column("process_id", sa.String(length=200), nullable=False),
        sa.Column("provinsi", sa.String(length=200), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("process_id", "provinsi", "place", "slot"),
    )
    op.create_table(
        "overdue_count",
        sa.Column("due_day", sa.String(length=10), nullable=False),
        sa.Column("kabupaten", sa.String(length=200), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("due_day", "kabupaten", "slot"),
    )
    op.create_index("ix_human_task_due_at", "human_task", ["due_at"])
    op.drop_index("ix_audit_event_received", table_name="audit_event")
    op.create_index(
        "ix_audit_event_received_id", "audit_event", ["id"], sqlite_where=RECEIVED, postgresql_where=RECEIVED
    )
    from engine.runtime import place_check

    place_check.repair(op.get_bind(), inbox=False)


def downgrade() -> None:
    op.drop_index("ix_audit_event_received_id", table_name="audit_event")
    op.create_index(
        "ix_audit_event_received",
        "audit_event",
        ["instance_id"],
        sqlite_where=RECEIVED,
        postgresql_where=RECEIVED,
    )
    op.drop_index("ix_human_task_due_at", table_name="human_task")
    op.drop_table("overdue_count")
    op.drop_table("place_count")
    op.drop_table("instance_place")
