"""LM Studio's own endpoints: its native model lists (``/api/v0``, and 0.4's ``/api/v1``, which also loads and
unloads models) say more of each model than ``/v1/models`` does, and whether a model is loaded right now."""

from __future__ import annotations

import asyncio

from devsynth_tui.services.llm.connection import HTTPX_ERRORS, Connection
from devsynth_tui.services.llm.errors import LLMError
from devsynth_tui.services.llm.results import ModelInfo, int_or_none, str_or_none

NATIVE_TIMEOUT = 2.0  # LM Studio's model lists answer at once; anything slower is not LM Studio


class LMStudioEndpoints(Connection):
    """LM Studio's native API on a server's connection (``LLMClient`` has it)."""

    async def _native(self, path: str, key: str) -> list | None:
        """The list under ``key`` from one of LM Studio's native endpoints; None if it doesn't answer so."""
        try:
            async with self.in_use():
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

    async def _with_native(self, models: list[ModelInfo]) -> list[ModelInfo]:
        """``models`` (from ``/v1/models``) with what LM Studio's native lists say of each; the models only those
        lists know (JIT off: downloaded, not loaded) come last."""
        native_models = await self._native_models()
        matched = set()
        for m in models:
            for fields in native_models:
                if m.id == fields["id"] or m.id in fields.get("instances", ()):
                    _update(m, fields)
                    matched.add(fields["id"])
        return models + [_update(ModelInfo(f["id"]), f) for f in native_models if f["id"] not in matched]

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
