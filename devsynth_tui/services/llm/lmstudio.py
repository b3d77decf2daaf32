"""LM Studio's own endpoints: its native model lists (``/api/v0``, and 0.4's ``/api/v1``, which also loads and
unloads models) say more of each model than ``/v1/models`` does, and whether a model is loaded right now."""

from __future__ import annotations

import asyncio

from devsynth_tui.services.llm.connection import HTTPX_ERRORS, Connection
from devsynth_tui.services.llm.errors import LLMError
from devsynth_tui.services.llm.model_lists import native_items, native_models, v0_fields, v1_fields, with_native
from devsynth_tui.services.llm.results import ModelInfo

NATIVE_TIMEOUT = 2.0  # LM Studio's model lists answer at once; anything slower is not LM Studio


class LMStudioEndpoints(Connection):
    """LM Studio's native API on a server's connection (``LLMClient`` has it)."""

    async def _native(self, path: str, key: str) -> list | None:
        """The list under ``key`` from one of LM Studio's native endpoints; None if it doesn't answer so."""
        try:
            async with self.in_use():
                r = await self.http.get(path, timeout=NATIVE_TIMEOUT)
            items = native_items(r.json(), key) if r.is_success else None
        except (*HTTPX_ERRORS, ValueError):
            return None
        self.lmstudio = self.lmstudio or items is not None
        return items

    async def _with_native(self, models: list[ModelInfo]) -> list[ModelInfo]:
        """``models`` (from ``/v1/models``) with what LM Studio's native lists say of each (``with_native``)."""
        v0 = await self._native("/api/v0/models", "data")  # one after the other: one pooled connection
        v1 = await self._native("/api/v1/models", "models")
        return with_native(models, native_models(v0, v1))

    async def loaded_now(self, model_id: str) -> bool | None:
        """Whether LM Studio has ``model_id`` loaded at this moment (it unloads idle models): its ``/api/v0/models``
        ``state``, one small local request; None when the server does not say."""
        for item in await self._native("/api/v0/models", "data") or []:
            if item.get("id") == model_id:
                return v0_fields(item)["loaded"]
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
            ids = v1_fields(item)["instances"] or []
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
