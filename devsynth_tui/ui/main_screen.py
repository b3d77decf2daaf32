"""The main screen: chat and tasks, token counters, resources, parameters, models, benchmarks.

View code only: the session (services.session) owns the database, the
conversations, the backend and the pipeline; this screen shows them.
"""

from __future__ import annotations

import gc
import time
from typing import TYPE_CHECKING

from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Input, Static

from devsynth_tui.config_overrides import save_overrides
from devsynth_tui.config_schema import ConfigError
from devsynth_tui.services.errors import ServiceError
from devsynth_tui.ui.chat import PromptArea
from devsynth_tui.ui.chat_pane import ChatPane
from devsynth_tui.ui.connection import Connection
from devsynth_tui.ui.failures import ReportsFailures
from devsynth_tui.ui.footer import KeysFooter
from devsynth_tui.ui.panels import ResourcePanel, Sidebar, StageWaterfall, StatusLine, TokenPanel
from devsynth_tui.ui.sampling import ResourceSampling
from devsynth_tui.ui.state import RequestCancelled, RequestEnded, SessionState, status_watcher, tokens_watcher
from devsynth_tui.ui.tab_bar import TabBar, TabbedPanes
from devsynth_tui.ui.title_bar import TitleBar

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.timer import Timer
    from textual.widget import Widget

    from devsynth_tui.config import Config
    from devsynth_tui.services.resources.monitor import Sampler
    from devsynth_tui.services.session import Session
    from devsynth_tui.services.store.ledger import LedgerRow, Report

MIN_SIZE = (60, 16)
TABS = [  # (pane, its title in the tab bar)
    ("chat", "F2 Chat"),
    ("tasks", "F3 Tasks"),
    ("params", "F4 Params"),
    ("models", "F5 Models"),
    ("bench", "F6 Benchmark"),
    ("advisor", "F7 Advisor"),
    ("graphs", "F8 Resources"),
]
FIRST_CONTROL = {
    "chat": "#prompt",
    "tasks": "#task-files",
    "params": "#p-llm-temperature",
    "models": "#models-table",
    "bench": "#bench-requests",
    "advisor": "#advisor-table",
    "graphs": "#resources-pane",  # the Resources pane ("resources" is the sidebar's panel)
}
PANE_IDS = {  # the panes in the ContentSwitcher: chat's composed, the others mounted when first shown
    "chat": "chat-pane",
    "tasks": "tasks-pane",
    "params": "params-scroll",
    "models": "models-pane",
    "bench": "bench-pane",
    "advisor": "advisor-pane",
    "graphs": "resources-pane",
}
NARROW_WIDTH = 110
GC_DELAY = 0.3  # seconds after a large answer's last frame before memory.aggressive_gc collects
ALWAYS_SHOWN = ("ctrl+r", "ctrl+q", "ctrl+t")  # in the footer right after the focused pane's keys (ctrl+t: if any)


class MainScreen(ReportsFailures, Screen):
    """The dashboard. ``fixed=True`` shows fixed data with no clock, sampling or server (snapshots)."""

    AUTO_FOCUS = "#prompt"
    ALLOW_IN_MAXIMIZED_VIEW = "KeysFooter"  # the palette's Maximize keeps the keys, as it kept Textual's Footer

    BINDINGS = [  # the footer shows them in this order (after ALWAYS_SHOWN) and cuts the last at 80 columns
        Binding("ctrl+b", "toggle_sidebar", "Sidebar", priority=True),  # in order with the F-keys typed after it
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+n", "new_conversation", "New chat"),
        Binding("ctrl+o", "open_conversation", "Chats"),
        Binding("ctrl+s", "save_params", "Save params"),
        Binding("ctrl+r", "reconnect", "Reconnect"),
        Binding("ctrl+t", "toggle_thinking", "Thinking"),  # shown while the chat has a thinking block
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
        Binding("f8", "tab('graphs')", "Resources", show=False, priority=True),
    ]

    def __init__(self, session: Session, fixed: bool = False) -> None:
        super().__init__()
        self.session, self.fixed = session, fixed
        self.state = SessionState()  # every figure on screen, held once
        self.model = ""  # the model the server resolved at connect time
        self.alerts: list[str] = []
        self.changes: dict = {}  # every setting changed in this session (ctrl+s writes them all)
        self.on_disk: dict = {}  # each changed setting's value in the config files: as it started, or as saved
        self.resources: ResourceSampling | None = None  # made at compose if the first frame shows resources, else after
        # it (psutil's import is then off the first frame); fixed mode samples nothing
        self.connection = Connection(self)  # the server, found off the event loop; requests wait for it
        self.models: list = []  # the server's models, as last listed
        self.routing = ""  # why the last request used its model
        self.config_changed_at = 0.0  # the advisor judges rows from here on: older ones ran under other settings
        self.services_started = False
        self.unfollow: Callable[[], None] | None = None  # stops following the ledger
        self.shown_tab = "chat"  # the pane on screen, once its F-key or tab click has been handled (action_tab)
        self.focused_before_sidebar: Widget | None = None  # ctrl+b hides the panes: their focus comes back after
        self.panes: dict[str, Widget] = {}  # the panes mounted so far (when first shown), by tab

    @property
    def cfg(self) -> Config:
        return self.session.cfg

    @property
    def active_bindings(self):
        """The keys in the footer's order: the focused pane's own, then ALWAYS_SHOWN, then the rest (the footer
        cuts the last ones at 80 columns: reconnecting and quitting must stay)."""
        bindings = super().active_bindings
        own = {key: b for key, b in bindings.items() if b.node not in (self, self.app)}
        return own | {key: bindings[key] for key in ALWAYS_SHOWN if key in bindings} | bindings

    @property
    def backend_label(self) -> str:
        return self.state.figures.backend

    @property
    def request_tokens(self) -> list[int]:
        """Tokens per request, oldest first (the sidebar's sparkline)."""
        return list(self.state.figures.history)

    # -- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        self._size_classes(*self.app.size, update=False)  # before the footer's first keys: ctrl+b is one when narrow
        if not self.fixed and self._sidebar_shown():  # its first reading covers the mount: in the first frame
            self.resources = ResourceSampling(self)
        yield TitleBar()
        with Horizontal(id="body"):
            with TabbedPanes(id="tabs"):
                yield TabBar(TABS, "chat", id="tab-bar")
                with ContentSwitcher(id="panes", initial=PANE_IDS["chat"]):
                    yield ChatPane(id=PANE_IDS["chat"])
            with Sidebar(id="sidebar"):
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
        self.tab_bar = self.query_one(TabBar)
        self.switcher = self.query_one(ContentSwitcher)
        self.query_one("#prompt", PromptArea).cursor_blink = False  # blinking redraws twice a second: most of idle
        self.state.watch(tokens_watcher(self.token_panel))
        self.state.watch(status_watcher(self.status_line))
        self.state.watch(lambda new, old: self.resource_panel.show_gc(new.gc) if new.gc != old.gc else None)
        self.state.watch(lambda new, old: self._show_models() if new.notice != old.notice else None)  # (un)loading
        self.state.watch(lambda new, old: self._stages_follow(new.last) if new.last is not old.last else None)
        self.state.watch(
            lambda new, old: self.resources.show() if self.resources and new.server != old.server else None
        )
        if self.fixed:
            from devsynth_tui.ui.fixed import show_fixed_data

            show_fixed_data(self)
            return
        history = [r["total_tokens"] for r in reversed(self.session.ledger.history(40))]
        self.state.set(history=tuple(history), model=self.cfg.llm.model or "")
        self.connection.name_early()
        self.state.read_ledger(self.session)
        self.unfollow = self.state.follow(self.session)  # each request recorded: the last request, the totals
        if self.resources:
            self.resources.sample()  # real figures in the first frame
        self.call_later(self._start_services)  # after the first frame: the screen draws it (ScreenResume) before this

    def on_unmount(self) -> None:
        if self.unfollow:
            self.unfollow()

    def _start_services(self) -> None:
        """Sampling, the server connection and the last conversation, once the first screen is up."""
        self.services_started = True
        if not gc.isenabled():  # the dashboard command's start: what it made stays, unscanned by later collections
            gc.freeze()  # its few cycles too (~0.8 MB): collecting them first would hold this frame ~40 ms
            gc.enable()
        if self.resources is None:  # the sidebar hidden at start: its first reading (alerts) one interval from now
            self.resources = ResourceSampling(self)
            self.set_timer(self.cfg.monitor.interval, self.resources.sample)
        self.resources.started = True
        self.resources.schedule()
        self.connection.start()  # the warm-up starts once it has named the server
        self.chat_pane.open_latest()
        self._serve_metrics()

    def resources_shown(self) -> bool:
        """Are resources on screen: the Resources pane, or the sidebar's panel (hidden when narrow, unless opened)?"""
        return self._sidebar_shown() or (not self.has_class("too-small") and self.shown_tab == "graphs")

    def _sidebar_shown(self) -> bool:
        return not self.has_class("too-small") and (not self.has_class("narrow") or self.has_class("sidebar-open"))

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
        """The classes for a new size; the resources sampled at the pace of whether they are shown."""
        shown = self.resources_shown()
        if self._size_classes(width, height):
            self.refresh_bindings()  # ctrl+b is in the footer only while the sidebar is hidden
            if not self.has_class("narrow") and self.has_class("sidebar-open"):  # wide again: the panes are back
                self.remove_class("sidebar-open")
                self.call_after_refresh(self._refocus)  # with their focus, as ctrl+b would give it
            elif self.has_class("narrow") and isinstance(self.focused, Sidebar):  # hidden: its focus goes to a pane
                self.call_after_refresh(self._refocus)
        self._resources_toggled(shown)

    def _size_classes(self, width: int, height: int, update: bool = True) -> bool:
        """Set "too-small" and "narrow" for this size (``update=False``: no restyle); did "narrow" change?"""
        self.set_class(width < MIN_SIZE[0] or height < MIN_SIZE[1], "too-small", update=update)
        if (width < NARROW_WIDTH) == self.has_class("narrow"):
            return False
        self.set_class(width < NARROW_WIDTH, "narrow", update=update)
        return True

    def _resources_toggled(self, was_shown: bool) -> None:
        if self.resources:
            self.resources.toggled(was_shown)

    @property
    def sampler(self) -> Sampler | None:
        return self.resources.sampler if self.resources else None

    @property
    def sampling(self) -> Timer | None:
        """The sampling timer; its interval follows whether the resources are on screen."""
        return self.resources.timer if self.resources else None

    # -- models, reconnecting ------------------------------------------------------------------

    async def refresh_models(self, refresh: bool = True) -> None:
        """The Models pane's list: the server asked again (else the list last fetched)."""
        if self.session.backend:
            self._set_models(await self.session.backend.models(refresh=refresh))

    def forget_models(self) -> None:
        """No server: no models listed (the Models pane and the advisor no longer see a gone server's)."""
        self._set_models([])

    def _set_models(self, models: list) -> None:
        self.models = models
        self._show_models()
        if advisor := self._pane("advisor"):
            advisor.recheck()

    def totals(self) -> tuple[Report, Report]:
        """(this session, all time) token reports, as the state holds them."""
        figures = self.state.figures
        assert figures.session is not None and figures.all_time is not None  # read at mount
        return figures.session, figures.all_time

    def action_reconnect(self) -> None:
        self.connection.start()

    def action_cancel(self) -> None:
        """Esc stops what runs in the pane on screen: the task, the benchmark, else the chat's answer."""
        if self.tab_bar.active in ("tasks", "bench"):
            if pane := self._pane(self.tab_bar.active):
                pane.cancel()
            return
        self.chat_pane.cancel()

    def action_scroll_output(self, method: str) -> None:
        """PageUp/PageDown (and Home/End for the top and the live bottom) scroll the chat while the prompt has
        focus (up from its top shows earlier messages), and the task's output while its instruction or file list
        has; elsewhere the keys are the focused widget's."""
        focused = self.focused
        if isinstance(focused, PromptArea):
            target = self.query_one("#messages")
            if method in ("page_up", "scroll_home") and target.scroll_y == 0 and self.chat_pane.earlier:
                self.chat_pane.call_later(self.chat_pane.show_earlier)  # up from the top: earlier messages
                return
        elif focused is not None and focused.id in ("task-instruction", "task-files") and method.startswith("page"):
            target = self.query_one("#task-output")
        else:
            raise SkipAction()
        getattr(target, f"scroll_{method}" if method.startswith("page") else method)(animate=False)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "toggle_sidebar":  # from 110 columns the sidebar is always there; maximized, the panes are alone
            return self.has_class("narrow") and self.maximized is None
        if action == "toggle_thinking":
            return self.shown_tab == "chat" and bool(self._thinking_blocks())
        return True

    def _thinking_blocks(self):
        from devsynth_tui.ui.chat import ThinkingBlock

        return self.chat_pane.query(ThinkingBlock) if self.is_mounted else []

    def action_toggle_thinking(self) -> None:
        """Open (or close) the newest thinking block in the chat; a click on its title does the same."""
        if blocks := self._thinking_blocks():
            block = blocks.last()
            block.collapsed = not block.collapsed
            block.scroll_visible(animate=False)

    async def action_new_conversation(self) -> None:
        await self.chat_pane.new_conversation()
        await self.action_tab("chat")

    def action_open_conversation(self) -> None:
        from devsynth_tui.ui.panes import ConversationPicker

        def chosen(conversation_id: int | None) -> None:
            if conversation_id is not None:
                self.run_worker(self._switch_to(conversation_id), exclusive=True, group="open", exit_on_error=False)

        self.app.push_screen(ConversationPicker(self.session.conversations.list()), chosen)

    async def _switch_to(self, conversation_id: int) -> None:
        await self.chat_pane.switch_to(conversation_id)
        await self.action_tab("chat")

    def action_rename_conversation(self) -> None:
        self.chat_pane.rename()

    def action_delete_conversation(self) -> None:
        self.chat_pane.delete()

    # -- tasks, params, models -------------------------------------------------------------------

    def on_params_pane_changed(self, event) -> None:
        self.set_param(event.key, event.value, shown=True)

    def set_param(self, key: str, value, shown: bool = False) -> None:
        """Apply one validated change to the very next request (the Params pane shows it, unless ``shown`` there)."""
        if self.cfg.get(key) == value:  # any key, by its dotted name (the Params pane, the advisor, the theme)
            return  # widgets report their initial values too: that is no change
        try:
            cfg = self.cfg.with_values({key: value}, "dashboard")
        except ConfigError as e:
            self.notify(str(e), severity="error")
            return
        self.on_disk.setdefault(key, self.cfg.get(key))
        self.changes[key] = value
        self.config_changed_at = time.time()
        self.session.set_config(cfg)
        if pane := self._pane("params"):
            pane.cfg = cfg
            if not shown:
                pane.show_value(key, value)
        if key == "llm.model":  # a model picked (as the server spells it); any other change keeps the model shown
            self.state.set(model=cfg.llm.model or self.model)

    async def on_models_pane_picked(self, event) -> None:
        if event.model == (self.cfg.llm.model or self.model):  # in use already: picking it again pins nothing
            self.notify(f"{event.model} is the active model already")
            return
        self.set_param("llm.model", event.model)
        await self.refresh_models()
        self.notify(f"active model: {event.model}")

    async def on_request_ended(self, event: RequestEnded) -> None:
        """A pane's request ended (its answer on screen): its stages in the waterfall, its routing in the Models
        pane, a large one's gc once that frame is drawn (its figure with the resources), the advisor looks again
        (once opened); a failed one says so."""
        done = event.done
        if advisor := self._pane("advisor"):
            advisor.recheck()
        if done.status == "error":
            self.notify(done.error or "the request failed", title="Request failed", severity="error", timeout=8)
        if done.prepared:
            self._show_stages(done.prepared)
        if done.prepared and done.prepared.model_reason:
            self.routing = (
                f"last request: {done.prepared.payload['model']} — "
                f"{done.prepared.complexity}: {done.prepared.model_reason}"
            )
            if pane := self._pane("models"):
                pane.show_routing(self.routing)
        if done.collect:  # memory.aggressive_gc: after the pane's last frame, when the screen is idle
            self.call_after_refresh(self.set_timer, GC_DELAY, self._collect_garbage)
        if done.prepared and done.prepared.loading:
            await self.refresh_models()  # the server loaded the model for this request

    def on_request_cancelled(self, event: RequestCancelled) -> None:
        """A pane's request was cancelled: its stages and its share of the window, counted all the same, are the last
        request's."""
        if event.prepared and event.prepared.counted:  # else Esc came as its end was counted: its figures are not
            from devsynth_tui.services.context.view import view_of

            self._show_stages(event.prepared)
            self.state.set(fill=view_of(event.prepared).fill)  # the status line's "ctx %"

    def _stages_follow(self, last: LedgerRow | None) -> None:
        """A benchmark's request is the last request: the waterfall, which shows the chat's and the tasks', goes."""
        if last is not None and last.operation.startswith("benchmark"):
            self.query_one(StageWaterfall).hide()

    def _show_stages(self, prepared) -> None:
        from devsynth_tui.services.store.ledger import stage_rows

        self.query_one(StageWaterfall).show_stages(stage_rows(prepared.reports))

    def _collect_garbage(self) -> None:
        """A full collection (memory.aggressive_gc); its figure goes to the resources, not a toast."""
        from devsynth_tui.services.resources.monitor import collect_garbage

        self.state.set(gc=collect_garbage())

    @property
    def unsaved(self) -> dict:
        """Changes not written to overrides.yaml yet (a setting changed back to its value there is none)."""
        return {k: v for k, v in self.changes.items() if k not in self.on_disk or self.on_disk[k] != v}

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
        self.on_disk.update(self.changes)
        self.notify(f"saved to {path}")
        return True

    def on_button_pressed(self, event) -> None:
        if event.button.id == "save-params":
            self.action_save_params()

    # -- navigation ------------------------------------------------------------------------------------

    async def action_tab(self, tab: str, focus: bool = True) -> None:
        """Show a pane (mounted first if it was never shown) and, with ``focus``, give its first control the focus at
        once: the keys typed right after the F-key go to it, not to the pane left (nor nowhere while it mounts)."""
        shown = self.resources_shown()
        self.remove_class("sidebar-open")
        pane = self._slot(tab)
        new = pane is None
        if pane is None:  # shown for the first time: the keys after the F-key wait for its mount
            if focus:
                self.set_focus(None)  # nothing meanwhile goes to the pane left (a click could)
            pane = self._new_pane(tab)
            await self.switcher.mount(pane)
            self.panes[tab] = pane
        self.tab_bar.active, self.switcher.current, self.shown_tab = tab, pane.id, tab
        self.refresh_bindings()  # ctrl+t is for the chat's thinking blocks
        self._resources_toggled(shown)  # the Resources pane is sampled for while on screen
        if new:
            self._fill_pane(tab)
        if focus:  # (none yet if a click asked for this pane while an F-key's call mounted it: that call focuses)
            self.set_focus(next(iter(self.switcher.query(FIRST_CONTROL[tab])), None))

    async def on_tab_bar_chosen(self, event: TabBar.Chosen) -> None:
        await self.action_tab(event.tab, focus=not event.stepped)  # ← → on the focused bar: it keeps the focus

    def _new_pane(self, tab: str):
        if tab == "tasks":
            from devsynth_tui.ui.tasks import TasksPane

            return TasksPane(self.cfg.tasks, id=PANE_IDS[tab])
        if tab == "params":
            from devsynth_tui.ui.params import ParamsPane

            return ParamsPane(self.cfg, id=PANE_IDS[tab])
        if tab == "models":
            from devsynth_tui.ui.panes import ModelsPane

            return ModelsPane(id=PANE_IDS[tab])
        if tab == "bench":
            from devsynth_tui.ui.bench import BenchPane

            return BenchPane(id=PANE_IDS[tab])
        if tab == "graphs":
            from devsynth_tui.ui.resources import ResourcesPane

            return ResourcesPane(id=PANE_IDS[tab])
        from devsynth_tui.ui.advisor import AdvisorPane

        return AdvisorPane(id=PANE_IDS[tab])

    def _fill_pane(self, tab: str) -> None:
        """What a newly mounted pane shows of what happened before it was opened."""
        pane = self._pane(tab)
        if tab == "models":
            self._show_models()
            if self.routing:
                pane.show_routing(self.routing)
        elif tab == "graphs":
            self.show_resources_pane()
        elif tab == "advisor":
            if self.fixed:
                from devsynth_tui.ui.fixed import fixed_advice

                pane.show(fixed_advice())
            else:
                pane.recheck()
        if self.fixed:
            for box in pane.query(Input):
                box.cursor_blink = False  # a blinking cursor would make every snapshot differ

    def _show_models(self) -> None:
        """The Models pane (once opened) shows the models as last known: listed, or a state read for a request."""
        if pane := self._pane("models"):
            pane.show(self.models, self.cfg.llm.model or self.model, self.backend_label)

    def show_resources_pane(self) -> None:
        """The Resources pane's charts, while it is on screen: the sampler's window and the last hour's requests."""
        pane = self._pane("graphs")
        if pane is None or self.shown_tab != "graphs":
            return
        if self.fixed:
            from devsynth_tui.ui.fixed import fixed_requests, fixed_samples

            pane.show(fixed_samples(), fixed_requests(), now=40.0)
        elif self.sampler is not None:
            pane.show(list(self.sampler.samples), self.session.ledger.history(100_000, since=time.time() - 3600))

    def _slot(self, tab: str) -> Widget | None:
        """The pane of a tab in the switcher (mounted, or mounting), else None: never shown."""
        try:
            return self.switcher.get_child_by_id(PANE_IDS[tab])
        except NoMatches:
            return None

    def _pane(self, tab: str):
        """The pane of a tab if it has been shown (panes are mounted when first shown), else None: no query of the
        screen's widgets (~2 ms), which each notice of a streaming answer asked for."""
        return self.panes.get(tab)

    def action_toggle_sidebar(self) -> None:
        """ctrl+b below NARROW_WIDTH columns: the sidebar in place of the panes, then the panes again with the focus
        they had (hidden, they lose it: the keys typed next went nowhere). Wider (the sidebar is always there) or with
        the panes maximized, nothing is done: the palette offers the action all the same."""
        if not self.check_action("toggle_sidebar", ()):
            return
        shown, opening = self.resources_shown(), not self.has_class("sidebar-open")
        if opening:
            self.focused_before_sidebar = self.focused
        self.set_class(opening, "sidebar-open")
        self._resources_toggled(shown)
        self.call_after_refresh(self._refocus if not opening else self._focus_sidebar)

    def _focus_sidebar(self) -> None:
        if self.has_class("sidebar-open"):  # else an F-key read right after ctrl+b showed a pane
            self.query_one("#sidebar").focus()

    def _refocus(self) -> None:
        """The focus back where it was before the sidebar hid it (if in the pane shown), else on its first control."""
        widget, self.focused_before_sidebar = self.focused_before_sidebar, None  # given back once only
        pane = self._slot(self.shown_tab)
        assert pane is not None  # the pane on screen
        if widget is None or not widget.is_attached or not widget.focusable or pane not in widget.ancestors_with_self:
            widget = next(iter(self.switcher.query(FIRST_CONTROL[self.shown_tab])), None)
        if widget is not None:
            widget.focus()
