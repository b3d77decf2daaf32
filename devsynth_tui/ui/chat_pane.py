"""The chat pane and its controller: conversations on screen, and the answers streaming into them.

An answer keeps streaming into its conversation whichever conversation is on
screen; the request runner holds the one copy of the answer so far, which the
view replays when its conversation is opened again mid-answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from devsynth_tui.services.errors import ServiceError
from devsynth_tui.services.sanitize import safe_line
from devsynth_tui.ui.attachments import AttachmentBar
from devsynth_tui.ui.chat import ENDING, STREAMING, AssistantMessage, PromptArea, UserMessage, show_stopped
from devsynth_tui.ui.failures import ReportsFailures
from devsynth_tui.ui.state import RequestCancelled, RequestEnded

if TYPE_CHECKING:
    from collections.abc import Hashable

    from textual.widget import Widget
    from textual.widgets import Button
    from textual.worker import Worker

    from devsynth_tui.services.requests import Answer
    from devsynth_tui.services.session import Session
    from devsynth_tui.services.store.conversations import Message
    from devsynth_tui.ui.main_screen import MainScreen

ATTACH_PAUSE = 0.3  # the attachment bar is worked out once typing pauses this long
SEND_FIRST = 0.05  # an answer's views mount once its request is written, or after this long (a longer prepare)
NEW_TITLE = "new (saved with its first message)"
# Messages mounted as a conversation opens, and per press of its "earlier messages" button: a long conversation
# mounted whole took seconds, at start-up too (the latest one opens), and held the keys for its layout.
SHOWN_AT_OPEN = 10


@dataclass
class LiveAnswer:
    """An answer streaming into its conversation, whichever conversation is on screen."""

    conversation_id: int | None  # None while a new conversation is being stored
    key: Hashable  # its entry in ChatPane.live: the conversation's id, or its new chat's token until it is stored
    view: AssistantMessage | None
    answer: Answer  # the runner's: the one copy of the answer so far
    worker: Worker | None = None
    mounted: asyncio.Event = field(default_factory=asyncio.Event)  # its view, with what arrived while it mounted
    sent: asyncio.Event = field(default_factory=asyncio.Event)  # its request written, or the answer has news

    def shown(self) -> AssistantMessage | None:
        """The view, while it is on screen (none while it mounts: what arrives meanwhile is replayed into it)."""
        return self.view if self.mounted.is_set() and self.view is not None and self.view.is_attached else None

    async def settled(self) -> AssistantMessage | None:
        """The view once mounted, while it is on screen: for an end, which must not come before the start."""
        self.sent.set()
        await self.mounted.wait()
        return self.shown()

    async def sent_first(self) -> None:
        """Return once the request is written, or SEND_FIRST later: its views' mount and layout, which hold the
        event loop, wait until then rather than holding the request back."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(SEND_FIRST):
                await self.sent.wait()


def message_view(message: Message) -> UserMessage | AssistantMessage:
    """A stored message as the conversation shows it."""
    if message.role == "user":
        return UserMessage(message.content, message.meta.get("attachments"))
    stats, title = message.meta.get("stats", ""), message.meta.get("thinking_title", "Thinking")
    view = AssistantMessage(message.content, stats, message.status, message.thinking, title)
    view.context = message.meta.get("context")
    return view


class ChatPane(ReportsFailures, Vertical):
    """Conversation title, messages and the prompt; owns the live answers and the conversation on screen."""

    BINDINGS = [  # before the prompt's ctrl+k (delete to line end) and ctrl+x (cut, while nothing is attached)
        Binding("ctrl+k", "context_view", "Context", priority=True),
        Binding("ctrl+x", "detach", "Detach @path", priority=True),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.conversation_id: int | None = None
        self.new_chat = object()  # the new conversation on screen, not stored yet: its answer's key in live
        self.live: dict[Hashable, LiveAnswer] = {}  # by conversation, as ``key`` names it
        self.tokenizer_loading = False  # started loading as the first prompt was typed
        self.earlier: list[Message] = []  # the conversation's messages not shown yet, oldest first

    def compose(self) -> ComposeResult:
        yield Static("", id="conversation-title", markup=False)
        yield VerticalScroll(id="messages")
        yield AttachmentBar(id="attachments")
        yield PromptArea(
            placeholder="Ask the model…  (Enter sends, ctrl+j new line, Esc cancels, ctrl+p commands)",
            id="prompt",
            soft_wrap=True,
            show_line_numbers=False,
            compact=True,
        )

    def on_mount(self) -> None:
        self.query_one("#messages", VerticalScroll).anchor()

    @property
    def main(self) -> MainScreen:
        return cast("MainScreen", self.screen)

    @property
    def session(self) -> Session:
        return self.main.session

    @property
    def key(self) -> Hashable:
        """The conversation on screen as ``live`` knows it: its id, or the new chat's own token until it is stored
        (two new chats, one left while its first answer waits to be stored, are not one)."""
        return self.new_chat if self.conversation_id is None else self.conversation_id

    def set_title(self, title: str) -> None:
        self.query_one("#conversation-title", Static).update(f"Conversation: {safe_line(title)}")

    async def clear(self) -> None:
        self.earlier = []
        await self.query_one("#messages").remove_children()

    async def add(self, *widgets) -> None:
        """Mount ``widgets`` at the end of the conversation (together: one layout) and scroll to them."""
        messages = self.query_one("#messages", VerticalScroll)
        await messages.mount(*widgets)
        messages.scroll_end(animate=False)

    # -- conversations -------------------------------------------------------------------

    def open_latest(self) -> None:
        latest = self.session.conversations.latest()
        if latest:
            self.run_worker(self.open_conversation(latest.id), exclusive=True, group="open", exit_on_error=False)
        else:
            self.set_title(NEW_TITLE)

    async def open_conversation(self, conversation_id: int) -> None:
        """Show a stored conversation, its last SHOWN_AT_OPEN messages (a button shows earlier ones); an answer
        still streaming into it continues on screen."""
        await self.clear()
        self.conversation_id = conversation_id
        self.set_title(self.title_of(conversation_id) or "?")
        messages = self.session.conversations.messages(conversation_id)
        self.earlier = messages[:-SHOWN_AT_OPEN]
        shown: list[Widget] = [message_view(m) for m in messages[-SHOWN_AT_OPEN:]]
        if self.earlier:
            from textual.widgets import Button

            shown.insert(0, Button(self._earlier_label(), id="earlier", compact=True))
        await self.add(*shown)  # together: one layout
        live = self.live.get(conversation_id)
        if live and messages and messages[-1].role == "user":  # its answer is not stored yet
            view = AssistantMessage()
            await self.add(view)
            answer = live.answer  # what arrived while it mounted is in the runner's answer
            view.replay(answer.parts, answer.thinking_parts, answer.notice or (STREAMING if answer.pieces else ""))
            live.view = view

    def _earlier_label(self) -> str:
        shown = min(len(self.earlier), SHOWN_AT_OPEN)
        return f"▲ {len(self.earlier):,} earlier messages: show {shown:,} more"

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "earlier":
            event.stop()
            await self.show_earlier()

    async def show_earlier(self) -> None:
        """Show SHOWN_AT_OPEN earlier messages of the conversation on screen, above those shown (the button above
        them, or PageUp or Home from the prompt with the chat at its top)."""
        from textual.widgets import Button

        button = next(self.query("#earlier").results(Button), None)
        if button is None or not self.earlier:
            return
        shown, self.earlier = self.earlier[-SHOWN_AT_OPEN:], self.earlier[:-SHOWN_AT_OPEN]
        await self.query_one("#messages").mount(*map(message_view, shown), after=button)
        if self.earlier:
            button.label = self._earlier_label()
        else:
            await button.remove()

    def title_of(self, conversation_id: int) -> str:
        stored = self.session.conversations.get(conversation_id)
        return stored.title if stored else ""

    async def leave(self) -> None:
        for live in self.live.values():
            live.view = None  # it keeps streaming into its conversation, off screen
        await self.clear()

    async def new_conversation(self) -> None:
        await self.leave()
        self.conversation_id, self.new_chat = None, object()
        self.set_title(NEW_TITLE)

    async def switch_to(self, conversation_id: int) -> None:
        await self.leave()
        await self.open_conversation(conversation_id)

    def cancel(self) -> None:
        """Esc: stop the answer streaming into the conversation on screen."""
        live = self.live.get(self.key)
        if live and live.worker:
            live.worker.cancel()

    # -- answers ---------------------------------------------------------------------------

    def on_text_area_changed(self, event) -> None:
        """A prompt is being typed: show what it attaches, and load the tokenizer (~26 MB, not loaded at start-up) in
        a thread meanwhile if it attaches files (counted before sending). Not for words alone: a question that fits
        by bytes is sent at once, and the build (one ~60 ms call holding the interpreter) would hold the keys
        typed, also those typed during an answer."""
        from devsynth_tui.services.context import token_accounting

        if "@" in event.text_area.text and not token_accounting.loaded() and not self.tokenizer_loading:
            self.tokenizer_loading = True
            self.run_worker(token_accounting.load, thread=True, group="tokenizer", exit_on_error=False)
        if isinstance(event.text_area, PromptArea):
            self.show_attachments(event.text_area.text)

    async def on_prompt_area_submitted(self, event: PromptArea.Submitted) -> None:
        text = event.value
        if not text.strip():
            self.notify("empty prompt: type a question first", severity="warning")
            return
        if not self.main.connection.can_send():
            self.notify(f"no model server ({self.main.backend_label})", severity="warning")
            return
        if live := self.live.get(self.key):
            if live.answer.done is None:
                self.notify("an answer is still streaming here: Esc cancels it", severity="warning")
            else:  # answered, and waiting to be stored: a lock held elsewhere keeps its question waiting
                self.notify("the last answer waits for the database (see the status line); Esc stops waiting")
            return
        asked_in = self.key
        try:
            request = await self.attached(text)
        except ServiceError as e:  # an attached file that can't be used: said in place, the prompt stays
            self.notify(str(e), severity="error")
            return
        if self.key != asked_in:  # another conversation opened meanwhile: its history was not read
            self.notify("the conversation changed as the question was read: Enter sends it here", severity="warning")
            return
        event.prompt.clear()
        await self.send(text, request)

    async def attached(self, text: str):
        """The request for ``text``: its ``@path`` attachments and those of the conversation's earlier questions
        (sent again: README, attachments), with the conversation so far, read off the event loop in one step."""
        from devsynth_tui.services.context.attachments import attach, earlier_attachments

        cid, convs, cwd = self.conversation_id, self.session.conversations, os.getcwd()

        def read():
            history = convs.messages(cid) if cid is not None else []
            request = attach(text, cwd, earlier_attachments(history))
            request.history = history
            return request

        return await asyncio.to_thread(read)

    async def send(self, text: str, request=None) -> None:
        """Start an answer in the conversation on screen: sent as its view mounts, and stored (a new conversation
        too) while it is answered, so a database lock held elsewhere delays neither the answer nor the keys."""
        from devsynth_tui.services.pipeline.request import ChatRequest
        from devsynth_tui.services.requests import Answer

        request = request or ChatRequest(text)
        view = AssistantMessage()
        live = LiveAnswer(self.conversation_id, self.key, view, Answer())
        self.live[live.key] = live
        live.worker = self.run_worker(self.answer(live, request, text), group="answer", exit_on_error=False)
        try:  # sent before the question and its answer's view mount
            await live.sent_first()
            await self.add(UserMessage(request.prompt, request.attachments), view)
            self.query_one(AttachmentBar).show([])
            answer = live.answer  # the runner's by now, with what arrived while the view mounted
            view.replay(answer.parts, answer.thinking_parts, answer.notice)
        finally:
            live.mounted.set()

    def created(self, live: LiveAnswer, conversation_id: int) -> None:
        """The conversation ``live`` started is stored; it is the one on screen unless the user left it meanwhile."""
        on_screen = self.key == live.key  # not left meanwhile (its view may still be mounting)
        if self.live.get(live.key) is live:  # else its run ended first (cancelled while a lock held elsewhere)
            self.live[conversation_id] = self.live.pop(live.key)
        live.conversation_id = live.key = conversation_id
        if on_screen:
            self.conversation_id = conversation_id
            self.set_title(self.title_of(conversation_id))

    async def answer(self, live: LiveAnswer, request, text: str) -> None:
        """Stream one answer; Esc cancels it (the server stops, the partial answer is stored and stays)."""
        from devsynth_tui.services.llm.results import Delta
        from devsynth_tui.services.pipeline.request import Done, Notice, StreamEnded
        from devsynth_tui.services.requests import RequestRun

        state = self.main.state
        source = f"chat-{id(live)}"

        def waiting(text: str) -> None:
            live.answer.notice = text
            if view := live.shown():  # it may be off screen by now (another conversation opened)
                view.notice(text)

        try:
            pipeline = await self.main.connection.pipeline_when_connected(waiting)
            if pipeline is None:
                if view := await live.settled():
                    await view.finish("", f"not sent: {self.main.backend_label}", "error")
                prompt = self.query_one(PromptArea)
                prompt.text = prompt.text or text  # the question is not lost (its @paths too): send it again with Enter
                return
            from devsynth_tui.services.llm.connection import CHAT_SENT  # loaded with the pipeline's client

            CHAT_SENT.set(live.sent.set)  # in this worker's task only
            convs, created = self.session.conversations, lambda cid: self.created(live, cid)
            run = RequestRun(pipeline, request, convs, live.conversation_id, title=request.prompt, created=created)
            live.answer = run.answer
            async with aclosing(run.events()) as events:  # a cancel closes it here: the answer is stored
                async for event in events:
                    if isinstance(event, (Delta, Done)):  # a cached answer, or one that ended before it was sent
                        live.sent.set()
                    view = live.shown()
                    if isinstance(event, Delta):
                        if view:
                            await view.take(event.text, event.thinking)
                        if run.answer.pieces == 1:  # what it waited for (the prompt's processing) is over
                            live.answer.notice = STREAMING
                            self.call_after_refresh(self._streaming, live)
                        state.streamed(source, run.answer.pieces, run.answer.prepared)  # the totals wait for the ledger
                    elif isinstance(event, Notice):
                        state.set(notice=event.text)
                        if view:
                            view.notice(event.text)
                    elif isinstance(event, StreamEnded):  # on screen whole before it is counted
                        live.answer.notice = ENDING
                        if view:
                            await view.stream_ended()
                    elif isinstance(event, Done):
                        await self.finished(live, event)
        except asyncio.CancelledError:
            if view := await live.settled():
                if (sent := live.answer.prepared) and sent.counted:  # ctrl+k shows it for a cut-short answer too
                    from devsynth_tui.services.context.view import view_of

                    view.context = view_of(sent).as_json()
                if live.answer.done is None:  # else it was shown whole: only the wait for its storing was cancelled
                    await show_stopped(view, live.answer)
            self.post_message(RequestCancelled(live.answer.prepared))
            raise
        except ServiceError as e:  # the database refused the answer's rows (e.g. locked past the timeout)
            if view := await live.settled():
                await view.finish(view.text, f"error: {e}", "error")  # the answer stays on screen
            self.notify(str(e), title="Not recorded", severity="error", timeout=10)
        finally:
            if self.live.get(live.key) is live:
                del self.live[live.key]
            state.stream_ended(source)
            state.set(notice="")

    def _streaming(self, live: LiveAnswer) -> None:
        """The answer's first text is drawn: the notice of what it waited for goes, in the next frame (the first
        text's frame draws that text alone: the status line and the stats line each cost it ~2 ms)."""
        ended = live.answer.done is not None or live.answer.notice == ENDING
        if self.live.get(live.key) is live and not ended:  # else it ended meanwhile (or was cancelled): its end said so
            self.main.state.set(notice="")
            if view := live.shown():
                view.notice(STREAMING)

    async def finished(self, live: LiveAnswer, done) -> None:
        """The final answer on screen, then the other panes told (and a large answer's gc run after that frame)."""
        await live.mounted.wait()  # a cached answer may end before its view is mounted
        if done.prepared is not None:
            from devsynth_tui.services.context.view import view_of

            context = view_of(done.prepared).as_json()
            self.main.state.set(fill=context["fill"])
            if view := live.shown():
                view.context = context
        if view := live.shown():
            await view.finish(done.text, done.summary(), done.status, done.thinking_title())
        elif live.key != self.key:
            self.notify(f"an answer finished in another conversation ({done.status}): ctrl+o opens it")
        self.post_message(RequestEnded(done))

    # -- renaming and deleting -------------------------------------------------------------

    def rename(self) -> None:
        """Ask for a new title for the conversation on screen."""
        from devsynth_tui.ui.panes import RenameScreen

        if self.conversation_id is None:
            self.notify("nothing to rename yet: send a first message", severity="warning")
            return
        conversations, conversation_id = self.session.conversations, self.conversation_id

        async def renamed(title: str | None) -> None:
            if title is None:
                return
            try:
                await self.session.store.arun(conversations.rename, conversation_id, title)
            except ValueError as e:
                self.notify(str(e), severity="error")
                return
            if self.conversation_id == conversation_id:  # still the one on screen
                self.set_title(self.title_of(conversation_id))

        self.app.push_screen(RenameScreen(self.title_of(conversation_id)), renamed)

    def delete(self) -> None:
        """Delete the conversation on screen, once the user said yes."""
        from devsynth_tui.ui.panes import Choice

        conversation_id = self.conversation_id
        if conversation_id is None:
            self.notify("nothing to delete: this conversation is not saved yet", severity="warning")
            return
        if conversation_id in self.live:
            self.notify("an answer is still streaming here: Esc cancels it first", severity="warning")
            return
        conversation = self.session.conversations.get(conversation_id)
        title = safe_line(conversation.title, 80) if conversation else "?"
        count = conversation.messages if conversation else 0

        async def answered(choice: str | None) -> None:
            if choice == "delete":
                await self.session.store.arun(self.session.conversations.delete, conversation_id)
                self.notify(f"deleted: {title}")
                if self.conversation_id == conversation_id:
                    await self.main.action_new_conversation()

        self.app.push_screen(
            Choice(f"Delete “{title}” and its {count} messages for good?", [("y", "Delete", "delete")]), answered
        )

    # -- attachments and the context view -------------------------------------------------

    @work(exclusive=True, group="attachments")
    async def show_attachments(self, text: str) -> None:
        """The bar above the prompt: what it attaches, with tokens and share of the window (after a pause in
        typing; a folder's files come from the cache the second time)."""
        from devsynth_tui.services.context.attachments import parse_attachments, unfound_paths
        from devsynth_tui.ui.attachments import describe

        def mentions() -> bool:  # a path found, or one written as a path that names nothing (said before Enter)
            return bool(parse_attachments(text, os.getcwd())[1] or unfound_paths(text, os.getcwd()))

        await asyncio.sleep(ATTACH_PAUSE)  # a newer keystroke cancels this one (exclusive worker)
        if not (bars := self.query(AttachmentBar)):
            return  # the pane went meanwhile (the app is quitting)
        bar = bars.first()
        if "@" not in text or not await asyncio.to_thread(mentions):
            bar.show([])
            return
        try:
            request = await self.attached(text)
        except ServiceError as e:
            bar.show([f"can't attach: {e}"])
            return
        window = await self.window()
        bar.show(describe(request.context, request.listings, window))

    async def window(self) -> int | None:
        """The model's context length as the server says it, else None (not connected yet)."""
        backend = self.session.backend
        if backend is None or not self.main.connection.can_send():
            return None
        try:
            return await backend.context_length(await backend.resolve_model(self.session.cfg.llm.model))
        except Exception:
            return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """ctrl+x detaches only while something is attached; else it is the prompt's cut."""
        return action != "detach" or self.query_one(AttachmentBar).display

    def action_detach(self) -> None:
        """ctrl+x: detach the prompt's last attachment (its @ goes; the path stays as text)."""
        from devsynth_tui.ui.attachments import detach_last

        prompt = self.query_one(PromptArea)
        text = detach_last(prompt.text, os.getcwd())
        if text == prompt.text:
            self.notify("nothing attached: type @ and a path (Tab completes it)")
            return
        prompt.text = text
        prompt.move_cursor(prompt.document.end)  # where typing goes on (a new text puts it at the start)

    async def action_context_view(self) -> None:
        """ctrl+k: the context view of the prompt being written (with its attachments), else of the answer streaming,
        else of the last answer."""
        from devsynth_tui.ui.context_view import ContextViewScreen

        text = self.query_one(PromptArea).text
        if text.strip():
            self.run_worker(self.preview(text), exclusive=True, group="preview", exit_on_error=False)
            return
        live = self.live.get(self.key)
        if live and live.view is not None and live.answer.done is None:  # on screen, or mounting
            sent = live.answer.prepared
            if sent is None or not sent.counted:  # sent by bytes: counted as it ends
                self.notify("this answer is on its way: what it sent is counted, and shown here, once it ends")
                return
            from devsynth_tui.services.context.view import view_of

            self.app.push_screen(ContextViewScreen(view_of(sent).as_json(), "This answer (streaming)"))
            return
        answers = [a for a in self.query(AssistantMessage) if a.context]
        if not answers:
            self.notify("no answer here yet: the context view shows what a request sent (type a prompt first)")
            return
        self.app.push_screen(ContextViewScreen(answers[-1].context or {}, "Last answer"))

    async def preview(self, text: str) -> None:
        """What the prompt being written would send, prepared as for sending (no model call)."""
        from devsynth_tui.services.context.view import view_of
        from devsynth_tui.ui.context_view import ContextViewScreen

        try:
            request = await self.attached(text)
            pipeline = await self.main.connection.pipeline_when_connected(lambda note: None)
            if pipeline is None:
                self.notify(f"no model server ({self.main.backend_label})", severity="warning")
                return
            if self.conversation_id is not None:
                request.history = await asyncio.to_thread(self.session.conversations.messages, self.conversation_id)
            prepared = await pipeline.prepare(request)
        except ServiceError as e:
            self.notify(str(e), severity="error")
            return
        self.app.push_screen(ContextViewScreen(view_of(prepared).as_json(), "Before sending"))
