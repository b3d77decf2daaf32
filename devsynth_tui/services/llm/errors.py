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
    """An https:// address whose TLS handshake failed: a server that speaks plain HTTP, or a certificate not
    trusted here."""


PLAIN_HTTP = "if the server speaks plain HTTP, as LM Studio and llama.cpp do by default, use http:// in llm.base_url"


def tls_failed(url: str, e: BaseException | None, detail: str = "") -> TLSFailed | None:
    """The failed TLS handshake behind ``e`` as one line, when that is what failed at an https:// ``url`` and why is
    known (plain HTTP or nothing answered it; a certificate not trusted); else None."""
    import ssl

    error = _ssl_error(e) if url.lower().startswith("https://") else None
    note = f"; {detail}" if detail else ""
    if isinstance(error, ssl.SSLCertVerificationError):
        return TLSFailed(
            f"{url}: its certificate was not accepted ({error.verify_message or error.reason}{note}): point "
            f"SSL_CERT_FILE at the certificate of the authority that signed it"
        )
    if isinstance(error, ssl.SSLWantReadError) or (error is not None and error.reason == "WRONG_VERSION_NUMBER"):
        reason = "no TLS reply" if isinstance(error, ssl.SSLWantReadError) else error.reason
        return TLSFailed(f"{url} did not complete a TLS handshake ({reason}{note}): {PLAIN_HTTP}")
    return None


def _ssl_error(e: BaseException | None):
    """The ssl.SSLError among ``e``'s causes, if any (each exception looked at once: a chain may loop)."""
    import ssl

    seen: set[int] = set()
    while e is not None and id(e) not in seen:
        if isinstance(e, ssl.SSLError):
            return e
        seen.add(id(e))
        e = e.__cause__ or e.__context__
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
