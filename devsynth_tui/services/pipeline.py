"""The one request pipeline: chat, task runner, benchmark and CLI all send through here.

``prepare`` builds the request (context pruning, prompt optimization, model
routing) and reports per stage what it did; ``run`` sends it, streams the
answer, and records exactly one ledger row whatever happens.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import AsyncIterator

from devsynth_tui.config import Config
from devsynth_tui.services.backend import Backend
from devsynth_tui.services.context import ContextItem
from devsynth_tui.services.ledger import Ledger, LedgerRow
from devsynth_tui.services.lmstudio_client import ChatResult, Delta, LLMError
from devsynth_tui.services.token_accounting import count_messages, count_tokens, estimate_cost

DEFAULT_SYSTEM = "You are a concise, careful coding assistant."
SAMPLING_KEYS = ("temperature", "top_p", "top_k", "max_tokens", "seed")


@dataclass
class ChatRequest:
    """What the user asked, with its context and per-request parameter overrides."""

    prompt: str
    context: list[ContextItem] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    operation: str = "chat"
    system: str = DEFAULT_SYSTEM
    params: dict = field(default_factory=dict)


@dataclass
class StageReport:
    """What one pipeline stage did."""

    stage: str
    tokens_before: int
    tokens_after: int
    notes: list[str] = field(default_factory=list)


@dataclass
class Prepared:
    """The request exactly as it would be sent."""

    payload: dict
    reports: list[StageReport]
    items: list[ContextItem]
    tokens_before: int  # estimated prompt tokens with no optimization
    tokens_after: int  # estimated prompt tokens as sent
    model_reason: str = ""

    @property
    def messages(self) -> list[dict]:
        return self.payload["messages"]


@dataclass
class Done:
    """The end of a request: final text, status and the ledger row written."""

    text: str
    status: str  # ok | error | cancelled
    row: LedgerRow
    result: ChatResult | None = None
    error: str | None = None


def context_block(items: list[ContextItem]) -> str:
    """Context items as one message, each under a header naming it."""
    parts = []
    for item in items:
        label = f"{item.name} ({item.type}{', ' + item.status if item.status != 'kept' else ''})"
        parts.append(f"### {label}\n{item.text.rstrip()}")
    return "Context:\n\n" + "\n\n".join(parts)


def build_messages(req: ChatRequest, items: list[ContextItem], prompt: str | None = None) -> list[dict]:
    messages = [{"role": "system", "content": req.system}]
    if items:
        messages.append({"role": "system", "content": context_block(items)})
    messages.extend(req.history)
    messages.append({"role": "user", "content": prompt if prompt is not None else req.prompt})
    return messages


class Pipeline:
    """Prepares, sends and accounts for requests against one backend."""

    def __init__(self, cfg: Config, backend: Backend, ledger: Ledger):
        self.cfg, self.backend, self.ledger = cfg, backend, ledger

    def sampling(self, req: ChatRequest) -> dict:
        """Inference parameters: config, then the request's own overrides."""
        llm = self.cfg["llm"]
        params = {k: req.params.get(k, llm[k]) for k in SAMPLING_KEYS}
        return {k: v for k, v in params.items() if v is not None}

    async def prepare(self, req: ChatRequest) -> Prepared:
        """Apply every stage and build the payload; no chat-model call."""
        before = count_messages(build_messages(req, req.context))
        reports = []
        if req.notes:
            reports.append(StageReport("load", before, before, list(req.notes)))
        items = list(req.context)
        messages = build_messages(req, items)
        after = count_messages(messages)
        model = await self.backend.resolve_model(req.params.get("model") or self.cfg.get("llm.model"))
        payload = {"model": model, "messages": messages, **self.sampling(req)}
        return Prepared(payload, reports, items, before, after)

    async def run(self, req: ChatRequest) -> AsyncIterator[StageReport | Delta | Done]:
        """Send ``req``; yields stage reports, answer deltas, then one Done. Cancel-safe."""
        if not req.prompt.strip():
            raise ValueError("empty prompt: type a question first")
        started = time.perf_counter()
        try:
            await self.backend.ensure_alive()
            prep = await self.prepare(req)
        except LLMError as e:
            yield self._finish(req, None, "", None, "error", str(e), started)
            return
        for report in prep.reports:
            yield report
        parts: list[str] = []
        result: ChatResult | None = None
        status, error = "ok", None
        try:
            if self.cfg.get("tokens.response_optimization.streaming"):
                async with aclosing(self.backend.client.stream_chat(prep.payload)) as stream:
                    async for event in stream:
                        if isinstance(event, Delta):
                            parts.append(event.text)
                            yield event
                        else:
                            result = event
            else:
                result = await self.backend.client.chat(prep.payload)
                parts.append(result.text)
                yield Delta(result.text, time.perf_counter())
        except (asyncio.CancelledError, GeneratorExit):
            self._finish(req, prep, "".join(parts), result, "cancelled", "cancelled by the user", started)
            raise
        except LLMError as e:
            status, error = "error", str(e)
        yield self._finish(req, prep, "".join(parts), result, status, error, started)

    def _finish(self, req, prep, text, result, status, error, started) -> Done:
        row = self._row(req, prep, text, result, status, error, started)
        self.ledger.record(row)
        return Done(text, status, row, result, error)

    def _row(self, req, prep: Prepared | None, text: str, result: ChatResult | None, status, error, started) -> LedgerRow:
        usage = (result.usage if result else None) or {}
        est_prompt = prep.tokens_after if prep else 0
        prompt = usage.get("prompt_tokens", est_prompt)
        completion = usage.get("completion_tokens", count_tokens(text))
        before = prep.tokens_before if prep else None
        saved = max(0, (prep.tokens_before - prep.tokens_after)) if prep else 0
        return LedgerRow(
            operation=req.operation,
            model=(result.model if result and result.model else None) or (prep.payload["model"] if prep else None),
            backend=self.backend.kind,
            prompt_tokens=prompt,
            completion_tokens=completion,
            est_prompt_tokens=est_prompt,
            tokens_before=before,
            tokens_saved=saved,
            cost=estimate_cost(prompt, completion, self.cfg["pricing"]),
            ttft=result.ttft if result else None,
            tps=result.tps if result else None,
            duration=time.perf_counter() - started,
            status=status,
            error=error,
            usage_source="server" if usage else "estimate",
        )
