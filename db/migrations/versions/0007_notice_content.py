"""notices say more from the register: whom a notice covers, plain wording for register text,
choices and opt-outs, the subject access request and retention schedule links; and each
recipient of an activity has the reason it gets the data

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-07 14:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOTICE_COLUMNS = ("individuals", "plain_wording", "choices", "sar_url", "retention_schedule_url")


def upgrade() -> None:
    # Every notice and link already in the register reads as before: no people chosen (a
    # children's notice then covers the children among them), no plain wording, no choices
    # or links, and no reason yet recorded for any recipient.
    with op.batch_alter_table("notices") as batch:
        for name in _NOTICE_COLUMNS:
            batch.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("activity_links") as batch:
        batch.add_column(sa.Column("reason", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("activity_links") as batch:
        batch.drop_column("reason")
    with op.batch_alter_table("notices") as batch:
        for name in reversed(_NOTICE_COLUMNS):
            batch.drop_column(name)
