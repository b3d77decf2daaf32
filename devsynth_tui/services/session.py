"""A front end's session: the database, conversations, the backend and its pipeline, the counters.

The dashboard views a Session; it never opens the database or builds a
pipeline itself. Token counters come from the ledger only, so the session
figure, the all-time figure and the status line always agree.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import uuid
from concurrent.futures import Future
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from devsynth_tui.config import Config, app_home
from devsynth_tui.services.store.conversations import Conversations
from devsynth_tui.services.store.database import Store, db_path
from devsynth_tui.services.store.ledger import Ledger, Report

if TYPE_CHECKING:
    from collections.abc import Callable

    from devsynth_tui.services.llm.backend import Backend
    from devsynth_tui.services.llm.first_look import Look
    from devsynth_tui.services.pipeline.pipeline import Pipeline
    from devsynth_tui.services.resources.openmetrics import Metrics

PIPELINE = "devsynth_tui.services.pipeline.pipeline"


class Session:
    """One run of a front end against one app home."""

    def __init__(self, cfg: Config, home: Path | None = None, look: Future[Look | None] | None = None):
        self.cfg = cfg
        self.look_ahead = look  # the first look, begun at start-up (look_ahead); the first connect uses it
        self.home = home or app_home()
        self.id = uuid.uuid4().hex[:12]  # tags this session's ledger rows
        self.store = Store(db_path(self.home))
        self.ledger = Ledger(self.store)
        compression = cfg.disk.compression
        self.conversations = Conversations(self.store, compression.level if compression.enabled else None)
        self.backend: Backend | None = None
        self.pipeline: Pipeline | None = None
        self.metrics: Metrics | None = None  # while /metrics is served

    async def connect(
        self, found: Callable[[str, str, str], None] | None = None, starting: Callable[[str], None] | None = None
    ) -> str:
        """Find the server (or start the embedded one: ``starting`` is told why); returns the model requests will use.

        ``found`` is told what serves, why when it stands in for another, and that model, as soon as they are known:
        from the ``first_look`` at a server on this machine, before the HTTP client has loaded (a front end names
        the server then), else once the client's probes answered. The pipeline's modules import in a thread from
        then on, not beside the probes, whose client build they slowed.
        """
        old, self.backend, self.pipeline, backend = self.backend, None, None, None
        try:
            look = None
            if self.cfg.llm.embedded.mode != "always":
                look = await self._first_look()
            told = found is not None and look is not None and _tell(found, look, self.cfg.llm.model)
            await asyncio.to_thread(_load_client)  # httpx's imports would hold the event loop
            from devsynth_tui.services.llm.backend import connect

            backend = await connect(self.cfg, self.home, look, starting)
            self.backend = backend
            importing = asyncio.ensure_future(asyncio.to_thread(import_module, PIPELINE))
            try:
                model = await backend.resolve_model(self.cfg.llm.model)
                if found and not told:
                    found(backend.label, backend.note, model)
            finally:
                await importing
                self.pipeline = self.new_pipeline()
        finally:
            if old:  # answers, tasks and runs still on the old backend finish on it: it closes once they end
                await old.retire(successor=backend)
        return model

    async def _first_look(self) -> Look | None:
        """The look begun at start-up, for the first connect; a new one for any later (the server may have moved)."""
        from devsynth_tui.services.llm.first_look import TIMEOUT, first_look

        ahead, self.look_ahead = self.look_ahead, None
        if ahead is None:
            return await first_look(self.cfg.llm.base_url, self.cfg.api_key)
        if ahead.done():
            return ahead.result()
        try:  # the look's own timeout can't end its thread's name lookup: this wait ends
            return await asyncio.wait_for(asyncio.wrap_future(ahead), TIMEOUT)
        except TimeoutError:
            return None  # the client's probes decide

    def tell_look_ahead(self, found: Callable[[str, str, str], None]) -> None:
        """Tell ``found`` the server and model the look begun at start-up saw, if it has seen them already: a front
        end's first frame names them (the first connect confirms them, or says what went wrong)."""
        ahead = self.look_ahead
        if ahead is not None and ahead.done() and ahead.exception() is None and (look := ahead.result()):
            _tell(found, look, self.cfg.llm.model)

    def new_pipeline(self) -> Pipeline:
        """A pipeline on this session's backend and ledger (the benchmark's own: it changes its settings per step).

        The one place a front end's pipelines are built; call after ``connect``."""
        from devsynth_tui.services.pipeline.pipeline import Pipeline

        assert self.backend is not None, "connect() first"
        return Pipeline(self.cfg, self.backend, self.ledger, self.home, session=self.id)

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

    def serve_metrics(self) -> str | None:
        """Serve OpenMetrics at ``metrics.host:metrics.port`` when the port is set; returns the URL.

        The counters follow this session's ledger from now on; raises MetricsError (one line) if the port is taken.
        """
        port = self.cfg.metrics.port
        if port is None or self.metrics:
            return None
        from devsynth_tui.services.resources.openmetrics import Metrics

        metrics = Metrics(lambda: self.backend.embedded.pid if self.backend and self.backend.embedded else None)
        url = metrics.serve(self.cfg.metrics.host, port)
        self.metrics = metrics
        self.ledger.listeners.append(metrics.record)
        return url

    def stop_metrics(self) -> None:
        if self.metrics:
            self.ledger.listeners.remove(self.metrics.record)
            self.metrics.stop()
            self.metrics = None

    def close(self) -> None:
        self.stop_metrics()
        self.store.close()


def look_ahead(cfg: Config) -> Future[Look | None] | None:
    """The first look at the configured server, begun at once in a thread of its own: its sockets wait while a front
    end imports and builds its first frame. None when the embedded server is always used (there is nothing to see)."""
    if cfg.llm.embedded.mode == "always":
        return None
    future: Future[Look | None] = Future()

    def look() -> None:
        from devsynth_tui.services.llm.first_look import first_look

        if not future.set_running_or_notify_cancel():  # running, a connect that stops waiting can't cancel it
            return
        try:
            future.set_result(asyncio.run(first_look(cfg.llm.base_url, cfg.api_key)))
        except Exception as e:  # said by the connect that reads it
            future.set_exception(e)

    threading.Thread(target=look, name="first-look", daemon=True).start()
    return future


def _tell(found: Callable[[str, str, str], None], look: Look, wanted: str | None) -> bool:
    """Tell ``found`` the server and model a first look saw; False if the model is not there (the backend says so)."""
    from devsynth_tui.services.llm.errors import ModelNotFound
    from devsynth_tui.services.llm.model_lists import pick_model

    try:
        model = pick_model(look.models, wanted, look.server)
    except ModelNotFound:
        return False
    found(look.server, "", model)
    return True


def _load_client() -> None:
    """Import what the backend's client needs (httpx, and anyio's asyncio backend, which httpx's first request would
    import on the event loop: ~40 ms): in a thread."""
    import_module("devsynth_tui.services.llm.backend")
    with contextlib.suppress(ImportError):  # a private module of anyio: should it move, the first request imports it
        import_module("anyio._backends._asyncio")
