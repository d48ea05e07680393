"""Web sessions in the database (not in one server process's memory): a restart keeps everyone logged in and
every worker of ``myoclass serve --workers N`` sees the same sessions.

One row per live session: the SHA-256 of its token (the token itself is never stored), its user (removed with
the user), when it began, when it was last seen, its idle limit, and the two times it ends (idle and absolute).
No CSRF column: a session's CSRF token is derived from the session token itself (myoclass.web.auth.csrf_token),
so there is nothing more to keep. Sessions are not part of backups (a restored registry starts with no logins).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_sessions_user"),
                  nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("last_seen_at", _TS, nullable=False),
        sa.Column("idle_seconds", sa.Integer, nullable=False),
        sa.Column("idle_expires_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_sessions_user_id", table_name="sessions")
    op.drop_table("sessions")
