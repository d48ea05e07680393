"""The patient registry: visits over years, their assessments, users and an append-only audit log.

Needs the ``web`` extra (SQLAlchemy, Alembic, argon2-cffi); PostgreSQL also the ``postgres`` extra. The
operations are in :mod:`myoclass.registry.service`, the tables in :mod:`myoclass.registry.models`, and the
documentation in ``docs/registry.md``. Importing this package imports nothing else.
"""
