"""The database: engine (SQLite with WAL by default, PostgreSQL by URL), sessions, migrate-on-start.

Two flavours of one engine (one pool): `make_engine` gives write transactions — on SQLite they start with
BEGIN IMMEDIATE, so that concurrent writers queue on the busy timeout instead of failing with "database is
locked" when a read transaction turns into a write — and `reader(engine)` gives read-only transactions:
a deferred BEGIN under `PRAGMA query_only` on SQLite (in WAL a reader never waits for the write lock nor
holds it), `READ ONLY` on PostgreSQL. A write through a reader fails at once instead of taking the lock.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, event, inspect
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session, create_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_READS = "capsched_reads"  # the execution option that marks the read flavour of an engine


@dataclass(frozen=True, slots=True)
class PoolSize:
    """How many connections an engine keeps (size), may add (overflow), and how long a checkout may wait;
    `busy_seconds`: how long a writer waits for another writer's lock (SQLite busy timeout, PostgreSQL
    lock_timeout)."""

    size: int = 5
    overflow: int = 10
    timeout: float = 30.0
    busy_seconds: float = 5.0


def server_pool(*, request_threads: int, background_threads: int, wait_seconds: float) -> PoolSize:
    """The pool of a server: a connection for every request thread and background thread, one for the
    sign-in cache and one for the health check; no overflow, so the database sees at most that many."""
    size = request_threads + background_threads + 2
    return PoolSize(size=size, overflow=0, timeout=wait_seconds, busy_seconds=wait_seconds)


def make_engine(url: str, pool: PoolSize = PoolSize()) -> Engine:
    """An engine for `url` whose transactions are writes (see `reader` for reads); for SQLite files: WAL
    journal, foreign keys on, writers wait `busy_seconds` for each other."""
    sizing = {"pool_size": pool.size, "max_overflow": pool.overflow, "pool_timeout": pool.timeout}
    if not url.startswith("sqlite"):
        engine = create_engine(url, pool_pre_ping=True, **sizing)

        @event.listens_for(engine, "connect")
        def _on_pg_connect(dbapi_connection, _record) -> None:
            # a writer waiting longer than busy_seconds for another's row or table lock gives up (503)
            dbapi_connection.execute(f"SET lock_timeout = {round(pool.busy_seconds * 1000)}")
            dbapi_connection.commit()

        @event.listens_for(engine, "begin")
        def _on_pg_begin(connection) -> None:
            # a statement, not psycopg's read_only flag: that flag, reset when the connection goes back to the
            # pool, would make every later write an explicit READ WRITE, overriding a read-only server
            if connection.get_execution_options().get(_READS):
                connection.exec_driver_sql("SET TRANSACTION READ ONLY")

        return engine
    busy_ms = round(pool.busy_seconds * 1000)
    memory = url in ("sqlite://", "sqlite:///:memory:")
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": pool.busy_seconds},
        **({} if memory else sizing),
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":  # set once, kept by the file
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        if connection.get_execution_options().get(_READS):
            connection.exec_driver_sql("PRAGMA query_only=1")
            connection.exec_driver_sql("BEGIN DEFERRED")
        else:
            connection.exec_driver_sql("PRAGMA query_only=0")
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def reader(engine: Engine) -> Engine:
    """The same engine (the same pool) for read-only transactions: they never take SQLite's write lock and
    never wait for it; a write through it is refused by the database."""
    return engine.execution_options(**{_READS: True})


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@cache
def head_revision() -> str | None:
    """The newest migration this code knows (read from the scripts once per process)."""
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at (None before the first)."""
    with reader(engine).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the newest Alembic revision and give every table its data-version
    triggers (safe to call on every start; writes nothing when the schema is already the newest and has
    them, so a server can start on a read-only database)."""
    if current_revision(engine) == head_revision():
        with reader(engine).connect() as connection:
            if not missing_version_triggers(connection):
                return
    config = _alembic_config()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # a migration that rebuilds a table must not cascade its drop (no-op inside a transaction)
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                ensure_version_triggers(connection)
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise RuntimeError("a migration left rows whose foreign keys point nowhere")
        finally:
            if sqlite:
                connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")


# ── the data version: counters every write raises, in the writing transaction ──────────────────────
#
# Every table but the counters' own has triggers raising a counter of data_version when a row is inserted,
# updated or deleted, so the counters move with every committed write whoever makes it (this server, another
# server process, the command line, a migration), in the same transaction: a reader that reads the versions
# first and then the data sees data at least as new as those versions. Two counters: WORK for the tables of
# background work (runs and jobs, whose progress is written every half second while they run) and DATA for
# every other table, so a solve's progress does not make every kept answer about the portfolio stale. On
# PostgreSQL the triggers are deferred to the commit (the counter's row lock is the last lock a transaction
# takes, so it cannot deadlock with row locks taken earlier) and raise a counter once per transaction.

VERSION_TABLE = "data_version"
DATA, WORK = 1, 2  # the counters (rows of data_version)
WORK_TABLES = frozenset({"run", "job"})
_UNVERSIONED = {VERSION_TABLE, "alembic_version"}
_SQLITE_EVENTS = {"ins": "INSERT", "upd": "UPDATE", "del": "DELETE"}
_PREFIX = {DATA: VERSION_TABLE, WORK: f"{VERSION_TABLE}_work"}  # of the triggers' names
_PG_BUMP = {DATA: "capsched_bump_data_version", WORK: "capsched_bump_work_version"}
VERSIONS_SQL = f"SELECT version FROM {VERSION_TABLE} WHERE id IN ({DATA}, {WORK}) ORDER BY id"


def data_version(connection: Connection) -> int:
    """The DATA version (every table but runs and jobs) as seen by `connection`'s transaction."""
    return connection.exec_driver_sql(f"SELECT version FROM {VERSION_TABLE} WHERE id = {DATA}").scalar_one()


def versions(connection: Connection) -> tuple[int, int]:
    """The DATA and WORK versions as seen by `connection`'s transaction, in one statement."""
    data, work = connection.exec_driver_sql(VERSIONS_SQL).scalars()
    return data, work


def _counter(table: str) -> int:
    return WORK if table in WORK_TABLES else DATA


def _versioned_tables(connection: Connection) -> list[str]:
    names = inspect(connection).get_table_names()
    return sorted(n for n in names if n not in _UNVERSIONED and not n.startswith("sqlite_"))


def _wanted_triggers(connection: Connection) -> dict[str, str]:
    """Trigger name → the table it belongs on."""
    tables = _versioned_tables(connection)
    if connection.dialect.name == "sqlite":
        return {f"{_PREFIX[_counter(t)]}_{t}_{e}": t for t in tables for e in _SQLITE_EVENTS}
    return {f"{_PREFIX[_counter(t)]}_{t}": t for t in tables}


def _present_triggers(connection: Connection) -> dict[str, str]:
    """Every trigger of the schema: its name → its table."""
    if connection.dialect.name == "sqlite":
        found = connection.exec_driver_sql("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
    else:
        found = connection.exec_driver_sql(
            "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())"
        )
    return {name: table for name, table in found}


def missing_version_triggers(connection: Connection) -> list[str]:
    """The data-version triggers some table lacks (empty when every table has them)."""
    if VERSION_TABLE not in inspect(connection).get_table_names():
        return [VERSION_TABLE]
    present = _present_triggers(connection)
    return sorted(name for name in _wanted_triggers(connection) if name not in present)


def ensure_version_triggers(connection: Connection) -> None:
    """Create the data-version triggers a table lacks (inside the caller's transaction)."""
    wanted = _wanted_triggers(connection)
    missing = [name for name in missing_version_triggers(connection) if name in wanted]
    if not missing:
        return
    if connection.dialect.name == "sqlite":
        for name in missing:
            table, event_name = wanted[name], _SQLITE_EVENTS[name.rsplit("_", 1)[1]]
            bump = f"UPDATE {VERSION_TABLE} SET version = version + 1 WHERE id = {_counter(table)}"
            connection.exec_driver_sql(
                f'CREATE TRIGGER IF NOT EXISTS "{name}" AFTER {event_name} ON "{table}" BEGIN {bump}; END'
            )
        return
    for counter, function in _PG_BUMP.items():
        connection.exec_driver_sql(
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"UPDATE {VERSION_TABLE} SET version = version + 1, txid = txid_current() "
            f"WHERE id = {counter} AND txid IS DISTINCT FROM txid_current(); RETURN NULL; END $$"
        )
    for name in missing:
        table = wanted[name]
        connection.exec_driver_sql(
            f'CREATE CONSTRAINT TRIGGER "{name}" AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
            f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {_PG_BUMP[_counter(table)]}()"
        )


def drop_version_triggers(connection: Connection, tables: Collection[str] | None = None) -> None:
    """Remove the data-version triggers (of `tables`, default every table; with every table, the
    PostgreSQL functions too) — for the migrations. Found by their name's prefix, so triggers named by
    an earlier revision go too."""
    for name, table in _present_triggers(connection).items():
        if name.startswith(VERSION_TABLE) and (tables is None or table in tables):
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
            else:
                connection.exec_driver_sql(f'DROP TRIGGER "{name}" ON "{table}"')
    if connection.dialect.name != "sqlite" and tables is None:
        for function in _PG_BUMP.values():
            connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function}()")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error (for workers and the CLI)."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# SQLite result codes (the low byte of an extended code) and PostgreSQL SQLSTATEs, by what they mean here
_SQLITE_IOERR = 10
_SQLITE_PAGE_BYTES = 4096
_SQLITE_REFUSALS = {13: "full", 8: "read_only", 5: "busy", 6: "busy", 14: "unreachable"}
_PG_REFUSALS = {"53100": "full", "25006": "read_only", "55P03": "busy", "40001": "busy", "40P01": "busy",
                "53300": "busy", "57P01": "unreachable", "57P03": "unreachable"}  # fmt: skip
_OS_REFUSALS = {errno.ENOSPC: "full", errno.EDQUOT: "full", errno.EROFS: "read_only"}


def refusal(err: BaseException, database: str | None = None) -> str | None:
    """Why the database (or the disk) could not do the work, when it is a condition of the server and not a
    mistake in the request or a bug: "full", "read_only", "busy" or "unreachable"; None otherwise.
    `database`: the SQLite file, whose disk is looked at when SQLite reports only "disk I/O error" (as it
    does when the disk fills up while it maps or grows its shared-memory file)."""
    if isinstance(err, PoolTimeout):
        return "busy"  # no connection came free in time
    if isinstance(err, OSError):
        return _OS_REFUSALS.get(err.errno)
    if not isinstance(err, DBAPIError):
        return None
    orig = err.orig
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        if code & 0xFF == _SQLITE_IOERR:
            return "full" if database and _disk_full(database) else "unreachable"
        return _SQLITE_REFUSALS.get(code & 0xFF)
    state = getattr(orig, "sqlstate", None)
    if state in _PG_REFUSALS:
        return _PG_REFUSALS[state]
    if (state is not None and state.startswith("08")) or err.connection_invalidated:
        return "unreachable"  # a connection exception
    return None


def _disk_full(path: str) -> bool:
    """Whether the filesystem holding `path` has less than one database page free."""
    try:
        found = os.statvfs(Path(path).resolve().parent)
    except OSError:
        return False
    return found.f_bavail * found.f_frsize < _SQLITE_PAGE_BYTES


def is_unique_violation(err: IntegrityError, table: str, *columns: str) -> bool:
    """Whether `err` is a unique-constraint violation on `table` (on SQLite: on exactly those columns), as
    opposed to any other refusal of the database (a trigger, a check, a foreign key)."""
    orig = err.orig
    state = getattr(orig, "sqlstate", None)
    if state is not None:  # PostgreSQL (psycopg): SQLSTATE 23505 and the table it names
        return state == "23505" and getattr(getattr(orig, "diag", None), "table_name", None) == table
    text = str(orig)
    return text.startswith("UNIQUE constraint failed") and all(f"{table}.{c}" in text for c in columns)
