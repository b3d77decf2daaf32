"""The app's SQLite database: one file in the app home, WAL, versioned migrations.

Every table (token ledger, conversations, benchmark runs) lives here; the schema
version is ``PRAGMA user_version`` and each migration moves it up by one.

Two connections, both with foreign keys on: writes go through one write connection
in short ``BEGIN IMMEDIATE`` transactions; reads use a read-only connection, which
in WAL mode never waits for a writer. Async callers write through :meth:`Store.arun`,
on the store's own writer thread, so an event loop never waits for the write lock
another process may hold.

Writes wait, they are not dropped: while another program holds the write lock past the
busy timeout, a write keeps retrying and tells :attr:`Store.waiting` listeners (a "waiting
for the database" note). A damaged file or a full disk is one line saying so; when the
WAL's shared memory can't be made (a full or read-only disk), the store opens read-only.
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
        self._closed = False
        # told from the writing thread: a one-line note when a write starts waiting for the lock, None once it has it
        self.waiting: list[Callable[[str | None], None]] = []
        self.read_only: str | None = None  # why writes can't be made (the store opened read-only), else None
        existed = self.path.exists()
        try:
            self.conn = self._connect()
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.OperationalError as e:
            if not existed or _is_locked(e):
                raise self.explain(e) from None
            self._open_read_only(e)
            return
        except sqlite3.DatabaseError as e:
            raise self.explain(e, opening=True) from None
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

    def _connect(self, uri: str | None = None) -> sqlite3.Connection:
        conn = sqlite3.connect(
            uri or self.path,
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
            isolation_level=None,
            uri=uri is not None,
        )
        conn.row_factory = sqlite3.Row
        return conn

    def _open_read_only(self, cause: sqlite3.OperationalError) -> None:
        """Open the intact file without its WAL (``immutable``): reads work on a disk that can't be written."""
        self.conn.close()
        self.read_only = str(self.explain(cause))
        try:
            self.conn = self.reader = self._connect(f"{self.path.resolve().as_uri()}?immutable=1")
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as e:
            raise self.explain(e, opening=True) from None
        if version != SCHEMA_VERSION:
            self.conn.close()
            raise StoreError(self.read_only)

    def _pragma(self, conn: sqlite3.Connection, *statements: str) -> None:
        try:
            for statement in statements:
                conn.execute(statement)
        except sqlite3.DatabaseError as e:
            raise self.explain(e) from None

    def explain(self, e: Exception, opening: bool = False) -> StoreError:
        """One line for an SQLite failure: locked, damaged, disk full, not ours, or as SQLite says."""
        text = str(e)
        if _is_locked(e):
            return StoreError(
                f"{self.path} is locked by another writer for over {BUSY_TIMEOUT_MS / 1000:.0f} s: "
                f"what is stored is intact; close the other program and retry"
            )
        if "malformed" in text or "disk image" in text:
            return StoreError(
                f"the database at {self.path} is damaged ({text}): move it aside, or run "
                f"`sqlite3 {self.path} .recover` to save what can be read"
            )
        if "full" in text or _disk_full(self.path):
            return StoreError(
                f"the disk holding {self.path} is full ({text}): free some space; what is stored is intact"
            )
        if opening or "not a database" in text:
            return StoreError(
                f"{self.path} is not a devsynth-tui database ({text}); it was left untouched: "
                f"move it aside or set DEVSYNTH_TUI_HOME to another folder"
            )
        if any(words in text for words in ("unable to open", "readonly", "I/O error")):
            return StoreError(f"{self.path} can't be written ({text}): check the folder's permissions and free space")
        return StoreError(f"{self.path}: {text}")

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
        """One write transaction (BEGIN IMMEDIATE ... COMMIT); rolled back on error. Keep it short.

        While another program holds the write lock, this waits (telling :attr:`waiting`) until it has it."""
        if self.read_only:
            raise StoreError(self.read_only)
        with self.lock:
            self._begin()
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException as e:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                if type(e) in _FILE_ERRORS:
                    raise self.explain(e) from None
                raise

    def _begin(self) -> None:
        """BEGIN IMMEDIATE, retried for as long as another connection holds the write lock."""
        waited = False
        try:
            while True:
                try:
                    self.conn.execute("BEGIN IMMEDIATE")  # waits up to the busy timeout itself
                    return
                except sqlite3.OperationalError as e:
                    if not _is_locked(e):
                        raise self.explain(e) from None
                if not waited:
                    waited = True
                    self._tell(
                        "waiting for the database: another program holds its write lock; the write is kept and "
                        f"made once it lets go ({self.path})"  # the path last: a narrow status line cuts it first
                    )
        finally:
            if waited:
                self._tell(None)

    def _tell(self, note: str | None) -> None:
        for listener in list(self.waiting):
            listener(note)

    def write(self, sql: str, params: tuple | dict = ()) -> int:
        """Run one statement in its own transaction; return lastrowid."""
        with self.transaction() as conn:
            return conn.execute(sql, params).lastrowid

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        """Read on the read connection: it sees every committed write and never waits for a writer."""
        with self._read_lock:
            try:
                return self.reader.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as e:
                if type(e) not in _FILE_ERRORS:
                    raise
                raise self.explain(e) from None

    async def arun(self, fn: Callable[..., T], /, *args: Any) -> T:
        """``fn(*args)`` (sync code writing through this store) on the store's writer thread.

        Writes run one at a time in the order asked; the caller's event loop stays free while
        another process holds the write lock. A cancelled caller does not undo the write: one
        still queued runs all the same.
        """
        import asyncio

        with self._writer_lock:  # not self.lock: the writer thread may hold it while it waits for the database
            if self._writer is None:
                from concurrent.futures import ThreadPoolExecutor

                self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="devsynth-db-writer")
            job = self._writer.submit(functools.partial(fn, *args))
        # shielded: cancelling the caller must not cancel the queued job (asyncio would, unshielded)
        done = asyncio.wrap_future(job)
        done.add_done_callback(lambda f: f.cancelled() or f.exception())  # seen even when the caller is gone
        return await asyncio.shield(done)

    async def awrite(self, sql: str, params: tuple | dict = ()) -> int:
        """:meth:`write` on the writer thread."""
        return await self.arun(self.write, sql, params)

    def close(self) -> None:
        """Finish queued writes (waiting for the lock if need be), then close both connections; twice is fine."""
        if self._closed:
            return
        self._closed = True
        if self._writer is not None:
            self._writer.shutdown(wait=True)
        with self.lock, self._read_lock:
            self.conn.close()
            self.reader.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# what the file or the disk causes (locked, damaged, full), as opposed to a statement's own fault (a constraint)
_FILE_ERRORS = (sqlite3.OperationalError, sqlite3.DatabaseError)


def _is_locked(e: Exception) -> bool:
    return "locked" in str(e) or "busy" in str(e)


def _disk_full(path: Path) -> bool:
    try:
        return os.statvfs(path.parent).f_bavail == 0
    except OSError:
        return False
