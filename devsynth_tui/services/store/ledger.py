"""The token ledger: one SQLite row per request, reports, history and resets."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Literal

from devsynth_tui.services.sanitize import safe_line
from devsynth_tui.services.store.database import Store

# How a request ended: partial is an error after some of the answer arrived.
RequestStatus = Literal["ok", "partial", "error", "cancelled"]


@dataclass
class LedgerRow:
    """What one request cost and how it went. Token counts are the server's usage when it sent one."""

    operation: str
    model: str | None = None
    backend: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0  # thinking included, as servers count it
    reasoning_tokens: int = 0  # the thinking part of completion_tokens (server's figure, else counted)
    est_prompt_tokens: int | None = None
    tokens_before: int | None = None
    tokens_saved: int = 0
    cost: float = 0.0
    ttft: float | None = None  # to the first token of any kind, thinking included
    ttft_answer: float | None = None  # to the first answer token
    tps: float | None = None
    duration: float | None = None
    status: RequestStatus = "ok"
    error: str | None = None
    usage_source: str = "server"
    cached: bool = False
    session: str | None = None  # the front-end session that sent it (the dashboard's counters)
    ts: float = field(default_factory=time.time)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass
class Report:
    """Totals for the current period (since the last reset) or all time."""

    requests: int
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    tokens_saved: int
    cost: float
    last_reset: float | None  # when the current period started; None before the first row
    ever_reset: bool = False  # False: the current period began with the first request, not with a reset

    def _reset_text(self) -> str:
        if self.last_reset is None:
            return "never (nothing recorded yet)"
        return format_ts(self.last_reset) if self.ever_reset else f"never (counted since {format_ts(self.last_reset)})"

    def text(self) -> str:
        """The guide's report format, plus tokens saved."""
        return "\n".join(
            [
                "Token Usage Report:",
                f"Total tokens: {self.total_tokens:,}",
                f"Prompt tokens: {self.prompt_tokens:,}",
                f"Completion tokens: {self.completion_tokens:,}",
                f"Tokens saved: {self.tokens_saved:,}",
                f"Estimated cost: ${self.cost:.4f}",
                f"Last reset: {self._reset_text()}",
            ]
        )


def format_ts(ts: float) -> str:
    return datetime.fromtimestamp(ts).isoformat(timespec="seconds")


class Ledger:
    """Records and reads request rows in the app database."""

    def __init__(self, store: Store):
        self.store = store
        self.listeners: list[Callable[[LedgerRow], None]] = []  # told of each row once it is stored (metrics)

    def current_period(self) -> tuple[int, float] | None:
        """The open period's (id, started), or None before anything was ever recorded. A read only."""
        rows = self.store.query("SELECT id, started FROM periods WHERE ended IS NULL ORDER BY id DESC LIMIT 1")
        return (rows[0]["id"], rows[0]["started"]) if rows else None

    @staticmethod
    def open_period(conn: sqlite3.Connection) -> int:
        """The open period's id, starting the first one; call inside a write transaction."""
        row = conn.execute("SELECT id FROM periods WHERE ended IS NULL ORDER BY id DESC LIMIT 1").fetchone()
        if row:
            return row["id"]
        started = conn.execute("INSERT INTO periods(started) VALUES (?)", (time.time(),)).lastrowid
        assert started is not None  # an INSERT always sets it
        return started

    def record(self, row: LedgerRow) -> int:
        """Store one row; its period is read in the same transaction, so a concurrent reset can't split them."""
        data = asdict(row)
        data.update(total_tokens=row.total_tokens, cached=int(row.cached))
        for name in ("model", "backend", "error"):  # outside text is stored already made safe
            if data[name] is not None:
                data[name] = safe_line(data[name])
        cols = ", ".join(["period_id", *data])
        marks = ", ".join([":period_id", *(f":{c}" for c in data)])
        with self.store.transaction() as conn:
            data["period_id"] = self.open_period(conn)
            row_id = conn.execute(f"INSERT INTO requests({cols}) VALUES ({marks})", data).lastrowid
        for listener in self.listeners:
            listener(row)
        return row_id

    async def arecord(self, row: LedgerRow) -> int:
        """:meth:`record` on the store's writer thread: the event loop never waits for the write lock."""
        return await self.store.arun(self.record, row)

    def report(self, all_time: bool = False, session: str | None = None) -> Report:
        """Totals since the last reset, for all time, or for one session's rows; reads only."""
        period, started = self.current_period() or (None, None)
        params: tuple
        where, params = "WHERE period_id = ?", (period,)
        if all_time:
            where, params = "", ()
        elif session:
            where, params = "WHERE session = ?", (session,)
        r = self.store.query(
            "SELECT COUNT(*) n, COALESCE(SUM(prompt_tokens),0) p, COALESCE(SUM(completion_tokens),0) c,"
            f" COALESCE(SUM(tokens_saved),0) s, COALESCE(SUM(cost),0) cost FROM requests {where}",
            params,
        )[0]
        ever_reset = bool(self.store.query("SELECT 1 FROM periods WHERE ended IS NOT NULL LIMIT 1"))
        return Report(r["n"], r["p"], r["c"], r["p"] + r["c"], r["s"], r["cost"], started, ever_reset)

    def history(self, limit: int = 20, since: float | None = None) -> list[dict]:
        """Most recent rows first, across periods."""
        rows = self.store.query("SELECT * FROM requests WHERE ts >= ? ORDER BY id DESC LIMIT ?", (since or 0.0, limit))
        return [dict(r) for r in rows]

    def reset(self, purge: bool = False) -> float:
        """Close the current period (rows are kept as history) or, with purge, delete every row."""
        now = time.time()
        with self.store.transaction() as conn:
            conn.execute("UPDATE periods SET ended = ? WHERE ended IS NULL", (now,))
            if purge:
                conn.execute("DELETE FROM request_stages")
                conn.execute("DELETE FROM requests")
                conn.execute("DELETE FROM periods")
            conn.execute("INSERT INTO periods(started) VALUES (?)", (now,))
        return now

    # -- per-stage savings ---------------------------------------------------------------

    def record_stages(self, request_id: int, stages: list[tuple[str, int, int]]) -> None:
        """Tokens before and after each optimization stage of one request."""
        if stages:
            with self.store.transaction() as conn:
                conn.executemany(
                    "INSERT INTO request_stages(request_id, stage, tokens_before, tokens_after) VALUES (?, ?, ?, ?)",
                    [(request_id, *s) for s in stages],
                )

    async def arecord_stages(self, request_id: int, stages: list[tuple[str, int, int]]) -> None:
        """:meth:`record_stages` on the store's writer thread (after the row it belongs to)."""
        if stages:
            await self.store.arun(self.record_stages, request_id, stages)

    def breakdown(self, by: str, all_time: bool = False) -> list[dict]:
        """Usage grouped by operation, model, stage or day (the guide's "which operations cost most").

        Per operation, model or day: requests, prompt/completion/total tokens, tokens saved
        and cost, largest first (days in order). Per stage: requests it acted on, tokens
        before and after it, and tokens saved, largest saving first."""
        if by not in BREAKDOWNS:
            raise ValueError(f"unknown breakdown {by!r}; expected one of {', '.join(BREAKDOWNS)}")
        current = self.current_period()
        where, params = ("", ()) if all_time else ("WHERE r.period_id = ?", (current[0] if current else None,))
        if by == "stage":
            rows = self.store.query(
                "SELECT s.stage AS key, COUNT(DISTINCT s.request_id) requests, SUM(s.tokens_before) tokens_before,"
                " SUM(s.tokens_after) tokens_after, SUM(s.tokens_before - s.tokens_after) tokens_saved"
                f" FROM request_stages s JOIN requests r ON r.id = s.request_id {where}"
                " GROUP BY s.stage ORDER BY tokens_saved DESC, s.stage",
                params,
            )
            return [dict(r) for r in rows]
        key = {
            "operation": "r.operation",
            "model": "COALESCE(r.model, '-')",
            "day": "date(r.ts, 'unixepoch', 'localtime')",
        }[by]
        order = "key" if by == "day" else "total_tokens DESC, key"
        rows = self.store.query(
            f"SELECT {key} AS key, COUNT(*) requests, SUM(r.prompt_tokens) prompt_tokens,"
            " SUM(r.completion_tokens) completion_tokens, SUM(r.prompt_tokens + r.completion_tokens) total_tokens,"
            f" SUM(r.tokens_saved) tokens_saved, SUM(r.cost) cost FROM requests r {where}"
            f" GROUP BY key ORDER BY {order}",
            params,
        )
        return [dict(r) for r in rows]

    def last_stages(self) -> list[dict]:
        """The stages of the most recent request that has any, in order."""
        rows = self.store.query(
            "SELECT stage, tokens_before, tokens_after FROM request_stages"
            " WHERE request_id = (SELECT MAX(request_id) FROM request_stages) ORDER BY rowid"
        )
        return [dict(r) for r in rows]


BREAKDOWNS = ("operation", "model", "stage", "day")
SAVING_STAGES = ("context:", "history", "prompt:")  # the stage reports whose savings the ledger keeps


def stage_rows(reports) -> list[tuple[str, int, int]]:
    """(stage, tokens before, tokens after) of the optimization stages among a request's reports."""
    return [(r.stage, r.tokens_before, r.tokens_after) for r in reports if r.stage.startswith(SAVING_STAGES)]
