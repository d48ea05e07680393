"""The registry's first schema: patients, visits, treatments, assessments, users, API tokens, the append-only
audit log and the registry's settings.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)
_REFUSE = "audit_log is append-only: UPDATE and DELETE are refused"


def upgrade() -> None:
    op.create_table(
        "patients",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient_code", sa.String(64), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.UniqueConstraint("patient_code", name="uq_patients_patient_code"),
    )
    op.create_table(
        "visits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient_id", sa.Integer, sa.ForeignKey("patients.id", ondelete="CASCADE", name="fk_visits_patient"),
                  nullable=False),
        sa.Column("visit_date", sa.Date, nullable=False),
        sa.Column("findings_json", sa.Text, nullable=False),
        sa.Column("ck_u_l", sa.Float),
        sa.Column("ck_uln_u_l", sa.Float),
        sa.Column("mmt8_json", sa.Text),
        sa.Column("mmt8_total", sa.Float),
        sa.Column("mmt_scale", sa.String(32)),
        sa.Column("haq", sa.Float),
        sa.Column("physician_global", sa.Float),
        sa.Column("patient_global", sa.Float),
        sa.Column("extramuscular", sa.Float),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.UniqueConstraint("patient_id", "visit_date", name="uq_visits_patient_date"),
    )
    op.create_table(
        "treatments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient_id", sa.Integer,
                  sa.ForeignKey("patients.id", ondelete="CASCADE", name="fk_treatments_patient"), nullable=False),
        sa.Column("agent", sa.String(100), nullable=False),
        sa.Column("treatment_class", sa.String(32), nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("stop_date", sa.Date),
        sa.UniqueConstraint("patient_id", "agent", "start_date", name="uq_treatments_patient_agent_start"),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("visit_id", sa.Integer, sa.ForeignKey("visits.id", ondelete="CASCADE", name="fk_assessments_visit"),
                  nullable=False),
        sa.Column("assessment_json", sa.Text, nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("leading_label", sa.String(64)),
        sa.Column("leading_probability", sa.Float),
        sa.Column("myoclass_version", sa.String(32), nullable=False),
        sa.Column("criteria_versions", sa.Text, nullable=False),
        sa.Column("model_version", sa.String(32), nullable=False),
        sa.Column("policy_json", sa.Text, nullable=False),
        sa.Column("input_hash", sa.String(64), nullable=False),
        sa.Column("assessed_at", _TS, nullable=False),
        sa.UniqueConstraint("visit_id", name="uq_assessments_visit"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.UniqueConstraint("name", name="uq_users_name"),
        sa.CheckConstraint("role IN ('clinician', 'researcher', 'admin')", name="ck_users_role"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_api_tokens_user"),
                  nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("last_used_at", _TS),
        sa.Column("revoked_at", _TS),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_hash"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", _TS, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("patient_code", sa.String(64)),
        sa.Column("visit_date", sa.Date),
        sa.Column("counts", sa.Text),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_table(
        "registry_settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION myoclass_audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{_REFUSE}' USING ERRCODE = 'insufficient_privilege';
            END
            $$""")
        op.execute("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION myoclass_audit_log_refuse()")
        op.execute("CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
                   "FOR EACH STATEMENT EXECUTE FUNCTION myoclass_audit_log_refuse()")
    else:
        op.execute(f"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                   f"BEGIN SELECT RAISE(ABORT, '{_REFUSE}'); END")
        op.execute(f"CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
                   f"BEGIN SELECT RAISE(ABORT, '{_REFUSE}'); END")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS myoclass_audit_log_refuse()")
    for t in ("registry_settings", "audit_log", "api_tokens", "users", "assessments", "treatments", "visits", "patients"):
        op.drop_table(t)
