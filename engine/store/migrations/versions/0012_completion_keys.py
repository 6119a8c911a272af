"""completion keys: task completions made under an idempotency key, answered again on a repeat

Revision ID: 0012
Revises: 0011

A completion sent with a key (the API's `Idempotency-Key` header, the web form's hidden field,
a phone syncing what was filled offline) is recorded here in its own transaction: the person, the
key, the task, a sha256 of what was sent, and the result. The same key again answers that result;
kept 30 days.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "completion_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username", "key"),
    )
    op.create_index("ix_completion_key_expires_at", "completion_key", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_completion_key_expires_at", table_name="completion_key")
    op.drop_table("completion_key")
