"""applicant identity check: how the applicant's identity was established, and their real-name level

Revision ID: 0003
Revises: 0002

Existing cases read as 0 (not recorded): they were submitted before the check existed.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("identity_check", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column("applicant_real_name_level", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("applicant_real_name_level")
        batch_op.drop_column("identity_check")
