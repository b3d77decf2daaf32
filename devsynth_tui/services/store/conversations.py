"""Conversations (DESIGN rule 9): stored turns and the history policy (services.requests runs the exchanges).

A conversation is not context. Its turns are sent as alternating user/assistant
messages under a policy of their own: the newest exchange whole, older turns
whole while the budget allows, then summarized (when ``summarization`` is a
pruning strategy) or dropped oldest first. Files are what relevance, recency and
priority prune. Thinking is stored and shown, never sent back to the model.
"""

from __future__ import annotations

import builtins
import json
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from devsynth_tui.services.context.items import StageReport
from devsynth_tui.services.context.token_accounting import count_tokens
from devsynth_tui.services.store.database import Store
from devsynth_tui.services.store.ledger import RequestStatus
from devsynth_tui.services.wording import things

MESSAGE_FRAMING = 4  # tokens a chat template adds around each message (estimate)
MIN_SUMMARY_TOKENS = 48  # a budget left for a summary below this is not worth a model call
SUMMARY_SHARE = 4  # with older turns to summarize, 1/4 of the history budget is kept for the summary
CUT_SHORT = {"cancelled": "cancelled by the user", "partial": "the connection failed", "error": "the request failed"}

Summarizer = Callable[[str, int], Awaitable[str]]


@dataclass
class Message:
    """One stored turn. ``status`` is the answer's: ok | cancelled | partial | error."""

    role: str  # user | assistant
    content: str
    ts: float = field(default_factory=time.time)
    status: RequestStatus = "ok"
    meta: dict = field(default_factory=dict)  # stats shown under an answer
    thinking: str = ""


@dataclass
class Conversation:
    id: int
    title: str
    updated: float
    messages: int = 0


def _pack(text: str, level: int | None) -> tuple[bytes, int]:
    raw = text.encode()
    return (zlib.compress(raw, level), 1) if level else (raw, 0)


def _unpack(body: bytes | None, compressed: int) -> str:
    if not body:
        return ""
    return (zlib.decompress(body) if compressed else bytes(body)).decode()


class Conversations:
    """Conversations in the app database; message bodies zlib-compressed (``disk.compression``)."""

    def __init__(self, store: Store, level: int | None = 6):
        self.store, self.level = store, level

    def create(self, title: str = "New conversation") -> int:
        with self.store.transaction() as conn:
            return self._create(conn, title, time.time())

    def start(self, title: str, first: Message) -> int:
        """A new conversation with its first message, in one transaction: never one left without it. It dates from
        that message (which a write lock held elsewhere may have kept waiting)."""
        with self.store.transaction() as conn:
            conversation_id = self._create(conn, title, first.ts)
            self._insert(conn, conversation_id, first)
        return conversation_id

    @staticmethod
    def _create(conn, title: str, now: float) -> int:
        title = " ".join(title.split())[:60] or "New conversation"
        return conn.execute(
            "INSERT INTO conversations(title, created, updated) VALUES (?, ?, ?)", (title, now, now)
        ).lastrowid

    def list(self) -> list[Conversation]:
        """Most recently updated first, with their message counts."""
        return self._select("GROUP BY c.id ORDER BY c.updated DESC, c.id DESC", ())

    def get(self, conversation_id: int) -> Conversation | None:
        """One conversation (its row alone is read: this runs on the event loop, whatever the number stored)."""
        found = self._select("WHERE c.id = ? GROUP BY c.id", (conversation_id,))
        return found[0] if found else None

    def _select(self, rest: str, params: tuple) -> builtins.list[Conversation]:  # builtins: this class has a list()
        rows = self.store.query(
            "SELECT c.id, c.title, c.updated, COUNT(m.id) n FROM conversations c "
            "LEFT JOIN messages m ON m.conversation_id = c.id " + rest,
            params,
        )
        return [Conversation(r["id"], r["title"], r["updated"], r["n"]) for r in rows]

    def latest(self) -> Conversation | None:
        """The most recently updated conversation (its row alone is counted: read as the dashboard starts)."""
        newest = "SELECT id FROM conversations ORDER BY updated DESC, id DESC LIMIT 1"
        found = self._select(f"WHERE c.id = ({newest}) GROUP BY c.id", ())
        return found[0] if found else None

    def rename(self, conversation_id: int, title: str) -> None:
        title = " ".join(title.split())[:80]
        if not title:
            raise ValueError("a conversation title can't be empty")
        self.store.write("UPDATE conversations SET title = ? WHERE id = ?", (title, conversation_id))

    def delete(self, conversation_id: int) -> bool:
        """Delete a conversation and its messages; False when there was no such conversation."""
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM messages WHERE conversation_id = ?", (conversation_id,))
            return conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,)).rowcount > 0

    def add(self, conversation_id: int, message: Message) -> int:
        """Append a message (one transaction: the message and the conversation's time)."""
        with self.store.transaction() as conn:
            return self._insert(conn, conversation_id, message)

    def _insert(self, conn, conversation_id: int, message: Message) -> int:
        body, compressed = _pack(message.content, self.level)
        thinking = _pack(message.thinking, self.level)[0] if message.thinking else None
        conn.execute("UPDATE conversations SET updated = ? WHERE id = ?", (message.ts, conversation_id))
        return conn.execute(
            "INSERT INTO messages(conversation_id, ts, role, body, compressed, status, meta, thinking)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                conversation_id,
                message.ts,
                message.role,
                body,
                compressed,
                message.status,
                json.dumps(message.meta),
                thinking,
            ),
        ).lastrowid

    def messages(self, conversation_id: int) -> builtins.list[Message]:  # builtins: this class has a list()
        rows = self.store.query("SELECT * FROM messages WHERE conversation_id = ? ORDER BY id", (conversation_id,))
        return [
            Message(
                r["role"],
                _unpack(r["body"], r["compressed"]),
                r["ts"],
                r["status"],
                json.loads(r["meta"] or "{}"),
                _unpack(r["thinking"], r["compressed"]),
            )
            for r in rows
        ]


# --- the history policy -----------------------------------------------------------------


def turn_pairs(history: list[Message]) -> tuple[list[tuple[Message, Message]], int]:
    """Stored messages as (question, answer) pairs, and how many questions went unanswered.

    A question whose answer is missing or empty (failed before any text) is left
    out, so the roles sent always alternate user, assistant, user, ...
    """
    pairs, unanswered, question = [], 0, None
    for m in history:
        if m.role == "user":
            unanswered += question is not None
            question = m
        elif m.role == "assistant" and question is not None:
            if m.content.strip():
                pairs.append((question, m))
            else:
                unanswered += 1
            question = None
    return pairs, unanswered + (question is not None)


def as_messages(pair: tuple[Message, Message]) -> list[dict]:
    """One exchange as chat messages; an answer cut short says so."""
    question, answer = pair
    content = answer.content
    if answer.status in CUT_SHORT:
        content += f"\n\n[this answer was cut short: {CUT_SHORT[answer.status]}]"
    return [{"role": "user", "content": question.content}, {"role": "assistant", "content": content}]


def message_tokens(messages: list[dict]) -> int:
    return sum(count_tokens(m["content"]) + MESSAGE_FRAMING for m in messages)


@dataclass
class HistoryFit:
    """The turns to send, a summary of the older ones (or ""), and what the policy did."""

    messages: list[dict]
    summary: str
    report: StageReport | None
    cut: int = 0  # exchanges not sent whole (summarized or dropped) to fit the budget


def newest_cost(history: list[Message]) -> int:
    """Tokens of the newest exchange, which the policy sends whole whenever it fits."""
    pairs, _ = turn_pairs(history)
    return message_tokens(as_messages(pairs[-1])) if pairs else 0


async def fit_history(
    history: list[Message],
    budget: int,
    summarizer: Summarizer | None,
    max_age: float | None = None,
    now: float | None = None,
) -> HistoryFit:
    """Apply the history policy within ``budget`` tokens.

    Exchanges older than ``max_age`` seconds (the recency strategy) go first,
    never the newest. Then newest first: each exchange is kept whole while it
    fits. What does not fit is summarized into one paragraph when ``summarizer``
    is given and the rest of the budget allows, else dropped, oldest first.
    """
    pairs, unanswered = turn_pairs(history)
    if not pairs:
        return HistoryFit([], "", None)
    before = sum(message_tokens(as_messages(p)) for p in pairs)
    notes = []
    if unanswered:
        notes.append(f"{things(unanswered, 'unanswered question')} left out")
    if max_age is not None:
        now = now or time.time()
        stale = next((n for n, (_, answer) in enumerate(pairs[:-1]) if now - answer.ts <= max_age), len(pairs) - 1)
        if stale:
            notes.append(f"{things(stale, 'exchange')} older than max_age {max_age:g} s dropped")
            pairs = pairs[stale:]
    exchanges = [as_messages(p) for p in pairs]
    costs = [message_tokens(e) for e in exchanges]
    kept, used = _keep_newest(costs, budget)
    if kept and summarizer:  # the older turns will be summarized: leave the summary some room
        kept, used = _keep_newest(costs, max(min(costs[-1], budget), budget - budget // SUMMARY_SHARE))
    older = exchanges[:kept]
    notes.insert(0, f"{len(pairs) - kept} of {things(len(pairs), 'exchange')} sent whole")
    summary = ""
    if older:
        summary = await _summarize(older, budget - used, summarizer, notes)
    messages = [m for e in exchanges[kept:] for m in e]
    after = used + (count_tokens(summary) + MESSAGE_FRAMING if summary else 0)
    return HistoryFit(messages, summary, StageReport("history", before, after, notes), kept)


def _keep_newest(costs: list[int], budget: int) -> tuple[int, int]:
    """(index of the oldest exchange kept whole, tokens used): newest first, while they fit."""
    kept, used = len(costs), 0
    for n in range(len(costs) - 1, -1, -1):
        if used + costs[n] > budget:
            break
        used += costs[n]
        kept = n
    return kept, used


async def _summarize(older: list[list[dict]], room: int, summarizer: Summarizer | None, notes: list[str]) -> str:
    from devsynth_tui.services.errors import ServiceError

    limit = room - MESSAGE_FRAMING
    if summarizer is None or limit < MIN_SUMMARY_TOKENS:
        why = "no room left" if summarizer else "summarization is not a pruning strategy"
        notes.append(f"{things(len(older), 'older exchange')} dropped, oldest first ({why})")
        return ""
    transcript = "\n\n".join(f"{m['role']}: {m['content']}" for e in older for m in e)
    try:
        summary = await summarizer(transcript, limit)
    except ServiceError as e:
        notes.append(
            f"{things(len(older), 'older exchange')} dropped: the summary failed ({str(e).splitlines()[0][:120]})"
        )
        return ""
    notes.append(
        f"{things(len(older), 'older exchange')} summarized: {message_tokens([{'content': transcript}])} -> "
        f"{count_tokens(summary)} tokens"
    )
    return summary
