"""The dashboard's top line: what Textual's Header draws (⭘, the title centred), as one widget."""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.widget import Widget

ICON_WIDTH = 8  # the Header's icon column, and its clock's space on the right
CLOCK_WIDTH = 10


class TitleBar(Widget):
    """⭘ (a click opens the command palette) and the app's title, placed as the Header places them. The Header is
    four widgets that watch four titles: they cost the first frame ~60 ms; this title never changes."""

    DEFAULT_CSS = """
    TitleBar { dock: top; width: 100%; height: 1; background: $panel; color: $foreground; }
    """

    def render(self) -> Content:
        middle = max(self.size.width - ICON_WIDTH - CLOCK_WIDTH, 0)
        return Content(f" ⭘{'':{ICON_WIDTH - 2}}{self.app.title:^{middle}}")

    async def on_click(self, event: events.Click) -> None:
        if event.x < ICON_WIDTH:
            event.stop()
            await self.run_action("app.command_palette")
