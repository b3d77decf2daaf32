"""The main screen: chat and tasks, token counters, resources, parameters, models, benchmarks.

View code only: the session (services.session) owns the database, the
conversations, the backend and the pipeline; this screen shows them.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual import work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static, TabbedContent, TabPane

from devsynth_tui.config import ConfigError, save_overrides
from devsynth_tui.services.errors import ServiceError
from devsynth_tui.ui.chat import AssistantMessage, ChatPane, PromptArea, UserMessage
from devsynth_tui.ui.panels import ResourcePanel, StageWaterfall, StatusLine, TokenPanel

if TYPE_CHECKING:
    from textual.timer import Timer
    from textual.worker import Worker

    from devsynth_tui.services.advisor.checks import Finding
    from devsynth_tui.services.resources.monitor import Sampler
    from devsynth_tui.services.session import Session
    from devsynth_tui.services.store.ledger import Report

MIN_SIZE = (60, 16)
FIRST_CONTROL = {
    "chat": "#prompt",
    "tasks": "#task-files",
    "params": "#p-llm-temperature",
    "models": "#models-table",
    "bench": "#bench-requests",
    "advisor": "#advisor-table",
}
PANE_IDS = {
    "tasks": "tasks-pane",
    "params": "params-scroll",
    "models": "models-pane",
    "bench": "bench-pane",
    "advisor": "advisor-pane",
}  # mounted when first shown
NARROW_WIDTH = 110
LIVE_COUNTER_SECONDS = 0.25
NEW_TITLE = "new (saved with its first message)"
ADVISOR_SECONDS = 30  # between two checks of the advisor while idle (and after every answer)
HIDDEN_SAMPLE_EVERY = 5  # with the resources hidden, sample this many times less often (for memory alerts only)
OUTCOME_REQUESTS = 5  # an applied finding's before/after figure covers this many requests


class KeysFooter(Footer):
    """Textual's footer, redrawn once per burst of binding changes (starting the screen makes five, ~50 ms each)."""

    _queued = False

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen and not self._queued:
            self._queued = True
            self.call_after_refresh(self._recompose_once)

    async def _recompose_once(self) -> None:
        self._queued = False
        await self.recompose()


@dataclass
class Applied:
    """A finding applied from the Advisor pane, and its before/after figure once the next requests ran."""

    finding: Finding
    at: float
    outcome: str = ""


@dataclass
class LiveAnswer:
    """An answer streaming into its conversation, whichever conversation is on screen."""

    conversation_id: int
    view: AssistantMessage | None
    parts: list[str] = field(default_factory=list)
    thinking: list[str] = field(default_factory=list)
    notice: str = ""
    pieces: int = 0
    worker: Worker | None = None

    def shown(self) -> AssistantMessage | None:
        """The view, while it is on screen."""
        return self.view if self.view is not None and self.view.is_attached else None


class MainScreen(Screen):
    """The dashboard. ``fixed=True`` shows fixed data with no clock, sampling or server (snapshots)."""

    AUTO_FOCUS = "#prompt"

    BINDINGS = [  # the footer shows them in this order and cuts the last at 80 columns: the sidebar's key first
        Binding("ctrl+b", "toggle_sidebar", "Sidebar"),
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+n", "new_conversation", "New chat"),
        Binding("ctrl+o", "open_conversation", "Chats"),
        Binding("ctrl+s", "save_params", "Save params"),
        Binding("ctrl+r", "reconnect", "Reconnect"),
        # the prompt (a TextArea) binds these itself: priority keeps them for the chat while the prompt has focus
        Binding("pageup", "scroll_output('page_up')", "Scroll up", show=False, priority=True),
        Binding("pagedown", "scroll_output('page_down')", "Scroll down", show=False, priority=True),
        Binding("home", "scroll_output('scroll_home')", "Top", show=False, priority=True),
        Binding("end", "scroll_output('scroll_end')", "Live bottom", show=False, priority=True),
        Binding("f2", "tab('chat')", "Chat", show=False, priority=True),
        Binding("f3", "tab('tasks')", "Tasks", show=False, priority=True),
        Binding("f4", "tab('params')", "Params", show=False, priority=True),
        Binding("f5", "tab('models')", "Models", show=False, priority=True),
        Binding("f6", "tab('bench')", "Bench", show=False, priority=True),
        Binding("f7", "tab('advisor')", "Advisor", show=False, priority=True),
    ]

    def __init__(self, session: Session, fixed: bool = False) -> None:
        super().__init__()
        self.session, self.fixed = session, fixed
        self.backend_label, self.model = "connecting…", ""
        self.alerts: list[str] = []
        self.changes: dict = {}  # every setting changed in this session (ctrl+s writes them all)
        self.saved: dict = {}  # the changes as last written
        self.request_tokens = [r["total_tokens"] for r in reversed(session.ledger.history(40))]
        self.conversation_id: int | None = None
        self.live: dict[int, LiveAnswer] = {}
        self.benchmarking: Worker | None = None
        self.tasking: Worker | None = None  # the task runner's worker while it runs
        self.sampler: Sampler | None = None if fixed else self._sampler()  # its first CPU reading covers the start
        self.sampling: Timer | None = None  # its interval follows whether the resources are on screen
        self.server = "connecting…"  # the server's process as the resource panel names it
        self.connecting: Worker | None = None  # the connect worker while it runs
        self.models: list = []  # the server's models, as last listed
        self.routing = ""  # why the last request used its model
        self.advice: list[Finding] | None = None  # the advisor's last findings
        self.applied: list[Applied] = []
        self.config_changed_at = 0.0  # the advisor judges rows from here on: older ones ran under other settings
        self.advised_at = time.monotonic()
        self.services_started = False
        # (this session, all time) as the ledger last said; read again when a request ends
        self._totals: tuple[Report, Report] | None = None

    @property
    def cfg(self):
        return self.session.cfg

    # -- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()  # no clock: it would redraw every second for nothing
        with Horizontal(id="body"):
            with TabbedContent(id="tabs", initial="chat"):
                with TabPane("F2 Chat", id="chat"):
                    yield ChatPane(id="chat-pane")
                for tab, title in (
                    ("tasks", "F3 Tasks"),
                    ("params", "F4 Params"),
                    ("models", "F5 Models"),
                    ("bench", "F6 Benchmark"),
                    ("advisor", "F7 Advisor"),
                ):
                    yield TabPane(title, id=tab)  # its pane is mounted when first shown
            with Vertical(id="sidebar"):
                yield TokenPanel(id="tokens", markup=False)
                yield StageWaterfall(id="stage-waterfall")
                yield ResourcePanel(id="resources", markup=False)
        yield Static(f"Terminal too small: devsynth-tui needs at least {MIN_SIZE[0]}x{MIN_SIZE[1]}", id="too-small")
        yield StatusLine(id="status", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.chat_pane = self.query_one(ChatPane)
        self.token_panel = self.query_one(TokenPanel)
        self.resource_panel = self.query_one(ResourcePanel)
        self.status_line = self.query_one(StatusLine)
        self.tab_bar = self.query_one(TabbedContent)
        self.query_one("#prompt", PromptArea).cursor_blink = False  # blinking redraws twice a second: most of idle
        self._layout_for(self.app.size.width, self.app.size.height)
        self.refresh_tokens()
        self.token_panel.show_last(None, self.request_tokens)
        if self.fixed:
            self._show_fixed_data()
            return
        self.sample()  # real figures in the first frame
        self.update_status()
        # the first frame comes first, then the footer's keys (drawn one frame later), then the services
        self.call_after_refresh(self.call_after_refresh, self._start_services)

    def _sampler(self):
        from devsynth_tui.services.resources.monitor import shared_sampler

        monitoring = self.cfg["memory"]["monitoring"]
        return shared_sampler(
            interval=self.cfg.get("monitor.interval"),
            window=self.cfg.get("monitor.window"),
            home=self.session.home,
            threshold_mb=monitoring["threshold"] if monitoring["enabled"] else None,
        )

    def _start_services(self) -> None:
        """Sampling, the server connection and the last conversation, once the first screen is up."""
        self.services_started = True
        self._schedule_sampling()
        self.connecting = self.connect()
        self._open_latest()
        self.run_worker(warm_up, thread=True, group="warm-up")
        self._serve_metrics()

    def resources_shown(self) -> bool:
        """Is the resource panel on screen (the sidebar is hidden when narrow, unless opened)?"""
        return not self.has_class("too-small") and (not self.has_class("narrow") or self.has_class("sidebar-open"))

    def _schedule_sampling(self) -> None:
        """Sample every monitor.interval while the resources are on screen; otherwise only as often as memory
        alerts need (HIDDEN_SAMPLE_EVERY times less often), or not at all when memory monitoring is off."""
        if not self.services_started:
            return
        if self.sampling is not None:
            self.sampling.stop()
            self.sampling = None
        interval = self.cfg.get("monitor.interval")
        if self.resources_shown():
            self.sampling = self.resource_panel.set_interval(interval, self.sample)
        elif self.sampler is not None and self.sampler.alerts:
            self.sampling = self.resource_panel.set_interval(interval * HIDDEN_SAMPLE_EVERY, self.sample)

    def _serve_metrics(self) -> None:
        """OpenMetrics at metrics.port, when set (one line if the port is taken; the dashboard goes on)."""
        try:
            url = self.session.serve_metrics()
        except ServiceError as e:
            self.notify(str(e), severity="error", timeout=10)
            return
        if url:
            self.notify(f"metrics served at {url}")

    def on_resize(self, event) -> None:
        self._layout_for(event.size.width, event.size.height)

    def _layout_for(self, width: int, height: int) -> None:
        shown = self.resources_shown()
        self.set_class(width < MIN_SIZE[0] or height < MIN_SIZE[1], "too-small")
        if (width < NARROW_WIDTH) != self.has_class("narrow"):
            self.set_class(width < NARROW_WIDTH, "narrow")
            self.refresh_bindings()  # ctrl+b is in the footer only while the sidebar is hidden
        self._resources_toggled(shown)

    def _resources_toggled(self, was_shown: bool) -> None:
        """The resource panel appeared or went: sample at the matching pace (at once, if it appeared)."""
        if self.resources_shown() == was_shown or self.sampler is None:
            return
        self._schedule_sampling()
        if self.resources_shown():
            self.sample()

    # -- backend ------------------------------------------------------------------------

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def connect(self) -> None:
        """Find the server (or start the embedded one) without blocking the screen."""
        always = self.cfg.get("llm.embedded.mode") == "always"
        self.backend_label = (
            "starting the embedded llama.cpp server…" if always else f"connecting to {self.cfg.get('llm.base_url')}…"
        )
        self.update_status()
        try:
            await asyncio.to_thread(load_services)  # their imports would hold the event loop for ~0.3 s
            self.model = await self.session.connect()
            backend, pipeline = self.session.backend, self.session.pipeline
            assert backend is not None and pipeline is not None  # connect() sets both or raises
            self.backend_label = backend.label
            for note in pipeline.notes:
                self.notify(note, severity="warning")
            self.find_server()
            await self.refresh_models()
        except Exception as e:
            from devsynth_tui.services.pipeline import describe

            self.backend_label = f"unreachable: {describe(e)} (ctrl+r reconnects)"
            self.notify(describe(e), severity="error", timeout=10)
        self.update_status()

    @work(thread=True, exclusive=True, group="find-server", exit_on_error=False)
    def find_server(self) -> None:
        """The server's process for the resource panel: the embedded one's, the one listening on a loopback
        server's port, or none for a remote server (a scan of the machine's sockets: off the event loop)."""
        from devsynth_tui.services.resources.monitor import server_process

        backend = self.session.backend
        if backend is None or self.sampler is None:
            return
        pid, label = server_process(backend.client.url, backend.embedded.pid if backend.embedded else None)
        self.sampler.set_server_pid(pid)
        self.server = label
        self.app.call_from_thread(self._show_resources)

    async def refresh_models(self) -> None:
        if self.session.backend:
            models = await self.session.backend.models(refresh=True)
            self.models = models
            if pane := self._pane("models"):
                pane.show(models, self.cfg.get("llm.model") or self.model)
            if self._pane("advisor"):
                self.recheck()

    def totals(self, fresh: bool = False):
        """(this session, all time) token reports, read from the ledger again only when ``fresh`` (a request ended);
        fixed figures in fixed mode."""
        if self.fixed:
            from devsynth_tui.ui.fixed import fixed_report

            return fixed_report(), fixed_report()
        if fresh or self._totals is None:
            self._totals = self.session.totals()
        return self._totals

    def update_status(self, notice: str = "") -> None:
        session, _ = self.totals()
        standing = self.sampler.standing() if self.sampler else []
        self.status_line.show(notice or self.backend_label, self.cfg.get("llm.model") or self.model, standing, session)

    def action_reconnect(self) -> None:
        self.connecting = self.connect()

    # -- resources and tokens -------------------------------------------------------------

    def sample(self) -> None:
        """One resource reading: alerts to the status line, figures to the panel when it is on screen."""
        if self.sampler is None:  # fixed mode samples nothing
            return
        sample = self.sampler.sample()
        for alert in sample.alerts:
            self.alerts.append(alert)
            self.notify(alert, title="Memory", severity="warning")
        if sample.alerts or self.status_line.has_class("alert") != bool(self.sampler.standing()):
            self.update_status()  # an alert came, or went back below its limit
        if time.monotonic() - self.advised_at >= ADVISOR_SECONDS and self._pane("advisor"):
            self.recheck()  # only once the Advisor pane has been opened: nobody sees its findings before
        if self.resources_shown():
            self._show_resources()

    def _show_resources(self) -> None:
        if self.sampler is not None:
            self.resource_panel.show(list(self.sampler.samples), self.alerts, self.server)

    def refresh_tokens(self, live_completion: int = 0, fresh: bool = False) -> None:
        """Counters from the ledger (read again if ``fresh``), plus an estimate for answers still streaming."""
        session, all_time = self.totals(fresh)
        self.token_panel.show(session, all_time, live_completion)

    def _live_pieces(self) -> int:
        return sum(live.pieces for live in self.live.values())

    # -- conversations ---------------------------------------------------------------------------

    def _open_latest(self) -> None:
        latest = self.session.conversations.latest()
        if latest:
            self.run_worker(self.open_conversation(latest.id), exclusive=True, group="open")
        else:
            self.chat_pane.set_title(NEW_TITLE)

    async def open_conversation(self, conversation_id: int) -> None:
        """Show a stored conversation; an answer still streaming into it continues on screen."""
        chat = self.chat_pane
        await chat.clear()
        self.conversation_id = conversation_id
        conversation = self.session.conversations.get(conversation_id)
        chat.set_title(conversation.title if conversation else "?")
        messages = self.session.conversations.messages(conversation_id)
        for m in messages:
            if m.role == "user":
                await chat.add(UserMessage(m.content))
            else:
                await chat.add(
                    AssistantMessage(
                        m.content,
                        m.meta.get("stats", ""),
                        m.status,
                        m.thinking,
                        m.meta.get("thinking_title", "Thinking"),
                    )
                )
        live = self.live.get(conversation_id)
        if live and messages and messages[-1].role == "user":  # its answer is not stored yet
            view = AssistantMessage()
            await chat.add(view)
            view.replay(live.parts, live.thinking, live.notice)  # what arrived while it mounted is in live.parts
            live.view = view

    async def on_prompt_area_submitted(self, event: PromptArea.Submitted) -> None:
        text = event.value
        if not text.strip():
            self.notify("empty prompt: type a question first", severity="warning")
            return
        if self.session.pipeline is None and not (self.connecting and self.connecting.is_running):
            self.notify(f"no model server ({self.backend_label})", severity="warning")
            return
        if self.conversation_id in self.live:
            self.notify("an answer is still streaming here: Esc cancels it", severity="warning")
            return
        event.prompt.clear()
        await self.send(text)

    async def send(self, text: str) -> None:
        """Start an answer in the conversation on screen (a new one is created with its first message)."""
        from devsynth_tui.services.pipeline import ChatRequest

        chat = self.chat_pane
        conversations = self.session.conversations
        if self.conversation_id is None:
            self.conversation_id = await self.session.store.arun(conversations.create, text)
            chat.set_title(self._title(self.conversation_id))
        await chat.add(UserMessage(text))
        view = AssistantMessage()
        await chat.add(view)
        view.start_stream()
        live = LiveAnswer(self.conversation_id, view)
        self.live[live.conversation_id] = live
        live.worker = self.run_worker(
            self.answer(live, ChatRequest(text)), group=f"answer-{live.conversation_id}", exit_on_error=False
        )

    def _title(self, conversation_id: int) -> str:
        stored = self.session.conversations.get(conversation_id)
        return stored.title if stored else ""

    async def answer(self, live: LiveAnswer, request) -> None:
        """Stream one answer; Esc cancels it (the server stops, the partial answer is stored and stays)."""
        from devsynth_tui.services.llm.client import Delta
        from devsynth_tui.services.pipeline import Done, Notice

        painted = 0.0
        try:
            if self.connecting and self.connecting.is_running:  # sent while connecting: it goes once connected
                live.notice = f"waiting for the server: {self.backend_label}"
                if view := live.shown():  # it may be off screen by now (another conversation opened)
                    view.notice(live.notice)
                await self.connecting.wait()
            if self.session.pipeline is None:
                if view := live.shown():
                    await view.finish("", f"not sent: {self.backend_label}", "error")
                prompt = self.query_one(PromptArea)
                prompt.text = prompt.text or request.prompt  # the question is not lost: send it again with Enter
                return
            async for event in self.session.conversations.exchange(
                self.session.pipeline, live.conversation_id, request
            ):
                view = live.shown()
                if isinstance(event, Delta):
                    live.notice = ""
                    (live.thinking if event.thinking else live.parts).append(event.text)
                    live.pieces += 1
                    if view:
                        view.add_thinking(event.text) if event.thinking else view.add(event.text)
                    if (
                        time.monotonic() - painted > LIVE_COUNTER_SECONDS
                    ):  # the status line's totals wait for the ledger
                        self.refresh_tokens(live_completion=self._live_pieces())
                        painted = time.monotonic()
                elif isinstance(event, Notice):
                    live.notice = event.text
                    self.update_status(event.text)
                    if view:
                        view.notice(event.text)
                elif isinstance(event, Done):
                    await self.finished(live, event)
        except asyncio.CancelledError:
            if view := live.shown():
                await view.finish(view.text, "cancelled · the partial answer is kept", "cancelled")
            raise
        except ServiceError as e:  # the database refused the answer's rows (e.g. locked past the timeout)
            if view := live.shown():
                await view.finish(view.text, f"error: {e}", "error")  # the answer stays on screen
            self.notify(str(e), title="Not recorded", severity="error", timeout=10)
        finally:
            self.live.pop(live.conversation_id, None)
            self.refresh_tokens(live_completion=self._live_pieces(), fresh=True)
            self.update_status()

    def _counted(self, done) -> None:
        """A finished request in the sidebar's last request and sparkline; the advisor looks again (once opened)."""
        if self._pane("advisor"):
            self.recheck()
        self.request_tokens.append(done.row.total_tokens)
        self.token_panel.show_last(done.row, self.request_tokens)
        if done.prepared:
            from devsynth_tui.services.store.ledger import stage_rows

            self.query_one(StageWaterfall).show_stages(stage_rows(done.prepared.reports))
        if done.status == "error":
            self.notify(done.error, title="Request failed", severity="error", timeout=8)

    async def finished(self, live: LiveAnswer, done) -> None:
        self._counted(done)
        if view := live.shown():
            await view.finish(done.text, done.summary(), done.status, done.thinking_title())
        elif live.conversation_id != self.conversation_id:
            self.notify(f"an answer finished in another conversation ({done.status}): ctrl+o opens it")
        if done.prepared and done.prepared.model_reason:
            self.routing = (
                f"last request: {done.prepared.payload['model']} — "
                f"{done.prepared.complexity}: {done.prepared.model_reason}"
            )
            if pane := self._pane("models"):
                pane.show_routing(self.routing)
        for note in done.notes:
            if note.startswith("gc:"):  # memory.aggressive_gc after a large answer: the app's business, not a toast
                self.status_line.show_gc(note)
        if done.prepared and done.prepared.loading:
            await self.refresh_models()  # the server loaded the model for this request

    def action_cancel(self) -> None:
        """Esc stops what runs in the pane on screen: the task, the benchmark, else the chat's answer."""
        if self.tab_bar.active in ("tasks", "bench"):
            running = self.tasking if self.tab_bar.active == "tasks" else self.benchmarking
            if running and running.is_running:
                running.cancel()
            return
        live = self.live.get(self.conversation_id) if self.conversation_id is not None else None
        if live and live.worker:
            live.worker.cancel()

    def action_scroll_output(self, method: str) -> None:
        """PageUp/PageDown (and Home/End for the top and the live bottom) scroll the chat while the prompt has
        focus, and the task's output while its file list has; elsewhere the keys are the focused widget's."""
        focused = self.focused
        if isinstance(focused, PromptArea):
            target = self.query_one("#messages")
        elif focused is not None and focused.id == "task-files" and method.startswith("page"):
            target = self.query_one("#task-output")
        else:
            raise SkipAction()
        getattr(target, f"scroll_{method}" if method.startswith("page") else method)(animate=False)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "toggle_sidebar":
            return self.has_class("narrow")  # from 110 columns the sidebar is always there: no key to show
        return True

    async def _leave_conversation(self) -> None:
        for live in self.live.values():
            live.view = None  # it keeps streaming into its conversation, off screen
        await self.chat_pane.clear()

    async def action_new_conversation(self) -> None:
        await self._leave_conversation()
        self.conversation_id = None
        self.chat_pane.set_title(NEW_TITLE)
        self.action_tab("chat")

    def action_open_conversation(self) -> None:
        from devsynth_tui.ui.panes import ConversationPicker

        def chosen(conversation_id: int | None) -> None:
            if conversation_id is not None:
                self.run_worker(self._switch_to(conversation_id), exclusive=True, group="open")

        self.app.push_screen(ConversationPicker(self.session.conversations.list()), chosen)

    async def _switch_to(self, conversation_id: int) -> None:
        await self._leave_conversation()
        await self.open_conversation(conversation_id)
        self.action_tab("chat")

    def action_rename_conversation(self) -> None:
        if self.conversation_id is None:
            self.notify("nothing to rename yet: send a first message", severity="warning")
            return
        conversations, conversation_id = self.session.conversations, self.conversation_id
        current = conversations.get(conversation_id)

        async def renamed(title: str | None) -> None:
            if title is None:
                return
            try:
                await self.session.store.arun(conversations.rename, conversation_id, title)
            except ValueError as e:
                self.notify(str(e), severity="error")
                return
            if self.conversation_id == conversation_id:  # still the one on screen
                self.chat_pane.set_title(self._title(conversation_id))

        from devsynth_tui.ui.panes import RenameScreen

        self.app.push_screen(RenameScreen(current.title if current else ""), renamed)

    def action_delete_conversation(self) -> None:
        """Delete the conversation on screen, once the user said yes."""
        conversation_id = self.conversation_id
        if conversation_id is None:
            self.notify("nothing to delete: this conversation is not saved yet", severity="warning")
            return
        if conversation_id in self.live:
            self.notify("an answer is still streaming here: Esc cancels it first", severity="warning")
            return
        conversation = self.session.conversations.get(conversation_id)
        title = conversation.title if conversation else "?"
        count = conversation.messages if conversation else 0

        from devsynth_tui.ui.panes import Choice

        async def answered(choice: str | None) -> None:
            if choice == "delete":
                await self.session.store.arun(self.session.conversations.delete, conversation_id)
                self.notify(f"deleted: {title}")
                if self.conversation_id == conversation_id:
                    await self.action_new_conversation()

        self.app.push_screen(
            Choice(f"Delete “{title}” and its {count} messages for good?", [("y", "Delete", "delete")]), answered
        )

    # -- tasks, params, models -------------------------------------------------------------------

    async def on_tasks_pane_run(self, event) -> None:
        pane = self._pane("tasks")
        if self.session.pipeline is None and not (self.connecting and self.connecting.is_running):
            pane.refuse(f"no model server ({self.backend_label})")
            return
        view = await pane.start(len(event.files))
        self.tasking = self.run_task(view, event.task, event.files, event.types)

    @work(exclusive=True, group="task", exit_on_error=False)
    async def run_task(self, view: AssistantMessage, task: str, files: list[str], types: dict[str, str]) -> None:
        """Run a task as the chat runs an answer: progress, streaming, live counters, Esc cancels (the partial
        answer stays), the stats line under it; a context file that can't be used is refused before any call."""
        from devsynth_tui.services.context.items import ContextError, load_files_async
        from devsynth_tui.services.llm.client import Delta
        from devsynth_tui.services.pipeline import ChatRequest, Done, Notice, StageReport

        pane = self._pane("tasks")
        pieces, painted = 0, 0.0
        try:
            try:
                items = await load_files_async(files, types, self.cfg.get("disk.async_io"))
            except ContextError as e:
                await pane.drop(view, str(e))
                return
            if self.connecting and self.connecting.is_running:
                view.notice(f"waiting for the server: {self.backend_label}")
                await self.connecting.wait()
            if self.session.pipeline is None:
                await pane.drop(view, f"no model server ({self.backend_label})")
                return
            tokens = sum(i.tokens for i in items)
            view.notice(f"preparing the request: {len(items)} file{'s' if len(items) != 1 else ''}, {tokens:,} tokens…")
            request = ChatRequest(self.cfg.get("tasks")[task], context=items, operation=task, prompt_is_template=True)
            async for event in self.session.pipeline.run(request):
                if isinstance(event, StageReport):
                    pane.show_stage(event)
                    view.notice("sent: waiting for the first token…")
                elif isinstance(event, Notice):
                    view.notice(event.text)
                    self.update_status(event.text)
                elif isinstance(event, Delta):
                    if not pieces:
                        view.notice("streaming… (Esc cancels)")
                    view.add_thinking(event.text) if event.thinking else view.add(event.text)
                    pieces += 1
                    if time.monotonic() - painted > LIVE_COUNTER_SECONDS:
                        self.refresh_tokens(live_completion=self._live_pieces() + pieces)
                        self.update_status()
                        painted = time.monotonic()
                elif isinstance(event, Done):
                    await view.finish(event.text, event.summary(), event.status, event.thinking_title())
                    if event.prepared:
                        pane.show_prepared(event.prepared, {i.name: i.tokens for i in items})
                    self._counted(event)
        except asyncio.CancelledError:
            await view.finish(view.text, "cancelled · the partial answer is kept", "cancelled")
            raise
        except ServiceError as e:  # the database refused the request's row (e.g. locked past the timeout)
            await view.finish(view.text, f"error: {e}", "error")
            self.notify(str(e), title="Not recorded", severity="error", timeout=10)
        finally:
            pane.finished()
            self.refresh_tokens(live_completion=self._live_pieces(), fresh=True)  # the ledger has the task's row now
            self.update_status()

    def on_params_pane_changed(self, event) -> None:
        self.set_param(event.key, event.value)

    def set_param(self, key: str, value) -> None:
        """Apply one validated change to the very next request."""
        if self.cfg.get(key) == value:
            return  # widgets report their initial values too: that is no change
        try:
            cfg = self.cfg.with_values({key: value}, "dashboard")
        except ConfigError as e:
            self.notify(str(e), severity="error")
            return
        self.changes[key] = value
        self.config_changed_at = time.time()
        self.session.set_config(cfg)
        if pane := self._pane("params"):
            pane.cfg = cfg
        self.update_status()

    async def on_models_pane_picked(self, event) -> None:
        self.set_param("llm.model", event.model)
        await self.refresh_models()
        self.notify(f"active model: {event.model}")

    def on_models_pane_manage(self, event) -> None:
        self.manage_model(event.action, event.model)

    @work(exclusive=True, group="models", exit_on_error=False)
    async def manage_model(self, action: str, model: str | None) -> None:
        """Load or unload a model on the server (LM Studio 0.4), or list the models again."""
        from devsynth_tui.services.pipeline import describe

        backend = self.session.backend
        if backend is None:
            self.notify(f"no model server yet ({self.backend_label})", severity="warning")
            return
        try:
            if action != "refresh" and model:
                if not await backend.client.supports_loading():
                    self.notify(
                        f"{backend.name} can't {action} models from here: do it in its own window "
                        f"(LM Studio 0.4 offers /api/v1/models/{action})",
                        severity="warning",
                    )
                    return
                self.notify(f"{action}ing {model}…")
                await (backend.client.load_model(model) if action == "load" else backend.client.unload_model(model))
            await self.refresh_models()
            self.notify({"load": f"loaded {model}", "unload": f"unloaded {model}"}.get(action, "models listed again"))
        except Exception as e:
            self.notify(f"{action} failed: {describe(e)}", severity="error")

    @property
    def unsaved(self) -> dict:
        """Changes not written to overrides.yaml yet."""
        return {k: v for k, v in self.changes.items() if k not in self.saved or self.saved[k] != v}

    def action_save_params(self) -> bool:
        """Write the changes to overrides.yaml; False when they could not be written (the changes stay)."""
        if not self.changes:
            self.notify("no parameter changes to save")
            return True
        try:
            path = save_overrides(self.changes)
        except (ConfigError, OSError) as e:
            self.notify(f"not saved: {e}", severity="error")
            return False
        self.saved = dict(self.changes)
        self.notify(f"saved to {path}")
        return True

    def on_button_pressed(self, event) -> None:
        if event.button.id == "save-params":
            self.action_save_params()

    # -- advisor ---------------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="advisor", exit_on_error=False)
    def recheck(self) -> None:
        """The advisor's checks on this session's figures, off the event loop (SQL aggregates, a psutil reading)."""
        from devsynth_tui.services.advisor import checks as advisor

        self.advised_at = time.monotonic()
        session = self.session
        backend = session.backend
        server = backend.embedded.pid if backend and backend.embedded else None
        facts = advisor.Facts(
            self.cfg,
            session.store,
            max(advisor.default_since(self.cfg), self.config_changed_at),
            advisor.Machine.now(),
            list(self.sampler.samples) if self.sampler else [],
            self.models,
            self.model,
            backend.kind if backend else None,
            session.home / "cache",
            {server} if server else set(),
        )
        advice = advisor.advise(facts)
        for applied in self.applied:
            measure = applied.finding.measure
            if measure and not applied.outcome:
                result = advisor.outcome(session.store, measure, applied.at, OUTCOME_REQUESTS)
                if result:
                    applied.outcome = result.text()
                    self.app.call_from_thread(self.notify, f"{applied.finding.title}: {applied.outcome}")
        self.app.call_from_thread(self._show_advice, advice)

    def _show_advice(self, advice) -> None:
        self.advice = advice
        if pane := self._pane("advisor"):
            pane.show(advice)
            self._show_outcomes()

    def _show_outcomes(self) -> None:
        lines = []
        for a in self.applied:
            waiting = f"waiting for the next {OUTCOME_REQUESTS} requests" if a.finding.measure else "applied"
            lines.append(f"applied: {a.finding.title} — {a.outcome or waiting}")
        if pane := self._pane("advisor"):
            pane.show_outcomes(lines)

    def on_advisor_pane_recheck(self, event) -> None:
        self.recheck()

    def on_advisor_pane_apply(self, event) -> None:
        """Apply a finding's change to this session (ctrl+s saves it); a finding with only a step says it."""
        from devsynth_tui.services.advisor.checks import apply_actions

        finding = event.finding
        if not finding.fixable:
            self.notify(f"nothing to apply here: {finding.step}", timeout=10)
            return
        for key, value in finding.change.items():
            self.set_param(key, value)
        if finding.action and (done := apply_actions(finding, self.cfg, self.session.home)):
            self.notify(done)
        self.applied.append(Applied(finding, time.time()))
        keys = ", ".join(finding.change) or finding.action
        self.notify(f"applied to this session: {keys}" + (" (ctrl+s saves)" if finding.change else ""))
        self._show_outcomes()
        self.recheck()

    # -- benchmark -------------------------------------------------------------------------------------

    def on_bench_pane_start(self, event) -> None:
        if self.session.backend is None:
            self.notify(f"no model server yet ({self.backend_label})", severity="warning")
            return
        self.benchmarking = self.run_benchmark(event.options)

    def on_bench_pane_stop(self, event) -> None:
        if self.benchmarking and self.benchmarking.is_running:
            self.benchmarking.cancel()

    @work(exclusive=True, group="benchmark", exit_on_error=False)
    async def run_benchmark(self, options) -> None:
        """A run in the background: its own pipeline (cache off, fixed seed), the chat stays usable."""
        from devsynth_tui.services.benchmark import runner as bm
        from devsynth_tui.services.pipeline import Pipeline

        pane = self._pane("bench")
        session = self.session
        assert session.backend is not None  # on_bench_pane_start starts no run before the connection
        pipeline = Pipeline(self.cfg, session.backend, session.ledger, session.home, session=session.id)
        runner = bm.Runner(pipeline, session.store)
        pane.running(True)
        try:
            async for event in runner.run(options):
                if isinstance(event, bm.Progress):
                    pane.progress(event.done, event.total, event.label)
                else:
                    self._show_run(event)
        except asyncio.CancelledError:
            if runner.last_id:
                self._show_run(bm.load_run(session.store, runner.last_id))
            raise
        except (bm.BenchmarkFailed, ServiceError) as e:
            self.notify(f"benchmark stopped: {e}", severity="error")
            if runner.last_id:
                self._show_run(bm.load_run(session.store, runner.last_id))
        finally:
            pane.running(False)
            self.refresh_tokens(fresh=True)

    def _show_run(self, run) -> None:
        from devsynth_tui.services.benchmark import runner as bm

        store = self.session.store
        history = []
        for row in reversed(bm.list_runs(store, 20)):
            stored = bm.load_run(store, row["id"])
            if stored.serving:
                history.append((stored.id, stored.serving[0]["output_tokens_per_s"]))
        self._pane("bench").show(run, history)

    # -- navigation ------------------------------------------------------------------------------------

    def action_tab(self, tab: str) -> None:
        """Show a pane and focus its first control (mounting the pane first if it was never shown)."""
        shown = self.resources_shown()
        self.remove_class("sidebar-open")
        self._resources_toggled(shown)
        controls = self.query_one(f"#{tab}", TabPane).query(FIRST_CONTROL[tab])
        if not controls:
            self.set_focus(None)  # focus left in the pane we leave would pull the tabs back to it
        self.tab_bar.active = tab  # TabActivated mounts a pane shown for the first time, then focuses it
        if controls:
            controls.first().focus()

    async def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """Mount a pane shown for the first time; focus its first control (the prompt, for chat), by key or mouse.

        Focus left in a hidden pane would pull the tabs back to it.
        """
        tab = event.pane.id or ""
        if tab in PANE_IDS and not event.pane.children:
            await event.pane.mount(self._new_pane(tab))
            self._fill_pane(tab)
        focused = self.focused
        if focused is not None and event.pane in focused.ancestors:
            return
        for control in event.pane.query(FIRST_CONTROL[tab]):
            control.focus()

    def _new_pane(self, tab: str):
        if tab == "tasks":
            from devsynth_tui.ui.panes import TasksPane

            return TasksPane(self.cfg.get("tasks"), id=PANE_IDS[tab])
        if tab == "params":
            from devsynth_tui.ui.params import ParamsPane

            return ParamsPane(self.cfg, id=PANE_IDS[tab])
        if tab == "models":
            from devsynth_tui.ui.panes import ModelsPane

            return ModelsPane(id=PANE_IDS[tab])
        if tab == "bench":
            from devsynth_tui.ui.bench import BenchPane

            return BenchPane(id=PANE_IDS[tab])
        from devsynth_tui.ui.advisor import AdvisorPane

        return AdvisorPane(id=PANE_IDS[tab])

    def _fill_pane(self, tab: str) -> None:
        """What a newly mounted pane shows of what happened before it was opened."""
        pane = self._pane(tab)
        if tab == "models":
            if self.models:
                pane.show(self.models, self.cfg.get("llm.model") or self.model)
            if self.routing:
                pane.show_routing(self.routing)
        elif tab == "advisor":
            if self.advice is not None:
                self._show_advice(self.advice)
            if not self.fixed:
                self.recheck()
        if self.fixed:
            for box in pane.query(Input):
                box.cursor_blink = False  # a blinking cursor would make every snapshot differ

    def _pane(self, tab: str):
        """The pane of a tab if it has been shown (panes are mounted when first shown), else None."""
        found = self.query(f"#{PANE_IDS[tab]}")
        return found.first() if found else None

    def action_toggle_sidebar(self) -> None:
        shown = self.resources_shown()
        self.toggle_class("sidebar-open")
        self._resources_toggled(shown)

    # -- fixed mode (snapshots) ------------------------------------------------------------------------

    def _show_fixed_data(self) -> None:
        from devsynth_tui.services.llm.client import ModelInfo
        from devsynth_tui.services.store.ledger import LedgerRow
        from devsynth_tui.ui.fixed import FIXED_SERVER, fixed_advice, fixed_samples

        self.backend_label, self.model = (
            "embedded SmolLM2-135M-Instruct (llama.cpp) at 127.0.0.1:8080",
            "SmolLM2-135M-Instruct",
        )
        row = LedgerRow("chat", self.model, "embedded", 412, 96, tokens_saved=1530, cost=0.0070, ttft=0.14, tps=71.5)
        self.update_status()
        self.request_tokens = [300, 520, 410, 880, 508, 450, 508]
        self.refresh_tokens()
        self.token_panel.show_last(row, self.request_tokens)
        self.resource_panel.show(fixed_samples(), [], FIXED_SERVER)
        self.models = [ModelInfo(self.model, True, 8192, "Q4_1", "llm")]
        self.advice = fixed_advice()
        self.chat_pane.set_title("Explain the retry helper")
        self.run_worker(self._show_fixed_turns())

    async def _show_fixed_turns(self) -> None:
        from devsynth_tui.ui.fixed import fixed_turns

        for role, text, stats in fixed_turns():
            await self.chat_pane.add(UserMessage(text) if role == "user" else AssistantMessage(text, stats))


def load_services() -> None:
    """Import what connecting and the first request need (httpx, the client, the pipeline's stages): in a thread."""
    from devsynth_tui.services import pipeline  # noqa: F401


def warm_up() -> None:
    """Load what the first request needs in a thread, off the event loop, once the first screen is up: the
    pipeline's modules, the tokenizer's tables (about a second), the Markdown parser and code highlighter."""
    from devsynth_tui.services.context.token_accounting import encoding
    from devsynth_tui.ui import markdown_view

    load_services()
    encoding()
    markdown_view.warm_up()
