"""The session's figures, held once: every widget that shows one watches this state.

Totals come from the ledger; the last request is the newest ledger row of this
session, whatever made it (chat, a task, the benchmark, a summary; ok,
cancelled or failed), so every figure on screen agrees with the ledger.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from devsynth_tui.services.pipeline.request import Done, Prepared
    from devsynth_tui.services.session import Session
    from devsynth_tui.services.store.ledger import LedgerRow, Report
    from devsynth_tui.ui.panels import StatusLine, TokenPanel

SPARK_REQUESTS = 40
LIVE_COUNTER_SECONDS = 0.25  # the live estimate follows streaming answers this long after their reads


class RequestEnded(Message):
    """A pane's request ended with a Done (ok, failed or partial): the other panes show what they keep of it."""

    def __init__(self, done: Done) -> None:
        super().__init__()
        self.done = done


class RequestCancelled(Message):
    """A pane's request was cancelled (no Done reaches it): what it sent, counted all the same, if it was sent."""

    def __init__(self, prepared: Prepared | None) -> None:
        super().__init__()
        self.prepared = prepared


@dataclass(frozen=True)
class Figures:
    """One reading of everything the dashboard counts and names."""

    session: Report | None = None  # this session's totals, from the ledger
    all_time: Report | None = None
    last: LedgerRow | None = None  # the newest request this session recorded
    history: tuple[int, ...] = ()  # tokens per request, oldest first
    live_prompt: int = 0  # the prompts of answers still streaming, when counted before sending
    live_completion: int = 0  # the estimate for answers still streaming
    backend: str = "connecting…"
    backend_note: str = ""  # why that backend serves (e.g. "LM Studio not running at …"), shown where there is room
    model: str = ""
    server: str = "connecting…"  # the server's process as the resource panel names it
    alerts: tuple[str, ...] = ()  # memory alerts still standing
    notice: str = ""  # said in place of the backend while it holds (e.g. "loading the model…")
    gc: str = ""  # the last garbage collection's figure (memory.aggressive_gc)
    fill: float | None = None  # the share of the model's window the last chat request took (the context view)


Watcher = Callable[[Figures, Figures], None]  # (new, old)


@dataclass
class SessionState:
    """The observable: ``set`` changes figures, each watcher is told once per change with the new and old ones."""

    figures: Figures = field(default_factory=Figures)
    watchers: list[Watcher] = field(default_factory=list)
    # per answer still streaming: its prompt when counted before sending (else 0), and its network reads so far
    streaming: dict[str, tuple[int, int]] = field(default_factory=dict)
    counter: asyncio.TimerHandle | None = None  # the live estimate's next showing

    def watch(self, watcher: Watcher) -> None:
        """Call ``watcher`` now and on every change."""
        self.watchers.append(watcher)
        watcher(self.figures, self.figures)

    def set(self, **changes) -> None:
        old, new = self.figures, replace(self.figures, **changes)
        if new == old:
            return
        self.figures = new
        for watcher in self.watchers:
            watcher(new, old)

    def streamed(self, source: str, pieces: int, prepared: Prepared | None = None) -> None:
        """An answer's reads so far, and its prompt when ``prepared`` was counted before sending; the live estimate
        (their sums over answers) shows them LIVE_COUNTER_SECONDS later: at most that often, and never in the frame
        that draws an answer's first text."""
        prompt = prepared.prompt_tokens if prepared and prepared.counted else 0  # as the ledger counts it, if cut short
        self.streaming[source] = (prompt, pieces)
        if self.counter is None:
            self.counter = asyncio.get_running_loop().call_later(LIVE_COUNTER_SECONDS, self._show_streaming)

    def stream_ended(self, source: str) -> None:
        """An answer ended: the live estimate no longer counts it (its row in the ledger does)."""
        self.streaming.pop(source, None)
        self._show_streaming()

    def _show_streaming(self) -> None:
        if self.counter is not None:
            self.counter.cancel()
            self.counter = None
        prompts, reads = zip(*self.streaming.values()) if self.streaming else ((), ())
        self.set(live_prompt=sum(prompts), live_completion=sum(reads))

    def read_ledger(self, session: Session) -> None:
        """Totals from the ledger again (a request ended or was recorded)."""
        mine, all_time = session.totals()
        self.set(session=mine, all_time=all_time)

    def follow(self, session: Session) -> Callable[[], None]:
        """Follow the ledger: each row this session records becomes the last request and reads the totals again.

        Rows are recorded on the store's writer thread; the state changes on the running event loop.
        Returns the function that stops following.
        """
        loop = asyncio.get_running_loop()

        def recorded(row: LedgerRow) -> None:
            if row.session == session.id:
                loop.call_soon_threadsafe(self._recorded, session, row)

        session.ledger.listeners.append(recorded)
        return lambda: session.ledger.listeners.remove(recorded)

    def _recorded(self, session: Session, row: LedgerRow) -> None:
        history = (*self.figures.history, row.total_tokens)[-SPARK_REQUESTS:]
        mine, all_time = session.totals()
        self.set(last=row, history=history, session=mine, all_time=all_time)


def tokens_watcher(panel: TokenPanel) -> Watcher:
    """The sidebar's counters and last request follow the state (each redrawn only when its figures change)."""

    def show(new: Figures, old: Figures) -> None:
        if new.session is None or new.all_time is None:
            return
        live = (new.live_prompt, new.live_completion)
        if new is old or (new.session, new.all_time, live) != (
            old.session,
            old.all_time,
            (old.live_prompt, old.live_completion),
        ):
            panel.show(new.session, new.all_time, *live)
        if new is old or (new.last, new.history) != (old.last, old.history):
            panel.show_last(new.last, list(new.history))

    return show


def status_watcher(line: StatusLine) -> Watcher:
    """The status line follows the state: backend (or a notice), model, this session's total, alerts, the last
    request's window fill."""
    watched = (
        "session",
        "backend",
        "backend_note",
        "model",
        "alerts",
        "notice",
        "fill",
        "live_prompt",
        "live_completion",
    )

    def show(new: Figures, old: Figures) -> None:
        if new.session is None or (new is not old and all(getattr(new, k) == getattr(old, k) for k in watched)):
            return
        ctx = f"ctx {round(100 * new.fill)} %" if new.fill is not None else ""
        line.show(
            new.notice or new.backend,
            new.model,
            list(new.alerts),
            new.session,
            new.backend_note,
            ctx=ctx,
            live=new.live_prompt + new.live_completion,
        )

    return show
