"""A server's HTTP connection: one async httpx client, sending with retries and backoff for refused or
timed-out connections, 429 and 503, a first-byte timeout for a model being loaded, and every failure a typed
one-line ``LLMError``."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from typing import Any

import httpx

from devsynth_tui.config import ENV_API_KEY, normalize_base_url
from devsynth_tui.services.llm.errors import (
    AuthError,
    ConnectionLost,
    LLMError,
    MalformedResponse,
    MalformedStream,
    ModelNotFound,
    RequestTimeout,
    ServerError,
    ServerUnreachable,
    error_message,
    one_line,
    tls_failed,
)

RETRY_STATUSES = (429, 503)
CONNECT_TIMEOUT = 5.0
# failures before any answer byte: safe to send again after a pause
RETRYABLE = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
HTTPX_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError)
# Called once a chat request's body is written, in the task that set it: the chat pane mounts an answer's views
# after that, so that their layout (10-25 ms) does not hold the request back.
CHAT_SENT: ContextVar[Callable[[], None] | None] = ContextVar("chat_sent", default=None)


class Connection:
    """One server's HTTP client: what every request goes through (retries, timeouts, typed errors)."""

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
        self.probe_failure: Exception | None = None  # what the last probe failed with, if it did
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.connect_timeout = min(timeout, CONNECT_TIMEOUT)
        try:
            self.http = httpx.AsyncClient(
                base_url=self.root,
                headers=headers,
                timeout=httpx.Timeout(timeout, connect=self.connect_timeout),
                transport=transport,
                verify=not self.root.lower().startswith("http://"),  # plain http has no TLS: no certificate store
            )
        except (ImportError, ValueError, httpx.InvalidURL) as e:  # an environment's proxy httpx can't use
            raise LLMError(
                f"can't build the HTTP client for {self.url}: a proxy set in the environment can't be used: "
                f"{one_line(str(e))} (unset it: http_proxy, https_proxy, all_proxy, in any case)"
            ) from None
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
    async def in_use(self) -> AsyncIterator[None]:
        """Hold the client open meanwhile: a reconnect closes it only once nothing uses it."""
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
        async with self.in_use():
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
                extensions = _sent_trace() if first_byte else None
                request = self.http.build_request(method, path, json=body, timeout=timeout, extensions=extensions)
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
        if isinstance(e, (httpx.ConnectTimeout, httpx.ConnectError)) and (tls := tls_failed(self.url, e)):
            return tls
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


def _sent_trace() -> dict[str, Any] | None:
    """httpcore's trace extension calling CHAT_SENT's callback once the request's body is written; none without
    a callback."""
    told = CHAT_SENT.get()
    if told is None:
        return None

    async def trace(event: str, info: dict) -> None:
        if event == "http11.send_request_body.complete":
            told()

    return {"trace": trace}
