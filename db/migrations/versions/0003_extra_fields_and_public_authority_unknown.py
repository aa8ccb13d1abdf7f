"""the organisation's own fields on activities; public authority unknown until the DPO says

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 14:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "activity_extra_fields",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_extra_fields_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("activity_id", "position", name=op.f("pk_activity_extra_fields")),
    )
    with op.batch_alter_table("organisation") as batch:
        batch.alter_column("is_public_authority", existing_type=sa.Boolean(), nullable=True)
    # Before this revision every register said "public authority" whether or not anyone had
    # said so (it was the default, and a company's import kept it).  "Yes" cannot be told
    # apart from that default, so it becomes unknown and the checks ask the DPO; "no" was
    # never the default, so someone chose it and it stays.
    op.execute("UPDATE organisation SET is_public_authority = NULL WHERE is_public_authority = TRUE")


def downgrade() -> None:
    op.execute("UPDATE organisation SET is_public_authority = TRUE WHERE is_public_authority IS NULL")
    with op.batch_alter_table("organisation") as batch:
        batch.alter_column("is_public_authority", existing_type=sa.Boolean(), nullable=False)
    op.drop_table("activity_extra_fields")
