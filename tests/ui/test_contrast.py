"""Every character of text on screen meets its theme's contrast ratio (WCAG 2 relative luminance):
7:1 in the high-contrast theme (AAA), 4.5:1 in the dark and light themes (AA).

The colors are the ones Textual resolved for each cell (alpha blended, theme variables applied), read
from the rendered screen of every pane and the states a newcomer meets: dialogs, refusals, alerts,
cancelled and failed answers, toasts. Lines, blocks, plots and sparklines are graphics, not text.
"""

import unicodedata

import pytest
from textual.widgets import Checkbox

from devsynth_tui.config import load
from devsynth_tui.ui.app import DevsynthApp
from devsynth_tui.ui.chat import AssistantMessage
from devsynth_tui.ui.panes import Choice, ConversationPicker
from ui.test_pilot import open_pane

THEMES = {"high-contrast": 7.0, "dark": 4.5, "light": 4.5}
GRAPHIC = ("BOX DRAWINGS", "BLOCK", "BRAILLE", "QUADRANT", "EIGHTH")


def luminance(rgb) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a, b) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula_matches_wcag_reference_values():
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((0x76, 0x76, 0x76), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)  # WCAG's AA gray
    assert contrast((0x59, 0x59, 0x59), (255, 255, 255)) == pytest.approx(7.0, abs=0.01)  # and AAA gray


def is_text(ch: str) -> bool:
    return not ch.isspace() and not any(word in unicodedata.name(ch, "") for word in GRAPHIC)


def cells(app):
    """(ratio, text, where) for every run of text on the screen, with its resolved colors.

    Over a dialog, only the dialog counts: the screen behind it is dimmed on purpose.
    """
    screen = app.screen
    dialog = screen.query_one("Vertical").region if screen is not app.main else None
    unticked = {(box.region.y, box.region.x + 1) for box in screen.query(Checkbox) if not box.value}
    for y, strip in enumerate(screen._compositor.render_strips()):
        x = 0
        for seg in strip:
            x, start = x + seg.cell_length, x
            style = seg.style
            if style is None or not any(is_text(c) for c in seg.text):
                continue
            if dialog and not (dialog.y <= y < dialog.bottom and dialog.x <= start < dialog.right):
                continue
            if (y, start) in unticked:  # an unticked box's X is drawn in the box's own color: hidden on purpose
                continue
            fg, bg = style.color.get_truecolor(), style.bgcolor.get_truecolor()
            if style.reverse:
                fg, bg = bg, fg
            if style.dim:  # terminals draw dim text about halfway to the background
                fg = tuple((f + b) // 2 for f, b in zip(fg, bg))
            yield contrast(fg, bg), seg.text.strip(), f"row {y} {fg} on {bg}"


async def settle(pilot):
    await pilot.pause(0.2)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def states(app, pilot):
    """Each state to check, by name, once it is on screen."""
    main = app.main
    for pane in ("chat", "tasks", "params", "models", "bench", "advisor"):
        await open_pane(app, pilot, pane)  # mounted and filled: its text is on screen to check
        await settle(pilot)
        yield pane
    await pilot.press("f3")
    app.query_one("#task-files").value = "missing.py"
    await pilot.press("enter")
    await settle(pilot)
    assert app.query_one("#task-refusal").has_class("refused")
    yield "tasks: a refused file"
    await pilot.press("f2")
    await main.chat_pane.add(AssistantMessage("Half an answ", "cancelled · the partial answer is kept", "cancelled"))
    await main.chat_pane.add(AssistantMessage("", "error: the server answered 500", "error"))
    main.status_line.show("embedded SmolLM2", "SmolLM2", ["server 3000 MB > 2500 MB free RAM"], main.totals()[0])
    app.notify("a warning toast", severity="warning")
    app.notify("an error toast", severity="error")
    app.notify("an information toast")
    await settle(pilot)
    yield "chat: cancelled and failed answers, an alert, toasts"
    app.clear_notifications()
    await pilot.press("ctrl+o")
    await settle(pilot)
    assert isinstance(app.screen, ConversationPicker)
    yield "the empty conversation picker"
    await pilot.press("escape")
    main.changes["llm.temperature"] = 0.5
    await pilot.press("ctrl+q")
    await settle(pilot)
    assert isinstance(app.screen, Choice)
    yield "the question before quitting"


@pytest.mark.parametrize("theme", THEMES)
async def test_every_text_meets_the_themes_contrast_ratio(theme):
    app = DevsynthApp(load(use_overrides=False).with_values({"ui.theme": theme}), fixed=True)
    least = THEMES[theme]
    low: dict[tuple, str] = {}
    seen = 0
    async with app.run_test(size=(160, 48)) as pilot:
        assert app.theme == f"devsynth-{theme}"
        async for state in states(app, pilot):
            for ratio, text, where in cells(app):
                seen += 1
                if ratio < least:
                    low.setdefault((round(ratio, 2), text[:40]), f"{state}: {where}")
    assert seen > 500  # the screens were drawn
    report = "\n".join(f"{ratio:.2f}:1 {text!r} ({where})" for (ratio, text), where in sorted(low.items()))
    assert not low, f"text below {least}:1 in the {theme} theme:\n{report}"
