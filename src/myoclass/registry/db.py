"""Where the registry lives and how it is opened: the URL, the engine (SQLite settings), the migrations.

- **Location.** ``$MYOCLASS_DATABASE_URL`` when set (``postgresql+psycopg://user:pw@host:5432/db``), else a
  SQLite file ``registry.sqlite3`` in ``$MYOCLASS_DATA_DIR``, else in ``$XDG_DATA_HOME/myoclass`` (by default
  ``~/.local/share/myoclass``). The folder and the file are created on first use (the folder private to the
  user).
- **SQLite.** WAL journal (readers never wait for the writer), foreign keys on, a 30 s busy timeout,
  ``synchronous=FULL`` (a committed batch survives a power cut). Write transactions begin with
  ``BEGIN IMMEDIATE``, so two writers queue on the lock instead of failing on an upgrade from read to write.
- **PostgreSQL.** psycopg 3 (the ``postgres`` extra). Migrations take an advisory lock, so processes opening
  a new registry at the same moment migrate it once.
- **Migrations.** Alembic scripts shipped in ``myoclass/registry/migrations``, run to the head on every
  open from a configuration built here (no ``alembic.ini``).
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session

from myoclass.errors import RegistryError, RegistryUnavailable

__all__ = ["MIGRATIONS", "Database", "data_dir", "default_url", "masked", "sqlite_path_of"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: the PostgreSQL advisory lock key held while migrating ("myoclass" in ASCII, truncated to 63 bits)
_MIGRATE_LOCK = 0x6D796F636C617373
_WRITE = "myoclass_write"
BUSY_TIMEOUT_MS = 30_000


def data_dir() -> Path:
    """``$MYOCLASS_DATA_DIR``, else ``$XDG_DATA_HOME/myoclass``, else ``~/.local/share/myoclass``."""
    if os.environ.get("MYOCLASS_DATA_DIR"):
        return Path(os.environ["MYOCLASS_DATA_DIR"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / "myoclass"


def default_url() -> str:
    """``$MYOCLASS_DATABASE_URL`` when set, else the SQLite file ``registry.sqlite3`` in :func:`data_dir`."""
    url = os.environ.get("MYOCLASS_DATABASE_URL", "").strip()
    if url:
        return url
    return f"sqlite:///{data_dir() / 'registry.sqlite3'}"


def masked(url: str) -> str:
    """The URL with its password hidden (safe to print)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return re.sub(r"//[^@/]*@", "//***@", url)


def sqlite_path_of(url: str) -> Path | None:
    """The file of a SQLite URL (None for another back end or an in-memory database)."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # the driver's own transaction handling off: BEGIN is ours (deferred, or IMMEDIATE for writes)
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = FULL")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


def _create_private(path: Path) -> None:
    """A new SQLite file created readable by its owner only (0600), whatever the folder's mode and the umask: the
    registry holds clinical findings, and a folder that already existed (``MYOCLASS_DATA_DIR``) may be readable by
    others. SQLite takes an empty file as an empty database, and gives its journal files the same mode. An existing
    file is left as it is."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError as e:
        raise RegistryUnavailable(f"cannot create the registry file {path}: {e.strerror}") from None


class Database:
    """An engine and its sessions. ``write()`` is a session in a write transaction (IMMEDIATE on SQLite),
    ``read()`` one for reading; both commit on success and roll back on an exception."""

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            u = make_url(url)
        except ArgumentError:
            raise RegistryError(f"database URL: {masked(url)!r} is not a database URL; allowed: sqlite:///PATH or "
                                "postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE") from None
        self.backend = u.get_backend_name()
        if self.backend not in ("sqlite", "postgresql"):
            raise RegistryError(f"database URL: the back end {self.backend!r} is not supported; allowed: sqlite, "
                                "postgresql (postgresql+psycopg://...)")
        kwargs: dict[str, Any] = {}
        if self.backend == "sqlite":
            path = sqlite_path_of(url)
            if path is not None:
                try:
                    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                except OSError as e:
                    raise RegistryUnavailable(f"cannot create the registry folder {path.parent}: {e.strerror}") from None
                _create_private(path)
            kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        else:
            if u.drivername == "postgresql":  # plain postgresql:// means psycopg 3 here, not psycopg2
                u = u.set(drivername="postgresql+psycopg")
            kwargs["pool_pre_ping"] = True
        try:
            self.engine: Engine = create_engine(u, **kwargs)
        except (NoSuchModuleError, ImportError) as e:
            raise RegistryUnavailable(f"the database driver for {self.backend} is not installed ({e}); PostgreSQL "
                                      "needs the 'postgres' extra: pip install 'myoclass[postgres]'") from None
        if self.backend == "sqlite":
            event.listen(self.engine, "connect", _sqlite_connect)
            event.listen(self.engine, "begin", _sqlite_begin)
        self._write_engine = self.engine.execution_options(**{_WRITE: True})

    @contextmanager
    def write(self) -> Iterator[Session]:
        with Session(self._write_engine, expire_on_commit=False) as s, s.begin():
            yield s

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            yield s

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        with self._write_engine.begin() as conn:
            yield conn

    def migrate(self) -> None:
        """Upgrade the schema to the head revision (nothing to do when it is there already)."""
        try:
            if self.revision() == head_revision():
                return
            with self.write_connection() as conn:
                if self.backend == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATE_LOCK})
                _upgrade(conn)
        except (SQLAlchemyError, sqlite3.Error, OSError) as e:
            raise RegistryUnavailable(f"cannot open the registry at {masked(self.url)}: {_reason(e)}") from None

    def revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            rev = MigrationContext.configure(conn).get_current_revision()
            conn.rollback()
        return rev

    def dispose(self) -> None:
        self.engine.dispose()


def _reason(e: BaseException) -> str:
    """The first line of a database error, without SQL or parameters."""
    orig = getattr(e, "orig", None) or e
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0][:300]


def _config() -> Any:
    """A new Alembic configuration (one per run: it carries the connection)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


@lru_cache(maxsize=1)
def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def _upgrade(conn: Connection) -> None:
    from alembic import command

    cfg = _config()
    cfg.attributes["connection"] = conn
    try:
        command.upgrade(cfg, "head")
    finally:
        cfg.attributes.pop("connection", None)
