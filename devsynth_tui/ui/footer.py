"""The dashboard's footer: Textual's, built again only when the keys it shows change."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """Textual's footer, redrawn once per burst of binding changes (starting the screen makes five, ~50 ms each),
    and only when the keys it would show changed (focusing the prompt at start asks twice for the same keys)."""

    queued = False  # a redraw is queued: later changes of the burst ride on it
    shown: tuple = ()  # the screen's bindings the footer was last composed from

    def bindings_changed(self, screen: Screen) -> None:
        if self.queued:
            return
        self.queued = bool(screen.app.app_focus and self.is_attached and screen is self.screen)
        super().bindings_changed(screen)  # queues one recompose after the next refresh
        if self.queued and not self.shown:  # the first keys go in the first frame (that queued one finds them shown)
            self.call_next(self.recompose)

    async def recompose(self) -> None:
        self.queued = False
        bindings = tuple((key, b, enabled, tip) for key, (_, b, enabled, tip) in self.screen.active_bindings.items())
        if bindings == self.shown:
            return
        self.shown = bindings
        await super().recompose()
