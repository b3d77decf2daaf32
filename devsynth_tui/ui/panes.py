"""The models pane and the dialogs: conversations, renaming, questions before anything is lost."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, ListItem, ListView, Static

from devsynth_tui.services.sanitize import safe_line
from devsynth_tui.ui.failures import ReportsFailures
from devsynth_tui.ui.keys import Field

if TYPE_CHECKING:  # the pipeline (httpx, tiktoken) loads after the first screen
    from devsynth_tui.services.llm.results import ModelInfo
    from devsynth_tui.services.store.conversations import Conversation
    from devsynth_tui.ui.main_screen import MainScreen


class ModelsPane(ReportsFailures, Vertical):
    """The server's models: Enter makes one active, l loads, u unloads (LM Studio 0.4), r refreshes.

    Shows how the last request was routed.
    """

    BINDINGS = [("l", "load", "Load"), ("u", "unload", "Unload"), ("r", "refresh", "Refresh")]

    class Picked(Message):
        def __init__(self, model: str) -> None:
            super().__init__()
            self.model = model

    def compose(self) -> ComposeResult:
        yield Static(
            "Models on the server: Enter makes one active · l loads · u unloads · r refreshes",
            classes="hint",
            markup=False,
        )
        yield DataTable(id="models-table", cursor_type="row")
        yield Static("", id="models-none", markup=False)  # shown when none are
        yield Static("", id="routing", markup=False)

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("", "model", "state", "size", "params", "quantization", "context", "type")

    def show(self, models: list[ModelInfo], active: str | None, server: str) -> None:
        """The models, the cursor staying on the model it was on; none listed says why (``server``: the status)."""
        none = self.query_one("#models-none", Static)
        none.display = not models
        none.update(safe_line(f"No models listed: {server}"))
        table = self.query_one(DataTable)
        current = self._current()
        table.clear()
        for m in models:
            state = {True: "loaded", False: "not loaded", None: "-"}[m.loaded]
            size = f"{m.size_bytes / 1e9:.2f} GB" if m.size_bytes else "-"
            cells = (m.id, state, size, m.params or "-", m.quantization or "-", str(m.context_length or "-"), m.type)
            table.add_row("●" if m.id == active else "", *(Text(safe_line(c or "-")) for c in cells), key=m.id)
        if current is not None and current in {m.id for m in models}:
            table.move_cursor(row=table.get_row_index(current))

    def show_routing(self, text: str) -> None:
        self.query_one("#routing", Static).update(safe_line(text))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.post_message(self.Picked(str(event.row_key.value)))

    def _current(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def action_load(self) -> None:
        self.manage("load", self._current())

    def action_unload(self) -> None:
        self.manage("unload", self._current())

    def action_refresh(self) -> None:
        self.manage("refresh", None)

    @work(exclusive=True, group="models", exit_on_error=False)
    async def manage(self, action: str, model: str | None) -> None:
        """Load or unload a model on the server (LM Studio 0.4), or list the models again."""
        from devsynth_tui.services.app_log import record
        from devsynth_tui.services.errors import describe

        main = cast("MainScreen", self.screen)
        backend = main.session.backend
        if backend is None:
            self.notify(f"no model server yet ({main.backend_label})", severity="warning")
            return
        try:
            if action != "refresh" and model:
                if not await backend.client.supports_loading():
                    self.notify(f"nothing to {action} from here: {backend.loads_models_itself}", severity="warning")
                    return
                self.notify(f"{action}ing {model}…")
                await (backend.client.load_model(model) if action == "load" else backend.client.unload_model(model))
            await main.refresh_models()
            self.notify({"load": f"loaded {model}", "unload": f"unloaded {model}"}.get(action, "models listed again"))
        except Exception as e:
            record(e, f"model {action} failed")
            self.notify(f"{action} failed: {describe(e)}", severity="error")


QUIT = Binding("ctrl+q", "app.quit", "Quit")  # a dialog's bindings hide the app's: every dialog binds it again


class ConversationPicker(ModalScreen[int | None]):
    """Pick a stored conversation to reopen."""

    BINDINGS = [("escape", "dismiss(None)", "Close"), QUIT]

    def __init__(self, conversations: list[Conversation]) -> None:
        super().__init__()
        self.conversations = conversations

    def compose(self) -> ComposeResult:
        from devsynth_tui.services.store.ledger import format_ts

        with Vertical():
            if not self.conversations:
                yield Label(
                    "No stored conversations yet: a first message in the Chat pane starts one. (Esc closes)",
                    id="no-conversations",
                )
                return
            yield Label("Conversations (Enter opens, Esc closes)")
            yield ListView(
                *[
                    ListItem(Label(f"{format_ts(c.updated)}  {safe_line(c.title)}", markup=False), id=f"c{c.id}")
                    for c in self.conversations
                ]
            )

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        if event.item.id:  # c<conversation id>
            self.dismiss(int(event.item.id[1:]))


class RenameScreen(ModalScreen[str | None]):
    """Ask for a new conversation title."""

    BINDINGS = [("escape", "dismiss(None)", "Close"), QUIT]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.current = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("New title (Enter saves, Esc cancels)")
            yield Field(self.current, id="rename-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)


class Choice(ModalScreen[str | None]):
    """A question with a few answers, each on a key and a button (Enter takes the first); Esc answers None."""

    BINDINGS = [("escape", "dismiss(None)", "Cancel"), QUIT]

    def __init__(self, question: str, answers: list[tuple[str, str, str]], id: str | None = None) -> None:
        """``answers``: (key, label, value) each."""
        super().__init__(id=id)
        self.question, self.answers = question, answers

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question, markup=False)
            with Horizontal(classes="row"):
                for key, label, value in self.answers:
                    yield Button(f"{label} ({key})", id=f"choice-{value}", compact=True)
                yield Button("Cancel (Esc)", id="choice-cancel", compact=True)

    def on_key(self, event) -> None:
        for key, _, value in self.answers:
            if event.key == key:
                event.stop()
                self.dismiss(value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        value = (event.button.id or "").removeprefix("choice-")
        self.dismiss(None if value == "cancel" else value)
