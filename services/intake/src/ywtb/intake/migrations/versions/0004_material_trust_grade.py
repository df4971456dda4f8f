"""material trust grade: A for an e-licence attached by 一证通办, C for an upload

Revision ID: 0004
Revises: 0003

Existing files were uploaded by applicants: grade C, no licence.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("material_files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trust_grade", sa.String(length=1), server_default="C", nullable=False))
        batch_op.add_column(
            sa.Column("licence_identifier", sa.String(length=100), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("material_files", schema=None) as batch_op:
        batch_op.drop_column("licence_identifier")
        batch_op.drop_column("trust_grade")
