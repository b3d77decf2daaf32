"""The first look at a server on this machine, before the HTTP client has loaded: its model lists and what it is,
over plain GETs with asyncio and h11 (~13 ms to import, against ~80 ms for httpx and anyio on the event loop's
critical path). The status line names the server and the model as soon as the first frame is up.

Anything but plain answers (https, another host, a proxy in the environment, a refusal, an error status, a slow
or malformed answer) gives None: the client's own probes then decide, with their typed errors."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

import h11

from devsynth_tui.config import normalize_base_url
from devsynth_tui.services.llm.model_lists import native_items, native_models, openai_models, with_native
from devsynth_tui.services.llm.results import ModelInfo

BackendKind = Literal["lmstudio", "llamacpp", "openai", "embedded"]
SERVER_NAMES = {"lmstudio": "LM Studio", "llamacpp": "llama.cpp server"}
LLAMACPP_PROPS = "default_generation_settings"  # in llama.cpp's answer to GET /props
LOOPBACK = ("localhost", "127.0.0.1", "::1")
PATHS = ("/v1/models", "/api/v0/models", "/api/v1/models", "/props")  # asked at once
TIMEOUT = 0.5  # a server on this machine answers in milliseconds; a slower one is left to the client's probe

Answer = tuple[int, bytes]  # status, body


@dataclass
class Look:
    """What a server on this machine said of itself: the backend it is and its models (LM Studio's merged)."""

    kind: BackendKind
    url: str  # its OpenAI API: ROOT/v1
    models: list[ModelInfo]

    @property
    def server(self) -> str:
        """What serves, as the backend's label says it: "LM Studio at http://localhost:1234/v1"."""
        return server_label(self.kind, self.url)


def server_name(kind: str) -> str:
    """LM Studio, llama.cpp server, or the server."""
    return SERVER_NAMES.get(kind, "the server")


def server_label(kind: str, url: str) -> str:
    """A server (not the embedded one) as the status line names it: "LM Studio at http://localhost:1234/v1"."""
    return f"{server_name(kind)} at {url}"


async def first_look(base_url: str, api_key: str | None) -> Look | None:
    """The server at ``base_url`` if it is on this machine, plain HTTP, and lists its models; else None."""
    root = normalize_base_url(base_url)
    try:
        url = urlsplit(root)
        port = url.port or 80
    except ValueError:
        return None
    if url.scheme != "http" or url.hostname not in LOOPBACK or url.username or proxied():
        return None
    headers = [("Authorization", f"Bearer {api_key}")] if api_key else []
    gets = (_get(url.hostname, port, url.netloc, url.path + path, headers) for path in PATHS)
    try:
        listed, v0, v1, props = await asyncio.wait_for(asyncio.gather(*gets), TIMEOUT)
    except TimeoutError:
        return None
    models = openai_models(_json(listed))
    if models is None:
        return None
    v0_items, v1_items = native_items(_json(v0), "data"), native_items(_json(v1), "models")
    if v0_items is not None or v1_items is not None:
        return Look("lmstudio", root + "/v1", with_native(models, native_models(v0_items, v1_items)))
    llamacpp = props is not None and _success(props) and LLAMACPP_PROPS.encode() in props[1]
    return Look("llamacpp" if llamacpp else "openai", root + "/v1", models)


async def _get(host: str, port: int, netloc: str, target: str, headers: list[tuple[str, str]]) -> Answer | None:
    """One GET on its own connection (closed after the answer); None if it failed."""
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError:
        return None
    try:
        http = h11.Connection(h11.CLIENT)
        request = h11.Request(
            method="GET", target=target, headers=[("Host", netloc), ("Connection", "close"), *headers]
        )
        for part in (request, h11.EndOfMessage()):
            writer.write(http.send(part) or b"")
        status, body = 0, bytearray()
        while True:
            event = http.next_event()
            if event is h11.NEED_DATA:
                http.receive_data(await reader.read(65536))
            elif isinstance(event, h11.Response):
                status = event.status_code
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                return status, bytes(body)
    except (OSError, ValueError, h11.ProtocolError):  # ValueError: a path or key h11 can't send as ASCII
        return None
    finally:
        writer.close()


def proxied() -> bool:
    """Would httpx send through a proxy? An http or all proxy in the environment (any case, as urllib reads them);
    elsewhere than on Linux, the system's proxy settings too."""
    if any(name.lower() in ("http_proxy", "all_proxy") and value for name, value in os.environ.items()):
        return True
    if sys.platform.startswith("linux"):  # urllib reads only the environment here
        return False
    from urllib.request import getproxies

    return bool({"http", "all"} & getproxies().keys())


def _success(answer: Answer) -> bool:
    return 200 <= answer[0] < 300


def _json(answer: Answer | None) -> Any:
    """The body of a 2xx answer as JSON; None for anything else."""
    if answer is None or not _success(answer):
        return None
    try:
        return json.loads(answer[1])
    except ValueError:
        return None
