"""the register records what the law after the Data (Use and Access) Act 2025 asks for

The organisation's complaint form and how it acknowledges complaints (DPA 2018 s.164A); the
Annex 1 condition of a recognised legitimate interest (UK GDPR Article 6(5)) and why a public
authority's (ea)/(f) processing is outside its tasks (Article 6(1)); the data protection test
of a transfer under appropriate safeguards (Article 46(1A)); the ICO's DPIA criteria ticked,
when consent was last reviewed, and how a child's consent is handled (Article 8).

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-07 14:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.Text(), nullable=False, server_default="")


def upgrade() -> None:
    # Every new answer starts empty ("" or NULL): nothing is assumed about registers made
    # before the law changed, so the checks ask rather than presume.
    with op.batch_alter_table("organisation") as batch:
        batch.add_column(_text("complaints_form_url"))
        batch.add_column(_text("complaints_acknowledgement"))
    with op.batch_alter_table("activities") as batch:
        batch.add_column(_text("dpia_criteria"))
        batch.add_column(sa.Column("consent_reviewed_on", sa.Date(), nullable=True))
        batch.add_column(_text("child_consent_arrangements"))
    with op.batch_alter_table("activity_lawful_bases") as batch:
        batch.add_column(
            sa.Column("annex1_condition", sa.String(length=8), nullable=False, server_default="")
        )
        batch.add_column(_text("outside_tasks_reason"))
    with op.batch_alter_table("transfers") as batch:
        batch.add_column(
            sa.Column(
                "data_protection_test", sa.String(length=8), nullable=False, server_default=""
            )
        )
        batch.add_column(_text("data_protection_test_date"))
        batch.add_column(_text("data_protection_test_link"))


def downgrade() -> None:
    with op.batch_alter_table("transfers") as batch:
        batch.drop_column("data_protection_test_link")
        batch.drop_column("data_protection_test_date")
        batch.drop_column("data_protection_test")
    with op.batch_alter_table("activity_lawful_bases") as batch:
        batch.drop_column("outside_tasks_reason")
        batch.drop_column("annex1_condition")
    with op.batch_alter_table("activities") as batch:
        batch.drop_column("child_consent_arrangements")
        batch.drop_column("consent_reviewed_on")
        batch.drop_column("dpia_criteria")
    with op.batch_alter_table("organisation") as batch:
        batch.drop_column("complaints_acknowledgement")
        batch.drop_column("complaints_form_url")
