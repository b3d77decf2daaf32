"""The app's SQLite database: one file in the app home, WAL, versioned migrations.

Every table (token ledger, conversations, benchmark runs) lives here; the schema
version is ``PRAGMA user_version`` and each migration moves it up by one.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from pathlib import Path

from devsynth_tui.services.errors import ServiceError

DB_NAME = "devsynth.db"
BUSY_TIMEOUT_MS = 3000

MIGRATIONS: list[str] = [
    # 1: token ledger with reset periods
    """
    CREATE TABLE periods (id INTEGER PRIMARY KEY, started REAL NOT NULL, ended REAL);
    CREATE TABLE requests (
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
    );
    CREATE INDEX requests_period ON requests(period_id);
    CREATE INDEX requests_ts ON requests(ts);
    """,
    # 2: stored conversations; message bodies zlib-compressed when `compressed` is 1
    """
    CREATE TABLE conversations (id INTEGER PRIMARY KEY, title TEXT NOT NULL, created REAL NOT NULL, updated REAL NOT NULL);
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        ts REAL NOT NULL, role TEXT NOT NULL, body BLOB NOT NULL, compressed INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'ok', meta TEXT
    );
    CREATE INDEX messages_conversation ON messages(conversation_id);
    """,
    # 3: benchmark runs; `data` is the run as JSON with its own "schema" number
    """
    CREATE TABLE bench_runs (
        id INTEGER PRIMARY KEY, started REAL NOT NULL, status TEXT NOT NULL,
        server TEXT, model TEXT, config_hash TEXT, data TEXT NOT NULL
    );
    """,
    # 4: thinking models (thinking tokens, time to the first answer token, an answer's thinking text);
    #    the front-end session a request came from
    """
    ALTER TABLE requests ADD COLUMN reasoning_tokens INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE requests ADD COLUMN ttft_answer REAL;
    ALTER TABLE requests ADD COLUMN session TEXT;
    CREATE INDEX requests_session ON requests(session);
    ALTER TABLE messages ADD COLUMN thinking BLOB;
    """,
    # 5: tokens before and after each optimization stage of a request
    """
    CREATE TABLE request_stages (
        request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
        stage TEXT NOT NULL, tokens_before INTEGER NOT NULL, tokens_after INTEGER NOT NULL
    );
    CREATE INDEX request_stages_request ON request_stages(request_id);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(ServiceError):
    """The database can't be used; the message says which file and what to do."""


def db_path(home: Path) -> Path:
    return home / DB_NAME


class Store:
    """A thread-safe connection to the app database, migrated on open."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.lock = threading.RLock()
        existed = self.path.exists()
        try:
            self.conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, isolation_level=None)
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
        self.conn.row_factory = sqlite3.Row
        if not existed:
            os.chmod(self.path, 0o600)
        self._pragma()
        self._migrate(version)

    def _pragma(self) -> None:
        try:
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        except sqlite3.OperationalError as e:
            raise self.locked_error(e) from None

    def locked_error(self, e: Exception) -> StoreError:
        if "locked" in str(e) or "busy" in str(e):
            return StoreError(f"{self.path} is locked by another writer for over {BUSY_TIMEOUT_MS / 1000:.0f} s; "
                              f"close the other program and retry (nothing was lost)")
        return StoreError(f"{self.path}: {e}")

    def _migrate(self, version: int) -> None:
        for number in range(version, SCHEMA_VERSION):
            with self.transaction() as conn:
                # re-read: another process may have migrated meanwhile
                if conn.execute("PRAGMA user_version").fetchone()[0] > number:
                    continue
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version={number + 1}")

    @contextlib.contextmanager
    def transaction(self):
        """One write transaction (BEGIN IMMEDIATE ... COMMIT); rolled back on error."""
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
        with self.lock:
            try:
                return self.conn.execute(sql, params).fetchall()
            except sqlite3.OperationalError as e:
                raise self.locked_error(e) from None

    def close(self) -> None:
        with self.lock:
            self.conn.close()
