"""business units in upper case

The search index folds a unit's case and the database compared it exactly, so a unit written `bu01` in
one place and `BU01` in another scoped searches and reads differently. Units are codes (a SetID): from
this release every input is upper-cased, and the units already stored are upper-cased here. Of two
activations whose scopes differ only by case, the one already in upper case stays.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 07:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("contacts", "users"):
        op.execute(
            f"UPDATE {table} SET business_unit = UPPER(business_unit) WHERE business_unit <> UPPER(business_unit)"
        )
    op.execute(
        "DELETE FROM definition_activations WHERE scope <> UPPER(scope) "
        "AND UPPER(scope) IN (SELECT scope FROM definition_activations)"
    )
    op.execute("UPDATE definition_activations SET scope = UPPER(scope) WHERE scope <> UPPER(scope)")


def downgrade() -> None:
    """Nothing to undo: the lower-case spellings are not kept."""
