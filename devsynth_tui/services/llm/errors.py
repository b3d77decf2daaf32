"""What goes wrong talking to a model server: one typed ``LLMError`` per kind of failure, each a
single line saying what happened and what to do, and the reading of a server's error body."""

from __future__ import annotations

import json

from devsynth_tui.services.errors import ServiceError
from devsynth_tui.services.sanitize import safe_line


class LLMError(ServiceError):
    """A server problem."""


class ServerUnreachable(LLMError):
    def __init__(self, url: str, detail: str = ""):
        self.url = url
        super().__init__(
            f"no server answers at {url}{f' ({detail})' if detail else ''}: start LM Studio's server "
            f"(Developer tab > Start Server, or `lms server start`), pass --base-url, "
            f"or set llm.embedded to always to use the built-in llama.cpp server"
        )


class TLSFailed(LLMError):
    """An https:// address whose server did not complete a TLS handshake (most often: it speaks plain HTTP)."""

    def __init__(self, url: str, reason: str, detail: str = ""):
        self.url = url
        super().__init__(
            f"{url} did not complete a TLS handshake ({reason}{f'; {detail}' if detail else ''}): if the server "
            f"speaks plain HTTP, as LM Studio and llama.cpp do by default, use http:// in llm.base_url"
        )


def tls_failure(e: BaseException) -> str | None:
    """Why the TLS handshake behind ``e`` failed (ssl's reason, e.g. WRONG_VERSION_NUMBER: a plain HTTP answer;
    "no TLS reply": the server waited, as llama.cpp does), or None."""
    import ssl

    cause: BaseException | None = e
    while cause is not None:
        if isinstance(cause, ssl.SSLWantReadError):
            return "no TLS reply"
        if isinstance(cause, ssl.SSLError):
            return cause.reason or type(cause).__name__
        cause = cause.__cause__ or cause.__context__
    return None


class ConnectionLost(LLMError):
    """The connection broke before any answer came back."""


class RequestTimeout(LLMError):
    pass


class AuthError(LLMError):
    """401/403: the API key is missing or wrong."""


class ModelNotFound(LLMError):
    pass


class ServerError(LLMError):
    def __init__(self, status: int, message: str, url: str):
        self.status = status
        super().__init__(f"server error {status} from {url}: {safe_line(message)}")


class MalformedStream(LLMError):
    pass


class MalformedResponse(LLMError):
    """A reply that is not JSON, or not shaped as the endpoint's answer."""


class EmbeddingsUnavailable(LLMError):
    pass


def one_line(text: object) -> str:
    """Outside text as one line, whitespace collapsed and every control made visible."""
    return safe_line(" ".join(str(text).split()))


def error_message(body: bytes, reason: str) -> str:
    """What a server's error body says (its JSON ``error.message`` if it has one), as one line; else ``reason``."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return one_line(body.decode("utf-8", "replace"))[:200] or reason
    err = data.get("error", data) if isinstance(data, dict) else data
    if isinstance(err, dict):
        err = err.get("message") or err
    return one_line(err)[:300]
