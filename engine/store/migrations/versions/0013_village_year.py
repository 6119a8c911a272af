"""the year the program ran in a village

Revision ID: 0013
Revises: 0012

Table 2 of the program's source gives each village's year (2006-2009), its cohort; a CSV import
keeps it (`desa villages import`). Villages stored before stay without one until imported again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("village", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tahun", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("village", schema=None) as batch_op:
        batch_op.drop_column("tahun")
