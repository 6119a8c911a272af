"""task drafts

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "task_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_id", "username"),
    )
    with op.batch_alter_table("task_draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_draft_task_id"), ["task_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("task_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_draft_task_id"))
    op.drop_table("task_draft")
