"""the inbox's counts, kept by the steps

Revision ID: 0017
Revises: 0016

An inbox with a national grant counted every open task of its role in the nation on each request;
the writers of the open tasks now keep those counts (`engine.runtime.task_counts`): per role, step
process, taken or not, day due and day created. An index on the tasks' role and creation time
reads the tasks of the one day on which a task stops being new. Filled here from the tasks as they
are.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "task_count",
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("process_id", sa.String(length=200), nullable=False),
        sa.Column("claimed", sa.Boolean(), nullable=False),
        sa.Column("due_day", sa.String(length=10), nullable=False),
        sa.Column("created_day", sa.String(length=10), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("role", "process_id", "claimed", "due_day", "created_day", "slot"),
    )
    op.create_index("ix_human_task_role_created", "human_task", ["role", "created_at"])
    from engine.runtime import place_check

    place_check.repair(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_human_task_role_created", table_name="human_task")
    op.drop_table("task_count")
