"""Client for LM Studio and any OpenAI-compatible server (llama.cpp, Ollama, vLLM).

Async httpx, SSE streaming with ``stream_options.include_usage``, retries with backoff for
refused or timed-out connections, 429 and 503; every failure a typed one-line ``LLMError``.
Answers and thinking come apart (``reasoning_content``, ``reasoning`` or inline
``<think>`` tags). A first-byte timeout covers a model being loaded (LM Studio's JIT
loading); after the first byte the per-read timeout applies. LM Studio's native APIs
(``/api/v0``, ``/api/v1``) describe, load and unload models.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import httpx

from devsynth_tui.config import ENV_API_KEY, normalize_base_url
from devsynth_tui.services.llm.errors import (
    AuthError,
    ConnectionLost,
    EmbeddingsUnavailable,
    LLMError,
    MalformedResponse,
    MalformedStream,
    ModelNotFound,
    RequestTimeout,
    ServerError,
    ServerUnreachable,
    error_message,
    one_line,
)
from devsynth_tui.services.llm.results import (
    ChatResult,
    Delta,
    ModelInfo,
    PromptProgress,
    finite_figures,
    int_or_none,
    params_label,
    str_or_none,
    usage_counts,
)
from devsynth_tui.services.llm.sse import StreamReader, Watch, complete_lines
from devsynth_tui.services.llm.thinking import split_think

RETRY_STATUSES = (429, 503)
CONNECT_TIMEOUT = 5.0
NATIVE_TIMEOUT = 2.0  # LM Studio's model lists answer at once; anything slower is not LM Studio
# failures before any answer byte: safe to send again after a pause
RETRYABLE = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
HTTPX_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError)


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
        first_byte_timeout: float = 300.0,
    ):
        self.root = normalize_base_url(base_url)
        self.url = self.root + "/v1"
        self.retries, self.backoff = retries, backoff
        self.timeout, self.first_byte_timeout = timeout, first_byte_timeout
        self.api_key = api_key
        self.lmstudio = False  # set once LM Studio's native API has answered
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.connect_timeout = min(timeout, CONNECT_TIMEOUT)
        self.http = httpx.AsyncClient(
            base_url=self.root,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=self.connect_timeout),
            transport=transport,
        )
        self._users = 0  # requests in flight (a stream counts until it is closed)
        self._retiring = False
        self.closed = asyncio.Event()

    async def aclose(self) -> None:
        await self.http.aclose()
        self.closed.set()

    async def aclose_when_idle(self) -> None:
        """Close now if no request is in flight, else as soon as the last one ends (a reconnect swapped us out)."""
        self._retiring = True
        if self._users == 0:
            await self.aclose()

    @contextlib.asynccontextmanager
    async def _use(self) -> AsyncIterator[None]:
        self._users += 1
        try:
            yield
        finally:
            self._users -= 1
            if self._retiring and self._users == 0:
                await self.aclose()

    @property
    def label(self) -> str:
        return f"LM Studio at {self.url}" if self.lmstudio else self.url

    def moved_to(self, base_url: str) -> LLMClient:
        """A client with these settings for the same server at another address (a restart changed its port)."""
        return LLMClient(
            base_url, self.api_key, self.timeout, self.retries, self.backoff, first_byte_timeout=self.first_byte_timeout
        )

    def redact(self, text: str) -> str:
        """``text`` with our API key replaced: servers sometimes echo it back."""
        return text.replace(self.api_key, "***") if self.api_key else text

    def _error(self, cls: type[LLMError], message: str) -> LLMError:
        return cls(self.redact(one_line(message)))

    # -- transport with retries -------------------------------------------------

    async def _send(self, method: str, path: str, body: Any = None) -> httpx.Response:
        """Send with retries (``timeout`` per read); return a 2xx response or raise a typed error."""
        return (await self._request(method, path, body))[0]

    async def _request(
        self, method: str, path: str, body: Any = None, stream: bool = False, first_byte: bool = False
    ) -> tuple[httpx.Response, float | None]:
        async with self._use():
            return await self._attempts(method, path, body, stream, first_byte)

    async def _attempts(
        self, method: str, path: str, body: Any, stream: bool, first_byte: bool
    ) -> tuple[httpx.Response, float | None]:
        """Send with retries; a 2xx response (open if streaming) or a typed error.

        With ``first_byte``, the wait for the answer's first byte (a model may be loading) is
        bounded by ``first_byte_timeout`` from each attempt, not by ``timeout``: the deadline
        (event-loop time) comes back for timing the first read of the body.
        """
        timeout = (
            httpx.Timeout(self.timeout, connect=self.connect_timeout, read=None)
            if first_byte
            else httpx.USE_CLIENT_DEFAULT
        )
        for attempt in range(self.retries + 1):
            deadline = asyncio.get_running_loop().time() + self.first_byte_timeout if first_byte else None
            try:
                request = self.http.build_request(method, path, json=body, timeout=timeout)
                async with asyncio.timeout_at(deadline):
                    response = await self.http.send(request, stream=stream)
            except TimeoutError:
                raise self._no_first_byte() from None
            except RETRYABLE as e:
                if attempt == self.retries:
                    raise self._failure(e, "send") from None
                await asyncio.sleep(self.backoff * 2**attempt)
                continue
            except HTTPX_ERRORS as e:
                raise self._failure(e, "send") from None
            if response.is_success:
                return response, deadline
            try:
                content = await response.aread() if stream else response.content
            except HTTPX_ERRORS as e:
                raise self._failure(e, "read") from None
            finally:
                await response.aclose()
            if response.status_code in RETRY_STATUSES and attempt < self.retries:
                await asyncio.sleep(self._retry_delay(response, attempt))
                continue
            raise self._http_error(response.status_code, error_message(content, response.reason_phrase), body)
        raise AssertionError("unreachable")

    def _retry_delay(self, response: httpx.Response, attempt: int) -> float:
        after = response.headers.get("retry-after", "")
        try:
            return min(float(after), 60.0)
        except ValueError:
            return self.backoff * 2**attempt

    def _failure(self, e: Exception, phase: str) -> LLMError:
        """One line for any httpx exception; ``phase`` is send (no answer yet), answer (mid-stream) or read."""
        name = type(e).__name__
        if isinstance(e, httpx.ConnectTimeout):
            return ServerUnreachable(self.url, f"connect timeout after {self.connect_timeout:g} s")
        if isinstance(e, httpx.ConnectError):
            return ServerUnreachable(self.url, name)
        if isinstance(e, httpx.PoolTimeout):
            return self._error(
                RequestTimeout,
                f"no free connection to {self.url} within {self.timeout:g} s (pool timeout): too many requests at once",
            )
        if isinstance(e, httpx.WriteTimeout):
            return self._error(
                RequestTimeout,
                f"could not send the request to {self.url} within {self.timeout:g} s "
                f"(write timeout): raise llm.timeout",
            )
        if isinstance(e, httpx.ReadTimeout):
            return self._error(
                RequestTimeout, f"{self.url} did not answer within {self.timeout:g} s (read timeout): raise llm.timeout"
            )
        if isinstance(e, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError, httpx.CloseError)):
            if phase == "answer":
                return self._error(MalformedStream, f"the connection to {self.url} broke mid-answer ({name})")
            return self._error(
                ConnectionLost,
                f"the connection to {self.url} broke before an answer came ({name}): "
                f"is the server restarting or overloaded?",
            )
        if isinstance(e, httpx.DecodingError):
            return self._error(MalformedResponse, f"{self.url} sent a body that cannot be decoded ({name}: {e})")
        if isinstance(e, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
            return self._error(LLMError, f"{self.url} is not a URL devsynth-tui can reach ({e}): check llm.base_url")
        if isinstance(e, httpx.TooManyRedirects):
            return self._error(LLMError, f"{self.url} redirected too many times: check llm.base_url")
        return self._error(LLMError, f"the request to {self.url} failed ({name}: {e})")

    def _no_first_byte(self) -> LLMError:
        return self._error(
            RequestTimeout,
            f"{self.label} did not start answering within {self.first_byte_timeout:g} s "
            f"(the model may still be loading): raise llm.first_byte_timeout",
        )

    def _http_error(self, status: int, message: str, body: Any) -> LLMError:
        message = self.redact(message)
        if status in (401, 403):
            said = "no API key was sent" if not self.api_key else "the API key was refused"
            return self._error(
                AuthError,
                f"{self.url} answered {status} ({message}): {said}; set ${ENV_API_KEY} to a token "
                f"from LM Studio (Developer > Server Settings > Manage Tokens)",
            )
        lowered = message.lower()
        model = body.get("model") if isinstance(body, dict) else None
        if "model" in lowered and ("not found" in lowered or "not loaded" in lowered or "no models loaded" in lowered):
            what = f"model {model!r} is not available" if model else "no model was named and none is loaded"
            return self._error(
                ModelNotFound,
                f"{what} on {self.url}: {message}; load it in LM Studio (or `lms load`), "
                f"or pick another with --model / the Models pane",
            )
        if status == 404 and model and "model" in lowered:
            return self._error(ModelNotFound, f"model {model!r} not found on {self.url}: {message}")
        return ServerError(status, one_line(message), self.url)

    def _json(self, content: bytes, what: str) -> Any:
        try:
            return json.loads(content)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise self._error(
                MalformedResponse, f"{self.root}{what} answered with something that is not JSON: {content[:60]!r}"
            ) from None

    # -- models ------------------------------------------------------------------

    async def probe(self, timeout: float = 1.0) -> bool:
        """True when something answers ``GET /v1/models`` quickly (a 401/403 is a server asking for a key)."""
        try:
            async with self._use():
                r = await self.http.get("/v1/models", timeout=timeout)
            return r.is_success or r.status_code in (401, 403)
        except HTTPX_ERRORS:
            return False

    async def list_models(self, native: bool = True) -> list[ModelInfo]:
        """Models from ``/v1/models``, enriched from LM Studio's ``/api/v0`` and ``/api/v1`` (unless ``native`` is
        False: a server known not to be LM Studio) or llama.cpp's ``meta``.

        Models only LM Studio's native list knows (JIT off: downloaded, not loaded) come last.
        """
        response = await self._send("GET", "/v1/models")
        models = self._openai_models(self._json(response.content, "/v1/models"))
        native_models = await self._native_models() if native else []
        matched = set()
        for m in models:
            for fields in native_models:
                if m.id == fields["id"] or m.id in fields.get("instances", ()):
                    _update(m, fields)
                    matched.add(fields["id"])
        models += [_update(ModelInfo(f["id"]), f) for f in native_models if f["id"] not in matched]
        return models

    def _openai_models(self, data: Any) -> list[ModelInfo]:
        items = data.get("data") if isinstance(data, dict) else None
        if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get("id"), str) for i in items):
            raise self._error(
                MalformedResponse,
                f"{self.url}/models answered with something that is not a model list "
                f"({one_line(json.dumps(data))[:60]}): is llm.base_url an OpenAI-compatible server?",
            )
        models = []
        for item in items:
            meta = item.get("meta") if isinstance(item.get("meta"), dict) else {}
            models.append(
                ModelInfo(
                    id=item["id"],
                    loaded=True if meta else None,
                    context_length=meta.get("n_ctx") or meta.get("n_ctx_train"),
                    quantization=meta.get("ftype"),
                    type="llm" if meta else None,
                    size_bytes=int_or_none(meta.get("size")),  # llama.cpp: read from the GGUF it serves
                    params=params_label(int_or_none(meta.get("n_params"))),
                )
            )
        return models

    async def _native(self, path: str, key: str) -> list | None:
        """The list under ``key`` from one of LM Studio's native endpoints; None if it doesn't answer so."""
        try:
            async with self._use():
                r = await self.http.get(path, timeout=NATIVE_TIMEOUT)
            items = r.json().get(key) if r.is_success else None
        except (*HTTPX_ERRORS, ValueError, AttributeError):
            return None
        if isinstance(items, list):
            self.lmstudio = True
            return [i for i in items if isinstance(i, dict)]
        return None

    async def _native_models(self) -> list[dict]:
        """Per model, what LM Studio's native APIs say (v1 over v0), unknown fields left out."""
        by_id: dict[str, dict] = {}
        v0 = await self._native("/api/v0/models", "data")  # one after the other: one pooled connection
        v1 = await self._native("/api/v1/models", "models")
        for item in v0 or []:
            if isinstance(item.get("id"), str):
                _known(by_id.setdefault(item["id"], {"id": item["id"]}), _v0_fields(item))
        for item in v1 or []:
            if isinstance(item.get("key"), str):
                _known(by_id.setdefault(item["key"], {"id": item["key"]}), _v1_fields(item))
        return list(by_id.values())

    async def loaded_now(self, model_id: str) -> bool | None:
        """Whether LM Studio has ``model_id`` loaded at this moment (it unloads idle models): its ``/api/v0/models``
        ``state``, one small local request; None when the server does not say."""
        for item in await self._native("/api/v0/models", "data") or []:
            if item.get("id") == model_id:
                return _v0_fields(item)["loaded"]
        return None

    async def supports_loading(self) -> bool:
        """True when the server offers LM Studio 0.4's ``/api/v1/models`` (and so load and unload)."""
        return await self._native("/api/v1/models", "models") is not None

    async def load_model(self, model_id: str) -> str:
        """Load ``model_id`` through ``/api/v1/models/load``; returns the new instance id. Waits up to the first-byte
        timeout."""
        response, _ = await self._request("POST", "/api/v1/models/load", {"model": model_id}, first_byte=True)
        answer = self._json(response.content, "/api/v1/models/load")
        instance = answer.get("model_instance_id") if isinstance(answer, dict) else None
        return instance if isinstance(instance, str) else model_id

    async def unload_model(self, model_id: str) -> list[str]:
        """Unload every loaded instance of ``model_id`` (a model key or an instance id); returns the instance ids."""
        listed = await self._native("/api/v1/models", "models")
        if listed is None:
            raise self._error(LLMError, f"{self.label} cannot unload models: that needs LM Studio 0.4's /api/v1")
        instances: list[str] = []
        for item in listed:
            ids = _v1_fields(item)["instances"] or []
            instances += ids if item.get("key") == model_id else [i for i in ids if i == model_id]
        if not instances:
            raise self._error(LLMError, f"model {model_id!r} is not loaded on {self.label}: nothing to unload")
        for instance in instances:
            await self._send("POST", "/api/v1/models/unload", {"instance_id": instance})
        return instances

    async def is_lmstudio(self) -> bool:
        """LM Studio answers its native model lists (``/api/v0``, or 0.4's ``/api/v1``): both asked at once."""
        v0, v1 = await asyncio.gather(self._native("/api/v0/models", "data"), self.supports_loading())
        return v0 is not None or v1

    async def is_llamacpp(self) -> bool:
        """llama.cpp's server answers ``/props`` with its generation settings."""
        try:
            async with self._use():
                r = await self.http.get("/props", timeout=1.0)
            return r.is_success and "default_generation_settings" in r.text
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
        async with self._use():
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

    async def stream_chat(self, payload: dict) -> AsyncGenerator[Delta | PromptProgress | ChatResult, None]:
        """Stream a chat completion: yields Delta pieces (answer or thinking), then one ChatResult; with
        ``return_progress`` in the payload (llama.cpp's server), PromptProgress before the first token.

        Closing the generator (break, cancel) closes the HTTP stream, which makes
        the server stop generating. Use ``contextlib.aclosing``.
        """
        async with self._use(), contextlib.aclosing(self._stream_chat(payload)) as items:
            async for item in items:
                yield item

    async def _stream_chat(self, payload: dict) -> AsyncGenerator[Delta | PromptProgress | ChatResult, None]:
        body = {**payload, "stream": True, "stream_options": {"include_usage": True}}
        result = ChatResult(t_start=time.perf_counter())
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


def _v0_fields(item: dict) -> dict:
    """What ``/api/v0/models`` says of a model; a missing ``state`` is unknown, not "not loaded"."""
    state = item.get("state")
    return {
        "loaded": None if state is None else state == "loaded",
        "context_length": int_or_none(item.get("loaded_context_length")) or int_or_none(item.get("max_context_length")),
        "quantization": str_or_none(item.get("quantization")),
        "type": str_or_none(item.get("type")),
        "arch": str_or_none(item.get("arch")),
    }


def _v1_fields(item: dict) -> dict:
    """What LM Studio 0.4's ``/api/v1/models`` says of a model."""
    raw = item.get("loaded_instances")
    instances = (
        [i for i in raw if isinstance(i, dict) and isinstance(i.get("id"), str)] if isinstance(raw, list) else None
    )
    config = (instances[0].get("config") if instances else None) or {}
    quant = item.get("quantization")
    return {
        "loaded": None if instances is None else bool(instances),
        "instances": None if instances is None else [i["id"] for i in instances],
        "context_length": (int_or_none(config.get("context_length")) if isinstance(config, dict) else None)
        or int_or_none(item.get("max_context_length")),
        "quantization": str_or_none(quant.get("name")) if isinstance(quant, dict) else str_or_none(quant),
        "type": str_or_none(item.get("type")),
        "arch": str_or_none(item.get("architecture")),
        "size_bytes": int_or_none(item.get("size_bytes")),
        "params": str_or_none(item.get("params_string")),
        "display_name": str_or_none(item.get("display_name")),
    }


def _known(into: dict, fields: dict) -> None:
    into.update((k, v) for k, v in fields.items() if v is not None)


def _update(model: ModelInfo, fields: dict) -> ModelInfo:
    for name, value in fields.items():
        if name != "id":
            setattr(model, name, value)
    return model
