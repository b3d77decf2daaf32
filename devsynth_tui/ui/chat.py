"""The chat pane: messages (user text literal, answers as Markdown), the prompt, coalesced streaming."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Markdown, Static

from devsynth_tui.services.sanitize import safe_text

FRAME_SECONDS = 0.15  # a streamed answer is redrawn at most ~7 times a second


class UserMessage(Static):
    """A prompt as the user typed it."""

    def __init__(self, text: str) -> None:
        super().__init__(safe_text(text), markup=False)


class AssistantMessage(Vertical):
    """An answer: Markdown fed in coalesced frames while streaming, stats underneath."""

    def __init__(self, text: str = "", stats: str = "", status: str = "ok") -> None:
        super().__init__(classes="" if status == "ok" else status)
        self._initial, self._stats = text, stats
        self._pending: list[str] = []
        self._parts = [text] if text else []
        self._timer = None

    @property
    def text(self) -> str:
        """The answer so far."""
        return "".join(self._parts)

    def compose(self) -> ComposeResult:
        yield Markdown(safe_text(self._initial), open_links=False)
        yield Static(self._stats or "…", markup=False, classes="stats")

    def start_stream(self) -> None:
        self._timer = self.set_interval(FRAME_SECONDS, self.flush)

    def add(self, text: str) -> None:
        """Queue streamed text; it reaches the screen on the next frame (the first piece at once)."""
        if not self._parts:
            self.call_later(self.flush)
        self._pending.append(text)
        self._parts.append(text)

    async def flush(self) -> None:
        if self._pending:
            chunk = safe_text("".join(self._pending))
            self._pending.clear()
            await self.query_one(Markdown).append(chunk)
            self._scroll_parent()

    def _scroll_parent(self) -> None:
        parent = self.parent
        if isinstance(parent, VerticalScroll) and parent.max_scroll_y - parent.scroll_y < 4:
            parent.scroll_end(animate=False)

    async def finish(self, text: str, stats: str, status: str) -> None:
        """Stop streaming; show the final text (cut or cached answers may differ) and the stats."""
        if self._timer:
            self._timer.stop()
        await self.flush()
        if text != self.text:
            self._parts = [text]
            await self.query_one(Markdown).update(safe_text(text))
        self.set_class(status != "ok", status)
        self.query_one(".stats", Static).update(stats)
        self._scroll_parent()


class ChatPane(Vertical):
    """Conversation title, messages, and the prompt input."""

    def compose(self) -> ComposeResult:
        yield Static("", id="conversation-title", markup=False)
        yield VerticalScroll(id="messages")
        yield Input(placeholder="Ask the model…  (Enter sends, Esc cancels, ctrl+p for commands)", id="prompt")

    def set_title(self, title: str) -> None:
        self.query_one("#conversation-title", Static).update(f"Conversation: {title}")

    async def clear(self) -> None:
        await self.query_one("#messages").remove_children()

    async def add(self, widget) -> None:
        messages = self.query_one("#messages", VerticalScroll)
        await messages.mount(widget)
        messages.scroll_end(animate=False)
