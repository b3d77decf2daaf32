"""The devsynth-tui dashboard: the app (themes, commands, quitting) around the main screen."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.worker import WorkerState

from devsynth_tui.cli.common import EXIT_USAGE
from devsynth_tui.config import Config
from devsynth_tui.config_schema import ALL_KEYS
from devsynth_tui.services.app_log import open_log
from devsynth_tui.services.sanitize import safe_line, safe_text
from devsynth_tui.services.session import Session
from devsynth_tui.services.store.database import StoreError
from devsynth_tui.ui.chat import KEYS_TYPED
from devsynth_tui.ui.failures import ReportsFailures
from devsynth_tui.ui.main_screen import TABS, MainScreen

if TYPE_CHECKING:
    from concurrent.futures import Future

    from devsynth_tui.services.llm.first_look import Look

PANE_TITLES = {tab: title.split(" ", 1)[1] for tab, title in TABS}  # "Go to Chat"… in the palette
TEXTUAL_COMMANDS_REPLACED = ("Theme", "Change theme", "Screenshot")  # ours name our themes and save to the app home
TERMINAL_CHECK_SECONDS = 2.0
QUIT_SIGNALS = (signal.SIGTERM, signal.SIGHUP)  # a service manager, `timeout`, a closed terminal
SIGNAL_STOP_SECONDS = 20  # how long a signal waits for the workers to store what they hold
TEARDOWN_SECONDS = 5  # then, with all stored, how long Textual gets to restore the terminal before we exit


def has_terminal() -> bool:
    """Does this process still have a controlling terminal? A closed terminal window takes it away."""
    try:
        os.close(os.open("/dev/tty", os.O_RDONLY | os.O_NOCTTY))
    except OSError:
        return False
    return True


class DevsynthApp(ReportsFailures, App):
    """The dashboard. ``fixed=True`` shows fixed data with no clock, sampling or server (snapshots)."""

    CSS_PATH = "app.tcss"
    TITLE = "devsynth-tui"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit")]

    def __init__(self, cfg: Config, fixed: bool = False, look: Future[Look | None] | None = None) -> None:
        super().__init__()
        self.session = Session(cfg, look=look)  # look: the first look at the server, begun at start-up (look_ahead)
        self.log_file = open_log(self.session.home, [cfg.api_key])
        self.main = MainScreen(self.session, fixed)
        self._applied_theme: str | None = None
        self.fatal = ""  # the one line the dashboard ended with (a damaged database, a full disk), said after it
        self.failures_said: set[str] = set()  # failure lines already on screen (ui/failures.report says each once)
        if not self._apply_theme(cfg.ui.theme, start=True):  # before the screen is styled: styled once
            self._apply_theme(str(ALL_KEYS["ui.theme"].default), start=True)  # said; the default theme meanwhile

    @property
    def cfg(self) -> Config:
        return self.session.cfg

    def notify(self, message: str, *, title: str = "", severity="information", timeout=None, markup=True) -> None:
        """Every toast shows its text literally: they carry model ids, server errors and file names (never markup)."""
        super().notify(safe_text(message), title=safe_line(title), severity=severity, timeout=timeout, markup=False)

    def _handle_exception(self, error: Exception) -> None:
        """The database can't be used (damaged pages, a full disk): quit with its one line, not a traceback."""
        if not isinstance(error, StoreError):
            super()._handle_exception(error)
            return
        from devsynth_tui.services.app_log import record

        record(error, "the database failed")
        self.fatal = safe_line(error)
        self.exit(return_code=EXIT_USAGE)

    def get_default_screen(self) -> MainScreen:
        return self.main

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:  # streamed answers draw after typed keys
            KEYS_TYPED.typed(event.is_printable or event.key == "backspace")
        await super().on_event(event)

    def on_mount(self) -> None:
        if not self.is_headless and has_terminal():
            self.set_interval(TERMINAL_CHECK_SECONDS, self._quit_if_terminal_gone)
        self.session.store.waiting.append(self._database_waiting)
        if threading.current_thread() is threading.main_thread():
            loop = asyncio.get_running_loop()
            for sig in QUIT_SIGNALS:
                loop.add_signal_handler(sig, self._quit_on_signal, sig)
        for warning in self.cfg.warnings:  # bad keys in overrides.yaml: ignored, said once
            self.notify(warning, title="overrides.yaml", severity="warning", timeout=15)

    def _database_waiting(self, note: str | None) -> None:
        """The store's "waiting for the database" note (told from its writing thread) in the status line."""
        if threading.get_ident() == self._thread_id:
            self.main.state.set(notice=note or "")
        else:
            self.call_from_thread(self.main.state.set, notice=note or "")

    def _quit_on_signal(self, signum: int) -> None:
        """SIGTERM or SIGHUP: end what runs as Esc does (partial answers stored, `cancelled` rows), then quit
        with 128 + the signal. A second one acts as it would by default."""
        self._end_then_exit(128 + signum)

    def _quit_if_terminal_gone(self) -> None:
        """A terminal closed without a SIGHUP reaching us (`make run` holds it) leaves Textual's input thread
        spinning on end-of-file at a full core: end as a hang-up does, which also stops the embedded server."""
        if not has_terminal():
            self._end_then_exit(128 + signal.SIGHUP)

    def _end_then_exit(self, code: int) -> None:
        if any(w.group == "signal" for w in self.workers):
            return  # already ending
        if threading.current_thread() is threading.main_thread():
            loop = asyncio.get_running_loop()
            for sig in QUIT_SIGNALS:
                loop.remove_signal_handler(sig)
        self.run_worker(self._end_all_then_exit(code), group="signal", exit_on_error=False)

    async def _end_all_then_exit(self, code: int) -> None:
        """Cancel every worker and give them time to store what they hold (a thread worker in a blocking call,
        a probe or the tokenizer's load, can't be stopped, so it is not waited on for ever); then land the
        queued writes and stop the server before Textual's teardown, which can block for ever writing to a
        terminal that went away (seen: its writer thread dead on the closed terminal, its queue full)."""
        running = [w for w in self.workers if w.group != "signal" and not w.is_finished]
        for worker in running:
            worker.cancel()
        started = [w.wait() for w in running if w.state is not WorkerState.PENDING]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*started, return_exceptions=True), SIGNAL_STOP_SECONDS)
        with contextlib.suppress(TimeoutError, StoreError):
            await asyncio.wait_for(self.session.store.arun(lambda: None), SIGNAL_STOP_SECONDS)  # writes landed
        await self.session.disconnect()
        watchdog = threading.Timer(TEARDOWN_SECONDS, os._exit, args=(code,))
        watchdog.daemon = True
        watchdog.start()
        self.exit(return_code=code)

    async def on_unmount(self) -> None:
        self.session.stop_metrics()
        await self.session.disconnect()
        await asyncio.to_thread(self.session.close)  # queued writes land first (waiting for a held lock)

    # -- themes --------------------------------------------------------------------------

    def _apply_theme(self, name: str, start: bool = False) -> bool:
        """Use a theme; at ``start`` only the configured one is read (the palette registers the others)."""
        from devsynth_tui.ui.themes import ThemeError, bundled_themes, no_such_theme, resolve

        for theme in bundled_themes(name if start else None):
            self.register_theme(theme)
        try:
            textual_name, theme = resolve(name)
        except ThemeError as e:
            self.notify(str(e), severity="error")
            return False
        if theme is not None:
            self.register_theme(theme)
        if textual_name not in self.available_themes:
            self.notify(f"ui.theme: {no_such_theme(name)}", severity="error")
            return False
        self._applied_theme = textual_name
        if start:
            self._start_with_theme(textual_name)
        else:
            self.theme = textual_name
        return True

    def _start_with_theme(self, name: str) -> None:
        """The theme before anything is styled: what Textual's theme watcher sets, without the watcher's second
        parse of every stylesheet (the first parse, to come, reads this theme's variables)."""
        self.set_reactive(App.theme, name)
        self.stylesheet.set_variables(self.get_css_variables())
        dark = self.current_theme.dark
        self.set_class(dark, "-dark-mode", update=False)
        self.set_class(not dark, "-light-mode", update=False)
        self.add_class(f"-theme-{name}", update=False)
        self._refresh_truecolor_filter(self.ansi_theme)

    def watch_theme(self, theme: str) -> None:
        """A theme picked some other way than ui.theme (Textual's own picker) is a change to save."""
        if self._applied_theme is not None and theme != self._applied_theme:
            self.main.changes["ui.theme"] = theme

    def action_set_theme(self, name: str) -> None:
        if not self._apply_theme(name):
            return
        if name == self.cfg.ui.theme:
            self.main.changes.pop("ui.theme", None)  # back to the configured theme: nothing to save
        else:
            self.main.changes["ui.theme"] = name

    # -- quitting --------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """Quit; parameter changes not saved yet are asked about first (save them, drop them, or stay)."""
        from devsynth_tui.ui.panes import Choice

        unsaved = self.main.unsaved
        if not unsaved:
            self.exit()
            return
        if self.screen.id == "quit-question":
            return  # the question is on screen already (another dialog does not stop ctrl+q)

        def answered(choice: str | None) -> None:
            if choice == "quit" or (choice == "save" and self.main.action_save_params()):
                self.exit()

        self.push_screen(
            Choice(
                f"Unsaved changes: {', '.join(unsaved)}. Save them to overrides.yaml before quitting?",
                [("s", "Save and quit", "save"), ("q", "Quit without saving", "quit")],
                id="quit-question",
            ),
            answered,
        )

    # -- commands ---------------------------------------------------------------------------

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Save an SVG of the screen, to the app home unless told otherwise."""
        path = self.save_screenshot(filename, path or str(self.session.home))
        self.notify(f"screenshot saved: {path}")

    def get_system_commands(self, screen) -> Iterable[SystemCommand]:
        from devsynth_tui.ui.themes import bundled_themes

        for theme in bundled_themes():  # what Textual's own theme list offers, too
            self.register_theme(theme)
        for command in super().get_system_commands(screen):
            if command.title not in TEXTUAL_COMMANDS_REPLACED:
                yield command
        main = self.main
        commands = [
            ("Cancel answer", "Stop the streaming answer (Esc)", main.action_cancel),
            ("New conversation", "Start a new chat (ctrl+n)", main.action_new_conversation),
            ("Open conversation", "Reopen a stored chat (ctrl+o)", main.action_open_conversation),
            ("Rename conversation", "Give this chat a new title", main.action_rename_conversation),
            ("Delete conversation", "Delete this chat for good", main.action_delete_conversation),
            ("Save parameters", "Write changes to overrides.yaml (ctrl+s)", main.action_save_params),
            ("Reconnect", "Find the server again (ctrl+r)", main.action_reconnect),
            ("Toggle sidebar", "Show or hide tokens and resources (ctrl+b)", main.action_toggle_sidebar),
            ("Screenshot", "Save an SVG of the screen to the app home", self.action_screenshot),
        ]
        commands += [
            (f"Go to {title}", f"Show the {title} pane", partial(main.action_tab, tab))
            for tab, title in PANE_TITLES.items()
        ]
        commands += [
            (f"Theme: {n}", f"Switch to the {n} theme", partial(self.action_set_theme, n))
            for n in ("dark", "light", "high-contrast")
        ]
        for title, help_text, callback in commands:
            yield SystemCommand(title, help_text, callback)


def run_app(cfg: Config, look: Future[Look | None] | None = None) -> int:
    """Run the dashboard until the user quits (``look``: the first look at the server, begun at start-up)."""
    app = DevsynthApp(cfg, look=look)
    app.run()
    if app.fatal:
        print(f"devsynth-tui: {app.fatal}", file=sys.stderr)
    return app.return_code or 0
