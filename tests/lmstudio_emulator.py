"""A loopback LM Studio emulator: LM Studio as users run it, for tests that the embedded llama.cpp can't serve.

It plays, configurable per test through its attributes:

- just-in-time loading (``jit``, LM Studio's default): ``/v1/models`` lists every downloaded model,
  LLMs and embedding models, none loaded; a request naming a model loads it first (``load_delay``
  seconds of silence before the first byte), after which the native lists show it loaded. A chat
  with no ``model`` and nothing loaded gets 400 "No models loaded". With ``jit`` off ``/v1/models``
  lists only loaded models and a request for another one fails.
- the native model lists ``/api/v0/models`` and ``/api/v1/models`` (0.4), ``/api/v1/models/load``
  and ``/unload``; ``native_v1=False`` plays LM Studio 0.3, ``v0_state=False`` drops ``state``.
- ``stats`` in chat answers (True: from the schedule; a dict: exactly that), ``usage`` exactly as
  set or counted (with ``completion_tokens_details.reasoning_tokens`` for thinking models).
- an API token (``api_token``): 401 without ``Authorization: Bearer <token>``; the refusal echoes
  the token it got, as careless servers do, so redaction can be tested.
- thinking models (``EmulatedModel.thinking``): reasoning streamed as ``reasoning_content``, as
  ``reasoning``, or inline ``<think>...</think>`` in the content; ``token_chars`` cuts the text
  into fixed-size tokens, so tags split at any character.
- a strict chat template (``strict_template``): messages must be [one system], then user and
  assistant alternating from user to user, or 400 with the Gemma/Mistral wording.
- the schedule: ``tokens_per_chunk``, ``token_delay`` (seconds per token), ``prompt_delay``.
- ``override(method, path, status, body)`` for any reply (a non-JSON model list, say).

Every request is recorded in ``requests`` (method, path, headers, JSON body). Run it by hand with
``python tests/lmstudio_emulator.py`` (port 1234 unless given).
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from loopback import LoopbackServer

NO_MODELS = "No models loaded. Please load a model in the developer page or use the `lms load` command."
ROLES_MUST_ALTERNATE = (
    'Error rendering prompt with jinja template: "Conversation roles must alternate '
    "user/assistant/user/assistant/...\". This is usually an issue with the model's prompt template."
)


@dataclass
class EmulatedModel:
    """A downloaded model; ``instances`` are its loaded instance ids (empty: not loaded)."""

    key: str
    type: str = "llm"  # llm | vlm | embedding
    thinking: str | None = None  # None | reasoning_content | reasoning | inline
    arch: str = "llama"
    quantization: str = "Q4_K_M"
    size_bytes: int = 1_000_000_000
    params: str | None = "1B"
    max_context_length: int = 32768
    loaded_context_length: int = 4096
    display_name: str = ""
    publisher: str = "lmstudio-community"
    instances: list[str] = field(default_factory=list)


def default_models() -> list[EmulatedModel]:
    """An embedding model first (as a user's list may have it), a thinking LLM, a plain LLM."""
    return [
        EmulatedModel(
            "text-embedding-nomic-embed-text-v1.5",
            type="embedding",
            arch="nomic-bert",
            quantization="F16",
            size_bytes=274_290_560,
            params=None,
            max_context_length=2048,
            display_name="Nomic Embed Text v1.5",
        ),
        EmulatedModel(
            "qwen/qwen3-4b",
            thinking="reasoning_content",
            arch="qwen3",
            size_bytes=2_497_280_256,
            params="4B",
            max_context_length=40960,
            display_name="Qwen3 4B",
        ),
        EmulatedModel(
            "google/gemma-3-1b",
            arch="gemma3",
            quantization="Q4_0",
            size_bytes=720_425_472,
            params="1B",
            display_name="Gemma 3 1B",
        ),
    ]


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict  # lower-case names
    body: Any  # the JSON body, or its text when it isn't JSON, or None


def tokens(text: str, chars: int | None = None) -> list[str]:
    """``text`` as the emulator's tokens: words with their leading space, or ``chars``-sized pieces."""
    if chars:
        return [text[i : i + chars] for i in range(0, len(text), chars)]
    return re.findall(r"\s*\S+|\s+", text)


class LMStudioEmulator:
    """An LM Studio server on a free loopback port, in a background thread."""

    def __init__(self, models: list[EmulatedModel] | None = None, port: int = 0) -> None:
        self.models = models if models is not None else default_models()
        self.jit = True
        self.load_delay = 0.0
        self.head_before_load = False  # send the response head at once, then load (silence after the head)
        self.prompt_delay = 0.0
        self.api_token: str | None = None
        self.strict_template = False
        self.native_v0 = True
        self.native_v1 = True
        self.v0_state = True
        self.reasoning = "The user greets me. A short, friendly greeting is enough."
        self.answer = "Hello! How can I help you today?"
        self.token_chars: int | None = None
        self.tokens_per_chunk = 1
        self.token_delay = 0.0
        self.usage: dict | None = None
        self.stats: bool | dict = False
        self.requests: list[Recorded] = []
        self.loads = 0  # models loaded (JIT or by request)
        self._overrides: dict[tuple[str, str], tuple[int, bytes, str]] = {}
        self._lock = threading.RLock()
        self._loading: dict[str, threading.Event] = {}
        self._server = LoopbackServer(("127.0.0.1", port), _Handler)
        self._server.emulator = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> LMStudioEmulator:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    # -- what tests set and read ----------------------------------------------------------

    def model(self, key: str) -> EmulatedModel:
        return next(m for m in self.models if m.key == key)

    def load(self, key: str) -> str:
        """Load ``key`` at once (as if the user had loaded it in LM Studio); returns the instance id."""
        with self._lock:
            model = self.model(key)
            instance = key if not model.instances else f"{key}:{len(model.instances) + 1}"
            model.instances.append(instance)
            self.loads += 1
            return instance

    def override(
        self, method: str, path: str, status: int, body: bytes | str, content_type: str = "application/json"
    ) -> None:
        """Answer ``method path`` with exactly this from now on."""
        self._overrides[(method, path)] = (status, body.encode() if isinstance(body, str) else body, content_type)

    def chats(self) -> list[Recorded]:
        """The chat requests received, oldest first."""
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def script(self, model: EmulatedModel, max_tokens: int | None = None) -> list[tuple[str, bool]]:
        """The (token, is thinking) sequence a chat with ``model`` streams."""
        if model.thinking == "inline":
            think, answer = (
                tokens(f"<think>{self.reasoning}</think>", self.token_chars),
                tokens("\n\n" + self.answer, self.token_chars),
            )
        else:
            think, answer = (
                tokens(self.reasoning, self.token_chars) if model.thinking else [],
                tokens(self.answer, self.token_chars),
            )
        script = [(t, True) for t in think] + [(t, False) for t in answer]
        return script[:max_tokens] if max_tokens else script

    def usage_for(self, body: dict, script: list[tuple[str, bool]], model: EmulatedModel) -> dict:
        """The usage a chat reports: ``self.usage`` exactly when set, else counted."""
        if self.usage is not None:
            return self.usage
        prompt = sum(
            len(str(m.get("content", "")).split()) + 4 for m in body.get("messages") or [] if isinstance(m, dict)
        )
        usage = {"prompt_tokens": prompt, "completion_tokens": len(script), "total_tokens": prompt + len(script)}
        if model.thinking:
            usage["completion_tokens_details"] = {"reasoning_tokens": sum(1 for _, thinking in script if thinking)}
        return usage

    def stats_for(self, script: list[tuple[str, bool]], always: bool = False) -> dict | None:
        """LM Studio's ``stats``: ``self.stats`` exactly when a dict, from the schedule when True (or ``always``)."""
        if isinstance(self.stats, dict):
            return self.stats
        if not (self.stats or always):
            return None
        generation = len(script) * self.token_delay
        return {
            "tokens_per_second": 1 / self.token_delay if self.token_delay else 1000.0,
            "time_to_first_token": self.prompt_delay,
            "generation_time": generation,
            "stop_reason": "eosFound",
        }

    # -- model state --------------------------------------------------------------------

    def _loaded(self, model: EmulatedModel) -> bool:
        return bool(model.instances)

    def _ensure_loaded(self, model: EmulatedModel) -> None:
        """JIT: load ``model`` (taking ``load_delay``) unless it is loaded; concurrent requests share one load."""
        with self._lock:
            if self._loaded(model):
                return
            event = self._loading.get(model.key)
            owner = event is None
            if owner:
                event = self._loading[model.key] = threading.Event()
        if not owner:
            event.wait()
            return
        time.sleep(self.load_delay)
        with self._lock:
            self.load(model.key)
            del self._loading[model.key]
        event.set()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # each SSE event leaves at once, as from a real server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    @property
    def emu(self) -> LMStudioEmulator:
        return self.server.emulator

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    # -- plumbing -------------------------------------------------------------------------

    def _dispatch(self, method: str) -> None:
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        path = self.path.split("?")[0]
        with self.emu._lock:
            self.emu.requests.append(Recorded(method, path, {k.lower(): v for k, v in self.headers.items()}, body))
        try:
            if (method, path) in self.emu._overrides:
                status, content, content_type = self.emu._overrides[(method, path)]
                return self._reply(status, content, content_type)
            if not self._authorized():
                return
            route = ROUTES.get((method, path))
            if route is None:
                return self._json(404, {"error": f"Unexpected endpoint or method. ({method} {path})"})
            if body is not None and not isinstance(body, dict):
                return self._json(400, {"error": "'body' is not a JSON object"})
            route(self, body or {})
        except (BrokenPipeError, ConnectionResetError):  # the client went away (cancel): stop generating
            self.close_connection = True

    def _authorized(self) -> bool:
        token = self.emu.api_token
        if token is None:
            return True
        sent = self.headers.get("authorization", "")
        if sent == f"Bearer {token}":
            return True
        message = f"Invalid API token: {sent.removeprefix('Bearer ')!r}" if sent else "Missing API token"
        self._json(401, {"error": {"message": message, "type": "invalid_request_error", "code": "invalid_api_key"}})
        return False

    def _reply(self, status: int, content: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def _json(self, status: int, data: Any) -> None:
        self._reply(status, json.dumps(data).encode())

    def _head(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()

    def _write(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    def _event(self, data: Any) -> None:
        self._write(f"data: {json.dumps(data)}\n\n".encode())

    # -- model lists ----------------------------------------------------------------------

    def models(self, body: dict) -> None:
        emu = self.emu
        with emu._lock:
            listed = [m for m in emu.models if emu.jit or emu._loaded(m)]
            data = [{"id": m.key, "object": "model", "owned_by": "organization_owner"} for m in listed]
        self._json(200, {"object": "list", "data": data})

    def v0_models(self, body: dict) -> None:
        if not self.emu.native_v0:
            return self._json(404, {"error": "Unexpected endpoint or method. (GET /api/v0/models)"})
        data = []
        with self.emu._lock:
            for m in self.emu.models:
                item = {
                    "id": m.key,
                    "object": "model",
                    "type": "embeddings" if m.type == "embedding" else m.type,
                    "publisher": m.publisher,
                    "arch": m.arch,
                    "compatibility_type": "gguf",
                    "quantization": m.quantization,
                    "max_context_length": m.max_context_length,
                }
                if self.emu.v0_state:
                    item["state"] = "loaded" if m.instances else "not-loaded"
                if m.instances:
                    item["loaded_context_length"] = m.loaded_context_length
                data.append(item)
        self._json(200, {"object": "list", "data": data})

    def v1_models(self, body: dict) -> None:
        if not self.emu.native_v1:
            return self._json(404, {"error": "Unexpected endpoint or method. (GET /api/v1/models)"})
        out = []
        with self.emu._lock:
            for m in self.emu.models:
                item = {
                    "type": m.type,
                    "publisher": m.publisher,
                    "key": m.key,
                    "display_name": m.display_name or m.key,
                    "quantization": {"name": m.quantization, "bits_per_weight": 4},
                    "size_bytes": m.size_bytes,
                    "params_string": m.params,
                    "max_context_length": m.max_context_length,
                    "format": "gguf",
                    "loaded_instances": [
                        {"id": i, "config": {"context_length": m.loaded_context_length}} for i in m.instances
                    ],
                }
                if m.type != "embedding":
                    item["architecture"] = m.arch
                out.append(item)
        self._json(200, {"models": out})

    def v1_load(self, body: dict) -> None:
        if not self.emu.native_v1:
            return self._json(404, {"error": "Unexpected endpoint or method. (POST /api/v1/models/load)"})
        key = body.get("model")
        if not any(m.key == key for m in self.emu.models):
            return self._json(404, {"error": {"message": f"Model not found: {key!r}", "code": "model_not_found"}})
        started = time.perf_counter()
        time.sleep(self.emu.load_delay)
        instance = self.emu.load(key)
        context = (body.get("config") or {}).get("context_length") or self.emu.model(key).loaded_context_length
        self._json(
            200,
            {
                "model_instance_id": instance,
                "config": {"context_length": context},
                "load_time_seconds": round(time.perf_counter() - started, 3),
            },
        )

    def v1_unload(self, body: dict) -> None:
        if not self.emu.native_v1:
            return self._json(404, {"error": "Unexpected endpoint or method. (POST /api/v1/models/unload)"})
        instance = body.get("instance_id")
        with self.emu._lock:
            for m in self.emu.models:
                if instance in m.instances:
                    m.instances.remove(instance)
                    return self._json(200, {"instance_id": instance})
        self._json(404, {"error": {"message": f"No loaded model instance with id {instance!r}"}})

    # -- inference ------------------------------------------------------------------------

    def _model_for(self, body: dict, kinds: tuple[str, ...]) -> EmulatedModel | None:
        """The model a request names (JIT-loading it), or the loaded one; None when an error was sent."""
        emu, key = self.emu, body.get("model")
        if not key:
            with emu._lock:
                loaded = [m for m in emu.models if m.instances and m.type in kinds]
            if not loaded:
                self._json(400, {"error": NO_MODELS})
                return None
            return loaded[0]
        model = next((m for m in emu.models if m.key == key or key in m.instances), None)
        if model is None:
            self._json(
                404,
                {
                    "error": {
                        "message": f"Invalid model identifier {key!r}. Please specify a valid downloaded model.",
                        "type": "invalid_request_error",
                        "param": "model",
                        "code": "model_not_found",
                    }
                },
            )
            return None
        if model.type not in kinds:
            self._json(400, {"error": f"Model {key!r} is a {model.type} model and cannot serve this endpoint"})
            return None
        if not emu.jit and not model.instances:
            self._json(
                404,
                {
                    "error": {
                        "message": f"Model {key!r} is not loaded. Load it, or turn on JIT loading.",
                        "code": "model_not_found",
                    }
                },
            )
            return None
        return model

    def chat(self, body: dict, stats: bool = False) -> None:
        emu = self.emu
        if emu.strict_template and not _alternating(body.get("messages")):
            return self._json(400, {"error": ROLES_MUST_ALTERNATE})
        model = self._model_for(body, ("llm", "vlm"))
        if model is None:
            return
        stream = bool(body.get("stream"))
        if stream and emu.head_before_load:
            self._head()
        emu._ensure_loaded(model)
        time.sleep(emu.prompt_delay)
        script = emu.script(
            model,
            body.get("max_tokens") if isinstance(body.get("max_tokens"), int) and body["max_tokens"] > 0 else None,
        )
        finish = "length" if len(script) < len(emu.script(model)) else "stop"
        usage, figures = emu.usage_for(body, script, model), emu.stats_for(script, always=stats)
        if not stream:
            time.sleep(len(script) * emu.token_delay)
            return self._json(200, self._completion(model, script, finish, usage, figures))
        if not emu.head_before_load:
            self._head()
        self._stream(model, script, finish, usage, figures, (body.get("stream_options") or {}).get("include_usage"))

    def chat_v0(self, body: dict) -> None:
        self.chat(body, stats=True)

    def _completion(self, model, script, finish, usage, figures) -> dict:
        content = "".join(t for t, thinking in script if not thinking or model.thinking == "inline")
        message = {"role": "assistant", "content": content}
        thought = "".join(t for t, thinking in script if thinking)
        if model.thinking in ("reasoning_content", "reasoning") and thought:
            message[model.thinking] = thought
        out = {
            "id": "chatcmpl-emulated",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model.key,
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
            "usage": usage,
        }
        if figures:
            out["stats"] = figures
        return out

    def _stream(self, model, script, finish, usage, figures, include_usage) -> None:
        emu = self.emu
        n = max(1, emu.tokens_per_chunk)

        def event(delta: dict, finish_reason: str | None = None) -> dict:
            return {
                "id": "chatcmpl-emulated",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": model.key,
                "system_fingerprint": model.key,
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
            }

        for i in range(0, len(script), n):
            if i:
                time.sleep(n * emu.token_delay)
            piece = script[i : i + n]
            delta = {"role": "assistant"} if i == 0 else {}
            thought = "".join(t for t, thinking in piece if thinking and model.thinking != "inline")
            content = "".join(t for t, thinking in piece if not thinking or model.thinking == "inline")
            if thought:
                delta[model.thinking] = thought
            if content:
                delta["content"] = content
            self._event(event(delta))
            self.wfile.flush()
        last = event({}, finish)
        if figures and not include_usage:
            last["stats"] = figures
        self._event(last)
        if include_usage:
            tail = {
                "id": "chatcmpl-emulated",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": model.key,
                "choices": [],
                "usage": usage,
            }
            if figures:
                tail["stats"] = figures
            self._event(tail)
        self._write(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def embeddings(self, body: dict) -> None:
        model = self._model_for(body, ("embedding",))
        if model is None:
            return
        self.emu._ensure_loaded(model)
        texts = body.get("input")
        texts = [texts] if isinstance(texts, str) else list(texts or [])
        data = [{"object": "embedding", "index": i, "embedding": _vector(t)} for i, t in enumerate(texts)]
        self._json(
            200, {"object": "list", "data": data, "model": model.key, "usage": {"prompt_tokens": 0, "total_tokens": 0}}
        )


ROUTES = {
    ("GET", "/v1/models"): _Handler.models,
    ("POST", "/v1/chat/completions"): _Handler.chat,
    ("POST", "/v1/embeddings"): _Handler.embeddings,
    ("GET", "/api/v0/models"): _Handler.v0_models,
    ("POST", "/api/v0/chat/completions"): _Handler.chat_v0,
    ("GET", "/api/v1/models"): _Handler.v1_models,
    ("POST", "/api/v1/models/load"): _Handler.v1_load,
    ("POST", "/api/v1/models/unload"): _Handler.v1_unload,
}


def _alternating(messages: Any) -> bool:
    """[one system message], then user/assistant alternating, starting and ending with user."""
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        return False
    roles = [m.get("role") for m in messages]
    if roles[:1] == ["system"]:
        roles = roles[1:]
    return bool(roles) and roles[-1] == "user" and all(r == ("user", "assistant")[i % 2] for i, r in enumerate(roles))


def _vector(text: str, dims: int = 8) -> list[float]:
    """A deterministic small vector for ``text``."""
    return [((zlib.crc32(f"{i}:{text}".encode()) % 2000) - 1000) / 1000 for i in range(dims)]


if __name__ == "__main__":
    emulator = LMStudioEmulator(port=int(sys.argv[1]) if len(sys.argv) > 1 else 1234).start()
    print(f"LM Studio emulator at {emulator.base_url} (JIT on, nothing loaded)")
    while True:
        time.sleep(3600)
