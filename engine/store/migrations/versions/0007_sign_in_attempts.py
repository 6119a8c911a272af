"""sign-in attempts: what the sign-in throttle counts, shared by every web process

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_attempt",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sign_in_attempt_at", "sign_in_attempt", ["at"])
    op.create_index("ix_sign_in_attempt_username_at", "sign_in_attempt", ["username", "at"])
    op.create_index("ix_sign_in_attempt_address_at", "sign_in_attempt", ["address", "at"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_attempt_address_at", table_name="sign_in_attempt")
    op.drop_index("ix_sign_in_attempt_username_at", table_name="sign_in_attempt")
    op.drop_index("ix_sign_in_attempt_at", table_name="sign_in_attempt")
    op.drop_table("sign_in_attempt")
