"""activities remember whether they changed since they were approved

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 14:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The server default fills the rows already in the register: nothing was known to have
    # changed since its approval before the register kept track.
    with op.batch_alter_table("activities") as batch:
        batch.add_column(
            sa.Column(
                "changed_since_approval",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        batch.drop_column("changed_since_approval")
