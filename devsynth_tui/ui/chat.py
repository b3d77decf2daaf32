"""The chat pane: messages (user text literal, answers as Markdown, thinking apart), the prompt, coalesced streaming.

The messages stay anchored to the bottom while an answer streams, until the user scrolls up;
scrolling back to the end (End, or the mouse) anchors them again.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Collapsible, Static, TextArea

from devsynth_tui.services.sanitize import safe_line, safe_text
from devsynth_tui.ui.keys import own_key_now
from devsynth_tui.ui.markdown_view import MarkdownView

if TYPE_CHECKING:
    from devsynth_tui.services.requests import Answer

FRAME_SECONDS = 0.15  # a streamed answer is redrawn at most ~7 times a second
FRAME_SPACING = 2.0  # after a frame that took t (flush to screen), the next waits at least t x this: keys go between
TYPING_SECONDS = 0.5  # a key typed this recently: a streamed answer's frames come just after keys, not between them
ECHO_SECONDS = 0.03  # such a frame comes this long after its key: the key's echo is drawn first
STREAMING = "streaming… (Esc cancels)"  # an answer's notice from its first piece on
ENDING = "whole · being counted and recorded…"  # and once its stream ended (a database locked elsewhere: a while)
PAINT_WAIT = 0.25  # seconds at most: a screen under another one (a dialog) paints nothing until it is on top


class KeysTyped:
    """When a key of text (a character or backspace, in any field or screen) was last typed, and the answers
    streaming meanwhile. While such keys come, an answer's frames (30-50 ms each at 160x48 on a busy stream) come
    just after a key, never on their own timer: the next key, a typing rhythm later, finds the loop free, and each
    key is drawn at once."""

    def __init__(self) -> None:
        self.at = 0.0
        self.streams: set[AssistantMessage] = set()

    def typed(self, text: bool) -> None:
        """A key arrived (told by the app before the key goes to the focused widget): ``text`` (a character,
        backspace), or a command such as Enter, which ends the typing: the answer it sends draws at its frame rate."""
        if not text:
            self.at = 0.0
            return
        self.at = time.monotonic()
        for view in list(self.streams):
            view.key_typed()

    def recently(self) -> bool:
        return time.monotonic() - self.at < TYPING_SECONDS


KEYS_TYPED = KeysTyped()


class UserMessage(Static):
    """A prompt as the user typed it, with the files and folders attached to it."""

    def __init__(self, text: str, attachments: list[str] | None = None) -> None:
        super().__init__(safe_text(text) + attached_line(attachments or []), markup=False)


def attached_line(paths: list[str]) -> str:
    """The line under a question naming its attachments, each as typed from the working directory ("src/prices.py";
    a path outside it whole)."""
    if not paths:
        return ""
    from devsynth_tui.services.context.attachments import shown_path

    return "\nattached: " + ", ".join(safe_line(shown_path(p, os.getcwd())) for p in paths)


class ThinkingBlock(Collapsible):
    """A thinking model's reasoning: dimmed, collapsed, with its size and duration in the title.

    While collapsed only the title changes; the text is drawn when the block is opened.
    """

    def __init__(self, text: str = "", title: str = "Thinking") -> None:
        super().__init__(Static("", markup=False, classes="thinking-text"), title=title, collapsed=True)
        self.text = text

    def show(self, text: str, title: str) -> None:
        self.title, self.text = title, text
        if not self.collapsed:
            self._draw()

    def _draw(self) -> None:
        self.query_one(".thinking-text", Static).update(safe_text(self.text))

    def on_collapsible_expanded(self, event: Collapsible.Expanded) -> None:
        self._draw()

    def on_mount(self) -> None:
        self.screen.refresh_bindings()  # the footer shows the key that opens it (ctrl+t) once there is one


class AssistantMessage(Vertical):
    """An answer: Markdown fed in coalesced frames while streaming, thinking above it, stats underneath."""

    def __init__(
        self, text: str = "", stats: str = "", status: str = "ok", thinking: str = "", thinking_title: str = "Thinking"
    ) -> None:
        super().__init__(classes="" if status == "ok" else status)
        self._initial, self._stats = text, stats
        self._thinking_initial, self._thinking_title = thinking, thinking_title
        self._pending: list[str] = []
        self._parts = [text] if text else []
        self._thinking: list[str] = [thinking] if thinking else []
        self._thinking_dirty = False
        self._thinking_since: float | None = None
        self._timer: Timer | None = None
        self._due: float | None = None  # when the next frame may come (None while one is drawn)
        self.context: dict | None = None  # what was sent for it (the context view's data), when known
        # what the answer waits for, since when (None once a piece came), the seconds last shown
        self._waiting: tuple[str, float | None, int] = ("…", None, 0)

    @property
    def text(self) -> str:
        """The answer so far."""
        return "".join(self._parts)

    @property
    def thinking(self) -> str:
        return "".join(self._thinking)

    def compose(self) -> ComposeResult:
        if self._thinking_initial:  # mounted only for thinking models: a Collapsible is a dozen widgets
            yield ThinkingBlock(self._thinking_initial, self._thinking_title)
        yield MarkdownView(safe_text(self._initial))
        yield Static(safe_line(self._stats or "…"), markup=False, classes="stats")

    def on_click(self, event: events.Click) -> None:
        """A click on the line under the answer opens what was sent for it (ctrl+k opens the last answer's)."""
        if self.context and event.widget is self.query_one(".stats"):
            from devsynth_tui.ui.context_view import ContextViewScreen

            self.app.push_screen(ContextViewScreen(self.context, "This answer"))

    def on_unmount(self) -> None:
        KEYS_TYPED.streams.discard(self)  # a conversation left while its answer streams on

    def start_stream(self) -> None:
        self.query_one(MarkdownView).start()
        self._waiting = (self._waiting[0], time.monotonic(), 0)
        self._schedule(FRAME_SECONDS)
        KEYS_TYPED.streams.add(self)

    def _schedule(self, seconds: float) -> None:
        self._due = time.monotonic() + seconds
        self._timer = self.set_timer(seconds, self._frame)

    async def _frame(self) -> None:
        """The frame rate's frame: skipped while keys are typed (the next key brings it, ``key_typed``)."""
        if KEYS_TYPED.recently():
            self._timer = self.set_timer(TYPING_SECONDS, self._frame)  # if no key comes: the frame rate again
            return
        await self._draw()

    async def _draw(self) -> None:
        """One frame of the stream; the next comes a frame later, or later still after a slow one, so that a key
        typed meanwhile is drawn before the next frame: a frame never holds a key longer than itself."""
        started, self._due = time.perf_counter(), None
        await self.flush()
        self.call_after_refresh(self._next_frame, started)

    def _next_frame(self, started: float) -> None:
        if self._timer is not None:  # still streaming
            self._schedule(max(FRAME_SECONDS, (time.perf_counter() - started) * FRAME_SPACING))

    def key_typed(self) -> None:
        """A key arrived: the frame, if due by then, comes just after the key's echo."""
        if self._timer is not None and self._due is not None and time.monotonic() + ECHO_SECONDS >= self._due:
            self._timer.stop()
            self._timer = self.set_timer(ECHO_SECONDS, self._draw)
            self._due = float("inf")  # the keys right behind this one (a held key) don't put that frame off

    async def take(self, text: str, thinking: bool = False) -> None:
        """A streamed piece: thinking, or answer text for the next frame; the answer's first text goes in at once,
        so the coming frame draws it (queued, it waited for the frame after)."""
        if thinking:
            self.add_thinking(text)
        elif self.add(text):
            await self.flush()

    def add(self, text: str) -> bool:
        """Queue streamed answer text for the next frame; True if it is the answer's first."""
        self._arrived()
        first = not self._parts
        self._pending.append(text)
        self._parts.append(text)
        return first

    def add_thinking(self, text: str) -> None:
        """Queue streamed thinking; the collapsed block's title counts it."""
        self._arrived()
        if not self._thinking:
            self.mount(ThinkingBlock(), before=self.query_one(MarkdownView))
            self._thinking_since = time.monotonic()
        self._thinking.append(text)
        self._thinking_dirty = True

    def notice(self, text: str) -> None:
        """Say what the answer is waiting for (e.g. LM Studio loading the model); until its first piece arrives,
        the seconds it has waited follow, counted on each frame."""
        text = safe_line(text)
        _, since, shown = self._waiting
        self._waiting = (text, since, shown)
        self._show_stats(f"{text} {shown} s" if shown else text)

    def _arrived(self) -> None:
        """Text arrived: the seconds waited stop, and their count leaves the notice."""
        text, _, shown = self._waiting
        self._waiting = (text, None, 0)
        if shown:
            self._show_stats(text)

    def _count_waiting(self) -> None:
        text, since, shown = self._waiting
        if since is not None and (seconds := int(time.monotonic() - since)) != shown:
            self._waiting = (text, since, seconds)
            self._show_stats(f"{text} {seconds} s")

    def _show_stats(self, text: str) -> None:
        """The line under the answer; no layout pass while it stays one line."""
        stats = self.query_one(".stats", Static)
        one_line = stats.size.height == 1 and "\n" not in text and cell_len(text) <= stats.size.width
        stats.update(text, layout=not one_line)

    async def flush(self) -> None:
        self._count_waiting()
        if self._thinking_dirty and self.query(ThinkingBlock):
            self._thinking_dirty = False
            elapsed = time.monotonic() - (self._thinking_since or time.monotonic())
            self.query_one(ThinkingBlock).show(self.thinking, f"Thinking… {elapsed:.1f} s")
        if self._pending:
            chunk = safe_text("".join(self._pending))
            self._pending.clear()
            await self.query_one(MarkdownView).append(chunk)

    async def end_stream(self) -> None:
        """Stop streaming: what was streamed is drawn whole, its last block complete."""
        markdown = self.query_one(MarkdownView)
        KEYS_TYPED.streams.discard(self)
        if self._timer:
            self._timer.stop()
            self._timer = None
        await self.flush()
        await markdown.finish()

    async def stream_ended(self) -> None:
        """The stream is over: the answer drawn whole and on screen (before it is counted), its line saying so."""
        self.notice(ENDING)
        await self.end_stream()
        await self.painted()

    async def painted(self) -> None:
        """Return once the screen has painted what this message shows (PAINT_WAIT at most; at once if it was
        removed, e.g. another conversation opened): e.g. before building the tokenizer, which holds the GIL.

        A refresh that came before the answer's new lines were laid out does not count (the text's layout request
        reaches the screen from the text's own message queue, and callbacks already due may run first)."""
        if self.is_attached and self.is_running:
            markdown = self.query_one(MarkdownView)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(PAINT_WAIT):  # not wait_for: on 3.11 it can swallow a cancel (Esc)
                    await markdown.wait_for_refresh()
                    while markdown.is_attached and markdown.size.height != markdown.lines_shown:
                        await markdown.wait_for_refresh()

    async def finish(self, text: str, stats: str, status: str, thinking_title: str = "Thinking") -> None:
        """Stop streaming; show the final text (cut or cached answers may differ), the thinking and the stats."""
        self._thinking_dirty = False  # shown below, with its final title
        await self.end_stream()
        if text != self.text:
            self._parts = [text]
        await self.query_one(MarkdownView).finish(safe_text(text))
        if self._thinking:
            self.query_one(ThinkingBlock).show(self.thinking, thinking_title)
        self.set_class(status != "ok", status)
        self._show_stats(safe_line(stats))

    def replay(self, parts: list[str], thinking: list[str], notice: str) -> None:
        """Show what a stream already delivered (while the view mounted, or before the conversation was reopened),
        then keep streaming."""
        self.start_stream()
        for piece in thinking:
            self.add_thinking(piece)
        for piece in parts:
            self.add(piece)
        if parts:
            self.call_later(self.flush)  # what came before is shown at once, not a frame later
        if notice:
            self.notice(notice)


async def show_stopped(view: AssistantMessage, answer: Answer | None) -> None:
    """An answer whose run was cancelled before its end was told (``answer``: the run's, if it began): as it ended
    if its stream had ended and its count and ledger row went on to the end (it is stored so), else cut short."""
    ending = answer and answer.prepared and answer.prepared.ending
    if ending and ending.done() and not ending.cancelled() and ending.exception() is None:
        _, done = ending.result()
        await view.finish(done.text, done.summary(), done.status, done.thinking_title())
    else:
        from devsynth_tui.services.requests import stopped_summary

        await view.finish(view.text, stopped_summary(view.text), "cancelled")


class PromptArea(TextArea):
    """The prompt: several lines (a pasted file arrives whole); Enter sends, ctrl+j starts a new line."""

    BINDINGS = [("ctrl+j", "newline", "New line")]  # shown in the footer; the key itself is taken in on_key
    IN_ORDER = {"enter": "submit", "ctrl+j": "newline", "tab": "complete"}

    class Submitted(Message):
        def __init__(self, prompt: PromptArea, value: str) -> None:
            super().__init__()
            self.prompt, self.value = prompt, value

    def action_submit(self) -> None:
        self.post_message(self.Submitted(self, self.text))

    def action_newline(self) -> None:
        self.insert("\n")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.typed: list[str] = []  # printable keys not in the text yet: a burst goes in as one edit

    async def on_key(self, event: events.Key) -> None:
        """Enter (send), ctrl+j (new line), Tab (complete an ``@path``) and the text area's own keys (backspace,
        the arrows, ...) act here, in the order the keys arrived. As bindings they ran out of order in a burst (a
        paste, tmux's send-keys, keys typed while the app is busy): a priority Enter sent the prompt before the
        text typed just ahead of it was in, and the other keys' actions ran once the key had gone up to the app,
        after the text typed behind them. Printable keys are gathered and inserted once the keys queued with them
        are read: a paste delivered as keystrokes was one edit, one re-wrap and one Changed event per key (100 KB
        took minutes and 500 MB). Handled before the text area's own key handling, which they then skip."""
        if event.is_printable and event.character and event.key not in self.IN_ORDER and not self.read_only:
            event.stop()
            event.prevent_default()
            if not self.typed:
                self.call_later(self.insert_typed)  # runs after the keys already queued behind this one
            self.typed.append(event.character)
            return
        self.insert_typed()
        if action := self.IN_ORDER.get(event.key):
            event.stop()
            event.prevent_default()
            getattr(self, f"action_{action}")()
        else:
            await own_key_now(self, event)

    def insert_typed(self) -> None:
        """Put the gathered keys in, as typing does: over the selection, the cursor after them."""
        if self.typed:
            text, self.typed = "".join(self.typed), []
            self.replace(text, *self.selection, maintain_selection_offset=False)

    def action_complete(self) -> None:
        """Tab: complete the ``@path`` the cursor ends (several matches are listed); elsewhere Tab moves focus."""
        from devsynth_tui.ui.attachments import complete_at_cursor

        matches = complete_at_cursor(self, os.getcwd())
        if matches is None:
            self.screen.focus_next()
        elif not matches:
            self.notify("no file or folder matches that @path", severity="warning")
        elif len(matches) > 1:
            self.notify("  ".join(safe_line(m) for m in matches[:12]) + (" …" if len(matches) > 12 else ""))
