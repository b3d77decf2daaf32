"""The model lists servers answer, read as values: OpenAI's ``/v1/models`` (with llama.cpp's ``meta``), LM Studio's
native ``/api/v0/models`` and ``/api/v1/models`` merged into it, and the model a request uses picked from them.

Plain functions of what was answered, without the HTTP client: the client and the first look at a server
(``first_look``) read the same answers the same way."""

from __future__ import annotations

from typing import Any

from devsynth_tui.services.llm.errors import ModelNotFound
from devsynth_tui.services.llm.results import ModelInfo, int_or_none, params_label, str_or_none
from devsynth_tui.services.sanitize import safe_line


def openai_models(data: Any) -> list[ModelInfo] | None:
    """The models of a ``/v1/models`` answer; None when it is not a model list."""
    items = data.get("data") if isinstance(data, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get("id"), str) for i in items):
        return None
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


def native_items(data: Any, key: str) -> list[dict] | None:
    """The list under ``key`` of an answer from LM Studio's native API; None when the answer is not one."""
    items = data.get(key) if isinstance(data, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else None


def native_models(v0: list[dict] | None, v1: list[dict] | None) -> list[dict]:
    """Per model, what LM Studio's native lists say (v1 over v0), unknown fields left out."""
    by_id: dict[str, dict] = {}
    for item in v0 or []:
        if isinstance(item.get("id"), str):
            _known(by_id.setdefault(item["id"], {"id": item["id"]}), v0_fields(item))
    for item in v1 or []:
        if isinstance(item.get("key"), str):
            _known(by_id.setdefault(item["key"], {"id": item["key"]}), v1_fields(item))
    return list(by_id.values())


def with_native(models: list[ModelInfo], native: list[dict]) -> list[ModelInfo]:
    """``models`` (from ``/v1/models``) with what LM Studio's native lists say of each; the models only those lists
    know (JIT off: downloaded, not loaded) come last."""
    matched = set()
    for m in models:
        for fields in native:
            if m.id == fields["id"] or m.id in fields.get("instances", ()):
                _update(m, fields)
                matched.add(fields["id"])
    return models + [_update(ModelInfo(f["id"]), f) for f in native if f["id"] not in matched]


def v0_fields(item: dict) -> dict:
    """What ``/api/v0/models`` says of a model; a missing ``state`` is unknown, not "not loaded"."""
    state = item.get("state")
    return {
        "loaded": None if state is None else state == "loaded",
        "context_length": int_or_none(item.get("loaded_context_length")) or int_or_none(item.get("max_context_length")),
        "quantization": str_or_none(item.get("quantization")),
        "type": str_or_none(item.get("type")),
        "arch": str_or_none(item.get("arch")),
    }


def v1_fields(item: dict) -> dict:
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


def pick_model(models: list[ModelInfo], wanted: str | None, server: str) -> str:
    """The model to send: the one asked for (it must be listed), else a loaded chat model, else the first one.

    LM Studio with just-in-time loading lists every downloaded model and loads the one a request names, so a model
    that is not loaded yet is a fine choice. ``server`` names the server in the error ("LM Studio at URL")."""
    if wanted:
        if not models:
            return wanted  # a server that lists nothing gets the name as given
        for m in models:
            if m.id == wanted or m.id.lower() == wanted.lower():
                return m.id
        have = ", ".join(safe_line(m.id, 80) for m in models if not m.is_embedding) or "none"
        raise ModelNotFound(
            f"model {safe_line(repr(wanted))} is not on {server}; it has: {have} "
            f"(pick one with --model, llm.model or the Models pane)"
        )
    chats = [m for m in models if not m.is_embedding]
    if not chats:
        raise ModelNotFound(f"{server} lists no chat model: download or load one in LM Studio, or pass --model")
    return next((m for m in chats if m.loaded is not False), chats[0]).id


def _known(into: dict, fields: dict) -> None:
    into.update((k, v) for k, v in fields.items() if v is not None)


def _update(model: ModelInfo, fields: dict) -> ModelInfo:
    for name, value in fields.items():
        if name != "id":
            setattr(model, name, value)
    return model
