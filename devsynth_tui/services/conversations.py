"""Stored conversations: list, reopen, rename, delete; message bodies compressed with zlib."""

from __future__ import annotations

import json
import time
import zlib
from dataclasses import dataclass, field

from devsynth_tui.services.store import Store


@dataclass
class Message:
    role: str  # user | assistant
    content: str
    ts: float = field(default_factory=time.time)
    status: str = "ok"  # ok | cancelled | error
    meta: dict = field(default_factory=dict)  # stats shown under an answer


@dataclass
class Conversation:
    id: int
    title: str
    updated: float


class Conversations:
    """Conversations in the app database."""

    def __init__(self, store: Store, level: int | None = 6):
        self.store, self.level = store, level

    def create(self, title: str = "New conversation") -> int:
        now = time.time()
        return self.store.write("INSERT INTO conversations(title, created, updated) VALUES (?, ?, ?)", (title, now, now))

    def list(self) -> list[Conversation]:
        rows = self.store.query("SELECT id, title, updated FROM conversations ORDER BY updated DESC, id DESC")
        return [Conversation(r["id"], r["title"], r["updated"]) for r in rows]

    def rename(self, conversation_id: int, title: str) -> None:
        title = " ".join(title.split())[:80]
        if not title:
            raise ValueError("a conversation title can't be empty")
        self.store.write("UPDATE conversations SET title = ? WHERE id = ?", (title, conversation_id))

    def delete(self, conversation_id: int) -> None:
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM messages WHERE conversation_id = ?", (conversation_id,))
            conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    def add(self, conversation_id: int, message: Message) -> int:
        """Append a message (one transaction: the message and the conversation's time)."""
        raw = message.content.encode()
        body, compressed = (zlib.compress(raw, self.level), 1) if self.level else (raw, 0)
        with self.store.transaction() as conn:
            conn.execute("UPDATE conversations SET updated = ? WHERE id = ?", (message.ts, conversation_id))
            return conn.execute(
                "INSERT INTO messages(conversation_id, ts, role, body, compressed, status, meta) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (conversation_id, message.ts, message.role, body, compressed, message.status, json.dumps(message.meta)),
            ).lastrowid

    def messages(self, conversation_id: int) -> list[Message]:
        rows = self.store.query("SELECT * FROM messages WHERE conversation_id = ? ORDER BY id", (conversation_id,))
        return [
            Message(r["role"], (zlib.decompress(r["body"]) if r["compressed"] else bytes(r["body"])).decode(),
                    r["ts"], r["status"], json.loads(r["meta"] or "{}"))
            for r in rows
        ]
