"""What a model server answers, as values: the models it offers, the pieces of a streamed answer, llama.cpp's
prompt progress and a finished answer with its figures; and the reading of the figures servers send (token
counts, timings), keeping only what can be trusted."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ModelInfo:
    """A model the server offers; fields are None where the server doesn't tell."""

    id: str
    loaded: bool | None = None  # None: the server doesn't say
    context_length: int | None = None
    quantization: str | None = None
    type: str | None = None  # llm | vlm | embedding(s)
    size_bytes: int | None = None
    params: str | None = None  # "4B"
    arch: str | None = None
    display_name: str | None = None
    instances: list[str] = field(default_factory=list)  # LM Studio's loaded instance ids (unload takes one)

    @property
    def is_embedding(self) -> bool:
        """A dedicated embedding model (LM Studio's type "embedding(s)", or a name saying so)."""
        return self.type in ("embedding", "embeddings") or "embed" in self.id.lower()


@dataclass
class Delta:
    """A piece of streamed text: answer, or thinking when ``thinking`` is set."""

    text: str
    t: float
    thinking: bool = False


@dataclass
class PromptProgress:
    """llama.cpp's prompt processing so far (streamed before the first token when a request sets
    ``return_progress``): tokens processed of ``total``, ``cache`` of them reused from the cache."""

    processed: int
    total: int
    cache: int = 0
    time_ms: float = 0.0

    @property
    def whole(self) -> bool:
        """The whole prompt is processed."""
        return self.processed >= self.total

    @property
    def line(self) -> str:
        """The notice: processing the prompt: 1,280 of 1,531 tokens (84 %, 512 from the cache)…"""
        share = self.processed / self.total if self.total else 0.0
        cached = f", {self.cache:,} from the cache" if self.cache else ""
        return f"processing the prompt: {self.processed:,} of {self.total:,} tokens ({share:.0%}{cached})…"

    @classmethod
    def read(cls, raw: Any) -> PromptProgress | None:
        """From a chunk's ``prompt_progress`` object; None when it is not one."""
        if (
            not isinstance(raw, dict)
            or int_or_none(raw.get("total")) is None
            or int_or_none(raw.get("processed")) is None
        ):
            return None
        time_ms = raw.get("time_ms")
        return cls(
            int_or_none(raw["processed"]) or 0,
            int_or_none(raw["total"]) or 0,
            int_or_none(raw.get("cache")) or 0,
            float(time_ms) if isinstance(time_ms, int | float) else 0.0,
        )


@dataclass
class ChatResult:
    """A finished (or stopped) answer with its thinking, usage and timings, client- and server-side."""

    text: str = ""  # the answer only
    reasoning: str = ""  # the thinking, tags removed
    model: str | None = None
    finish_reason: str | None = None
    usage: dict | None = None
    server_timings: dict | None = None  # llama.cpp `timings`
    server_stats: dict | None = None  # LM Studio `stats`
    t_start: float = 0.0
    t_first: float | None = None  # first token of any kind (thinking included)
    t_first_answer: float | None = None
    t_last: float | None = None
    t_end: float = 0.0
    chunks: int = 0  # stream events that carried text
    first_chunks: int = 1  # of which arrived in the network read that brought the first token

    @property
    def ttft(self) -> float | None:
        """Client time to the first token of any kind, seconds."""
        return None if self.t_first is None else self.t_first - self.t_start

    @property
    def ttft_answer(self) -> float | None:
        """Client time to the first answer token (after any thinking), seconds."""
        return None if self.t_first_answer is None else self.t_first_answer - self.t_start

    @property
    def duration(self) -> float:
        return self.t_end - self.t_start

    @property
    def completion_tokens(self) -> int | None:
        return (self.usage or {}).get("completion_tokens")

    @property
    def reasoning_tokens(self) -> int | None:
        """Thinking tokens as the server counts them (``completion_tokens_details``); None if it doesn't."""
        details = (self.usage or {}).get("completion_tokens_details")
        n = details.get("reasoning_tokens") if isinstance(details, dict) else None
        return n if isinstance(n, int) else None

    @property
    def tps(self) -> float | None:
        """Completion tokens per second of generation: the server's own figure, else ``client_tps``."""
        return self.server_tps or self.client_tps

    @property
    def client_tps(self) -> float | None:
        """Server-counted completion tokens over the client-seen generation time (first to last token).

        The tokens that came with the first token started the clock, so they are left out in
        proportion (events of that read over all events): right when events carry several tokens.
        """
        n = self.completion_tokens
        if not n or self.t_first is None or self.t_last is None or self.t_last <= self.t_first or not self.chunks:
            return None
        after_first = n * (1 - self.first_chunks / self.chunks)
        return after_first / (self.t_last - self.t_first) if after_first > 0 else None

    @property
    def server_tps(self) -> float | None:
        t = self.server_timings or {}
        return t.get("predicted_per_second") or (self.server_stats or {}).get("tokens_per_second")

    @property
    def server_ttft(self) -> float | None:
        """The server's own time to first token (prompt processing), seconds."""
        if self.server_timings and "prompt_ms" in self.server_timings:
            return self.server_timings["prompt_ms"] / 1000
        return (self.server_stats or {}).get("time_to_first_token")


def params_label(n: int | None) -> str | None:
    """A parameter count as model names give it: 134,515,008 -> "135M", 4.02e9 -> "4B"; None stays None."""
    if not n:
        return None
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if n >= size:
            return f"{n / size:.3g}{unit}"
    return str(n)


def int_or_none(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _count(v: Any) -> int | None:
    """A token count a server sent: a whole number of at least 0, or such a number as a string; else None."""
    if isinstance(v, str) and v.strip().isdigit():
        return int(v)
    if isinstance(v, float) and v.is_integer() and v >= 0:
        return int(v)
    n = int_or_none(v)
    return n if n is not None and n >= 0 else None


def usage_counts(raw: Any) -> dict | None:
    """A server's ``usage`` with only counts we can trust: numbers or numeric strings of at least 0.

    Anything else (lists, null, negatives, fractions, text) is left out, so the caller counts
    those tokens itself; None when nothing usable is left."""
    if not isinstance(raw, dict):
        return None
    usage: dict[str, Any] = {}
    for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
        if (n := _count(raw.get(key))) is not None:
            usage[key] = n
    details = raw.get("completion_tokens_details")
    if isinstance(details, dict) and (n := _count(details.get("reasoning_tokens"))) is not None:
        usage["completion_tokens_details"] = {"reasoning_tokens": n}
    return usage or None


def finite_figures(raw: Any) -> dict | None:
    """A server's timings or stats, finite numbers only (a string or NaN there is not a figure)."""
    if not isinstance(raw, dict):
        return None
    out = {k: v for k, v in raw.items() if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)}
    return out or None


def str_or_none(v: Any) -> str | None:
    return v if isinstance(v, str) and v else None
