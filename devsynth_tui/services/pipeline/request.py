"""What goes into the pipeline and what comes out: ``ChatRequest`` in, ``Prepared`` (the request as it
would be sent), ``Notice`` while waiting, ``StreamEnded`` once a streamed answer is whole, and exactly one
``Done`` at the end."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from devsynth_tui.services.context.items import ContextItem, StageReport
from devsynth_tui.services.context.response_processing import CodeBlock, Section
from devsynth_tui.services.llm.results import ChatResult, Delta
from devsynth_tui.services.store.conversations import Message
from devsynth_tui.services.store.ledger import LedgerRow, RequestStatus

DEFAULT_SYSTEM = "You are a concise, careful coding assistant."
SAMPLING_KEYS = ("temperature", "top_p", "top_k", "max_tokens", "seed")


@dataclass
class ChatRequest:
    """What the user asked, with its context, examples and per-request parameter overrides."""

    prompt: str
    context: list[ContextItem] = field(default_factory=list)
    history: list[Message] = field(default_factory=list)  # the conversation so far, as stored
    examples: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    operation: str = "chat"
    system: str = DEFAULT_SYSTEM
    params: dict = field(default_factory=dict)  # sampling keys, "model", and "extra": server-specific fields
    prompt_is_template: bool = False  # the prompt is the app's own template: trimmed and compressed too
    listings: list = field(default_factory=list)  # FolderListing of each folder in ``context`` (the context view)
    attachments: list[str] = field(default_factory=list)  # the @paths attached, stored with the question


# What an exact prepare counts, which one prepared by bytes takes from it (Prepared.take_figures).
COUNTED = ("reports", "items", "window", "tokens_before", "tokens_after", "tokens_sent", "sent_exact")


@dataclass
class Prepared:
    """The request exactly as it would be sent, and what each stage did to get there."""

    payload: dict
    reports: list[StageReport]
    items: list[ContextItem]  # every context item, dropped ones included, with status
    tokens_before: int  # estimated prompt tokens with no optimization
    tokens_after: int  # estimated prompt tokens as sent
    complexity: str | None = None
    model_reason: str = ""
    loading: bool = False  # the server lists the model as not loaded: it loads it first (LM Studio JIT)
    tokens_sent: int | None = None  # prompt tokens as the server counts them (model tokenizer, else cl100k with margin)
    sent_exact: bool = False  # tokens_sent is the model tokenizer's own count (not cl100k's with the margin)
    window: int | None = None  # the model's context length: the server's, else the config's limit + max_tokens
    listings: list = field(default_factory=list)  # the folders read for it (FolderListing), for the context view
    counted: bool = True  # False: prepared by bytes, its figures not counted yet (Pipeline.run counts them)
    texts: set[str] = field(default_factory=set)  # prepared by bytes: the texts it counted, to count exactly later
    counts: dict[str, int] | None = None  # its texts' tokens by the model's own count, when its figures are by them
    # a streamed answer's end once it is whole: its count and ledger row, then its Done. It goes on when the consumer
    # stops waiting (Esc while the database is locked elsewhere): the answer is stored as it ended (RequestRun)
    ending: asyncio.Future[tuple[list[StageReport], Done]] | None = None

    @property
    def messages(self) -> list[dict]:
        return self.payload["messages"]

    @property
    def prompt_tokens(self) -> int:
        """Its prompt's tokens before the server says: the model's own count when it was asked, else cl100k's."""
        return self.tokens_sent if self.sent_exact and self.tokens_sent is not None else self.tokens_after

    def take_figures(self, exact: Prepared) -> None:
        """Take the figures of ``exact``, the same request prepared with exact counts (this one was by bytes); what
        was sent, and whether the model was loading then, stay."""
        for name in COUNTED:
            setattr(self, name, getattr(exact, name))
        self.counted = True


@dataclass
class Done:
    """The end of a request: final text, status and the ledger row written."""

    text: str
    status: RequestStatus
    row: LedgerRow
    result: ChatResult | None = None
    error: str | None = None
    terminated_early: bool = False
    prepared: Prepared | None = None
    cached: bool = False
    notes: list[str] = field(default_factory=list)
    thinking: str = ""
    collect: bool = False  # memory.aggressive_gc: collect garbage once this answer is shown (services.requests.ask)

    def summary(self) -> str:
        """One line for under an answer: model, tokens (thinking apart), saved, timings, why it stopped."""
        row = self.row
        if self.prepared is None and self.status == "error":
            return f"not sent: {self.error}"
        tokens = f"{row.prompt_tokens:,} + {row.completion_tokens:,} tokens"
        if row.reasoning_tokens:
            tokens += f" ({row.reasoning_tokens:,} thinking)"
        parts = [row.model or "?", tokens]
        if self.cached:
            parts.append("cache hit")
        if row.tokens_saved:
            parts.append(f"saved {row.tokens_saved:,}")
        if row.ttft is not None:
            parts.append(f"ttft {row.ttft:.2f} s")
        if row.ttft_answer is not None and row.reasoning_tokens:
            parts.append(f"answer at {row.ttft_answer:.2f} s")
        if row.tps:
            parts.append(f"{row.tps:.1f} tok/s")
        cut = self.result and self.result.finish_reason == "length" and self.status == "ok"
        if self.terminated_early:
            parts.append("stopped early")
        elif cut:
            limit = (self.prepared.payload.get("max_tokens") if self.prepared else None) or row.completion_tokens
            parts.append(f"stopped at max_tokens ({limit:,})")
        if self.prepared:
            parts.append(self.sampling(with_max_tokens=not cut))
        if self.status != "ok":
            parts.append(f"{self.status}: {self.error}" if self.error else self.status)
        return " · ".join(p for p in parts if p)

    def sampling(self, with_max_tokens: bool = True) -> str:
        """The sampling parameters the answer was asked with: "temperature 0.7, top_p 0.95, max_tokens 1,000"."""
        payload = self.prepared.payload if self.prepared else {}
        keys = [k for k in SAMPLING_KEYS if k in payload and (with_max_tokens or k != "max_tokens")]
        return ", ".join(f"{k} {payload[k]:,}" if isinstance(payload[k], int) else f"{k} {payload[k]}" for k in keys)

    def thinking_title(self) -> str:
        """The thinking block's title: "Thinking · 412 tokens · 6.1 s"."""
        row = self.row
        parts = ["Thinking", f"{row.reasoning_tokens:,} tokens"]
        if row.ttft is not None and row.ttft_answer is not None:
            parts.append(f"{row.ttft_answer - row.ttft:.1f} s")
        return " · ".join(parts)


@dataclass
class Notice:
    """Something the user should see while waiting, e.g. LM Studio loading the model."""

    text: str


@dataclass
class StreamEnded:
    """A streamed answer's text is whole; counting it and writing its row follow once its consumer takes the next
    event (a consumer that shows the answer shows it whole first: loading the tokenizer holds the GIL)."""


Event = StageReport | Prepared | Notice | Delta | CodeBlock | Section | StreamEnded | Done
