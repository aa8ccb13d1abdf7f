"""the yes/no questions of an activity are unknown until answered

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 14:30:00
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Automated decisions (Articles 13(2)(f) and 22), children's data and large scale (the DPIA
# screening questions of Article 35): until now False by default, so "No" could not be told
# apart from "nobody said".
_QUESTIONS = ("automated_decisions", "involves_children", "large_scale")


def upgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        for column in _QUESTIONS:
            batch.alter_column(column, existing_type=sa.Boolean(), nullable=True)
    # What the old rows hold, honestly read:
    # - True was never a default: someone ticked the box or a cell said Yes.  It stays.
    # - False was the default both of a new activity in the editor (an unticked box the DPO
    #   may never have looked at) and of an import whose cell was blank, "N/A" or absent.
    #   The register does not record which, so False alone is not an answer: it becomes
    #   unknown, and the checks ask the question.  A False that the change history shows
    #   someone setting (an edit from yes to no) was an answer, and it stays.
    # Asking a DPO again costs a minute; keeping an invented "No" switches off the checks
    # for children's data and tells the public that no decision is automated.  Each answer
    # made unknown gets a line in the activity's change history, saying why.
    bind = op.get_bind()
    at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for column in _QUESTIONS:
        defaulted = (
            f"{column} = FALSE AND id NOT IN (SELECT entity_id FROM change_history "
            "WHERE entity_type = 'activity' AND entity_id IS NOT NULL "
            f"AND field = '{column}' AND new_value = 'no')"
        )
        bind.execute(
            sa.text(
                "INSERT INTO change_history (changed_at, changed_by, entity_type, entity_id, "
                "entity_label, action, field, old_value, new_value) "
                "SELECT :at, :by, 'activity', id, reference || ' ' || name, 'update', "
                f":field, 'no', '' FROM activities WHERE {defaulted}"
            ),
            {"at": at, "by": _WHO, "field": column},
        )
        op.execute(f"UPDATE activities SET {column} = NULL WHERE {defaulted}")


# Who the history names for the change (a team register's server puts the signed-in user).
_WHO = "ROPA desk upgrade: a No nobody was recorded giving is now not recorded"


def downgrade() -> None:
    # The old schema cannot hold "unknown": it goes back to the old default, False.
    for column in _QUESTIONS:
        op.execute(f"UPDATE activities SET {column} = FALSE WHERE {column} IS NULL")
    with op.batch_alter_table("activities") as batch:
        for column in _QUESTIONS:
            batch.alter_column(column, existing_type=sa.Boolean(), nullable=False)
