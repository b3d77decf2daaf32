"""The advisor's facts, assembled in one place for every front end (the dashboard, ``doctor``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from devsynth_tui.services.advisor.checks import Facts, Machine, default_since

if TYPE_CHECKING:
    from devsynth_tui.config import Config
    from devsynth_tui.services.llm.client import ModelInfo
    from devsynth_tui.services.resources.monitor import Sample
    from devsynth_tui.services.store.database import Store


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
