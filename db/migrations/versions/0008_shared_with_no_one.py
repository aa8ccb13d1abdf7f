"""an activity's answer that its data is shared with no one (Article 30(1)(d))

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 16:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every activity already in the register has not answered: NULL, never assumed to be
    # shared with no one because it lists no recipients.
    with op.batch_alter_table("activities") as batch:
        batch.add_column(sa.Column("shared_with_no_one", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        batch.drop_column("shared_with_no_one")
