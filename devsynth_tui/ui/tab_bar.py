"""The panes' tab bar: what Textual's TabbedContent draws above its panes (the titles, the active one underlined),
as one widget."""

from __future__ import annotations

from rich.console import Group
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.renderables.bar import Bar
from textual.widget import Widget


class TabbedPanes(Vertical):
    """The tab bar over the panes: maximized as one (the palette's Maximize), as TabbedContent was."""

    ALLOW_MAXIMIZE = True


class TabBar(Widget, can_focus=True):
    """The panes' titles, the active one bright and underlined; a click on one shows its pane, as do F-keys and,
    with the bar focused, ← →. TabbedContent's tab bar is twelve widgets: ~50 ms of the first frame."""

    ALLOW_SELECT = False
    FOCUS_ON_CLICK = False  # a click shows a pane; one beside the titles must not take the focus from the prompt
    BINDINGS = [
        Binding("left", "step(-1)", "Previous pane", show=False),
        Binding("right", "step(1)", "Next pane", show=False),
    ]
    COMPONENT_CLASSES = {"tab", "tab--active", "tab--focused", "tab--hover", "underline--bar", "underline--focused"}
    DEFAULT_CSS = """
    TabBar {
        dock: top;
        width: 100%;
        height: 2;
        .tab { color: $text-muted; }  /* Textual's $foreground 50% is too faint to read on the themes here */
        .tab--active { color: $foreground; }
        .tab--hover { color: $foreground; }
        .tab--focused { color: $block-cursor-foreground; background: $block-cursor-background; }
        .tab--focused { text-style: $block-cursor-text-style; }
        .underline--bar { color: $block-cursor-background; background: $foreground 10%; }
        .underline--focused { color: $block-cursor-background; background: $foreground 30%; }
    }
    """

    active: reactive[str] = reactive("")
    hovered: str | None = None  # the tab under the mouse

    class Chosen(Message):
        """A tab was clicked, or ``stepped`` to (← →: the bar keeps the focus): its pane is to be shown."""

        def __init__(self, tab: str, stepped: bool = False) -> None:
            self.tab, self.stepped = tab, stepped
            super().__init__()

    def __init__(self, tabs: list[tuple[str, str]], active: str, **kwargs) -> None:
        """``tabs``: (id, title) of each pane, in order."""
        super().__init__(**kwargs)
        self.tabs = tabs
        self.set_reactive(TabBar.active, active)

    def spans(self) -> list[tuple[str, int, int]]:
        """(id, first cell, cell after the last) of each title, without its padding of one cell on each side."""
        spans, x = [], 0
        for tab, title in self.tabs:
            spans.append((tab, x + 1, x + 1 + len(title)))
            x += len(title) + 2
        return spans

    def scrolled(self) -> int:
        """Cells the titles are moved left by, so that the active one is whole in a narrow terminal."""
        end = next((end for tab, _, end in self.spans() if tab == self.active), 0)
        return max(end + 1 - self.size.width, 0)

    def render(self) -> Group:
        titles = Text(no_wrap=True, overflow="crop")
        active = "tab--focused" if self.has_focus else "tab--active"
        for tab, title in self.tabs:
            style = active if tab == self.active else "tab--hover" if tab == self.hovered else "tab"
            titles.append(f" {title} ", self.get_component_rich_style(style))
        bar = self.get_component_rich_style("underline--focused" if self.has_focus else "underline--bar")
        left = self.scrolled()
        start, end = next(((start, end) for tab, start, end in self.spans() if tab == self.active), (left, left))
        underline = Bar((start - left, end - left), Style.from_color(bar.color), Style.from_color(bar.bgcolor))
        shown = titles[left:]  # a slice of a Text wraps unless told again
        shown.no_wrap, shown.overflow = True, "crop"
        return Group(shown, underline)

    def _tab_at(self, x: int) -> str | None:
        x += self.scrolled()
        return next((tab for tab, start, end in self.spans() if start - 1 <= x < end + 1), None)

    def on_click(self, event: events.Click) -> None:
        if (tab := self._tab_at(event.x)) is not None:
            self.post_message(self.Chosen(tab))

    def action_step(self, by: int) -> None:
        tabs = [tab for tab, _ in self.tabs]
        self.post_message(self.Chosen(tabs[(tabs.index(self.active) + by) % len(tabs)], stepped=True))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        tab = self._tab_at(event.x) if event.y == 0 else None
        if tab != self.hovered:
            self.hovered = tab
            self.refresh()

    def on_leave(self) -> None:
        if self.hovered is not None:
            self.hovered = None
            self.refresh()
