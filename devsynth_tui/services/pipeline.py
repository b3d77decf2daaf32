"""The one request pipeline: chat, task runner, benchmark and CLI all send through here.

``prepare`` applies the guide's stages (context pruning, prompt optimization,
dynamic model selection) and reports per stage what it did; ``run`` sends the
request, processes the streamed response (incremental parsing, early
termination) and records exactly one ledger row per model call, whatever happens.
"""

from __future__ import annotations

import asyncio
import copy
import math
import os
import time
from contextlib import aclosing
from dataclasses import dataclass, field
from pathlib import Path
from typing import AsyncIterator

from devsynth_tui.config import Config, app_home
from devsynth_tui.services import context_pruning as pruning
from devsynth_tui.services import prompt_optimization as prompts
from devsynth_tui.services.backend import Backend
from devsynth_tui.services.context import ContextItem, StageReport, live, total_tokens
from devsynth_tui.services.cpu import background, set_priority
from devsynth_tui.services.disk_cache import DiskCache, cache_key, is_deterministic
from devsynth_tui.services.ledger import Ledger, LedgerRow, stage_rows
from devsynth_tui.services.lmstudio_client import ChatResult, Delta, LLMError
from devsynth_tui.services.model_routing import classify, route
from devsynth_tui.services.resource_monitor import collect_garbage
from devsynth_tui.services.response_processing import CodeBlock, EarlyTerminator, IncrementalParser, Section
from devsynth_tui.services.token_accounting import count_messages, count_tokens, estimate_cost, truncate_tokens

DEFAULT_SYSTEM = "You are a concise, careful coding assistant."
LARGE_ANSWER_TOKENS = 1000  # memory.aggressive_gc collects after answers or contexts this large
LARGE_CONTEXT_TOKENS = 5000
EMBED_MAX_TOKENS = 480  # the head of a long chunk is embedded; small embedding models take 512
CL100K_MARGIN = 1.35  # model tokens per cl100k token, worst file of the corpus with SmolLM2 (1.14 over all of it)
FRAMING_TOKENS = 5  # chat-template tokens around each message (ChatML: <|im_start|>role\n ... <|im_end|>\n)
REPLY_TOKENS = 3  # the template's opening of the answer (<|im_start|>assistant\n)
CONTEXT_BLOCK_TOKENS = 8  # the context block's own title and separators
FIT_ATTEMPTS = 4  # prune again with a smaller budget while the counted prompt is over the limit
SAMPLING_KEYS = ("temperature", "top_p", "top_k", "max_tokens", "seed")
SUMMARY_SYSTEM = (
    "Summarize the following {type} for a developer in at most {limit} tokens. "
    "Keep names, signatures, numbers and requirements exactly; drop everything else."
)


@dataclass
class ChatRequest:
    """What the user asked, with its context, examples and per-request parameter overrides."""

    prompt: str
    context: list[ContextItem] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)  # {"role", "content", optional "ts"}
    examples: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    operation: str = "chat"
    system: str = DEFAULT_SYSTEM
    params: dict = field(default_factory=dict)  # sampling keys, "model", and "extra": server-specific fields
    prompt_is_template: bool = False  # a task's template: template comments are trimmed too


@dataclass
class Prepared:
    """The request exactly as it would be sent, and what each stage did to get there."""

    payload: dict
    reports: list[StageReport]
    items: list[ContextItem]  # every context item and turn, dropped ones included, with status
    tokens_before: int  # estimated prompt tokens with no optimization
    tokens_after: int  # estimated prompt tokens as sent
    complexity: str | None = None
    model_reason: str = ""
    tokens_sent: int | None = None  # prompt tokens as the server counts them (model tokenizer, else cl100k with margin)

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
    terminated_early: bool = False
    prepared: Prepared | None = None
    cached: bool = False
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for under an answer: model, tokens, tokens saved, time to first token, tokens/s, status."""
        row = self.row
        parts = [row.model or "?", f"{row.prompt_tokens:,} + {row.completion_tokens:,} tokens"]
        if self.cached:
            parts.append("cache hit")
        if row.tokens_saved:
            parts.append(f"saved {row.tokens_saved:,}")
        if row.ttft is not None:
            parts.append(f"ttft {row.ttft:.2f} s")
        if row.tps:
            parts.append(f"{row.tps:.1f} tok/s")
        if self.terminated_early:
            parts.append("stopped early")
        if self.status != "ok":
            parts.append(f"{self.status}: {self.error}" if self.error else self.status)
        return " · ".join(parts)


def context_block(items: list[ContextItem]) -> str:
    """Context items as one message, each under a header naming it."""
    parts = []
    for item in items:
        label = f"{item.name} ({item.type}{', ' + item.status if item.status != 'kept' else ''})"
        parts.append(f"### {label}\n{item.text.rstrip()}")
    return "Context:\n\n" + "\n\n".join(parts)


def _messages(system: str, items: list[ContextItem], examples: list[str], prompt: str) -> list[dict]:
    messages = [{"role": "system", "content": system}]
    files = [i for i in live(items) if i.kind != "turn"]
    if files:
        messages.append({"role": "system", "content": context_block(files)})
    if examples:
        messages.append({"role": "system", "content": "Examples:\n\n" + "\n\n".join(examples)})
    messages.extend({"role": i.role, "content": i.text} for i in live(items) if i.kind == "turn")
    messages.append({"role": "user", "content": prompt})
    return messages


def _context_tokens(items: list[ContextItem]) -> int:
    """cl100k tokens the items add to the messages: the context block (headers included) and turns."""
    files = [i for i in live(items) if i.kind != "turn"]
    block = sum(i.tokens + pruning.header_tokens(i) for i in files) + (CONTEXT_BLOCK_TOKENS if files else 0)
    return block + sum(i.tokens for i in live(items) if i.kind == "turn")


def _turn_items(history: list[dict]) -> list[ContextItem]:
    return [
        ContextItem(f"turn {n + 1} ({m['role']})", m["content"], "conversation", m.get("ts", 0.0), "turn", m["role"])
        for n, m in enumerate(history)
    ]


class Pipeline:
    """Prepares, sends and accounts for requests against one backend."""

    def __init__(self, cfg: Config, backend: Backend, ledger: Ledger, home: Path | None = None):
        self.cfg, self.backend, self.ledger = cfg, backend, ledger
        self.home = home or app_home()
        self.summaries = pruning.SummaryCache(self.home / "summaries")
        self._vectors: dict[str, list[float]] = {}
        self._cache: DiskCache | None = None
        self._gate: tuple[int, asyncio.Semaphore] | None = None
        self._tokenizer: bool | None = None  # does the server tokenize (None: not asked yet)
        self.notes = set_priority(cfg.get("cpu.process_priority"), [os.getpid(), backend.embedded.pid if backend.embedded else None])

    @property
    def gate(self) -> asyncio.Semaphore:
        """The one limit on parallel model work: chunked generation, summaries, benchmark concurrency."""
        par = self.cfg["cpu"]["parallel_processing"]
        size = par["max_workers"] if par["enabled"] else 1
        if self._gate is None or self._gate[0] != size:
            self._gate = (size, asyncio.Semaphore(size))
        return self._gate[1]

    @property
    def cache(self) -> DiskCache | None:
        """The response cache as configured now (``disk.caching``, ``disk.compression``)."""
        disk = self.cfg["disk"]
        if not disk["caching"]["enabled"]:
            return None
        level = disk["compression"]["level"] if disk["compression"]["enabled"] else None
        wanted = (disk["caching"]["max_size"], level)
        if self._cache is None or (self._cache.limit_mb, self._cache.level) != wanted:
            self._cache = DiskCache(self.home / "cache", *wanted)
        return self._cache

    def sampling(self, req: ChatRequest) -> dict:
        """Inference parameters: config, then the request's own overrides."""
        llm = self.cfg["llm"]
        params = {k: req.params.get(k, llm[k]) for k in SAMPLING_KEYS}
        return {k: v for k, v in params.items() if v is not None}

    # -- prepare -------------------------------------------------------------------

    async def prepare(self, req: ChatRequest) -> Prepared:
        """Apply every stage and build the payload; no chat-model call (embeddings and summaries may run).

        The limit (``memory.max_context_size``, and the model's window less ``max_tokens``)
        holds for everything sent, counted by the model's own tokenizer when the server
        has one, else by cl100k times a measured safety margin."""
        turns = _turn_items(req.history)
        before = count_messages(_messages(req.system, turns, req.examples, req.prompt)) + sum(
            i.tokens + pruning.header_tokens(i) for i in req.context) + (CONTEXT_BLOCK_TOKENS if req.context else 0)
        loaded = [StageReport("load", before, before, list(req.notes))] if req.notes else []
        sampling = self.sampling(req)
        active = await self.backend.resolve_model(req.params.get("model") or self.cfg.get("llm.model"))
        system, examples, prompt, prompt_reports = self._prompt_stage(req)
        limit = await self._limit(sampling, active)
        bare = _messages(system, [], examples, prompt)
        bare_tokens = sum(count_tokens(m["content"]) for m in bare)
        fixed, _ = await self._count_sent(bare, bare_tokens)
        budget = max(0, int((limit - fixed - CONTEXT_BLOCK_TOKENS) / (1.0 if self._tokenizer else CL100K_MARGIN)))
        for _ in range(FIT_ATTEMPTS):
            items = copy.deepcopy(req.context) + copy.deepcopy(turns)
            context_reports = await self._context_stage(req, items, budget)
            messages = _messages(system, items, examples, prompt)
            sent, counted_by = await self._count_sent(messages, bare_tokens + _context_tokens(items))
            if sent <= limit or budget == 0:
                break
            used = total_tokens(items)  # cl100k; scaled by what the counter saw, with a little to spare
            budget = max(0, min(budget - 1, int(used * 0.98 * (limit - fixed) / max(1, sent - fixed)) - CONTEXT_BLOCK_TOKENS))
        fit = StageReport("limit", sent, sent, [f"{sent:,} tokens sent of a {limit:,}-token limit ({counted_by})"])
        if fixed > limit:
            fit.notes.append("the prompt alone is over the limit: shorten it or raise memory.max_context_size")
        after = bare_tokens + _context_tokens(items) + 4 * len(messages) + 3  # as count_messages, without re-encoding
        payload = {"model": active, "messages": messages, **sampling, **req.params.get("extra", {})}
        prepared = Prepared(payload, loaded + context_reports + prompt_reports + [fit], items, before, after, tokens_sent=sent)
        await self._model_stage(req, prepared, active)
        rsp = self.cfg["tokens"]["response_optimization"]
        if rsp["early_termination"]:
            stops = EarlyTerminator(rsp["termination_patterns"]).stop_strings
            if stops:
                payload["stop"] = stops
        return prepared

    async def _limit(self, sampling: dict, model: str) -> int:
        """Most tokens a request may send: the configured limit, within the model's window."""
        limit = self.cfg.get("memory.max_context_size")
        window = await self.backend.context_length(model)
        if window:
            limit = min(limit, window - sampling.get("max_tokens", 0))
        return max(0, limit)

    async def _count_sent(self, messages: list[dict], content_tokens: int) -> tuple[int, str]:
        """Prompt tokens of ``messages`` as the server will count them, and how they were counted;
        ``content_tokens`` (cl100k, message contents only) is the estimate without a tokenizer."""
        if self._tokenizer is not False:
            try:
                tokens = await self.backend.client.tokenize("\n".join(str(m["content"]) for m in messages))
            except LLMError:
                tokens = None  # the request itself will say what is wrong with the server
            else:
                self._tokenizer = tokens is not None
            if tokens is not None:
                return len(tokens) + FRAMING_TOKENS * len(messages) + REPLY_TOKENS, "the model's tokenizer"
        estimate = math.ceil(content_tokens * CL100K_MARGIN)
        return estimate + FRAMING_TOKENS * len(messages) + REPLY_TOKENS, f"cl100k x {CL100K_MARGIN} (no tokenizer on the server)"

    async def _context_stage(self, req: ChatRequest, items: list[ContextItem], budget: int) -> list[StageReport]:
        settings = self.cfg["tokens"]["context_pruning"]
        mode = settings["embeddings"]
        use_embeddings = mode == "always" or (mode == "auto" and await self.backend.has_embedding_model())
        ctx = pruning.PruneContext(
            query=req.prompt,
            budget=budget,
            settings=settings,
            embedder=self._embed if use_embeddings else None,
            summarizer=self._summarize,
            gate=self.gate,
            now=time.time(),
            whole_when_fits=req.prompt_is_template,
        )
        return await pruning.prune(items, ctx) if items else []

    def _prompt_stage(self, req: ChatRequest) -> tuple[str, list[str], str, list[StageReport]]:
        """Template trimming, example selection and instruction compression, one report each when it acts."""
        opts = self.cfg["tokens"]["prompt_optimization"]
        system, prompt, examples, reports = req.system, req.prompt, list(req.examples), []

        def size() -> int:
            return count_tokens(system) + count_tokens(prompt) + sum(map(count_tokens, examples))

        if opts["template_trimming"]:
            start = size()
            system = prompts.trim_template(system)
            prompt = prompts.trim_template(prompt, strip_comments=req.prompt_is_template)
            reports.append(StageReport("prompt:template_trimming", start, size(), ["templates trimmed"]))
        if len(examples) > opts["max_examples"]:
            start = size()
            examples = prompts.select_examples(examples, req.prompt, opts["max_examples"])
            note = f"kept {len(examples)} of {len(req.examples)} examples (max_examples {opts['max_examples']})"
            reports.append(StageReport("prompt:example_selection", start, size(), [note]))
        if opts["instruction_compression"]:
            start = size()
            prompt = prompts.compress_instructions(prompt)
            reports.append(StageReport("prompt:instruction_compression", start, size(), [f"instructions: {start} -> {size()} tokens"]))
        return system, examples, prompt, reports

    async def _model_stage(self, req: ChatRequest, prepared: Prepared, active: str) -> None:
        dms = self.cfg["llm"]["dynamic_model_selection"]
        if not dms["enabled"] or req.params.get("model"):
            return
        types = [i.type for i in live(prepared.items) if i.kind != "turn"]
        complexity, reason = classify(prepared.tokens_after, types, req.operation, dms)
        available = [m.id for m in await self.backend.models()]
        chosen = route(complexity, reason, dms, available, active)
        prepared.payload["model"], prepared.complexity, prepared.model_reason = chosen.model, complexity, chosen.reason
        prepared.reports.append(
            StageReport("model", prepared.tokens_after, prepared.tokens_after, [f"{complexity}: {chosen.model} ({chosen.reason})"])
        )

    async def _embed(self, texts: list[str]) -> list[list[float]]:
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            heads = [truncate_tokens(t, EMBED_MAX_TOKENS) for t in missing]
            vectors = await self.backend.client.embed(heads, await self.backend.embedding_model())
            if len(self._vectors) > 4096:
                self._vectors.clear()
            self._vectors.update(zip(missing, vectors))
        return [self._vectors[t] for t in texts]

    async def _summarize(self, item: ContextItem, limit: int) -> str:
        model = await self.backend.resolve_model(self.cfg.get("llm.model"))
        cached = self.summaries.get(item.text, model, limit)
        if cached is not None:
            return cached
        window = await self.backend.context_length(model) or 8192
        source = truncate_tokens(item.text, max(256, int((window - limit - 256) / CL100K_MARGIN)))
        req = ChatRequest(source, operation="summarize", system=SUMMARY_SYSTEM.format(type=item.type, limit=limit))
        payload = {"model": model, "messages": _messages(req.system, [], [], source), "max_tokens": limit, "temperature": 0.0}
        started = time.perf_counter()
        try:
            result = await self.backend.client.chat(payload)
        except LLMError as e:
            self._finish(req, None, "", None, "error", str(e), started)
            raise
        self._finish(req, None, result.text, result, "ok", None, started)
        summary = truncate_tokens(result.text.strip(), limit)
        self.summaries.put(item.text, model, limit, summary)
        return summary

    # -- run -----------------------------------------------------------------------------

    async def run(self, req: ChatRequest) -> AsyncIterator[StageReport | Delta | CodeBlock | Section | Done]:
        """Send ``req``: yields stage reports, answer deltas, parsed blocks, then one Done. Cancel-safe."""
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
        opts = self.cfg["tokens"]["prompt_optimization"]
        if opts["chunked_generation"] and self._input_tokens(prep) > opts["chunk_size"]:
            async for event in self._run_chunked(req, prep, started):
                yield event
            return
        cache = self.cache if is_deterministic(prep.payload) else None
        key = cache_key(prep.payload) if cache else None
        hit = (await self._io(cache.get, key)) if cache else None
        if hit is not None:
            yield Delta(hit["text"], time.perf_counter())
            yield self._cache_hit(req, prep, hit, started)
            return
        async for event in self._send(req, prep, started):
            if isinstance(event, Done):
                await self._after(event, cache, key)
            yield event

    async def _io(self, fn, *args):
        """Disk work off the event loop when ``disk.async_io`` is on."""
        return await asyncio.to_thread(fn, *args) if self.cfg.get("disk.async_io") else fn(*args)

    def _cache_hit(self, req: ChatRequest, prep: Prepared, hit: dict, started: float) -> Done:
        usage = hit.get("usage") or {}
        result = ChatResult(text=hit["text"], model=hit.get("model"), finish_reason=hit.get("finish_reason"), usage=usage)
        row = self._row(req, prep, hit["text"], None, "ok", None, started)
        row.prompt_tokens = row.completion_tokens = 0
        row.cost, row.cached, row.usage_source = 0.0, True, "cache"
        row.tokens_saved += usage.get("prompt_tokens", 0) + usage.get("completion_tokens", 0)
        self._record(row, prep)
        return Done(hit["text"], "ok", row, result, cached=True, prepared=prep)

    async def _after(self, done: Done, cache: DiskCache | None, key: str | None) -> None:
        """Store a complete deterministic answer (in the background if so configured); collect garbage after a large one."""
        if cache and done.status == "ok" and not done.terminated_early and done.result and done.result.usage:
            r = done.result
            entry = {"text": done.text, "usage": r.usage, "model": r.model, "finish_reason": r.finish_reason}
            await background(self._io(cache.put, key, entry), self.cfg.get("cpu.background_operations"))
            if cache.warning:
                done.notes.append(cache.warning)
        large = done.row.completion_tokens >= LARGE_ANSWER_TOKENS or (done.prepared and done.prepared.tokens_before >= LARGE_CONTEXT_TOKENS)
        if self.cfg.get("memory.aggressive_gc") and large:
            done.notes.append(collect_garbage())

    async def _explain(self, error: LLMError) -> str:
        """The error's one line, plus what happened to the embedded server if it died."""
        server = self.backend.embedded
        if self.backend.kind == "embedded" and server and await asyncio.to_thread(server.died):
            code = server.exit_code
            return f"the embedded llama.cpp server stopped (exit code {code}); it restarts with the next request ({error})"
        return str(error)

    def _input_tokens(self, prep: Prepared) -> int:
        return sum(i.tokens for i in live(prep.items) if i.kind != "turn") + count_tokens(prep.messages[-1]["content"])

    async def _send(self, req: ChatRequest, prep: Prepared, started: float):
        rsp = self.cfg["tokens"]["response_optimization"]
        parser = IncrementalParser() if rsp["incremental_parsing"] else None
        stopper = EarlyTerminator(rsp["termination_patterns"]) if rsp["early_termination"] else None
        parts: list[str] = []
        result: ChatResult | None = None
        status, error, cut = "ok", None, None
        try:
            if rsp["streaming"]:
                async with aclosing(self.backend.client.stream_chat(prep.payload)) as stream:
                    async for event in stream:
                        if not isinstance(event, Delta):
                            result = event
                            continue
                        parts.append(event.text)
                        yield event
                        for parsed in parser.feed(event.text) if parser else []:
                            yield parsed
                        cut = stopper.feed(event.text) if stopper else None
                        if cut is not None:
                            break  # closing the stream makes the server stop generating
            else:
                result = await self.backend.client.chat(prep.payload)
                parts.append(result.text)
                yield Delta(result.text, time.perf_counter())
                for parsed in parser.feed(result.text) if parser else []:
                    yield parsed
        except (asyncio.CancelledError, GeneratorExit):
            self._finish(req, prep, "".join(parts), result, "cancelled", "cancelled by the user", started)
            raise
        except LLMError as e:
            status, error = ("partial" if parts else "error"), await self._explain(e)
        for parsed in parser.close() if parser else []:
            yield parsed
        text = "".join(parts)
        done = self._finish(req, prep, text, result, status, error, started)
        if cut is not None:
            done.text, done.terminated_early = text[:cut], True
        done.prepared = prep
        yield done

    async def _run_chunked(self, req: ChatRequest, prep: Prepared, started: float):
        """Chunked generation: one call per piece of input (in parallel up to max_workers), answers merged in order."""
        chunk_size = self.cfg.get("tokens.prompt_optimization.chunk_size")
        source = "\n\n".join(f"### {i.name}\n{i.text}" for i in live(prep.items) if i.kind != "turn")
        pieces = prompts.split_for_generation(source, "input.md", chunk_size) or [""]
        gate = self.gate
        question = prep.messages[-1]["content"]

        async def one(n: int, piece: str) -> ChatResult:
            payload = dict(prep.payload)
            content = f"Part {n + 1} of {len(pieces)} of the input:\n\n{piece}"
            payload["messages"] = [prep.messages[0], {"role": "system", "content": content}, {"role": "user", "content": question}]
            async with gate:
                return await self.backend.client.chat(payload)

        yield StageReport("chunked", prep.tokens_after, prep.tokens_after, [f"input split into {len(pieces)} chunks of at most {chunk_size} tokens"])
        tasks = [asyncio.ensure_future(one(n, p)) for n, p in enumerate(pieces)]
        parts, results, status, error = [], [], "ok", None
        try:
            for n, task in enumerate(tasks):
                result = await task
                results.append(result)
                piece = f"{'' if n == 0 else chr(10) * 2}**Part {n + 1}/{len(pieces)}**\n\n{result.text}"
                parts.append(piece)
                yield Delta(piece, time.perf_counter())
        except (asyncio.CancelledError, GeneratorExit):
            for task in tasks:
                task.cancel()
            self._finish(req, prep, "".join(parts), _merge_results(results), "cancelled", "cancelled by the user", started)
            raise
        except LLMError as e:
            for task in tasks:
                task.cancel()
            status, error = "error", str(e)
        done = self._finish(req, prep, "".join(parts), _merge_results(results), status, error, started)
        done.prepared = prep
        yield done

    # -- accounting ---------------------------------------------------------------------------

    def _finish(self, req, prep, text, result, status, error, started) -> Done:
        row = self._row(req, prep, text, result, status, error, started)
        self._record(row, prep)
        return Done(text, status, row, result, error)

    def _record(self, row: LedgerRow, prep: Prepared | None) -> None:
        """The ledger row, and the tokens before and after each optimization stage."""
        request_id = self.ledger.record(row)
        if prep:
            self.ledger.record_stages(request_id, stage_rows(prep.reports))

    def _row(self, req, prep: Prepared | None, text: str, result: ChatResult | None, status, error, started) -> LedgerRow:
        usage = (result.usage if result else None) or {}
        est_prompt = prep.tokens_after if prep else count_tokens(req.prompt)
        prompt = usage.get("prompt_tokens", est_prompt)
        completion = usage.get("completion_tokens", count_tokens(text))
        saved = max(0, prep.tokens_before - prep.tokens_after) if prep else 0
        return LedgerRow(
            operation=req.operation,
            model=(result.model if result and result.model else None) or (prep.payload["model"] if prep else None),
            backend=self.backend.kind,
            prompt_tokens=prompt,
            completion_tokens=completion,
            est_prompt_tokens=est_prompt,
            tokens_before=prep.tokens_before if prep else None,
            tokens_saved=saved,
            cost=estimate_cost(prompt, completion, self.cfg["pricing"]),
            ttft=result.ttft if result else None,
            tps=result.tps if result else None,
            duration=time.perf_counter() - started,
            status=status,
            error=error,
            usage_source="server" if usage else "estimate",
        )


def _merge_results(results: list[ChatResult]) -> ChatResult | None:
    """One result whose usage adds up the parts (chunked generation)."""
    if not results:
        return None
    merged = ChatResult(text="".join(r.text for r in results), model=results[0].model, t_start=results[0].t_start)
    usages = [r.usage for r in results if r.usage]
    if len(usages) == len(results):
        merged.usage = {k: sum(u.get(k, 0) for u in usages) for k in ("prompt_tokens", "completion_tokens", "total_tokens")}
    merged.t_first, merged.t_end = results[0].t_end, results[-1].t_end
    return merged

