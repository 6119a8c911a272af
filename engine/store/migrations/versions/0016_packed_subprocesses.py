"""finished subprocesses' task rows packed

Revision ID: 0016
Revises: 0015

A subprocess finished for good (every task of it completed or cancelled) keeps its task rows as
one compressed row (`engine.spiff.packing`). Nothing is converted here: an instance's finished
subprocesses are packed by its next step. Downgrading puts packed rows back as rows of their own.
"""

import zlib
from typing import cast

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "instance_packed",
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("workflow", sa.String(length=36), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["instance.id"]),
        sa.PrimaryKeyConstraint("instance_id", "workflow"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    conn = op.get_bind()
    insert = sa.text(
        "INSERT INTO instance_task (instance_id, ord, task_id, workflow, body) "
        "VALUES (:instance_id, :ord, :task_id, :workflow, :body)"
    )
    found = conn.execute(sa.text("SELECT instance_id, workflow, body FROM instance_packed"))
    for instance_id, workflow, blob in found.all():
        rows = []
        packed = cast(bytes, blob)
        for line in zlib.decompress(packed).decode().split("\n"):
            ord_, task_id, body = line.split(" ", 2)
            rows.append(
                {
                    "instance_id": instance_id,
                    "ord": int(ord_),
                    "task_id": task_id,
                    "workflow": workflow,
                    "body": body,
                }
            )
        conn.execute(insert, rows)
    op.drop_table("instance_packed")
