"""Checks for high memory (guide §6): the model against the machine's memory, a context window far beyond what
is sent, memory growing request after request, the response cache over its cap."""

from __future__ import annotations

import itertools
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING

from devsynth_tui.services.advisor.facts import MB, Facts
from devsynth_tui.services.advisor.findings import Finding, Skip

if TYPE_CHECKING:
    from devsynth_tui.services.llm.results import ModelInfo

MODEL_OVERHEAD = 1.2  # weights plus KV cache and buffers
CONTEXT_SLACK = 2  # a window this many times what is ever sent
CONTEXT_MARGIN = 1000  # system prompt and question beside the context
LEAK_MB = 50.0
LEAK_REQUESTS = 5
CACHE_SLACK = 1.1


def _sent_model(facts: Facts) -> ModelInfo | None:
    wanted = facts.active_model or facts.cfg.llm.model
    chats = [m for m in facts.models if not m.is_embedding]
    return next((m for m in chats if m.id == wanted), None) or next((m for m in chats if m.loaded), None)


def check_model_ram(facts: Facts) -> list[Finding]:
    """The model in use is too big for the machine's memory."""
    model = _sent_model(facts)
    if model is None or not model.size_bytes:
        return []
    m = facts.machine
    need_mb = model.size_bytes * MODEL_OVERHEAD / MB
    room = m.memory_total_mb * 0.8 if model.loaded else m.memory_available_mb
    if need_mb <= room:
        return []
    where = "80 % of total memory" if model.loaded else "available memory"
    fits = sorted(
        (x.size_bytes, x.id)
        for x in facts.models
        if x.size_bytes and not x.is_embedding and x.size_bytes * MODEL_OVERHEAD / MB <= room
    )
    change = {"llm.model": fits[-1][1]} if fits else {}
    return [
        Finding(
            "model-ram",
            "memory",
            "critical",
            "The model is too big for this machine's memory",
            f"{model.id} is {model.size_bytes / 1e9:.1f} GB (server's model list); with KV cache it needs about "
            f"{need_mb:,.0f} MB, more than {where} ({room:,.0f} MB, psutil)",
            "a model that does not fit is swapped or refused: answers slow to seconds per token (guide 4.1)",
            change,
            "In LM Studio, pick a smaller quantization of the model or a smaller model",
        )
    ]


def check_context_window(facts: Facts) -> list[Finding]:
    """A model loaded with a context window far beyond what devsynth-tui ever sends."""
    model = _sent_model(facts)
    if model is None or not model.loaded or not model.context_length:
        return []
    cfg = facts.cfg
    sent = cfg.memory.max_context_size + cfg.llm.max_tokens + CONTEXT_MARGIN
    largest = facts.window["largest"]
    if model.context_length < CONTEXT_SLACK * max(sent, largest):
        return []
    wanted = 1 << math.ceil(math.log2(max(sent, largest)))
    change = {"llm.embedded.context_size": wanted} if facts.backend == "embedded" else {}
    return [
        Finding(
            "context-window",
            "memory",
            "warning",
            "The model's context window is far larger than what is sent",
            f"{model.id} is loaded with a {model.context_length:,}-token window (server's model list); devsynth-tui "
            f"sends at most {sent:,} (memory.max_context_size + llm.max_tokens + {CONTEXT_MARGIN:,}); the largest "
            f"request was {largest:,} tokens (ledger, {facts.window_text()})",
            "the server allocates its KV cache for the whole window: memory held for tokens never sent",
            change,
            ""
            if change
            else f"In LM Studio, load {model.id} with Context Length {wanted:,} (model settings, then reload)",
        )
    ]


def check_gc(facts: Facts) -> list[Finding]:
    """The app's memory growing request after request."""
    ends = sorted(e for _, e in facts.request_spans())
    after = [next((s.rss_mb for s in facts.samples if s.t >= end), None) for end in ends]
    rss = [r for r in after if r is not None]
    if len(rss) < LEAK_REQUESTS:
        raise Skip("memory growth: needs the dashboard's samples over at least 5 requests")
    growth = rss[-1] - rss[0]
    rising = sum(b >= a for a, b in itertools.pairwise(rss)) / (len(rss) - 1)
    if growth < LEAK_MB or rising < 0.8:
        return []
    saw = (
        f"devsynth-tui's memory grew {growth:.0f} MB ({rss[0]:.0f} → {rss[-1]:.0f} MB) across {len(rss)} requests "
        f"(resource samples after each request)"
    )
    if not facts.cfg.memory.aggressive_gc:
        return [
            Finding(
                "memory-growth",
                "memory",
                "warning",
                "Memory grows with every request",
                saw,
                "memory.aggressive_gc runs a full collection after large requests (guide 3.1)",
                {"memory.aggressive_gc": True},
            )
        ]
    return [
        Finding(
            "memory-growth",
            "memory",
            "info",
            "Memory grows with every request, garbage collection on",
            saw,
            "growth that survives full collections may be a leak (guide §6: identify memory leaks)",
            step="Report it with `devsynth-tui monitor memory` output attached",
        )
    ]


def cache_bytes(folder: Path) -> int:
    """Bytes of cache entries on disk."""
    try:
        return sum(e.stat().st_size for e in os.scandir(folder) if e.name.endswith(".entry"))
    except OSError:
        return 0


def check_cache(facts: Facts) -> list[Finding]:
    """The response cache over its cap (another process wrote to it, or the cap was lowered)."""
    cap = facts.cfg.disk.caching.max_size
    if not facts.cfg.disk.caching.enabled or facts.cache_dir is None:
        return []
    size = cache_bytes(facts.cache_dir) / MB
    if size <= cap * CACHE_SLACK:
        return []
    return [
        Finding(
            "cache",
            "memory",
            "warning",
            "The response cache is over its cap",
            f"{size:,.1f} MB of entries in {facts.cache_dir}; disk.caching.max_size is {cap:g} MB",
            "the cap is what you allowed the cache on disk; it is trimmed when this process writes",
            step="the next cached answer trims it; doctor --fix trims it now",
            action="trim-cache",
        )
    ]
