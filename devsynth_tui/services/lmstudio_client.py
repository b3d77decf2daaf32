"""Client for LM Studio and any OpenAI-compatible server (llama.cpp, Ollama, vLLM).

Async httpx, SSE streaming with ``stream_options.include_usage``, retries with
backoff for connection errors, 429 and 503, typed one-line errors, and client-side
time to first token and tokens/s measured from stream timestamps.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any, AsyncIterator

import httpx

from devsynth_tui.config import normalize_base_url
from devsynth_tui.services.errors import ServiceError

RETRY_STATUSES = (429, 503)
SSE_FIELDS = (":", "event:", "id:", "retry:")


class LLMError(ServiceError):
    """A server problem."""


class ServerUnreachable(LLMError):
    def __init__(self, url: str, detail: str = ""):
        self.url = url
        super().__init__(
            f"no server answers at {url}{f' ({detail})' if detail else ''}: start LM Studio's server "
            f"(Developer tab > Start Server, or `lms server start`), pass --base-url, "
            f"or set llm.embedded: auto to use the built-in llama.cpp server"
        )


class RequestTimeout(LLMError):
    pass


class ModelNotFound(LLMError):
    pass


class ServerError(LLMError):
    def __init__(self, status: int, message: str, url: str):
        self.status = status
        super().__init__(f"server error {status} from {url}: {message}")


class MalformedStream(LLMError):
    pass


class EmbeddingsUnavailable(LLMError):
    pass


@dataclass
class ModelInfo:
    """A model the server offers; fields are None where the server doesn't tell."""

    id: str
    loaded: bool | None = None
    context_length: int | None = None
    quantization: str | None = None
    type: str | None = None

    @property
    def is_embedding(self) -> bool:
        """A dedicated embedding model (LM Studio's type "embeddings", or a name saying so)."""
        return self.type == "embeddings" or "embed" in self.id.lower()


@dataclass
class Delta:
    """A piece of streamed answer text."""

    text: str
    t: float


@dataclass
class ChatResult:
    """A finished (or stopped) answer with usage and timings, client-side and server-side."""

    text: str = ""
    model: str | None = None
    finish_reason: str | None = None
    usage: dict | None = None
    server_timings: dict | None = None  # llama.cpp `timings`
    server_stats: dict | None = None  # LM Studio `stats`
    t_start: float = 0.0
    t_first: float | None = None
    t_last: float | None = None
    t_end: float = 0.0
    chunks: int = 0
    first_pieces: int = 1  # pieces in the read that brought the first token (they arrived together)

    @property
    def ttft(self) -> float | None:
        """Client time to first token, seconds."""
        return None if self.t_first is None else self.t_first - self.t_start

    @property
    def duration(self) -> float:
        return self.t_end - self.t_start

    @property
    def completion_tokens(self) -> int | None:
        return (self.usage or {}).get("completion_tokens")

    @property
    def tps(self) -> float | None:
        """Client generation rate: tokens after the first over the time they took."""
        n = (self.completion_tokens or self.chunks) - self.first_pieces
        if self.t_first is None or self.t_last is None or n < 1 or self.t_last <= self.t_first:
            return None
        return n / (self.t_last - self.t_first)

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


def _error_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return response.text[:200].strip() or response.reason_phrase
    err = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(err, dict):
        return str(err.get("message") or err)[:300]
    return str(err)[:300]


class LLMClient:
    """One async HTTP client per server."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        timeout: float = 120.0,
        retries: int = 3,
        backoff: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self.root = normalize_base_url(base_url)
        self.url = self.root + "/v1"
        self.retries, self.backoff, self.timeout = retries, backoff, timeout
        self.api_key = api_key
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.http = httpx.AsyncClient(
            base_url=self.root,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            transport=transport,
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    # -- transport with retries -------------------------------------------------

    async def _send(self, method: str, path: str, body: Any = None, stream: bool = False) -> httpx.Response:
        """Send with retries; return a 2xx response (open if streaming) or raise a typed error."""
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                request = self.http.build_request(method, path, json=body)
                response = await self.http.send(request, stream=stream)
            except (httpx.ConnectError, httpx.RemoteProtocolError) as e:
                if last:
                    raise ServerUnreachable(self.url, type(e).__name__) from None
                await asyncio.sleep(self.backoff * 2**attempt)
                continue
            except httpx.TimeoutException as e:
                raise RequestTimeout(
                    f"{self.url} did not answer within {self.timeout:g} s ({type(e).__name__}): "
                    f"the model may still be loading; raise llm.timeout or try a smaller model"
                ) from None
            if response.is_success:
                return response
            if stream:
                await response.aread()
                await response.aclose()
            if response.status_code in RETRY_STATUSES and not last:
                await asyncio.sleep(self._retry_delay(response, attempt))
                continue
            raise self._http_error(response, body)
        raise AssertionError("unreachable")

    def _retry_delay(self, response: httpx.Response, attempt: int) -> float:
        after = response.headers.get("retry-after", "")
        try:
            return min(float(after), 60.0)
        except ValueError:
            return self.backoff * 2**attempt

    def redact(self, text: str) -> str:
        """``text`` with our API key replaced: servers sometimes echo it back."""
        return text.replace(self.api_key, "***") if self.api_key else text

    def _http_error(self, response: httpx.Response, body: Any) -> LLMError:
        message = self.redact(_error_message(response))
        lowered = message.lower()
        model = body.get("model") if isinstance(body, dict) else None
        if "model" in lowered and ("not found" in lowered or "not loaded" in lowered or "no models loaded" in lowered):
            return ModelNotFound(
                f"model {model!r} is not available on {self.url}: {message}; load it in LM Studio "
                f"(or `lms load`), or pick another with --model / the Models pane"
            )
        if response.status_code == 404 and model and "model" in lowered:
            return ModelNotFound(f"model {model!r} not found on {self.url}: {message}")
        return ServerError(response.status_code, message, self.url)

    # -- endpoints ---------------------------------------------------------------

    async def probe(self, timeout: float = 1.0) -> bool:
        """True when something OpenAI-compatible answers ``GET /v1/models`` quickly."""
        try:
            r = await self.http.get("/v1/models", timeout=timeout)
            return r.is_success
        except httpx.HTTPError:
            return False

    async def list_models(self) -> list[ModelInfo]:
        """Models from ``/v1/models``, enriched from LM Studio's ``/api/v0/models`` or llama.cpp's ``meta``."""
        response = await self._send("GET", "/v1/models")
        models = []
        for item in response.json().get("data", []):
            meta = item.get("meta") or {}
            models.append(
                ModelInfo(
                    id=item["id"],
                    loaded=True if meta else None,
                    context_length=meta.get("n_ctx") or meta.get("n_ctx_train"),
                    quantization=meta.get("ftype"),
                    type="llm" if meta else None,
                )
            )
        await self._enrich_lmstudio(models)
        return models

    async def _enrich_lmstudio(self, models: list[ModelInfo]) -> None:
        try:
            r = await self.http.get("/api/v0/models", timeout=2.0)
        except httpx.HTTPError:
            return
        if not r.is_success:
            return
        try:
            native = {m["id"]: m for m in r.json().get("data", [])}
        except (json.JSONDecodeError, AttributeError, KeyError, TypeError):
            return
        for m in models:
            info = native.get(m.id)
            if info:
                m.loaded = info.get("state") == "loaded"
                m.context_length = info.get("loaded_context_length") or info.get("max_context_length")
                m.quantization = info.get("quantization")
                m.type = info.get("type")

    async def is_lmstudio(self) -> bool:
        try:
            return (await self.http.get("/api/v0/models", timeout=1.0)).is_success
        except httpx.HTTPError:
            return False

    async def is_llamacpp(self) -> bool:
        """llama.cpp's server answers ``/props`` with its generation settings."""
        try:
            r = await self.http.get("/props", timeout=1.0)
            return r.is_success and "default_generation_settings" in r.text
        except httpx.HTTPError:
            return False

    async def chat(self, payload: dict) -> ChatResult:
        """A non-streamed chat completion."""
        result = ChatResult(t_start=time.perf_counter())
        response = await self._send("POST", "/v1/chat/completions", {**payload, "stream": False})
        result.t_end = time.perf_counter()
        try:
            body = response.json()
            choice = body["choices"][0]
            result.text = choice["message"].get("content") or ""
        except (json.JSONDecodeError, KeyError, IndexError, TypeError) as e:
            raise MalformedStream(f"{self.url} sent an answer that is not a chat completion ({e!r})") from None
        result.finish_reason = choice.get("finish_reason")
        result.model, result.usage = body.get("model"), body.get("usage")
        result.server_timings, result.server_stats = body.get("timings"), body.get("stats")
        return result

    async def stream_chat(self, payload: dict) -> AsyncIterator[Delta | ChatResult]:
        """Stream a chat completion: yields Delta pieces, then one ChatResult.

        Closing the generator (break, cancel) closes the HTTP stream, which makes
        the server stop generating. Use ``contextlib.aclosing``.
        """
        body = {**payload, "stream": True, "stream_options": {"include_usage": True}}
        result = ChatResult(t_start=time.perf_counter())
        response = await self._send("POST", "/v1/chat/completions", body, stream=True)
        parts: list[str] = []
        try:
            done = False
            async for lines in self._reads(response):
                texts: list[str] = []
                try:
                    done = self._apply_lines(lines, result, texts)
                finally:
                    if texts:  # what one network read brought is one piece (same moment, less overhead),
                        if not parts:  # and it is delivered even when a later line of the read was bad
                            result.first_pieces = len(texts)
                        parts.extend(texts)
                        yield Delta("".join(texts), result.t_last)
                if done:
                    break
            if not done:
                raise MalformedStream(f"the stream from {self.url} ended before [DONE]; the answer may be cut short")
        finally:
            await response.aclose()
            result.text = "".join(parts)
            result.t_end = time.perf_counter()
        yield result

    def _apply_lines(self, lines: list[str], result: ChatResult, texts: list[str]) -> bool:
        """Apply one read's SSE lines, collecting answer text; True at ``[DONE]``."""
        for line in lines:
            if not line.startswith("data:"):
                if line and not line.startswith(SSE_FIELDS):
                    raise MalformedStream(f"{self.url} sent a line that is not server-sent events: {line[:60]!r}")
                continue  # blank separators, comments, event/id/retry fields
            data = line[5:].strip()
            if data == "[DONE]":
                return True
            texts.extend(self._apply_chunk(data, result))
        return False

    async def _reads(self, response: httpx.Response) -> AsyncIterator[list[str]]:
        """The complete lines of each network read."""
        pending = ""
        try:
            async for text in response.aiter_text():
                lines = (pending + text).split("\n")
                pending = lines.pop()
                yield [line.rstrip("\r") for line in lines]
            if pending:
                yield [pending.rstrip("\r")]
        except httpx.ReadTimeout:
            raise RequestTimeout(f"{self.url} stopped sending for {self.timeout:g} s mid-answer") from None
        except (httpx.RemoteProtocolError, httpx.ReadError) as e:
            raise MalformedStream(f"the connection to {self.url} broke mid-answer ({type(e).__name__})") from None

    def _apply_chunk(self, data: str, result: ChatResult) -> list[str]:
        try:
            chunk = json.loads(data)
        except json.JSONDecodeError:
            raise MalformedStream(f"{self.url} sent a stream chunk that is not JSON: {data[:80]!r}") from None
        if not isinstance(chunk, dict):
            raise MalformedStream(f"{self.url} sent a stream chunk that is not an object: {data[:80]!r}")
        if "error" in chunk:
            err = chunk["error"]
            raise ServerError(0, self.redact(str(err.get("message") if isinstance(err, dict) else err)), self.url)
        result.model = chunk.get("model") or result.model
        if chunk.get("usage"):
            result.usage = chunk["usage"]
        if chunk.get("timings"):
            result.server_timings = chunk["timings"]
        if chunk.get("stats"):
            result.server_stats = chunk["stats"]
        out = []
        for choice in chunk.get("choices") or []:
            if choice.get("finish_reason"):
                result.finish_reason = choice["finish_reason"]
            text = (choice.get("delta") or {}).get("content")
            if text:
                now = time.perf_counter()
                if result.t_first is None:
                    result.t_first = now
                result.t_last = now
                result.chunks += 1
                out.append(text)
        return out

    async def embed(self, texts: list[str], model: str = "embedding") -> list[list[float]]:
        """Embedding vectors for ``texts`` from ``/v1/embeddings``."""
        try:
            response = await self._send("POST", "/v1/embeddings", {"model": model, "input": texts})
        except ServerError as e:
            if e.status in (400, 404, 501):
                raise EmbeddingsUnavailable(f"{self.url} offers no embeddings ({e})") from None
            raise
        data = sorted(response.json()["data"], key=lambda d: d.get("index", 0))
        return [d["embedding"] for d in data]

    async def tokenize(self, text: str) -> list[int] | None:
        """The model's own tokens for ``text`` (llama.cpp ``POST /tokenize``); None when the server has no such endpoint."""
        try:
            response = await self._send("POST", "/tokenize", {"content": text})
        except ServerError as e:
            if e.status in (400, 404, 405, 501):
                return None
            raise
        try:
            tokens = response.json()["tokens"]
        except (json.JSONDecodeError, KeyError, TypeError):
            return None  # something else answered that path (LM Studio names unknown endpoints in a JSON error)
        return tokens if isinstance(tokens, list) else None
