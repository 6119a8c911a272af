"""row-count estimates for the tables read by instance: how many rows one instance has

Revision ID: 0010
Revises: 0009

PostgreSQL estimates how many rows `WHERE instance_id IN (...)` returns from the number of
distinct instance ids its statistics sample finds. Task rows and history are written instance by
instance, and the sample of a table of millions of such rows finds few distinct ids: at 83,762
villages it estimated 100,000 task rows per instance instead of about 120, so reading one batch
of a timer sweep planned a parallel scan and spent seconds compiling it (JIT). The ratio is
stable (an instance has tens to a few hundred task rows and events), so it is set instead of
sampled: distinct instance ids are 1% of the task rows and 2% of the events. On SQLite nothing
changes.
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

ESTIMATES = {"instance_task": -0.01, "audit_event": -0.02}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, ratio in ESTIMATES.items():
        op.execute(f"ALTER TABLE {table} ALTER COLUMN instance_id SET (n_distinct = {ratio})")
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ESTIMATES:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN instance_id RESET (n_distinct)")
