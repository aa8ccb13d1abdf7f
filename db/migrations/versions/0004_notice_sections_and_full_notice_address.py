"""notices remember how their full text divides into services, and where it is published

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 15:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # "" lets the audience choose (per activity for children, else per business function),
    # which is how every notice already in the register reads; "" as the address means the
    # short layer links to the organisation's website.
    with op.batch_alter_table("notices") as batch:
        batch.add_column(
            sa.Column("grouping", sa.String(length=16), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("full_notice_url", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.drop_column("full_notice_url")
        batch.drop_column("grouping")
