"""indexes for national scale: inbox pages in their sort order, a task's completion, receipts

Revision ID: 0009
Revises: 0008

- human_task: each inbox scope (village, kabupaten/kota, national, the tasks a user took) gets an
  index ending in the inbox's sort order (due_at, created_at, id), so a page is read in order
  from the index and the next page starts where the last one ended (keyset pagination);
- audit_event(task_id): who completed a task that is no longer open (the answer to a second
  submit or a lost race) without reading the whole history;
- audit_event(instance_id) WHERE type = 'MESSAGE_RECEIVED': the dashboard's report receipts (a
  partial index: no other event is written into it).
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ORDER = ["due_at", "created_at", "id"]
RECEIVED = sa.text("type = 'MESSAGE_RECEIVED'")
CLAIMED = sa.text("claimed_by IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_index("ix_human_task_village_scope")
        batch_op.drop_index("ix_human_task_kabupaten_scope")
        batch_op.drop_index("ix_human_task_claimed_by")
        batch_op.create_index("ix_human_task_village_order", ["role", "village_code", *ORDER])
        batch_op.create_index("ix_human_task_kabupaten_order", ["role", "kabupaten_code", *ORDER])
        batch_op.create_index("ix_human_task_role_order", ["role", *ORDER])
        batch_op.create_index(
            "ix_human_task_claimed_order",
            ["claimed_by", *ORDER],
            sqlite_where=CLAIMED,
            postgresql_where=CLAIMED,
        )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_event_task_id", ["task_id"])
        batch_op.create_index(
            "ix_audit_event_received", ["instance_id"], sqlite_where=RECEIVED, postgresql_where=RECEIVED
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_received")
        batch_op.drop_index("ix_audit_event_task_id")
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_index("ix_human_task_claimed_order")
        batch_op.drop_index("ix_human_task_role_order")
        batch_op.drop_index("ix_human_task_kabupaten_order")
        batch_op.drop_index("ix_human_task_village_order")
        batch_op.create_index(
            "ix_human_task_claimed_by", ["claimed_by"], sqlite_where=CLAIMED, postgresql_where=CLAIMED
        )
        batch_op.create_index("ix_human_task_kabupaten_scope", ["role", "kabupaten_code", "due_at"])
        batch_op.create_index("ix_human_task_village_scope", ["role", "village_code", "due_at"])
