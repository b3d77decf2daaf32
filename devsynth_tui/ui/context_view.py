"""The context view: what one request sends (or would send), by component, with tokens and share of the window.

Opened with ctrl+k from the chat: for the prompt being written with its attachments
(before sending), else for the last answer. It shows the data ``ContextView.as_json()``
holds (the same ``ask --json`` and ``optimize --json`` carry): each component, its
tokens and share of the model's window, how it was sent (whole, which line ranges,
summarized, dropped) and why; a folder's files picked, cut and skipped.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from devsynth_tui.services.context.view import sent_as, tokens_said
from devsynth_tui.services.sanitize import safe_line

COLUMNS = ("component", "tokens", "window", "sent as", "why")  # sent as: services.context.view.sent_as


def headline(view: dict, when: str) -> str:
    """The view's first line: tokens, the window and its fill, the model; ``when`` says which request."""
    window, fill = view.get("window"), view.get("fill")
    of = f" of a {window:,}-token window: {fill:.0%} full" if window and fill is not None else " (window unknown)"
    return f"{when}: {tokens_said(view)}{of} · model {safe_line(view['model'] or '-', 40)}  (Esc closes)"


class ContextViewScreen(ModalScreen[None]):
    """One request's context view; Esc (or ctrl+k again) closes it."""

    BINDINGS = [("escape", "dismiss(None)", "Close"), ("ctrl+k", "dismiss(None)", "Close")]

    def __init__(self, view: dict, when: str = "Last answer") -> None:
        super().__init__()
        self.view, self.when = view, when

    def compose(self) -> ComposeResult:
        with Vertical(id="context-view"):
            yield Static(headline(self.view, self.when), id="context-headline", markup=False)
            yield DataTable(id="context-parts", cursor_type="row", zebra_stripes=True)
            yield Static("", id="context-why", markup=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        for part in self.view["parts"]:
            share = f"{part['share']:.1%}" if part["share"] is not None else "-"
            table.add_row(
                Text(safe_line(part["name"], 48)),
                Text(f"{part['tokens']:,}", justify="right"),
                Text(share, justify="right"),
                Text(safe_line(sent_as(part), 40)),
                Text(safe_line(part["why"], 120)),
            )
        table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted component in full under the table (a narrow terminal cuts the why column)."""
        part = self.view["parts"][event.cursor_row]
        detail = f"{part['name']}: {sent_as(part)}" + (f" - {part['why']}" if part["why"] else "")
        self.query_one("#context-why", Static).update(safe_line(detail, 400))
