"""The app's SQLite database: one file in the app home, WAL, versioned migrations.

Every table (token ledger, conversations, benchmark runs) lives here; the schema
version is ``PRAGMA user_version`` and each migration moves it up by one.

Two connections, both with foreign keys on: writes go through one write connection
in short ``BEGIN IMMEDIATE`` transactions; reads use a read-only connection, which
in WAL mode never waits for a writer. Async callers write through :meth:`Store.arun`,
on the store's own writer thread, so an event loop never waits for the write lock
another process may hold.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from devsynth_tui.services.errors import ServiceError

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

DB_NAME = "devsynth.db"
BUSY_TIMEOUT_MS = 3000
T = TypeVar("T")

# One list of statements per schema version: MIGRATIONS[n] moves user_version from n to n + 1.
# Never edit a released entry (tests build every earlier version from these lists); append a new one.
MIGRATIONS: list[list[str]] = [
    [  # 1: token ledger with reset periods
        "CREATE TABLE periods (id INTEGER PRIMARY KEY, started REAL NOT NULL, ended REAL)",
        """CREATE TABLE requests (
            id INTEGER PRIMARY KEY,
            ts REAL NOT NULL,
            period_id INTEGER NOT NULL REFERENCES periods(id),
            operation TEXT NOT NULL,
            model TEXT, backend TEXT,
            prompt_tokens INTEGER NOT NULL DEFAULT 0,
            completion_tokens INTEGER NOT NULL DEFAULT 0,
            total_tokens INTEGER NOT NULL DEFAULT 0,
            est_prompt_tokens INTEGER, tokens_before INTEGER,
            tokens_saved INTEGER NOT NULL DEFAULT 0,
            cost REAL NOT NULL DEFAULT 0,
            ttft REAL, tps REAL, duration REAL,
            status TEXT NOT NULL, error TEXT,
            usage_source TEXT NOT NULL DEFAULT 'server',
            cached INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX requests_period ON requests(period_id)",
        "CREATE INDEX requests_ts ON requests(ts)",
    ],
    [  # 2: stored conversations; message bodies zlib-compressed when `compressed` is 1
        "CREATE TABLE conversations (id INTEGER PRIMARY KEY, title TEXT NOT NULL, created REAL NOT NULL, updated REAL "
        "NOT NULL)",
        """CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            ts REAL NOT NULL, role TEXT NOT NULL, body BLOB NOT NULL, compressed INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'ok', meta TEXT
        )""",
        "CREATE INDEX messages_conversation ON messages(conversation_id)",
    ],
    [  # 3: benchmark runs; `data` is the run as JSON with its own "schema" number
        """CREATE TABLE bench_runs (
            id INTEGER PRIMARY KEY, started REAL NOT NULL, status TEXT NOT NULL,
            server TEXT, model TEXT, config_hash TEXT, data TEXT NOT NULL
        )""",
    ],
    [  # 4: thinking models (thinking tokens, time to the first answer token, an answer's thinking text);
        #    the front-end session a request came from
        "ALTER TABLE requests ADD COLUMN reasoning_tokens INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE requests ADD COLUMN ttft_answer REAL",
        "ALTER TABLE requests ADD COLUMN session TEXT",
        "CREATE INDEX requests_session ON requests(session)",
        "ALTER TABLE messages ADD COLUMN thinking BLOB",
    ],
    [  # 5: the advisor's usage by operation and model reads this index alone (no sort of the rows)
        "CREATE INDEX requests_usage ON requests(operation, model, ts, total_tokens)",
    ],
    [  # 6: tokens before and after each optimization stage of a request
        """CREATE TABLE request_stages (
            request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
            stage TEXT NOT NULL, tokens_before INTEGER NOT NULL, tokens_after INTEGER NOT NULL
        )""",
        "CREATE INDEX request_stages_request ON request_stages(request_id)",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(ServiceError):
    """The database can't be used; the message says which file and what to do."""


def db_path(home: Path) -> Path:
    return home / DB_NAME


class Store:
    """The app database, migrated on open; thread-safe."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.lock = threading.RLock()  # the write connection
        self._read_lock = threading.Lock()
        self._writer: ThreadPoolExecutor | None = None  # a one-thread executor, made on first use
        self._writer_lock = threading.Lock()
        existed = self.path.exists()
        try:
            self.conn = self._connect()
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as e:
            raise StoreError(
                f"{self.path} is not a devsynth-tui database ({e}); it was left untouched: "
                f"move it aside or set DEVSYNTH_TUI_HOME to another folder"
            ) from None
        if version > SCHEMA_VERSION:
            self.conn.close()
            raise StoreError(
                f"{self.path} has schema version {version}, newer than this devsynth-tui understands "
                f"({SCHEMA_VERSION}); it was left untouched: upgrade devsynth-tui"
            )
        if not existed:
            os.chmod(self.path, 0o600)
        self._pragma(self.conn, "PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")
        # migrations run before foreign keys are on, as SQLite's table-rebuild procedure requires
        self._migrate(version)
        self._pragma(self.conn, "PRAGMA foreign_keys=ON")
        self.reader = self._connect()
        self._pragma(self.reader, "PRAGMA foreign_keys=ON", "PRAGMA query_only=ON")

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, isolation_level=None)
        conn.row_factory = sqlite3.Row
        return conn

    def _pragma(self, conn: sqlite3.Connection, *statements: str) -> None:
        try:
            for statement in statements:
                conn.execute(statement)
        except sqlite3.OperationalError as e:
            raise self.locked_error(e) from None

    def locked_error(self, e: Exception) -> StoreError:
        if "locked" in str(e) or "busy" in str(e):
            return StoreError(
                f"{self.path} is locked by another writer for over {BUSY_TIMEOUT_MS / 1000:.0f} s: this "
                f"write was not made (what is stored is intact); close the other program and retry"
            )
        return StoreError(f"{self.path}: {e}")

    def _migrate(self, version: int) -> None:
        for number in range(version, SCHEMA_VERSION):
            with self.transaction() as conn:
                # re-read: another process may have migrated meanwhile
                if conn.execute("PRAGMA user_version").fetchone()[0] > number:
                    continue
                for statement in MIGRATIONS[number]:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version={number + 1}")

    @contextlib.contextmanager
    def transaction(self):
        """One write transaction (BEGIN IMMEDIATE ... COMMIT); rolled back on error. Keep it short."""
        with self.lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException as e:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                if isinstance(e, sqlite3.OperationalError):
                    raise self.locked_error(e) from None
                raise

    def write(self, sql: str, params: tuple | dict = ()) -> int:
        """Run one statement in its own transaction; return lastrowid."""
        with self.transaction() as conn:
            return conn.execute(sql, params).lastrowid

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        """Read on the read connection: it sees every committed write and never waits for a writer."""
        with self._read_lock:
            try:
                return self.reader.execute(sql, params).fetchall()
            except sqlite3.OperationalError as e:
                raise self.locked_error(e) from None

    async def arun(self, fn: Callable[..., T], /, *args: Any) -> T:
        """``fn(*args)`` (sync code writing through this store) on the store's writer thread.

        Writes run one at a time in the order asked; the caller's event loop stays free while
        another process holds the write lock. A cancelled caller does not undo the write.
        """
        import asyncio

        with self._writer_lock:  # not self.lock: the writer thread may hold it while it waits for the database
            if self._writer is None:
                from concurrent.futures import ThreadPoolExecutor

                self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="devsynth-db-writer")
        return await asyncio.get_running_loop().run_in_executor(self._writer, functools.partial(fn, *args))

    async def awrite(self, sql: str, params: tuple | dict = ()) -> int:
        """:meth:`write` on the writer thread."""
        return await self.arun(self.write, sql, params)

    def close(self) -> None:
        """Finish queued writes, then close both connections."""
        if self._writer is not None:
            self._writer.shutdown(wait=True)
        with self.lock, self._read_lock:
            self.conn.close()
            self.reader.close()
