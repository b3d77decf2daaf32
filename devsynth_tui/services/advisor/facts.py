"""The advisor's facts (what every check reads), assembled in one place for every front end (the dashboard,
``doctor``): the ledger window, the machine now, the sampler's history, the server's models, the cache folder."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from devsynth_tui.config import Config
    from devsynth_tui.services.llm.results import ModelInfo
    from devsynth_tui.services.resources.monitor import Sample
    from devsynth_tui.services.store.database import Store

MB = 1024 * 1024
DEFAULT_DAYS = 7
MIN_REQUESTS = 5  # fewer requests say nothing about a habit
LARGE_INPUT = 4000  # tokens of input from which pruning should pay
MAX_TOKENS_SLACK = 4  # max_tokens this many times the longest answers (p99)
# the user's answers: the benchmark's own requests (operation "benchmark", "benchmark warmup", "benchmark sweep")
# run with their own max_tokens and say nothing about what answers need
ANSWER = "status = 'ok' AND cached = 0 AND operation NOT LIKE 'benchmark%'"


@dataclass
class Machine:
    """The machine now (psutil, os.getloadavg)."""

    cores: int
    memory_total_mb: float
    memory_available_mb: float
    swap_total_mb: float = 0.0
    swap_used_mb: float = 0.0
    load_1m: float | None = None

    @classmethod
    def now(cls) -> Machine:
        import psutil

        vm, swap = psutil.virtual_memory(), psutil.swap_memory()
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        return cls(os.cpu_count() or 1, vm.total / MB, vm.available / MB, swap.total / MB, swap.used / MB, load)


@dataclass
class Facts:
    """Everything the checks read. The ledger window is the rows with ``ts >= since``."""

    cfg: Config
    store: Store
    since: float
    machine: Machine
    samples: list[Sample] = field(default_factory=list)  # the sampler's history, oldest first (dashboard only)
    models: list[ModelInfo] = field(default_factory=list)  # the server's models; empty when unknown
    active_model: str | None = None
    backend: str | None = None  # lmstudio | llamacpp | openai | embedded; None when unknown
    cache_dir: Path | None = None
    own_pids: set[int] = field(default_factory=set)  # us and the embedded server: not "other programs"

    @cached_property
    def window(self) -> Any:
        """The window's figures that several checks read, in one pass over the rows."""
        return self.one(
            "SELECT COUNT(*) n, COALESCE(SUM(total_tokens), 0) tokens,"
            f" COALESCE(SUM({ANSWER}), 0) answers,"
            f" COALESCE(SUM({ANSWER} AND completion_tokens * :slack >= :max_tokens), 0) long_answers,"
            " COALESCE(SUM(cached = 0 AND tokens_before >= :large), 0) large_n,"
            " COALESCE(SUM(CASE WHEN cached = 0 AND tokens_before >= :large THEN tokens_before END), 0) large_before,"
            " COALESCE(SUM(CASE WHEN cached = 0 AND tokens_before >= :large THEN tokens_saved END), 0) large_saved,"
            " COALESCE(SUM(tokens_before > :budget), 0) over_n, MAX(CASE WHEN tokens_before > :budget THEN "
            "tokens_before END) over_max,"
            " COALESCE(MAX(prompt_tokens + completion_tokens), 0) largest FROM requests WHERE ts >= :since",
            large=LARGE_INPUT,
            budget=self.cfg.memory.max_context_size,
            slack=MAX_TOKENS_SLACK,
            max_tokens=self.cfg.llm.max_tokens,
        )

    def one(self, sql: str, **params: Any) -> Any:
        """One row of an aggregate over the window (``:since`` is bound)."""
        return self.all(sql, **params)[0]

    def all(self, sql: str, **params: Any) -> list:
        return self.store.query(sql, {"since": self.since, **params})

    def window_text(self) -> str:
        return (
            f"since {datetime.fromtimestamp(self.since).isoformat(sep=' ', timespec='minutes')}"
            if self.since
            else "all time"
        )

    def request_spans(self) -> list[tuple[float, float]]:
        """(start, end) of the requests the sampler's history covers."""
        if not self.samples:
            return []
        first = self.samples[0].t - self.cfg.monitor.interval  # the first sample covers the interval before it
        rows = self.store.query(
            "SELECT ts - COALESCE(duration, 0) s, ts e FROM requests WHERE ts >= ?", (max(first, self.since),)
        )
        return [(r["s"], r["e"]) for r in rows]


def default_since(cfg: Config, now: float | None = None) -> float:
    """The last week, or since the config last changed when that is later: older rows ran under other settings."""
    since = (now or time.time()) - DEFAULT_DAYS * 86400
    for source in cfg.sources:
        path = Path(source)
        if path.is_file():
            since = max(since, path.stat().st_mtime)
    return since


def gather_facts(
    cfg: Config,
    store: Store,
    home: Path,
    *,
    since: float | None = None,
    server_pid: int | None = None,
    models: Sequence[ModelInfo] = (),
    active_model: str | None = None,
    backend: str | None = None,
    samples: Sequence[Sample] = (),
) -> Facts:
    """What the checks read: the ledger from ``since`` (default: the configured window), the machine now,
    the server's models, and the embedded server's pid (``server_pid``) so it is not "another program"."""
    return Facts(
        cfg,
        store,
        default_since(cfg) if since is None else since,
        Machine.now(),
        list(samples),
        list(models),
        active_model,
        backend,
        home / "cache",
        {server_pid} if server_pid else set(),
    )


async def server_models(cfg: Config) -> tuple[list[ModelInfo], str | None]:
    """The configured server's models without starting anything; else the embedded model, as far as the file tells."""
    if _listening(cfg.llm.base_url):  # nothing listening: no HTTP client (and its TLS setup) at all
        from devsynth_tui.services.llm.client import LLMClient, serves
        from devsynth_tui.services.llm.errors import LLMError

        client = LLMClient(cfg.llm.base_url, api_key=cfg.api_key, timeout=3.0, first_byte_timeout=3.0)
        try:
            if serves(await client.probe()):
                models = await client.list_models()
                return models, "lmstudio" if client.lmstudio else "openai"
        except LLMError:
            pass
        finally:
            await client.aclose()
    if cfg.llm.embedded.mode == "never":
        return [], None
    from devsynth_tui.services.llm.embedded import DEFAULT_CTX, MODEL_NAME, EmbeddedUnavailable, model_path
    from devsynth_tui.services.llm.results import ModelInfo

    try:
        size = model_path().stat().st_size
    except (EmbeddedUnavailable, OSError):
        return [], None
    return [ModelInfo(MODEL_NAME, None, DEFAULT_CTX, size_bytes=size, type="llm")], "embedded"


def _listening(url: str) -> bool:
    """True when something accepts a TCP connection at the URL's host and port."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)), timeout=0.5
        ):
            return True
    except (OSError, ValueError):
        return False
