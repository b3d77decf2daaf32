"""SQLite as its authors intend: foreign keys on every connection, migrations as statement lists,
every earlier schema version upgraded with its rows intact, the ledger's period read inside the
insert, writes off the event loop while another process holds the write lock."""

import asyncio
import sqlite3
import threading
import time

import pytest
from conftest import REPO
from db_lock import WriteLockHolder

from devsynth_tui.services.store import database as store_module
from devsynth_tui.services.store.conversations import Conversations
from devsynth_tui.services.store.database import DB_NAME, SCHEMA_VERSION, Store, StoreError
from devsynth_tui.services.store.ledger import Ledger, LedgerRow

DUMPS = REPO / "tests" / "fixtures" / "databases"


def _restore(version: int, path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript((DUMPS / f"schema_v{version}.sql").read_text())
    conn.close()


def _rows(path) -> dict[str, list[dict]]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    out = {t: [dict(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY rowid")] for t in tables}
    conn.close()
    return out


def _shape(conn: sqlite3.Connection) -> dict:
    """Tables with their columns, and indexes with theirs: what a schema is, whitespace aside."""
    shape = {}
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        columns = [tuple(r) for r in conn.execute(f"PRAGMA table_info({name})")]
        keys = [tuple(r) for r in conn.execute(f"PRAGMA foreign_key_list({name})")]
        indexes = {
            r[1]: [c[2] for c in conn.execute(f"PRAGMA index_info({r[1]})")]
            for r in conn.execute(f"PRAGMA index_list({name})")
        }
        shape[name] = (columns, keys, indexes)
    return shape


def test_a_dump_of_every_released_version():
    assert sorted(p.name for p in DUMPS.glob("*.sql")) == [f"schema_v{v}.sql" for v in range(1, SCHEMA_VERSION + 1)]


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION + 1))
def test_every_earlier_version_upgrades_with_its_rows_intact(version, tmp_path):
    path = tmp_path / DB_NAME
    _restore(version, path)
    before = _rows(path)
    assert before["requests"], "the dump has sample rows"
    store = Store(path)
    assert store.query("PRAGMA user_version")[0][0] == SCHEMA_VERSION
    after = _rows(path)
    for table, rows in before.items():  # every row, every value it had (columns added since come beside them)
        assert [{k: row[k] for k in old} for row, old in zip(after[table], rows)] == rows, table
        assert len(after[table]) == len(rows), table
    fresh = Store(tmp_path / "fresh.db")
    assert _shape(store.conn) == _shape(fresh.conn)  # upgraded == created new: released migrations unchanged
    assert store.query("PRAGMA integrity_check")[0][0] == "ok" and store.query("PRAGMA foreign_key_check") == []
    # today's code reads the old rows and keeps writing beside them
    ledger = Ledger(store)
    assert ledger.report(all_time=True).requests == 3 and ledger.report().requests == 2  # period 2 is open
    ledger.record(LedgerRow("ask", prompt_tokens=9))
    assert [r["period_id"] for r in ledger.history(4)] == [2, 2, 2, 1]
    if version >= 2:
        messages = Conversations(store).messages(1)
        assert messages[1].content == "It doubles the delay each attempt, up to `max_delay`."
        assert messages[1].meta == {"stats": "52 tokens"}
    if version >= 4:
        assert Conversations(store).messages(2)[1].thinking == "first the sum, then the answer"
        assert ledger.report(session="a1b2c3d4e5f6").requests == 1


def test_foreign_keys_on_every_connection(tmp_path):
    store = Store(tmp_path / DB_NAME)
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.query("PRAGMA foreign_keys")[0][0] == 1
    conversation = store.write("INSERT INTO conversations(title, created, updated) VALUES ('t', 0, 0)")
    store.write("INSERT INTO messages(conversation_id, ts, role, body) VALUES (?, 0, 'user', x'00')", (conversation,))
    store.write("DELETE FROM conversations WHERE id = ?", (conversation,))
    assert store.query("SELECT COUNT(*) FROM messages")[0][0] == 0  # ON DELETE CASCADE does its work
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        store.write("INSERT INTO requests(ts, period_id, operation, status) VALUES (0, 999, 'ask', 'ok')")


def test_reads_cannot_write(tmp_path):
    store = Store(tmp_path / DB_NAME)
    with pytest.raises(StoreError, match="readonly"):
        store.query("INSERT INTO periods(started) VALUES (0)")


def test_a_migration_is_a_list_of_whole_statements(tmp_path, monkeypatch):
    """A semicolon inside a statement is no statement boundary."""
    migrations = [
        *store_module.MIGRATIONS,
        ["CREATE TABLE notes (body TEXT NOT NULL DEFAULT 'a; b')", "INSERT INTO notes DEFAULT VALUES"],
    ]
    monkeypatch.setattr(store_module, "MIGRATIONS", migrations)
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", len(migrations))
    store = Store(tmp_path / DB_NAME)
    assert store.query("SELECT body FROM notes")[0][0] == "a; b"
    assert store.query("PRAGMA user_version")[0][0] == len(migrations)


def test_a_row_lands_in_the_period_open_when_it_is_written(tmp_path):
    """A reset that commits while a row waits for the write lock: the row goes to the new period."""
    path = tmp_path / DB_NAME
    ledger = Ledger(Store(path))
    ledger.record(LedgerRow("ask", prompt_tokens=1))
    with WriteLockHolder(path) as holder:
        holder.lock()
        writer = threading.Thread(target=ledger.record, args=(LedgerRow("ask", prompt_tokens=2),))
        writer.start()
        time.sleep(0.3)  # the row now waits for the lock (a period read outside the insert happens before)
        holder.execute("UPDATE periods SET ended = 1 WHERE ended IS NULL")  # what `tokens reset` does
        holder.execute("INSERT INTO periods(started) VALUES (2)")
        holder.release()
        writer.join()
    assert ledger.report().prompt_tokens == 2  # counted in the period that was open when it was written
    assert ledger.report(all_time=True).prompt_tokens == 3


async def test_async_write_waits_off_the_event_loop(tmp_path):
    path = tmp_path / DB_NAME
    ledger = Ledger(Store(path))
    ledger.record(LedgerRow("ask", prompt_tokens=1))
    with WriteLockHolder(path) as holder:
        holder.lock()
        pending = asyncio.create_task(ledger.arecord(LedgerRow("chat", prompt_tokens=5)))
        await asyncio.sleep(0.3)  # had the write blocked the loop, this would return only after it
        assert not pending.done()
        assert [r["prompt_tokens"] for r in ledger.history()] == [1]  # reads don't wait for the writer
        holder.release()
        await pending
    assert [r["prompt_tokens"] for r in ledger.history()] == [5, 1]


async def test_async_write_waits_with_a_note_when_the_lock_outlasts_the_timeout(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 300)
    path = tmp_path / DB_NAME
    ledger = Ledger(Store(path))
    notes: list = []
    ledger.store.waiting.append(notes.append)
    with WriteLockHolder(path) as holder:
        holder.lock()
        pending = asyncio.create_task(ledger.arecord(LedgerRow("chat", prompt_tokens=5)))
        while not notes:  # past the busy timeout: the write says it waits, and is kept
            await asyncio.sleep(0.02)
        assert "\n" not in notes[0] and str(path) in notes[0] and not pending.done()
        assert ledger.history() == []
        holder.release()
        await pending
    assert notes[-1] is None and [r["prompt_tokens"] for r in ledger.history()] == [5]
