"""The dashboard's connection to its server: found (or the embedded one started) off the event loop, then the
warm-up, the server's process for the resource panel and the model list. A request sent while it connects
waits for it."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.worker import Worker

    from devsynth_tui.services.pipeline.pipeline import Pipeline
    from devsynth_tui.ui.main_screen import MainScreen


class Connection:
    """One screen's connection; its workers run on the screen (whose handler reports their failures)."""

    def __init__(self, main: MainScreen) -> None:
        self.main = main
        self.worker: Worker | None = None  # the connect worker, once started
        self.started = asyncio.Event()  # the first connect began (it starts after the first frames)
        self.warm_up_started = False

    def start(self) -> None:
        """Connect, or connect again (ctrl+r), without blocking the screen."""
        self.worker = self.main.run_worker(self.connect, exclusive=True, group="connect", exit_on_error=False)
        self.started.set()

    async def connect(self) -> None:
        """Find the server (or start the embedded one); the status line says which at once."""
        main = self.main
        always = main.cfg.llm.embedded.mode == "always"
        main.state.set(
            backend="starting the embedded llama.cpp server…" if always else f"connecting to {main.cfg.llm.base_url}…",
            server="connecting…",
        )
        try:
            main.model = await main.session.connect(found=self._found, starting=self._starting)
            backend, pipeline = main.session.backend, main.session.pipeline
            assert backend is not None and pipeline is not None  # connect() sets both or raises
            self._warm_up()
            if backend.note:
                main.notify(f"{backend.note}: using the {backend.label}")  # once; the status line keeps it if room
            for note in pipeline.notes:
                main.notify(note, severity="warning")
            self.find_server()
            await main.refresh_models(refresh=False)  # the list connect just fetched
        except Exception as e:
            from devsynth_tui.services.app_log import record
            from devsynth_tui.services.errors import describe
            from devsynth_tui.services.llm.errors import ModelNotFound

            record(e, "connect failed")
            main.state.set(
                backend=f"not connected: {describe(e)} (ctrl+r reconnects)", backend_note="", server="no server"
            )
            if main.session.pipeline is None:  # no server: its models go (the configured model stays named)
                main.model = ""
                main.state.set(model=main.cfg.llm.model or "")
                main.forget_models()
            main.notify(describe(e), severity="error", timeout=10)
            self._warm_up()
            if isinstance(e, ModelNotFound):  # it listed its models, without the one asked for: the list says which
                await main.refresh_models(refresh=False)

    def _found(self, server: str, note: str, model: str) -> None:
        """The server answered: the status line names it and the model (the client and pipeline are still loading)."""
        self.main.model = model
        self.main.state.set(backend=server, backend_note=note, model=model)

    def name_early(self) -> None:
        """The first frame names the server and model if the look begun at start-up has seen them."""
        self.main.session.tell_look_ahead(self._found)

    def _starting(self, why: str) -> None:
        """The embedded server starts in place of LM Studio (seconds): the status line says so meanwhile."""
        self.main.state.set(backend=why)

    def _warm_up(self) -> None:
        """Once per run, after connecting (never beside the probes): what the first answer needs, in a thread."""
        if not self.warm_up_started:
            self.warm_up_started = True
            self.main.run_worker(warm_up, thread=True, group="warm-up", exit_on_error=False)

    def find_server(self) -> None:
        """The server's process for the resource panel, found in a thread (a scan of the machine's sockets)."""
        self.main.run_worker(self._find_server, thread=True, exclusive=True, group="find-server", exit_on_error=False)

    def _find_server(self) -> None:
        """The embedded server's process, the one listening on a loopback server's port, or none (a remote one)."""
        from devsynth_tui.services.resources.monitor import server_process

        main = self.main
        backend = main.session.backend
        if backend is None or main.sampler is None:
            return
        pid, label = server_process(backend.client.url, backend.embedded.pid if backend.embedded else None)
        main.sampler.set_server_pid(pid)
        main.app.call_from_thread(main.state.set, server=label)

    def can_send(self) -> bool:
        """Connected, connecting or about to (a request sent now waits for the connection); never with fixed data."""
        if self.main.fixed:
            return False
        connecting = bool(self.worker and self.worker.is_running)
        return self.main.session.pipeline is not None or not self.started.is_set() or connecting

    async def pipeline_when_connected(self, waiting: Callable[[str], None]) -> Pipeline | None:
        """The session's pipeline once connected (``waiting`` is told while it connects); None without a server."""
        if not self.started.is_set():  # sent in the first frames, before the connect began
            waiting(f"waiting for the server: {self.main.backend_label}")
            await self.started.wait()
        if self.worker and self.worker.is_running:  # sent while connecting: it goes once connected
            waiting(f"waiting for the server: {self.main.backend_label}")
            await self.worker.wait()
        return self.main.session.pipeline


def warm_up() -> None:
    """Load what sending and showing the first answer needs (the request runner, the Markdown parser and code
    highlighter) in a thread, then freeze the heap: every later collection scans only what was made since (~100 ms
    less each, on the loop).

    The tokenizer is not loaded here: a request loads it when it needs an exact count."""
    import gc
    import importlib

    from devsynth_tui.ui import markdown_view

    markdown_view.warm_up()
    importlib.import_module("devsynth_tui.services.requests")  # the runner, imported by the first Enter (~4 ms)
    gc.freeze()
