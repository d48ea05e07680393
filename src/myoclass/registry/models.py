"""The registry's tables (SQLAlchemy 2 typed ORM). The schema itself is created by the Alembic migrations in
``myoclass/registry/migrations`` (never by ``create_all``), so these classes and the migrations must agree;
``tests/test_registry.py`` checks that they do.

Tables:

- ``patients``: a pseudonymous ``patient_code`` (unique). No names, birth dates or other identifiers.
- ``visits``: one per patient and date (unique): the flat findings as validated JSON, CK and its upper limit
  of normal, MMT-8 grades (JSON) and total, HAQ, physician and patient global, extramuscular activity.
- ``treatments``: per patient, an agent and its class with start and stop dates (unique per patient, agent
  and start).
- ``assessments``: one per visit, the current one: the assessment JSON, strict and leading label, the
  myoclass, criteria-set and differential-model versions and the sha256 of its input.
- ``users`` and ``api_tokens``: accounts for the web app (argon2 password hashes; tokens stored hashed).
- ``audit_log``: append-only (database triggers refuse UPDATE and DELETE): who, when, what. Never a
  clinical value.
- ``registry_settings``: key/value pairs of the registry itself (the pseudonymisation key).
- ``sessions``: the web app's login sessions (the SHA-256 of each session token, never the token), shared by
  every server process; not part of backups.
- ``login_throttle``: failed logins per throttle key (the SHA-256 of a user name or a client address, never the
  name or the address), shared by every server process; not part of backups.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = ["ROLES", "TREATMENT_CLASSES", "ApiToken", "Assessment", "AuditEntry", "Base", "LoginThrottleEntry",
           "Patient", "Setting", "Treatment", "User", "Visit", "WebSession"]

#: clinician: read and write; researcher: read-only, pseudonymised export; admin: everything, users and tokens
ROLES = ("clinician", "researcher", "admin")
#: the treatment classes a treatment row may name
TREATMENT_CLASSES = ("glucocorticoid", "ivig", "rituximab", "methotrexate", "azathioprine", "mycophenolate",
                     "tacrolimus", "cyclosporine", "cyclophosphamide", "plasma_exchange", "jak_inhibitor",
                     "statin_withdrawal", "other")


class Base(DeclarativeBase):
    pass


class Patient(Base):
    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_code: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    visits: Mapped[list[Visit]] = relationship(back_populates="patient", order_by="Visit.visit_date",
                                               cascade="all, delete-orphan", passive_deletes=True)
    treatments: Mapped[list[Treatment]] = relationship(back_populates="patient", order_by="Treatment.start_date",
                                                       cascade="all, delete-orphan", passive_deletes=True)


class Visit(Base):
    __tablename__ = "visits"
    __table_args__ = (UniqueConstraint("patient_id", "visit_date", name="uq_visits_patient_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    visit_date: Mapped[dt.date] = mapped_column(Date)
    #: the validated flat case as canonical JSON (sorted keys, unknown keys left out)
    findings_json: Mapped[str] = mapped_column(Text)
    ck_u_l: Mapped[float | None] = mapped_column(Float)
    ck_uln_u_l: Mapped[float | None] = mapped_column(Float)
    #: MMT-8 grades as given (JSON object, unilateral or {right, left}); None when not graded
    mmt8_json: Mapped[str | None] = mapped_column(Text)
    #: the MMT-8 (or CMAS) total; None when not all groups were graded and no total was given
    mmt8_total: Mapped[float | None] = mapped_column(Float)
    #: mmt8_unilateral (0-80), mmt8_bilateral (0-150) or cmas (0-52)
    mmt_scale: Mapped[str | None] = mapped_column(String(32))
    haq: Mapped[float | None] = mapped_column(Float)
    physician_global: Mapped[float | None] = mapped_column(Float)
    patient_global: Mapped[float | None] = mapped_column(Float)
    extramuscular: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    patient: Mapped[Patient] = relationship(back_populates="visits")
    assessment: Mapped[Assessment | None] = relationship(back_populates="visit", cascade="all, delete-orphan",
                                                         passive_deletes=True)


class Treatment(Base):
    __tablename__ = "treatments"
    __table_args__ = (UniqueConstraint("patient_id", "agent", "start_date", name="uq_treatments_patient_agent_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    agent: Mapped[str] = mapped_column(String(100))
    #: one of TREATMENT_CLASSES
    treatment_class: Mapped[str] = mapped_column(String(32))
    start_date: Mapped[dt.date] = mapped_column(Date)
    stop_date: Mapped[dt.date | None] = mapped_column(Date)

    patient: Mapped[Patient] = relationship(back_populates="treatments")


class Assessment(Base):
    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), unique=True)
    #: the whole assessment (docs/assessment.md) as JSON
    assessment_json: Mapped[str] = mapped_column(Text)
    #: summary.label (the strict label)
    label: Mapped[str] = mapped_column(String(64))
    leading_label: Mapped[str | None] = mapped_column(String(64))
    leading_probability: Mapped[float | None] = mapped_column(Float)
    myoclass_version: Mapped[str] = mapped_column(String(32))
    #: {criteria set id: version} as canonical JSON
    criteria_versions: Mapped[str] = mapped_column(Text)
    model_version: Mapped[str] = mapped_column(String(32))
    #: the policy and reading it was made under, canonical JSON
    policy_json: Mapped[str] = mapped_column(Text)
    #: sha256 (hex) of the canonical JSON of {case, policy, reading}
    input_hash: Mapped[str] = mapped_column(String(64))
    assessed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    visit: Mapped[Visit] = relationship(back_populates="assessment")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    #: one of ROLES
    role: Mapped[str] = mapped_column(String(16))
    #: argon2id hash (PHC string)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    disabled: Mapped[bool] = mapped_column(default=False)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan",
                                                  passive_deletes=True)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    #: sha256 (hex) of the token's secret; the secret itself is shown once and never stored
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(back_populates="tokens")


class AuditEntry(Base):
    """One line of the append-only audit log: who (a user name, or ``cli``), when (UTC), what (an action, the
    patient code and visit date it concerns, counts). Never a clinical value."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    patient_code: Mapped[str | None] = mapped_column(String(64))
    visit_date: Mapped[dt.date | None] = mapped_column(Date)
    #: counts as canonical JSON ({"imported": 3, "rejected": 1}); never clinical values
    counts: Mapped[str | None] = mapped_column(Text)


class Setting(Base):
    __tablename__ = "registry_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class WebSession(Base):
    """A login session of the web app (migration 0002). Keyed by the SHA-256 (hex) of the session token, which
    only the browser holds. It ends at logout (the row is deleted), at ``expires_at`` (login + the session
    lifetime), or at ``idle_expires_at`` (the last request + ``idle_seconds``; ``last_seen_at`` is written at
    most once a minute, so idleness is measured to the minute). Removed with its user."""

    __tablename__ = "sessions"
    __table_args__ = (Index("ix_sessions_user_id", "user_id"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    idle_seconds: Mapped[int] = mapped_column(Integer)
    idle_expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class LoginThrottleEntry(Base):
    """Failed logins of one throttle key (migration 0003): ``user:`` or ``addr:`` and the SHA-256 (hex) of the
    lower-cased user name or of the client address, never the name or the address. ``failures`` in a row (a row
    whose last failure and lock are both past the window counts from 0 again), the first and the last of them, and
    ``locked_until``: no attempt with this key before then (NULL while fewer failures than the free ones)."""

    __tablename__ = "login_throttle"
    __table_args__ = (Index("ix_login_throttle_last_failure_at", "last_failure_at"),)

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    first_failure_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_failure_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
