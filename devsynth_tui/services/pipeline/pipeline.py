"""The one request pipeline: chat, task runner, benchmark and CLI all send through here.

``prepare`` applies the guide's stages (context pruning, prompt optimization,
dynamic model selection) and reports per stage what it did; ``run`` sends the
request, processes the streamed response (incremental parsing, early
termination) and records exactly one ledger row per model call, whatever happens.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import math
import os
import time
from collections.abc import AsyncGenerator
from contextlib import aclosing
from pathlib import Path

from devsynth_tui.config import Config, app_home
from devsynth_tui.services.app_log import record
from devsynth_tui.services.context import prompt_optimization as prompts
from devsynth_tui.services.context import pruning
from devsynth_tui.services.context.items import ContextItem, StageReport, live, sent_tokens
from devsynth_tui.services.context.response_processing import EarlyTerminator, IncrementalParser
from devsynth_tui.services.context.token_accounting import (
    by_bytes,
    count_messages,
    count_tokens,
    counting_bytes,
    counts_known,
    framing_tokens,
    known_counts,
    load_off_the_loop,
    truncate_tokens,
)
from devsynth_tui.services.context.view import view_of
from devsynth_tui.services.errors import ServiceError, describe
from devsynth_tui.services.llm.backend import Backend
from devsynth_tui.services.llm.errors import LLMError
from devsynth_tui.services.llm.results import ChatResult, Delta, PromptProgress
from devsynth_tui.services.pipeline.accounting import ledger_row, merge_results, record_row
from devsynth_tui.services.pipeline.messages import (
    CL100K_MARGIN,
    CONTEXT_BLOCK_TOKENS,
    FRAMING_TOKENS,
    REPLY_TOKENS,
    build_messages,
    context_tokens,
    history_tokens,
    whole_history,
)
from devsynth_tui.services.pipeline.request import (
    SAMPLING_KEYS,
    ChatRequest,
    Done,
    Event,
    Notice,
    Prepared,
    StreamEnded,
)
from devsynth_tui.services.pipeline.stages import history_stage, model_stage, prompt_stage
from devsynth_tui.services.resources.cpu import background, set_priority
from devsynth_tui.services.resources.disk_cache import DiskCache, cache_key, is_deterministic
from devsynth_tui.services.store.conversations import newest_cost
from devsynth_tui.services.store.ledger import Ledger, LedgerRow

LARGE_ANSWER_TOKENS = 1000  # memory.aggressive_gc collects after answers or contexts this large
LARGE_CONTEXT_TOKENS = 5000
EMBED_MAX_TOKENS = 480  # the head of a long chunk is embedded; small embedding models take 512
LOADED_LIST_TIMEOUT = 2.0  # seconds for the model list read again once a model was loaded for an answer
MODEL_COUNT = "the model's tokenizer"  # how a request's tokens were counted, when by the server's own tokenizer
FIT_ATTEMPTS = 4  # prune again with a smaller budget while the counted prompt is over the limit
SUMMARY_SYSTEM = (
    "Summarize the following {type} for a developer in at most {limit} tokens. "
    "Keep names, signatures, numbers and requirements exactly; drop everything else."
)


class PromptTooLong(ServiceError):
    """The question alone does not fit the model's window."""


class NeedsCounts(Exception):
    """Prepared by bytes, the request would be cut to fit: only exact counts can say how."""


class Pipeline:
    """Prepares, sends and accounts for requests against one backend."""

    def __init__(
        self, cfg: Config, backend: Backend, ledger: Ledger, home: Path | None = None, session: str | None = None
    ):
        self.cfg, self.backend, self.ledger = cfg, backend, ledger
        self.home = home or app_home()
        self.session = session  # tags ledger rows for a front end's counters
        self.summaries = pruning.SummaryCache(self.home / "summaries")
        self._vectors: dict[str, list[float]] = {}
        self._cache: DiskCache | None = None
        self._gate: tuple[int, asyncio.Semaphore] | None = None
        self._tokenizer: bool | None = None  # does the server tokenize (None: not asked yet)
        self.notes = set_priority(
            cfg.cpu.process_priority, [os.getpid(), backend.embedded.pid if backend.embedded else None]
        )

    @property
    def gate(self) -> asyncio.Semaphore:
        """The one limit on parallel model work: chunked generation, summaries, benchmark concurrency."""
        par = self.cfg.cpu.parallel_processing
        size = par.max_workers if par.enabled else 1
        if self._gate is None or self._gate[0] != size:
            self._gate = (size, asyncio.Semaphore(size))
        return self._gate[1]

    @property
    def cache(self) -> DiskCache | None:
        """The response cache as configured now (``disk.caching``, ``disk.compression``)."""
        disk = self.cfg.disk
        if not disk.caching.enabled:
            return None
        level = disk.compression.level if disk.compression.enabled else None
        wanted = (disk.caching.max_size, level)
        if self._cache is None or (self._cache.limit_mb, self._cache.level) != wanted:
            self._cache = DiskCache(self.home / "cache", *wanted)
        return self._cache

    def sampling(self, req: ChatRequest) -> dict:
        """Inference parameters: config, then the request's own overrides."""
        llm = self.cfg.llm
        params = {k: req.params.get(k, getattr(llm, k)) for k in SAMPLING_KEYS}
        return {k: v for k, v in params.items() if v is not None}

    # -- prepare -------------------------------------------------------------------

    async def prepare(self, req: ChatRequest, ask_server: bool = True) -> Prepared:
        """Apply every stage and build the payload; no chat-model call (embeddings and summaries may run).

        The limit (``memory.max_context_size``, and the model's window less ``max_tokens``)
        holds for everything sent, counted by the model's own tokenizer when the server
        has one (and ``ask_server``), else by cl100k times a measured safety margin."""
        by_bytes_only = counting_bytes()
        if not (by_bytes_only or counts_known()):
            await load_off_the_loop()  # the tokenizer is not loaded at start-up: its first load never holds the loop
        whole = whole_history(req.history)
        before = count_messages(build_messages(req.system, [], req.examples, whole, req.prompt)) + context_tokens(
            req.context
        )
        loaded = [StageReport("load", before, before, list(req.notes))] if req.notes else []
        sampling = self.sampling(req)
        active = await self.backend.resolve_model(req.params.get("model") or self.cfg.llm.model)
        system, examples, prompt, prompt_reports = prompt_stage(req, self.cfg.tokens.prompt_optimization)
        limit = await self._limit(sampling, active)
        bare = build_messages(system, [], examples, None, prompt)
        bare_tokens = sum(count_tokens(m["content"]) for m in bare)
        fixed, _ = await self._count_sent(bare, bare_tokens, ask_server)
        await self._check_fits(bare, bare_tokens, fixed, sampling, active)
        budget = max(0, int((limit - fixed - CONTEXT_BLOCK_TOKENS) / (1.0 if self._tokenizer else CL100K_MARGIN)))
        newest = newest_cost(req.history)
        for _ in range(FIT_ATTEMPTS):
            items = copy.deepcopy(req.context)
            context_reports = await self._context_stage(req, items, budget - (newest if newest <= budget else 0))
            summarizer = None if by_bytes_only else self._summarize_conversation  # none called to prepare by bytes
            room = budget - context_tokens(items)
            history = await history_stage(req, room, self.cfg.tokens.context_pruning, summarizer)
            messages = build_messages(system, items, examples, history, prompt)
            used = context_tokens(items) + history_tokens(history)
            sent, counted_by = await self._count_sent(messages, bare_tokens + used, ask_server)
            if by_bytes_only and (history.cut or sent > limit):
                raise NeedsCounts
            if sent <= limit or budget == 0:
                break  # else shrink by the ratio the counter saw, with a little to spare
            budget = max(
                0, min(budget - 1, int(used * 0.98 * (limit - fixed) / max(1, sent - fixed)) - CONTEXT_BLOCK_TOKENS)
            )
        fit = StageReport("limit", sent, sent, [f"{sent:,} tokens sent of a {limit:,}-token limit ({counted_by})"])
        if fixed > limit:
            fit.notes.append("the prompt alone is over the limit: shorten it or raise memory.max_context_size")
        reports = loaded + context_reports + ([history.report] if history.report else []) + prompt_reports + [fit]
        after = bare_tokens + used + framing_tokens(len(messages))  # as count_messages, without encoding it again
        payload = {"model": active, "messages": messages, **sampling, **req.params.get("extra", {})}
        window = await self.backend.context_length(active) or self.cfg.memory.max_context_size + sampling.get(
            "max_tokens", 0
        )
        exact = counted_by == MODEL_COUNT
        prepared = Prepared(payload, reports, items, before, after, tokens_sent=sent, sent_exact=exact, window=window)
        prepared.listings = list(req.listings)
        await model_stage(req, prepared, active, self.cfg["llm"]["dynamic_model_selection"], self.backend)
        prepared.loading = await self.backend.will_load(payload["model"])
        rsp = self.cfg.tokens.response_optimization
        if rsp.early_termination:
            stops = EarlyTerminator(list(rsp.termination_patterns)).stop_strings
            if stops:
                payload["stop"] = stops
        return prepared

    async def _prepare_by_bytes(self, req: ChatRequest) -> Prepared | None:
        """The payload prepared by UTF-8 bytes, which bound tokens (and need no tokenizer, which is not loaded at
        start-up, nor the server's): when the question, its conversation and its instructions fit by bytes and
        there are no files to prune nor routing by size, nothing is cut, so it is what an exact prepare makes.
        Its figures are counted once its stream ended. None: prepare exactly (something would be cut)."""
        chunked = self.cfg.tokens.prompt_optimization
        routed = self.cfg["llm"]["dynamic_model_selection"]["enabled"] and not req.params.get("model")
        if req.context or routed:
            return None
        if chunked.chunked_generation and len(req.prompt.encode()) > chunked.chunk_size:
            return None
        texts: set[str] = set()
        with by_bytes(texts):
            try:
                prep = await self.prepare(req)
            except (PromptTooLong, NeedsCounts):
                return None  # by bytes; its tokens may fit
        prep.counted, prep.texts = False, texts
        return prep

    async def _counted(
        self, req: ChatRequest, prep: Prepared, ask_server: bool, answer: tuple[str, ...] = ()
    ) -> list[StageReport]:
        """The stage reports of ``prep``, prepared by bytes, once its figures are counted exactly, to be told (none:
        counted and told before it was sent).

        Counted once the stream ended, by the model's own tokenizer when its server has one (its texts and the
        ``answer``, each once), else by cl100k: its connection is free again, and the tokenizer's build (~60 ms in
        one call that holds the interpreter, 26 MB kept) holds no key typed during the stream. Not asking the server
        (``ask_server`` False) after a cancel or a failure: the server may be why."""
        if prep.counted:
            return []
        counts = await self._model_counts(_texts_of(prep, answer)) if ask_server else None
        with known_counts(counts):
            prep.take_figures(await self.prepare(req, ask_server=ask_server))
        prep.texts, prep.counts = set(), counts
        return prep.reports

    async def _model_counts(self, texts: set[str]) -> dict[str, int] | None:
        """Each text's tokens by the model's own count; None when its server has no tokenizer (or failed)."""
        if self._tokenizer is False:
            return None
        try:
            counts = await self.backend.client.token_counts(texts)
        except LLMError:
            return None  # counted by cl100k, as without a tokenizer
        self._tokenizer = counts is not None
        return counts

    async def _limit(self, sampling: dict, model: str) -> int:
        """Most tokens a request may send: the configured limit, within the model's window."""
        limit = self.cfg.memory.max_context_size
        window = await self.backend.context_length(model)
        if window:
            limit = min(limit, window - sampling.get("max_tokens", 0))
        return max(0, limit)

    async def _check_fits(self, bare: list[dict], bare_tokens: int, fixed: int, sampling: dict, model: str) -> None:
        """Refuse, before any model call, a question that cannot fit the model's window with room for the answer.

        Without the model's tokenizer the count is cl100k's without the safety margin, so a
        question near the edge is sent and the server has the last word.
        """
        window = await self.backend.context_length(model)
        if not window:
            return
        counted = fixed if self._tokenizer else bare_tokens + FRAMING_TOKENS * len(bare) + REPLY_TOKENS
        room = window - sampling.get("max_tokens", 0)
        if counted > room:
            raise PromptTooLong(
                f"the question is about {counted:,} tokens and {model} has a {window:,}-token window with "
                f"{sampling.get('max_tokens', 0):,} kept for the answer (llm.max_tokens): shorten it, attach the text "
                f"as a context file (ask --context FILE, or the Tasks pane) so pruning can cut it, or use a model "
                f"with a larger window"
            )

    async def _count_sent(self, messages: list[dict], content_tokens: int, ask_server: bool) -> tuple[int, str]:
        """Prompt tokens of ``messages`` as the server will count them, and how they were counted;
        ``content_tokens`` (cl100k, message contents only) is the estimate without the server's tokenizer."""
        if ask_server and self._tokenizer is not False and not counting_bytes():
            try:
                tokens = await self.backend.client.tokenize("\n".join(str(m["content"]) for m in messages))
            except LLMError:
                tokens = None  # the request itself will say what is wrong with the server
            else:
                self._tokenizer = tokens is not None
            if tokens is not None:
                return len(tokens) + FRAMING_TOKENS * len(messages) + REPLY_TOKENS, MODEL_COUNT
        estimate = math.ceil(content_tokens * CL100K_MARGIN) + FRAMING_TOKENS * len(messages) + REPLY_TOKENS
        why = "no tokenizer on the server" if ask_server else "the server not asked: the answer did not end well"
        return estimate, f"cl100k x {CL100K_MARGIN} ({why})"

    async def _context_stage(self, req: ChatRequest, items: list[ContextItem], budget: int) -> list[StageReport]:
        if not items:
            return []
        mode = self.cfg.tokens.context_pruning.embeddings
        use_embeddings = mode == "always" or (mode == "auto" and await self.backend.has_embedding_model())
        ctx = pruning.PruneContext(
            query=req.prompt,
            budget=max(0, budget),
            settings=self.cfg["tokens"]["context_pruning"],  # the mapping: pruning reads it by key
            embedder=self._embed if use_embeddings else None,
            summarizer=self._summarize,
            gate=self.gate,
            now=time.time(),
        )
        return await pruning.prune(items, ctx)

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
        """A context item summarized by the model (summarization strategy)."""
        return await self._summary(item.text, item.type, limit)

    async def _summarize_conversation(self, transcript: str, limit: int) -> str:
        limit = min(limit, self.cfg.tokens.context_pruning.max_tokens)
        return await self._summary(transcript, "earlier part of a conversation", limit)

    async def _summary(self, text: str, kind: str, limit: int) -> str:
        """At most ``limit`` tokens of summary by the active model, cached on disk by content."""
        model = await self.backend.resolve_model(self.cfg.llm.model)
        cached = self.summaries.get(text, model, limit)
        if cached is not None:
            return cached
        window = await self.backend.context_length(model) or 8192
        source = truncate_tokens(text, max(256, int((window - limit - 256) / CL100K_MARGIN)))
        req = ChatRequest(source, operation="summarize", system=SUMMARY_SYSTEM.format(type=kind, limit=limit))
        messages = build_messages(req.system, [], [], None, source)
        payload = {"model": model, "messages": messages, "max_tokens": limit, "temperature": 0.0}
        started = time.perf_counter()
        try:
            result = await self.backend.client.chat(payload)
        except LLMError as e:
            record(e, "summary failed")
            await self._finish(req, None, "", None, "error", str(e), started)
            raise
        await self._finish(req, None, result.text, result, "ok", None, started)
        summary = truncate_tokens(result.text.strip(), limit)
        self.summaries.put(text, model, limit, summary)
        return summary

    # -- run -----------------------------------------------------------------------------

    async def run(self, req: ChatRequest) -> AsyncGenerator[Event, None]:
        """Send ``req``: yields stage reports, what is sent (Prepared), notices, answer deltas, parsed blocks,
        StreamEnded once a streamed answer is whole, then one Done. Cancel-safe.

        Every failure, whatever raised it, ends in a Done with one clear line and a ledger row. The client stays
        open until then: a reconnect meanwhile closes it once the request has counted and recorded its end.
        """
        async with self.backend.client.in_use(), aclosing(self._run(req)) as events:
            async for event in events:
                yield event

    async def _run(self, req: ChatRequest) -> AsyncGenerator[Event, None]:
        if not req.prompt.strip():
            raise ValueError("empty prompt: type a question first")
        started = time.perf_counter()
        try:
            await self.backend.ensure_alive()
            prep = await self._prepare_by_bytes(req) or await self.prepare(req)
        except Exception as e:
            record(e, f"{req.operation} request not sent")
            yield await self._finish(req, None, "", None, "error", describe(e), started)
            return
        for report in prep.reports if prep.counted else ():  # else once counted, before the Done
            yield report
        yield prep  # what is sent: a context view even for an answer cut short
        if prep.loading:
            yield Notice(f"{self.backend.name} is loading {prep.payload['model']}…")
        opts = self.cfg.tokens.prompt_optimization
        if prep.counted and opts.chunked_generation and self._input_tokens(prep) > opts.chunk_size:
            async with aclosing(self._run_chunked(req, prep, started)) as chunks:  # closed here: its end is recorded
                async for event in chunks:
                    if isinstance(event, Done):
                        await self._loaded_window(event, prep)
                    yield event
            return
        cache = self.cache if is_deterministic(prep.payload) else None
        key = cache_key(prep.payload) if cache else None
        hit = (await self._io(cache.get, key)) if cache else None
        if hit is not None:
            for report in await self._counted(req, prep, ask_server=True, answer=(hit["text"],)):
                yield report
            yield Delta(hit["text"], time.perf_counter())
            yield await self._cache_hit(req, prep, hit, started)
            return
        async with aclosing(self._send(req, prep, started)) as events:  # a consumer that stops closes it here
            async for event in events:
                if isinstance(event, Done):
                    await self._loaded_window(event, prep)
                    await self._after(event, cache, key)
                yield event

    async def _loaded_window(self, done: Done, prep: Prepared) -> None:
        """The server loaded the model for this answer (LM Studio JIT): the answer's context view and "ctx %" use the
        window it was loaded with (4,096 where the model's maximum, listed before, said 40,960). Asked briefly, and
        not after a failure (a failed load may leave the server hanging): the list then stays as it was."""
        if not prep.loading or done.status == "error":
            return
        with contextlib.suppress(LLMError, TimeoutError):
            await asyncio.wait_for(self.backend.models(refresh=True), LOADED_LIST_TIMEOUT)
        prep.window = await self.backend.context_length(prep.payload["model"]) or prep.window

    async def _io(self, fn, *args):
        """Disk work off the event loop when ``disk.async_io`` is on."""
        return await asyncio.to_thread(fn, *args) if self.cfg.disk.async_io else fn(*args)

    async def _cache_hit(self, req: ChatRequest, prep: Prepared, hit: dict, started: float) -> Done:
        usage = hit.get("usage") or {}
        result = ChatResult(
            text=hit["text"], model=hit.get("model"), finish_reason=hit.get("finish_reason"), usage=usage
        )
        row = self._row(req, prep, hit["text"], None, "ok", None, started)
        row.prompt_tokens = row.completion_tokens = 0
        row.cost, row.cached, row.usage_source = 0.0, True, "cache"
        row.tokens_saved += usage.get("prompt_tokens", 0) + usage.get("completion_tokens", 0)
        await record_row(self.ledger, row, prep)
        return Done(hit["text"], "ok", row, result, cached=True, prepared=prep)

    async def _after(self, done: Done, cache: DiskCache | None, key: str | None) -> None:
        """Store a complete deterministic answer (in the background if so configured); mark a large one for a
        collection, which its consumer runs once the answer is shown (a dashboard after its last frame)."""
        if cache and done.status == "ok" and not done.terminated_early and done.result and done.result.usage:
            r = done.result
            entry = {"text": done.text, "usage": r.usage, "model": r.model, "finish_reason": r.finish_reason}
            await background(self._io(cache.put, key, entry), self.cfg.cpu.background_operations)
            if cache.warning:
                done.notes.append(cache.warning)
        large = done.row.completion_tokens >= LARGE_ANSWER_TOKENS or (
            done.prepared and done.prepared.tokens_before >= LARGE_CONTEXT_TOKENS
        )
        done.collect = bool(self.cfg.memory.aggressive_gc and large)

    async def _explain(self, error: Exception) -> str:
        """The error's one line, plus what happened to the embedded server if it died."""
        server = self.backend.embedded
        if self.backend.kind == "embedded" and server and await asyncio.to_thread(server.died):
            code = server.exit_code
            return (
                f"the embedded llama.cpp server stopped (exit code {code}); "
                f"it restarts with the next request ({describe(error)})"
            )
        return describe(error)

    def _input_tokens(self, prep: Prepared) -> int:
        return sent_tokens(prep.items) + count_tokens(prep.messages[-1]["content"])

    async def _send(self, req: ChatRequest, prep: Prepared, started: float):
        """Stream the answer to ``prep``; one prepared by bytes is counted once the stream ended."""
        rsp = self.cfg.tokens.response_optimization
        parser = IncrementalParser() if rsp.incremental_parsing else None
        stopper = EarlyTerminator(list(rsp.termination_patterns)) if rsp.early_termination else None
        parts: list[str] = []
        thinking: list[str] = []
        result: ChatResult | None = None
        seen = ChatResult()  # filled as the stream goes: an answer stopped early keeps its timings
        status, error, cut = "ok", None, None
        try:
            if rsp.streaming:
                payload = {**prep.payload, "return_progress": True} if self.backend.reports_progress else prep.payload
                async with aclosing(self.backend.client.stream_chat(payload, seen)) as stream:
                    async for event in stream:
                        if isinstance(event, PromptProgress):
                            yield Notice(event.line)
                            continue
                        if not isinstance(event, Delta):
                            result = event
                            continue
                        yield event
                        if event.thinking:
                            thinking.append(event.text)
                            continue
                        parts.append(event.text)
                        for parsed in parser.feed(event.text) if parser else []:
                            yield parsed
                        cut = stopper.feed(event.text) if stopper else None
                        if cut is not None:
                            break  # closing the stream makes the server stop generating
                yield StreamEnded()  # a consumer leaving here (Esc) cancels, as during the stream
            else:
                result = await self.backend.client.chat(prep.payload)
                if result.reasoning:
                    thinking.append(result.reasoning)
                    yield Delta(result.reasoning, time.perf_counter(), thinking=True)
                parts.append(result.text)
                yield Delta(result.text, time.perf_counter())
                for parsed in parser.feed(result.text) if parser else []:
                    yield parsed
        except (asyncio.CancelledError, GeneratorExit):
            await self._counted(req, prep, ask_server=False)
            await self._finish(
                req,
                prep,
                "".join(parts),
                result or seen,
                "cancelled",
                "cancelled by the user",
                started,
                "".join(thinking),
            )
            raise
        except Exception as e:
            record(e, f"{req.operation} request failed")
            status, error = ("partial" if parts else "error"), await self._explain(e)
            result = result or (seen if parts or thinking else None)
        for parsed in parser.close() if parser else []:
            yield parsed
        text = "".join(parts)
        prep.ending = asyncio.ensure_future(self._end(req, prep, text, result, status, error, started, thinking, cut))
        reports, done = await asyncio.shield(prep.ending)  # counted and recorded even if its consumer is cancelled now
        for report in reports:
            yield report
        yield done

    async def _run_chunked(self, req: ChatRequest, prep: Prepared, started: float):
        """Chunked generation: one call per piece of input (in parallel up to max_workers), answers merged in order."""
        chunk_size = self.cfg.tokens.prompt_optimization.chunk_size
        source = "\n\n".join(f"### {i.name}\n{i.text}" for i in live(prep.items))
        pieces = prompts.split_for_generation(source, "input.md", chunk_size) or [""]
        gate = self.gate

        async def one(n: int, piece: str) -> ChatResult:
            payload = dict(prep.payload)
            content = f"{req.system}\n\nPart {n + 1} of {len(pieces)} of the input:\n\n{piece}"
            payload["messages"] = [{"role": "system", "content": content}, *prep.messages[1:]]
            async with gate:
                return await self.backend.client.chat(payload)

        yield StageReport(
            "chunked",
            prep.tokens_after,
            prep.tokens_after,
            [f"input split into {len(pieces)} chunks of at most {chunk_size} tokens"],
        )
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
            await self._finish(
                req, prep, "".join(parts), merge_results(results), "cancelled", "cancelled by the user", started
            )
            raise
        except Exception as e:
            for task in tasks:
                task.cancel()
            record(e, f"{req.operation} request failed")
            status, error = ("partial" if parts else "error"), describe(e)
        done = await self._finish(req, prep, "".join(parts), merge_results(results), status, error, started)
        done.prepared = prep
        yield done

    # -- accounting ---------------------------------------------------------------------------

    async def _end(
        self, req, prep, text, result, status, error, started, thinking: list[str], cut: int | None
    ) -> tuple[list[StageReport], Done]:
        """A streamed answer's end: its figures counted if it was sent by bytes (reports to tell), its row written;
        the Done's text cut where early termination stopped it (``cut``)."""
        whole_thinking = "".join(thinking)
        reports = await self._counted(req, prep, ask_server=status == "ok", answer=(text, whole_thinking))
        done = await self._finish(req, prep, text, result, status, error, started, whole_thinking)
        if cut is not None:
            done.text, done.terminated_early = text[:cut], True
        done.prepared = prep
        return reports, done

    async def _finish(self, req, prep, text, result, status, error, started, thinking: str = "") -> Done:
        if prep is None or prep.counts is None:  # else counted by the model: the answer too
            await load_off_the_loop()  # a request that ends before its prepare still counts its prompt
        row = self._row(req, prep, text, result, status, error, started, thinking)
        await record_row(self.ledger, row, prep)
        return Done(text, status, row, result, error, thinking=thinking)

    def _row(self, req, prep, text, result, status, error, started, thinking: str = "") -> LedgerRow:
        kind, pricing = self.backend.kind, self.cfg["pricing"]
        with known_counts(prep.counts if prep else None):
            return ledger_row(req, prep, text, result, status, error, started, thinking, kind, self.session, pricing)


def _texts_of(prep: Prepared, answer: tuple[str, ...]) -> set[str]:
    """What counting ``prep`` (prepared by bytes) exactly needs: the texts its prepare counted, the ``answer``, and
    what its context view counts (several examples, as one part)."""
    texts = prep.texts.union(answer)
    with by_bytes(texts):
        view_of(prep)
    return texts
