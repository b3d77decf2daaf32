"""The devsynth-tui dashboard: chat and tasks, token counters, resources, parameters, models, benchmarks."""

from __future__ import annotations

import asyncio
import time
from typing import Iterable

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Input, Static, TabbedContent, TabPane

from devsynth_tui.config import Config, ConfigError, app_home, save_overrides
from devsynth_tui.services.conversations import Conversations, Message
from devsynth_tui.services.errors import ServiceError
from devsynth_tui.services.ledger import Ledger
from devsynth_tui.services.store import Store, db_path
from devsynth_tui.ui.bench import BenchPane
from devsynth_tui.ui.chat import AssistantMessage, ChatPane, UserMessage
from devsynth_tui.ui.panels import ResourcePanel, StageWaterfall, StatusLine, TokenPanel, Totals
from devsynth_tui.ui.panes import ConversationPicker, ModelsPane, RenameScreen, TasksPane
from devsynth_tui.ui.params import ParamsPane

MIN_SIZE = (60, 16)
FIRST_CONTROL = {"chat": "#prompt", "tasks": "#task-files", "params": "#p-llm-temperature", "models": "#models-table",
                 "bench": "#bench-requests"}
NARROW_WIDTH = 110
LIVE_COUNTER_SECONDS = 0.25


class DevsynthApp(App):
    """The dashboard. ``fixed=True`` shows fixed data with no clock, sampling or server (snapshots)."""

    CSS_PATH = "app.tcss"
    TITLE = "devsynth-tui"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel answer"),
        Binding("ctrl+n", "new_conversation", "New chat"),
        Binding("ctrl+o", "open_conversation", "Chats"),
        Binding("ctrl+s", "save_params", "Save params"),
        Binding("ctrl+b", "toggle_sidebar", "Sidebar"),
        Binding("ctrl+r", "reconnect", "Reconnect"),
        Binding("f2", "tab('chat')", "Chat", show=False),
        Binding("f3", "tab('tasks')", "Tasks", show=False),
        Binding("f4", "tab('params')", "Params", show=False),
        Binding("f5", "tab('models')", "Models", show=False),
        Binding("f6", "tab('bench')", "Bench", show=False),
        Binding("ctrl+q", "quit", "Quit"),
    ]

    def __init__(self, cfg: Config, fixed: bool = False) -> None:
        super().__init__()
        self.cfg, self.fixed = cfg, fixed
        self.home = app_home()
        self.store = Store(db_path(self.home))
        self.ledger = Ledger(self.store)
        compression = cfg["disk"]["compression"]
        self.conversations = Conversations(self.store, compression["level"] if compression["enabled"] else None)
        self.backend = self.pipeline = self.answering = self.benchmarking = None
        self.backend_label, self.model = "connecting…", None
        self.session, self.alerts, self.changes = Totals(), [], {}
        self.request_tokens = [r["total_tokens"] for r in reversed(self.ledger.history(40))]
        self.conversation_id: int | None = None
        self.turns: list[dict] = []
        self.sampler = None

    # -- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()  # no clock: it would redraw every second for nothing
        with Horizontal(id="body"):
            with TabbedContent(id="tabs", initial="chat"):
                with TabPane("Chat", id="chat"):
                    yield ChatPane(id="chat-pane")
                with TabPane("Tasks", id="tasks"):
                    yield TasksPane(self.cfg.get("tasks"), id="tasks-pane")
                with TabPane("Params", id="params"):
                    yield ParamsPane(self.cfg, id="params-scroll")
                with TabPane("Models", id="models"):
                    yield ModelsPane(id="models-pane")
                with TabPane("Benchmark", id="bench"):
                    yield BenchPane(id="bench-pane")
            with Vertical(id="sidebar"):
                yield TokenPanel(id="tokens")
                yield ResourcePanel(id="resources", markup=False)
        yield Static(f"Terminal too small: devsynth-tui needs at least {MIN_SIZE[0]}×{MIN_SIZE[1]}", id="too-small")
        yield StatusLine(id="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        # widgets of the main screen, kept: a query would search whichever screen is on top
        self.chat_pane = self.query_one(ChatPane)
        self.token_panel = self.query_one(TokenPanel)
        self.resource_panel = self.query_one(ResourcePanel)
        self.status_line = self.query_one(StatusLine)
        self.tab_bar = self.query_one(TabbedContent)
        self._apply_theme(self.cfg.get("ui.theme"))
        prompt = self.query_one("#prompt", Input)
        prompt.cursor_blink = False  # a blinking cursor redraws twice a second: most of the idle CPU
        prompt.focus()
        self._layout_for(self.size.width, self.size.height)
        self.refresh_tokens()
        if self.fixed:
            self._show_fixed_data()
            return
        self.call_after_refresh(self._start_services)  # the first screen comes first

    def _start_services(self) -> None:
        """Sampling, the server connection and the last conversation, once the first screen is up."""
        from devsynth_tui.services.resource_monitor import shared_sampler

        monitoring = self.cfg["memory"]["monitoring"]
        self.sampler = shared_sampler(interval=self.cfg.get("monitor.interval"), window=self.cfg.get("monitor.window"),
                                      home=self.home, threshold_mb=monitoring["threshold"] if monitoring["enabled"] else None)
        # the timer belongs to the panel it feeds, so it stops when the panel goes
        self.resource_panel.set_interval(self.cfg.get("monitor.interval"), self.sample)
        self.connect()
        self._open_latest()

    def on_resize(self, event) -> None:
        self._layout_for(event.size.width, event.size.height)

    def _layout_for(self, width: int, height: int) -> None:
        self.set_class(width < MIN_SIZE[0] or height < MIN_SIZE[1], "too-small")
        self.set_class(width < NARROW_WIDTH, "narrow")

    def _apply_theme(self, name: str) -> None:
        from devsynth_tui.ui.themes import ThemeError, bundled_themes, resolve

        for theme in bundled_themes():
            self.register_theme(theme)
        try:
            textual_name, theme = resolve(name)
        except ThemeError as e:
            self.notify(str(e), severity="error")
            return
        if theme is not None:
            self.register_theme(theme)
        if textual_name in self.available_themes:
            self.theme = textual_name
        else:
            self.notify(f"ui.theme {name!r}: no such theme; use dark, light, high-contrast or a .yaml path", severity="error")

    def watch_theme(self, theme: str) -> None:
        if not self.fixed and theme != self.cfg.get("ui.theme"):
            self.changes["ui.theme"] = theme

    # -- backend ------------------------------------------------------------------------

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def connect(self) -> None:
        """Find the server (or start the embedded one) without blocking the screen."""
        from devsynth_tui.services.backend import connect
        from devsynth_tui.services.pipeline import Pipeline

        self.backend_label = f"connecting to {self.cfg.get('llm.base_url')}…"
        self.update_status()
        try:
            self.backend = await connect(self.cfg, self.home)
            self.pipeline = Pipeline(self.cfg, self.backend, self.ledger, self.home)
            self.model = await self.backend.resolve_model(self.cfg.get("llm.model"))
            self.backend_label = self.backend.label
            for note in self.pipeline.notes:
                self.notify(note, severity="warning")
            if self.sampler and self.backend.embedded:
                self.sampler.set_server_pid(self.backend.embedded.pid)
            await self.refresh_models()
        except ServiceError as e:
            self.backend_label = f"unreachable: {e} (ctrl+r reconnects)"
            self.notify(str(e), severity="error", timeout=10)
        self.update_status()

    async def refresh_models(self) -> None:
        if self.backend:
            models = await self.backend.models(refresh=True)
            self._pane(ModelsPane).show(models, self.cfg.get("llm.model") or self.model)

    def _pane(self, cls):
        """A pane of the main screen (a query would search whichever screen is on top)."""
        return self.screen_stack[0].query_one(cls)

    def update_status(self) -> None:
        self.status_line.show(self.backend_label, self.cfg.get("llm.model") or self.model, self.alerts, self.session)

    async def action_reconnect(self) -> None:
        if self.backend:
            await self.backend.aclose()
        self.backend = self.pipeline = None
        self.connect()

    async def on_unmount(self) -> None:
        if self.backend:
            await self.backend.aclose()

    # -- resources and tokens -------------------------------------------------------------

    def sample(self) -> None:
        sample = self.sampler.sample()
        for alert in sample.alerts:
            self.alerts.append(alert)
            self.notify(alert, title="Memory", severity="warning")
        if sample.alerts:
            self.update_status()
        if self.resource_panel.display and not self.has_class("narrow") or self.has_class("sidebar-open"):
            self.resource_panel.show(list(self.sampler.samples), self.alerts)  # hidden panels are not redrawn

    def refresh_tokens(self, live_completion: int = 0) -> None:
        self.token_panel.show(self.session, self.ledger.report(all_time=True), live_completion)

    # -- chat ---------------------------------------------------------------------------------

    def _open_latest(self) -> None:
        latest = self.conversations.list()
        if latest:
            self.run_worker(self.open_conversation(latest[0].id), exclusive=True, group="open")
        else:
            self.chat_pane.set_title("new (saved with its first message)")

    async def open_conversation(self, conversation_id: int) -> None:
        chat = self.chat_pane
        await chat.clear()
        self.conversation_id, self.turns = conversation_id, []
        title = next((c.title for c in self.conversations.list() if c.id == conversation_id), "?")
        chat.set_title(title)
        for m in self.conversations.messages(conversation_id):
            widget = UserMessage(m.content) if m.role == "user" else AssistantMessage(m.content, m.meta.get("stats", ""), m.status)
            await chat.add(widget)
            if m.content:
                self.turns.append({"role": m.role, "content": m.content, "ts": m.ts})

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "prompt":
            return
        text = event.value
        if not text.strip():
            self.notify("empty prompt: type a question first", severity="warning")
            return
        if self.pipeline is None:
            self.notify(f"no model server yet ({self.backend_label})", severity="warning")
            return
        if self.answering and self.answering.is_running:
            self.notify("an answer is still streaming: Esc cancels it", severity="warning")
            return
        event.input.value = ""
        await self.send(text)

    async def send(self, text: str, operation: str = "chat") -> None:
        from devsynth_tui.services.pipeline import ChatRequest

        chat = self.chat_pane
        if self.conversation_id is None:
            title = " ".join(text.split())[:60]
            self.conversation_id = self.conversations.create(title)
            chat.set_title(title)
        self.conversations.add(self.conversation_id, Message("user", text))
        await chat.add(UserMessage(text))
        view = AssistantMessage()
        await chat.add(view)
        view.start_stream()
        request = ChatRequest(text, history=list(self.turns), operation=operation)
        self.turns.append({"role": "user", "content": text, "ts": time.time()})
        self.answering = self.answer(request, view)

    @work(exclusive=True, group="answer", exit_on_error=False)
    async def answer(self, request, view: AssistantMessage) -> None:
        """Stream one answer into ``view``; Esc cancels (the server stops, the partial answer stays)."""
        from devsynth_tui.services.lmstudio_client import Delta
        from devsynth_tui.services.pipeline import Done

        pieces, painted = 0, 0.0
        conversation = self.conversation_id
        try:
            async for event in self.pipeline.run(request):
                if isinstance(event, Delta):
                    view.add(event.text)
                    pieces += 1
                    if time.monotonic() - painted > LIVE_COUNTER_SECONDS:
                        self.refresh_tokens(live_completion=pieces)
                        painted = time.monotonic()
                elif isinstance(event, Done):
                    await self.finished(view, event, conversation)
        except asyncio.CancelledError:
            await view.finish(view.text, "cancelled · the partial answer is kept", "cancelled")
            self._store_answer(conversation, view.text, "cancelled", "cancelled · the partial answer is kept")
            self.refresh_tokens()
            raise
        except ServiceError as e:
            await view.finish(view.text, f"error: {e}", "error")
            self.notify(str(e), severity="error")

    async def finished(self, view: AssistantMessage, done, conversation: int | None) -> None:
        stats = done.summary()
        await view.finish(done.text, stats, done.status)
        self._store_answer(conversation, done.text, done.status, stats)
        self.session.add(done.row)
        self.request_tokens.append(done.row.total_tokens)
        self.refresh_tokens()
        self.update_status()
        self.token_panel.show_last(done.row, self.request_tokens)
        if done.prepared:
            from devsynth_tui.services.ledger import stage_rows

            self.token_panel.query_one("#stage-waterfall", StageWaterfall).show_stages(stage_rows(done.prepared.reports))
        if done.prepared and done.prepared.model_reason:
            self._pane(ModelsPane).show_routing(f"last request: {done.prepared.payload['model']} — "
                                                f"{done.prepared.complexity}: {done.prepared.model_reason}")
        for note in done.notes:
            self.notify(note)
        if done.status == "error":
            self.notify(done.error, title="Request failed", severity="error", timeout=8)

    def _store_answer(self, conversation: int | None, text: str, status: str, stats: str) -> None:
        if conversation is None:
            return
        self.conversations.add(conversation, Message("assistant", text, status=status, meta={"stats": stats}))
        if conversation == self.conversation_id and text:
            self.turns.append({"role": "assistant", "content": text, "ts": time.time()})

    def action_cancel(self) -> None:
        if self.answering and self.answering.is_running:
            self.answering.cancel()

    def action_new_conversation(self) -> None:
        if self.answering and self.answering.is_running:
            self.answering.cancel()
        self.conversation_id, self.turns = None, []
        self.run_worker(self.chat_pane.clear())
        self.chat_pane.set_title("new (saved with its first message)")
        self.action_tab("chat")

    def action_open_conversation(self) -> None:
        def chosen(conversation_id: int | None) -> None:
            if conversation_id is not None:
                self.run_worker(self.open_conversation(conversation_id), exclusive=True, group="open")

        self.push_screen(ConversationPicker(self.conversations.list()), chosen)

    def action_rename_conversation(self) -> None:
        if self.conversation_id is None:
            self.notify("nothing to rename yet: send a first message", severity="warning")
            return
        current = next((c.title for c in self.conversations.list() if c.id == self.conversation_id), "")

        def renamed(title: str | None) -> None:
            if title is None:
                return
            try:
                self.conversations.rename(self.conversation_id, title)
            except ValueError as e:
                self.notify(str(e), severity="error")
                return
            self.chat_pane.set_title(" ".join(title.split())[:80])

        self.push_screen(RenameScreen(current), renamed)

    def action_delete_conversation(self) -> None:
        if self.conversation_id is not None:
            self.conversations.delete(self.conversation_id)
            self.notify("conversation deleted")
        self.action_new_conversation()

    # -- tasks, params, models -------------------------------------------------------------------

    async def on_tasks_pane_run(self, event: TasksPane.Run) -> None:
        self.run_task(event.task, event.files, event.types)

    @work(exclusive=True, group="task", exit_on_error=False)
    async def run_task(self, task: str, files: list[str], types: dict[str, str]) -> None:
        from devsynth_tui.services.context import load_files_async
        from devsynth_tui.services.lmstudio_client import Delta
        from devsynth_tui.services.pipeline import ChatRequest, Done

        pane = self._pane(TasksPane)
        answer = pane.query_one("#task-answer")
        if self.pipeline is None:
            self.notify(f"no model server yet ({self.backend_label})", severity="warning")
            return
        try:
            items, notes = await load_files_async(files, types, self.cfg.get("disk.async_io"))
        except ValueError as e:
            self.notify(str(e), severity="error")
            return
        request = ChatRequest(self.cfg.get("tasks")[task], context=items, notes=notes, operation=task, prompt_is_template=True)
        originals = {i.name: i.tokens for i in items}
        await answer.update("")
        text = ""
        async for event in self.pipeline.run(request):
            if isinstance(event, Delta):
                text += event.text
            elif isinstance(event, Done):
                if event.prepared:
                    pane.show_prepared(event.prepared, originals)
                self.session.add(event.row)
                self.refresh_tokens()
                text = event.text + (f"\n\n**{event.status}**: {event.error}" if event.error else "")
        from devsynth_tui.services.sanitize import safe_text

        await answer.update(safe_text(text))

    def on_params_pane_changed(self, event: ParamsPane.Changed) -> None:
        self.set_param(event.key, event.value)

    def set_param(self, key: str, value) -> None:
        """Apply one validated change to the very next request."""
        if self.cfg.get(key) == value:
            return  # widgets report their initial values too: that is no change
        try:
            self.cfg = self.cfg.with_values({key: value}, "dashboard")
        except ConfigError as e:
            self.notify(str(e), severity="error")
            return
        self.changes[key] = value
        if self.pipeline:
            self.pipeline.cfg = self.cfg
        self._pane(ParamsPane).cfg = self.cfg
        self.update_status()

    async def on_models_pane_picked(self, event: ModelsPane.Picked) -> None:
        self.set_param("llm.model", event.model)
        await self.refresh_models()
        self.notify(f"active model: {event.model}")

    def action_save_params(self) -> None:
        if not self.changes:
            self.notify("no parameter changes to save")
            return
        try:
            path = save_overrides(self.changes)
        except (ConfigError, OSError) as e:
            self.notify(f"not saved: {e}", severity="error")
            return
        self.notify(f"saved to {path}")

    def on_button_pressed(self, event) -> None:
        if event.button.id == "save-params":
            self.action_save_params()

    # -- benchmark -------------------------------------------------------------------------------------

    def on_bench_pane_start(self, event: BenchPane.Start) -> None:
        if self.backend is None:
            self.notify(f"no model server yet ({self.backend_label})", severity="warning")
            return
        self.benchmarking = self.run_benchmark(event.options)

    def on_bench_pane_stop(self, event: BenchPane.Stop) -> None:
        if self.benchmarking and self.benchmarking.is_running:
            self.benchmarking.cancel()

    @work(exclusive=True, group="benchmark", exit_on_error=False)
    async def run_benchmark(self, options) -> None:
        """A run in the background: its own pipeline (cache off, fixed seed), the chat stays usable."""
        from devsynth_tui.services import benchmark as bm
        from devsynth_tui.services.pipeline import Pipeline

        pane = self._pane(BenchPane)
        runner = bm.Runner(Pipeline(self.cfg, self.backend, self.ledger, self.home), self.store)
        pane.running(True)
        try:
            async for event in runner.run(options):
                if isinstance(event, bm.Progress):
                    pane.progress(event.done, event.total, event.label)
                else:
                    self._show_run(event)
        except asyncio.CancelledError:
            if runner.last_id:
                self._show_run(bm.load_run(self.store, runner.last_id))
            raise
        except (bm.BenchmarkFailed, ServiceError) as e:
            self.notify(f"benchmark stopped: {e}", severity="error")
            if runner.last_id:
                self._show_run(bm.load_run(self.store, runner.last_id))
        finally:
            pane.running(False)
            self.refresh_tokens()

    def _show_run(self, run) -> None:
        from devsynth_tui.services import benchmark as bm

        history = []
        for row in reversed(bm.list_runs(self.store, 20)):
            stored = bm.load_run(self.store, row["id"])
            if stored.serving:
                history.append((stored.id, stored.serving[0]["output_tokens_per_s"]))
        self._pane(BenchPane).show(run, history)

    # -- navigation and commands -------------------------------------------------------------------

    def action_tab(self, tab: str) -> None:
        """Show a pane by focusing its first control (focus inside a pane makes it the active tab)."""
        self.remove_class("sidebar-open")
        self.tab_bar.active = tab
        self.screen_stack[0].query_one(FIRST_CONTROL[tab]).focus()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """Focus the shown pane's first control (the prompt, for chat), by key or by mouse alike.

        Focus left in a hidden pane would pull the tabs back to it.
        """
        focused = self.focused
        if focused is not None and event.pane in focused.ancestors:
            return
        for control in event.pane.query(FIRST_CONTROL[event.pane.id]):
            control.focus()

    def action_toggle_sidebar(self) -> None:
        self.toggle_class("sidebar-open")

    def action_screenshot(self) -> None:
        path = self.save_screenshot(path=str(self.home))
        self.notify(f"screenshot saved: {path}")

    def action_set_theme(self, name: str) -> None:
        self._apply_theme(name)

    def get_system_commands(self, screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        commands = [
            ("Cancel answer", "Stop the streaming answer (Esc)", self.action_cancel),
            ("New conversation", "Start a new chat (ctrl+n)", self.action_new_conversation),
            ("Open conversation", "Reopen a stored chat (ctrl+o)", self.action_open_conversation),
            ("Rename conversation", "Give this chat a new title", self.action_rename_conversation),
            ("Delete conversation", "Delete this chat for good", self.action_delete_conversation),
            ("Save parameters", "Write changes to overrides.yaml (ctrl+s)", self.action_save_params),
            ("Reconnect", "Find the server again (ctrl+r)", self.action_reconnect),
            ("Toggle sidebar", "Show or hide tokens and resources (ctrl+b)", self.action_toggle_sidebar),
            ("Screenshot", "Save an SVG of the screen to the app home", self.action_screenshot),
        ]
        commands += [(f"Go to {t.title()}", f"Show the {t} pane", lambda t=t: self.action_tab(t))
                     for t in ("chat", "tasks", "params", "models", "bench")]
        commands += [(f"Theme: {n}", f"Switch to the {n} theme", lambda n=n: self.action_set_theme(n))
                     for n in ("dark", "light", "high-contrast")]
        for title, help_text, callback in commands:
            yield SystemCommand(title, help_text, callback)

    # -- fixed mode (snapshots) ------------------------------------------------------------------------

    def _show_fixed_data(self) -> None:
        from devsynth_tui.services.ledger import LedgerRow
        from devsynth_tui.services.lmstudio_client import ModelInfo
        from devsynth_tui.ui.fixed import fixed_samples, fixed_turns

        for box in self.query(Input):
            box.cursor_blink = False  # a blinking cursor would make every snapshot differ
        self.backend_label, self.model = "embedded SmolLM2-135M-Instruct (llama.cpp) at 127.0.0.1:8080", "SmolLM2-135M-Instruct"
        self.update_status()
        row = LedgerRow("chat", self.model, "embedded", 412, 96, tokens_saved=1530, cost=0.0070, ttft=0.14, tps=71.5)
        for _ in range(3):
            self.session.add(row)
        self.request_tokens = [300, 520, 410, 880, 508, 450, 508]
        self.refresh_tokens()
        self.token_panel.show_last(row, self.request_tokens)
        self.resource_panel.show(fixed_samples(), [])
        self._pane(ModelsPane).show([ModelInfo(self.model, True, 8192, "Q4_1", "llm")], self.model)
        self.chat_pane.set_title("Explain the retry helper")
        for role, text, stats in fixed_turns():
            widget = UserMessage(text) if role == "user" else AssistantMessage(text, stats)
            self.run_worker(self.chat_pane.add(widget))


def run_app(cfg: Config) -> int:
    """Run the dashboard until the user quits."""
    DevsynthApp(cfg).run()
    return 0
