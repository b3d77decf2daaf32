"""A front end's session: the database, conversations, the backend and its pipeline, the counters.

The dashboard views a Session; it never opens the database or builds a
pipeline itself. Token counters come from the ledger only, so the session
figure, the all-time figure and the status line always agree.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from devsynth_tui.config import Config, app_home
from devsynth_tui.services.conversations import Conversations
from devsynth_tui.services.ledger import Ledger, Report
from devsynth_tui.services.store import Store, db_path


class Session:
    """One run of a front end against one app home."""

    def __init__(self, cfg: Config, home: Path | None = None):
        self.cfg = cfg
        self.home = home or app_home()
        self.id = uuid.uuid4().hex[:12]  # tags this session's ledger rows
        self.store = Store(db_path(self.home))
        self.ledger = Ledger(self.store)
        compression = cfg["disk"]["compression"]
        self.conversations = Conversations(self.store, compression["level"] if compression["enabled"] else None)
        self.backend = None
        self.pipeline = None

    async def connect(self) -> str:
        """Find the server (or start the embedded one); returns the model requests will use."""
        from devsynth_tui.services.backend import connect
        from devsynth_tui.services.pipeline import Pipeline

        await self.disconnect()
        self.backend = await connect(self.cfg, self.home)
        self.pipeline = Pipeline(self.cfg, self.backend, self.ledger, self.home, session=self.id)
        return await self.backend.resolve_model(self.cfg.get("llm.model"))

    async def disconnect(self) -> None:
        backend, self.backend, self.pipeline = self.backend, None, None
        if backend:
            await backend.aclose()

    def set_config(self, cfg: Config) -> None:
        """Apply a changed configuration to the very next request."""
        self.cfg = cfg
        if self.pipeline:
            self.pipeline.cfg = cfg

    def totals(self) -> tuple[Report, Report]:
        """(this session, all time), both from the ledger."""
        return self.ledger.report(session=self.id), self.ledger.report(all_time=True)

    def close(self) -> None:
        self.store.close()
