"""Keys applied in the order they were typed. Textual runs a text field's own bindings (backspace, the arrows,
...) once their key has gone up to the app, after the field has handled the keys queued behind it: in a burst
(keys typed while the app is busy, a paste, tmux's send-keys) "help me" became "hellop ". Here they act as the key
arrives."""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Input


async def own_key_now(widget: Widget, event: events.Key) -> bool:
    """Run ``widget``'s own binding for ``event`` now; True if one acted (the key is then handled). A key a screen
    binds with priority comes here only if that binding let it through (End in a field, not in the prompt)."""
    for binding in widget._bindings.key_to_bindings.get(event.key, ()):  # private: Textual has no public accessor
        if not binding.priority and await widget.app.run_action(binding.action, widget):
            event.stop()
            event.prevent_default()
            return True
    return False


class Field(Input):
    """Textual's Input, its own keys acting in the order typed."""

    async def on_key(self, event: events.Key) -> None:
        await own_key_now(self, event)
