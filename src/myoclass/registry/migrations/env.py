"""Alembic environment of the registry: runs on the connection that myoclass.registry.db passes in
(``config.attributes["connection"]``, already inside the transaction it commits), or on
``sqlalchemy.url`` from the configuration when run by the ``alembic`` command itself."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from myoclass.registry.models import Base

target_metadata = Base.metadata


def run() -> None:
    config = context.config
    conn = config.attributes.get("connection")
    if conn is not None:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("set sqlalchemy.url (or use myoclass.registry.service.open_registry)")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(url)
    with engine.begin() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if getattr(context, "config", None) is not None:  # run by Alembic; a plain import (a test's walk) does nothing
    run()
