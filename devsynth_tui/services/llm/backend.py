"""Backend selection: the configured server if it answers, else the embedded llama.cpp server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from devsynth_tui.config import Config, normalize_base_url
from devsynth_tui.services.llm.client import LLMClient, serves
from devsynth_tui.services.llm.embedded import EmbeddedServer, EmbeddedSettings, EmbeddedUnavailable, shared_server
from devsynth_tui.services.llm.errors import LLMError, ServerUnreachable, tls_failed
from devsynth_tui.services.llm.first_look import BackendKind, Look, proxied, server_label, server_name
from devsynth_tui.services.llm.model_lists import pick_model
from devsynth_tui.services.llm.results import ModelInfo

NO_PROXY = "no_proxy=127.0.0.1,localhost keeps this machine's servers off it"
_RETIRING: set[asyncio.Task] = set()  # embedded servers waiting for their last request before they stop


@dataclass
class Backend:
    """The server we talk to, what to call it in every UI, and the embedded child if we started one."""

    client: LLMClient
    kind: BackendKind
    embedded: EmbeddedServer | None = None  # set exactly when kind is "embedded"
    active_model: str | None = None
    fallback_from: str | None = None  # the default URL nothing answered at, when the embedded server stands in
    _models: list[ModelInfo] | None = None

    @property
    def name(self) -> str:
        """What the server is, in a few words: LM Studio, llama.cpp server, embedded SmolLM2, server."""
        if self.embedded is not None:
            return f"the embedded {self.embedded.model_name}"
        return server_name(self.kind)

    @property
    def reports_progress(self) -> bool:
        """llama.cpp's server streams prompt_progress when a request sets return_progress (not OpenAI's spec)."""
        return self.kind in ("llamacpp", "embedded")

    @property
    def label(self) -> str:
        """What serves, leading with its name: "embedded SmolLM2… (llama.cpp) at 127.0.0.1:PORT", "LM Studio at …"."""
        if self.embedded is not None:
            return f"embedded {self.embedded.model_name} (llama.cpp) at 127.0.0.1:{self.embedded.port}"
        return server_label(self.kind, self.client.url)

    @property
    def note(self) -> str:
        """Why this backend serves, when it stands in for another ("LM Studio not running at …"); else ""."""
        return f"LM Studio not running at {self.fallback_from}" if self.fallback_from else ""

    async def resolve_model(self, wanted: str | None) -> str:
        """The model to send (``pick_model``): the one asked for, else the one picked once and kept."""
        if wanted or self.active_model is None:
            model = pick_model(await self.models(), wanted, f"{self.name} at {self.client.url}")
            if wanted:
                return model
            self.active_model = model
        return self.active_model

    async def models(self, refresh: bool = False) -> list[ModelInfo]:
        """The server's models (listed once, then cached until ``refresh``)."""
        if self._models is None or refresh:  # only LM Studio answers its native endpoints: others aren't asked
            self._models = await self.client.list_models(native=self.kind == "lmstudio")
            if (embedded := self.embedded) is not None:  # the GGUF is local: its file's size, not the tensors'
                size = await asyncio.to_thread(lambda: embedded.model_file.stat().st_size)
                for m in self._models:
                    m.size_bytes = size
        return self._models

    @property
    def loads_models_itself(self) -> str:
        """Why ``l`` / ``u`` can't load or unload here (the server has no such endpoint), in one line."""
        if self.embedded is not None:
            return f"the embedded llama.cpp server loads its one model ({self.embedded.model_name}) itself"
        if self.kind == "llamacpp":
            return "llama.cpp's server loads its model itself, at its start"
        return f"{self.name} loads models itself (no load endpoint: LM Studio 0.4 offers /api/v1/models/load)"

    async def model_info(self, model: str) -> ModelInfo | None:
        """What the server says about ``model``, if it lists it."""
        return next((m for m in await self.models() if m.id == model), None)

    async def will_load(self, model: str) -> bool:
        """Must the server load ``model`` before it answers? LM Studio's state is read again (cheaply, per request):
        it unloads idle models, so the list read earlier may say "loaded" of one it has since unloaded."""
        info = await self.model_info(model)
        if info is None:
            return False
        if self.kind == "lmstudio" and (now := await self.client.loaded_now(model)) is not None:
            info.loaded = now  # the listed model follows, for the Models pane
        return info.loaded is False

    async def context_length(self, model: str) -> int | None:
        """The model's context window when the server tells it."""
        models = await self.models()
        match = [m for m in models if m.id == model] or (models if len(models) == 1 else [])
        return match[0].context_length if match else None

    async def has_embedding_model(self) -> bool:
        """True when the server lists a dedicated embedding model (LM Studio's type "embeddings")."""
        return any(m.is_embedding for m in await self.models())

    async def embedding_model(self) -> str:
        """An embeddings model if the server lists one, else the active model (llama.cpp serves both)."""
        for m in await self.models():
            if m.is_embedding:
                return m.id
        return await self.resolve_model(None)

    async def ensure_alive(self) -> bool:
        """Restart the embedded server if it died; True when it had to."""
        if self.embedded is None or self.embedded.alive():
            return False
        await asyncio.to_thread(self.embedded.start)  # serialized: callers racing here get one child
        await self.follow_embedded()
        return True

    async def follow_embedded(self) -> None:
        """Point the client at the embedded server again when a (re)start moved it to another port."""
        if self.embedded is None or self.client.url == self.embedded.base_url:
            return
        old, self.client = self.client, self.client.moved_to(self.embedded.base_url)
        await old.aclose()

    async def aclose(self) -> None:
        await self.client.aclose()
        if self.embedded:
            await asyncio.to_thread(self.embedded.stop)

    async def retire(self, successor: Backend | None = None) -> None:
        """Let requests in flight finish, then close: the client once its last request ends, the embedded
        server then too unless ``successor`` (the backend a reconnect made) runs on it. Returns at once."""
        client, embedded = self.client, self.embedded
        keep = successor is not None and successor.embedded is embedded
        if embedded is None or keep:
            await client.aclose_when_idle()
            return
        await client.aclose_when_idle()

        async def stop_when_idle() -> None:
            await client.closed.wait()
            await asyncio.to_thread(embedded.stop)

        _RETIRING.add(task := asyncio.get_running_loop().create_task(stop_when_idle()))
        task.add_done_callback(_RETIRING.discard)


def answered(status: int, url: str, where: str) -> str:
    """Why a server that answered ``GET /v1/models`` with ``status`` (not 2xx, 401, 403) is no use, and what to do."""
    said = f"answered {status} at {url}/models{f' ({where})' if where else ''}"
    if status >= 500:
        return f"{said}: the server is there but failing (starting, or loading a model?); try again in a moment"
    if 300 <= status < 400:
        return f"{said}, a redirect: give the address it redirects to as llm.base_url"
    return f"{said}, not a model list: is this an OpenAI-compatible server's address? (LM Studio's: localhost:1234/v1)"


def _client(cfg: Config, url: str) -> LLMClient:
    return LLMClient(url, api_key=cfg.api_key, timeout=cfg.llm.timeout, first_byte_timeout=cfg.llm.first_byte_timeout)


async def start_embedded(cfg: Config, home: Path, fallback_from: str | None = None) -> Backend:
    server = await asyncio.to_thread(shared_server, home, EmbeddedSettings.from_config(cfg))
    return Backend(_client(cfg, server.base_url), "embedded", server, server.model_name, fallback_from)


async def connect(
    cfg: Config, home: Path, look: Look | None = None, starting: Callable[[str], None] | None = None
) -> Backend:
    """Pick the backend per ``llm.embedded.mode`` (auto|always|never); raises a one-line error if none.

    ``auto`` starts the embedded server only when the base URL is the default
    (LM Studio's) and nothing answers there (``starting`` is told so: it takes
    seconds): a server the user named by flag, environment or config file is
    that server, or an error. A ``first_look`` at the server already told what
    it is and its models: it is not probed again.
    """
    mode = cfg.llm.embedded.mode
    if mode == "always":
        return await start_embedded(cfg, home)
    # built in a thread: httpx's client loads its TLS certificates (50-90 ms) and imports its transport
    client = await asyncio.to_thread(_client, cfg, cfg.llm.base_url)
    if look:
        client.lmstudio = look.kind == "lmstudio"
        return Backend(client, look.kind, _models=look.models)
    if serves(status := await client.probe()):
        lmstudio, llamacpp = await asyncio.gather(client.is_lmstudio(), client.is_llamacpp())  # probes at once
        kind: BackendKind = "lmstudio" if lmstudio else "llamacpp" if llamacpp else "openai"
        return Backend(client, kind)
    await client.aclose()
    url = normalize_base_url(cfg.llm.base_url) + "/v1"
    named = cfg.origin("llm.base_url")
    if mode == "never" or named != "defaults":
        where = f"llm.base_url from {named}" if named != "defaults" else ""
        if status is not None:  # something answered, not as an OpenAI-compatible server does
            raise LLMError(answered(status, url, where))
        if proxied():  # requests went through it: a proxy meant for the internet can't reach this machine's server
            where = "; ".join(filter(None, (where, f"sent through the proxy set in the environment: {NO_PROXY}")))
        elif tls := tls_failed(url, client.probe_failure, where):
            raise tls
        raise ServerUnreachable(url, where)
    if starting:
        starting(f"starting the embedded llama.cpp server (LM Studio not running at {url})…")
    try:
        return await start_embedded(cfg, home, fallback_from=url)
    except EmbeddedUnavailable as e:
        raise LLMError(f"no server answers at {url} and the embedded backend can't start: {e}") from None
