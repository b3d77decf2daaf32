"""Client for LM Studio and any OpenAI-compatible server (llama.cpp, Ollama, vLLM): models, chat (streamed or
not), embeddings, the model's tokens.

Streams ask for usage (``stream_options.include_usage``); answers and thinking come apart
(``reasoning_content``, ``reasoning`` or inline ``<think>`` tags). A first-byte timeout covers a model being
loaded (LM Studio's JIT loading); after the first byte the per-read timeout applies. Sending, retries and
typed errors are the ``connection``'s, reading the stream is ``sse``'s, and LM Studio's native endpoints
(``/api/v0``, ``/api/v1``: describe, load and unload models) are in ``lmstudio``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncGenerator, AsyncIterator, Iterable
from typing import cast

import httpx

from devsynth_tui.services.llm.connection import HTTPX_ERRORS
from devsynth_tui.services.llm.errors import (
    EmbeddingsUnavailable,
    MalformedResponse,
    MalformedStream,
    RequestTimeout,
    ServerError,
    one_line,
)
from devsynth_tui.services.llm.first_look import LLAMACPP_PROPS
from devsynth_tui.services.llm.lmstudio import LMStudioEndpoints
from devsynth_tui.services.llm.model_lists import openai_models
from devsynth_tui.services.llm.results import (
    ChatResult,
    Delta,
    ModelInfo,
    PromptProgress,
    finite_figures,
    str_or_none,
    usage_counts,
)
from devsynth_tui.services.llm.sse import StreamReader, Watch, complete_lines
from devsynth_tui.services.llm.thinking import split_think

TOKENIZE_AT_ONCE = 8  # texts counted by the server at a time (a long conversation's messages)


def serves(status: int | None) -> bool:
    """Did a probe find a server: a 2xx, or a 401/403 (a server asking for a key)?"""
    return status is not None and (200 <= status < 300 or status in (401, 403))


class LLMClient(LMStudioEndpoints):
    """One async HTTP client per server."""

    def moved_to(self, base_url: str) -> LLMClient:
        """A client with these settings for the same server at another address (a restart changed its port)."""
        return LLMClient(
            base_url, self.api_key, self.timeout, self.retries, self.backoff, first_byte_timeout=self.first_byte_timeout
        )

    # -- models ------------------------------------------------------------------

    async def probe(self, timeout: float = 1.0) -> int | None:
        """The status ``GET /v1/models`` was answered with quickly; None when nothing answered (``serves`` reads it)."""
        self.probe_failure = None
        try:
            async with self.in_use():
                r = await self.http.get("/v1/models", timeout=timeout)
            return r.status_code
        except HTTPX_ERRORS as e:
            self.probe_failure = e
            return None

    async def list_models(self, native: bool = True) -> list[ModelInfo]:
        """Models from ``/v1/models``, enriched from LM Studio's ``/api/v0`` and ``/api/v1`` (unless ``native`` is
        False: a server known not to be LM Studio) or llama.cpp's ``meta``.

        Models only LM Studio's native list knows (JIT off: downloaded, not loaded) come last.
        """
        response = await self._send("GET", "/v1/models")
        data = self._json(response.content, "/v1/models")
        if (models := openai_models(data)) is None:
            raise self._error(
                MalformedResponse,
                f"{self.url}/models answered with something that is not a model list "
                f"({one_line(json.dumps(data))[:60]}): is llm.base_url an OpenAI-compatible server?",
            )
        return await self._with_native(models) if native else models

    async def is_llamacpp(self) -> bool:
        """llama.cpp's server answers ``/props`` with its generation settings."""
        try:
            async with self.in_use():
                r = await self.http.get("/props", timeout=1.0)
            return r.is_success and LLAMACPP_PROPS in r.text
        except HTTPX_ERRORS:
            return False

    # -- chat --------------------------------------------------------------------

    async def _open_chat(self, body: dict) -> tuple[httpx.Response, float]:
        """Send a chat request; the response (open) and the deadline for its first byte (reads are timed by _reads)."""
        response, deadline = await self._request("POST", "/v1/chat/completions", body, stream=True, first_byte=True)
        assert deadline is not None  # first_byte=True always sets it
        return response, deadline

    async def _reads(self, response: httpx.Response, watch: Watch) -> AsyncIterator[str]:
        """The body's text as it arrives, each read bounded by ``watch``'s deadline: the first-byte deadline
        until something counts as progress, then ``timeout`` after the last progress."""
        reads = response.aiter_text()
        while True:
            try:
                async with asyncio.timeout_at(watch.deadline):
                    text = await anext(reads)
            except StopAsyncIteration:
                return
            except TimeoutError:
                if not watch.progressed:
                    raise self._no_first_byte() from None
                raise self._error(
                    RequestTimeout, f"{self.label} stopped sending for {self.timeout:g} s mid-answer: raise llm.timeout"
                ) from None
            except HTTPX_ERRORS as e:
                raise self._failure(e, "answer") from None
            yield text

    async def chat(self, payload: dict) -> ChatResult:
        """A non-streamed chat completion."""
        async with self.in_use():
            return await self._chat(payload)

    async def _chat(self, payload: dict) -> ChatResult:
        result = ChatResult(t_start=time.perf_counter())
        response, deadline = await self._open_chat({**payload, "stream": False})
        watch = Watch(deadline, self.timeout)
        try:
            pieces = []
            async for text in self._reads(response, watch):
                watch.progress()
                pieces.append(text)
            content = "".join(pieces)
        finally:
            await response.aclose()
        result.t_end = time.perf_counter()
        body = self._json(content.encode(), "/v1/chat/completions")
        try:
            choice = body["choices"][0]
            message = choice["message"]
            answer, inline = split_think(message.get("content") or "")
        except (KeyError, IndexError, TypeError, AttributeError) as e:
            raise self._error(
                MalformedStream, f"{self.url} sent an answer that is not a chat completion ({e!r})"
            ) from None
        result.text = answer
        result.reasoning = (message.get("reasoning_content") or message.get("reasoning") or "") + inline
        result.finish_reason = choice.get("finish_reason")
        result.model, result.usage = str_or_none(body.get("model")), usage_counts(body.get("usage"))
        result.server_timings, result.server_stats = (
            finite_figures(body.get("timings")),
            finite_figures(body.get("stats")),
        )
        return result

    async def stream_chat(
        self, payload: dict, result: ChatResult | None = None
    ) -> AsyncGenerator[Delta | PromptProgress | ChatResult, None]:
        """Stream a chat completion: yields Delta pieces (answer or thinking), then one ChatResult; with
        ``return_progress`` in the payload (llama.cpp's server), PromptProgress before the first token.

        ``result``, when given, is the ChatResult filled as the stream goes: a caller that
        stops early keeps what it saw (timings, text). Closing the generator (break, cancel)
        closes the HTTP stream, which makes the server stop generating. Use ``contextlib.aclosing``.
        """
        result = result or ChatResult()
        async with self.in_use(), contextlib.aclosing(self._stream_chat(payload, result)) as items:
            async for item in items:
                yield item

    async def _stream_chat(
        self, payload: dict, result: ChatResult
    ) -> AsyncGenerator[Delta | PromptProgress | ChatResult, None]:
        body = {**payload, "stream": True, "stream_options": {"include_usage": True}}
        result.t_start = time.perf_counter()
        response, deadline = await self._open_chat(body)
        reader = StreamReader(self, result)
        watch = Watch(deadline, self.timeout)  # only data events count: keep-alive comments don't hold it open
        try:
            done = False
            async for lines in complete_lines(self._reads(response, watch)):
                segments: list[tuple[str, bool]] = []
                try:
                    done = reader.apply_lines(lines, segments)
                    if any(line.startswith("data:") for line in lines):
                        watch.progress()
                finally:  # what one network read brought is delivered even when a later line of it was bad
                    if reader.progress is not None:
                        if not reader.progress.whole:  # else the first token follows at once: no frame for it
                            yield reader.progress
                        reader.progress = None
                    for delta in reader.deltas(segments):
                        yield delta
                if done:
                    break
            if not done:
                raise MalformedStream(f"the stream from {self.url} ended before [DONE]; the answer may be cut short")
            for delta in reader.deltas(reader.tags.close()):
                yield delta
        finally:
            await response.aclose()
            reader.finish()
        yield result

    async def embed(self, texts: list[str], model: str = "embedding") -> list[list[float]]:
        """Embedding vectors for ``texts`` from ``/v1/embeddings``."""
        try:
            response = await self._send("POST", "/v1/embeddings", {"model": model, "input": texts})
        except ServerError as e:
            if e.status in (400, 404, 501):
                raise EmbeddingsUnavailable(f"{self.url} offers no embeddings ({e})") from None
            raise
        answer = self._json(response.content, "/v1/embeddings")
        try:
            data = sorted(answer["data"], key=lambda d: d.get("index", 0))
            return [d["embedding"] for d in data]
        except (KeyError, TypeError, AttributeError) as e:
            raise self._error(
                MalformedResponse, f"{self.url}/embeddings sent something that is not embeddings ({e!r})"
            ) from None

    async def tokenize(self, text: str) -> list[int] | None:
        """The model's own tokens for ``text`` (llama.cpp ``POST /tokenize``); None when the server has no such
        endpoint."""
        try:
            response = await self._send("POST", "/tokenize", {"content": text})
        except ServerError as e:
            if e.status in (400, 404, 405, 501):
                return None
            raise
        try:
            tokens = json.loads(response.content)["tokens"]
        except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError):
            return None  # something else answered that path (LM Studio names unknown endpoints in a JSON error)
        return tokens if isinstance(tokens, list) else None

    async def token_counts(self, texts: Iterable[str]) -> dict[str, int] | None:
        """Each text's count of the model's own tokens (``tokenize``, TOKENIZE_AT_ONCE requests at a time); None
        when the server has no tokenizer."""
        gate = asyncio.Semaphore(TOKENIZE_AT_ONCE)

        async def count(text: str) -> int | None:
            async with gate:
                tokens = await self.tokenize(text)
            return None if tokens is None else len(tokens)

        texts = [text for text in texts if text]
        counts = await asyncio.gather(*map(count, texts), return_exceptions=True)  # none left running on a failure
        if failed := next((n for n in counts if isinstance(n, BaseException)), None):
            raise failed
        if any(n is None for n in counts):
            return None
        return dict(zip(texts, cast("list[int]", counts), strict=True))
