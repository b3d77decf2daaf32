"""The dashboard's footer: the screen's keys, drawn as Textual's Footer draws them, by one widget."""

from __future__ import annotations

from typing import NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

BORDER = "▏"  # Textual's vkey border, left of the command palette's key


class FooterItem(NamedTuple):
    """One key as drawn: where it starts and ends on the line."""

    key: str
    start: int
    end: int
    enabled: bool


class KeysFooter(Widget):
    """The focused screen's keys (a click presses one) and the command palette's on the right, cell for cell as
    Textual's Footer shows them. The Footer is a widget per key, built again at each change of keys: ~60 ms of the
    first frame; this one only draws its line again."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "footer-key",
        "footer-key--key",
        "footer-key--description",
        "footer-key--hover",
        "footer-key--border",
    }
    DEFAULT_CSS = """
    KeysFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .footer-key { background: $footer-item-background; }
        .footer-key--key { color: $footer-key-foreground; background: $footer-key-background; text-style: bold; }
        .footer-key--description { color: $footer-description-foreground; background: $footer-description-background; }
        .footer-key--hover { color: $footer-key-foreground; background: $block-hover-background; }
        .footer-key--border { color: $foreground 20%; background: $footer-item-background; }
    }
    """

    hovered: str | None = None  # the key under the mouse
    first: int = 0  # the first key shown: the wheel scrolls the keys that don't fit into view

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def on_resize(self) -> None:
        self.first = 0  # wider, the keys scrolled away may fit

    def bindings_changed(self, screen: Screen) -> None:
        self.hovered, self.first = None, 0  # the key under the pointer is another now
        self.refresh()

    def shown_keys(self) -> list[str]:
        """The keys drawn whole, left to right (the palette's last)."""
        return [item.key for item in self.items()]

    def items(self) -> list[FooterItem]:
        """The keys drawn whole, and where."""
        return self._line()[1]

    def render(self) -> Text:
        return self._line()[0]

    def _line(self) -> tuple[Text, list[FooterItem], bool]:
        """The line, the keys drawn on it, and whether some were cut at its end."""
        keys, palette = self._shown_bindings()
        keys = keys[min(self.first, max(len(keys) - 1, 0)) :]
        right = self._palette_key(*palette) if palette else Text()
        width = max(self.size.width - right.cell_len, 0)
        line, items, cut = Text(no_wrap=True, overflow="crop", end=""), [], False
        for key, display, description, enabled in keys:
            text = self._key(key, f" {display} ", f"{description} ", enabled)
            if cut := line.cell_len + text.cell_len > width:
                break  # the keys that fit whole (Textual's Footer cut the next one anywhere: "^o Chat")
            items.append(FooterItem(key, line.cell_len, line.cell_len + text.cell_len, enabled))
            line.append_text(text)
        if palette:
            line.pad_right(width - line.cell_len)
            items.append(FooterItem(palette[0], width + len(BORDER), self.size.width, palette[3]))
            line.append_text(right)
        return line, items, cut

    def _palette_key(self, key: str, display: str, description: str, enabled: bool) -> Text:
        """The command palette's key, on the right: a border, the key, and its padding."""
        text = Text(BORDER, self.get_component_rich_style("footer-key--border"))
        text.append_text(self._key(key, display, f" {description}", enabled))
        text.append(" ", self.get_component_rich_style("footer-key"))
        return text

    def _shown_bindings(self) -> tuple[list[tuple[str, str, str, bool]], tuple[str, str, str, bool] | None]:
        """(key, how it is shown, description, enabled) of each key the footer shows, and of the palette's."""
        app, active = self.app, self.screen.active_bindings
        palette_key = app.COMMAND_PALETTE_BINDING if app.ENABLE_COMMAND_PALETTE else None
        keys, palette, actions = [], None, set()
        for key, (_, binding, enabled, _) in active.items():
            shown = (key, app.get_key_display(binding), binding.description, enabled)
            if key == palette_key:
                palette = shown
            elif binding.show and binding.action not in actions:  # one key per action, as the Footer shows
                actions.add(binding.action)
                keys.append(shown)
        return keys, palette

    def _key(self, key: str, display: str, description: str, enabled: bool) -> Text:
        hover = self.get_component_rich_style("footer-key--hover") if key == self.hovered else None
        text = Text.assemble(
            (display, self._part("footer-key--key", hover)),
            (description, self._part("footer-key--description", hover)),
        )
        text.stylize_before((hover or self.get_component_rich_style("footer-key")) + Style(dim=not enabled))
        return text

    def _part(self, name: str, hover: Style | None) -> Style:
        """A part's style; under the pointer, the light shows through its background if it has none, as it does
        through a FooterKey's."""
        style = self.get_component_rich_style(name)
        if hover is not None and self.get_component_styles(name).background.a == 0:
            return style + Style(bgcolor=hover.bgcolor)
        return style

    def _item_at(self, x: int) -> FooterItem | None:
        return next((item for item in self.items() if item.start <= x < item.end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        item = self._item_at(event.x)
        if (item.key if item else None) != self.hovered:
            self.hovered = item.key if item else None
            self.refresh()

    def on_leave(self) -> None:
        if self.hovered is not None:
            self.hovered = None
            self.refresh()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        if self._line()[2]:  # keys are cut: one more comes into view
            self.first += 1
            self.refresh()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        if self.first:
            self.first -= 1
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """Press the key clicked, as the Footer does (a bell for one that can't be used now)."""
        if item := self._item_at(event.x):
            if item.enabled:
                self.app.simulate_key(item.key)
            else:
                self.app.bell()
