"""Login throttling in the database (not in one server process's memory): every worker of
``myoclass serve --workers N`` counts the same failures, and a restart clears none of them.

One row per throttle key: ``user:`` or ``addr:`` and the SHA-256 (hex) of the lower-cased user name or of the
client address (never the name or the address itself), how many failures in a row, when the first and the last
of them happened, and until when the next attempt must wait (NULL while fewer failures than the free ones).
The throttle is not part of backups (like the sessions).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("first_failure_at", _TS, nullable=False),
        sa.Column("last_failure_at", _TS, nullable=False),
        sa.Column("locked_until", _TS, nullable=True),
    )
    op.create_index("ix_login_throttle_last_failure_at", "login_throttle", ["last_failure_at"])


def downgrade() -> None:
    op.drop_index("ix_login_throttle_last_failure_at", table_name="login_throttle")
    op.drop_table("login_throttle")
