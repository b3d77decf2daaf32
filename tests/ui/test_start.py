"""The dashboard's start as behaviour: the first view is built once, styled once, in the configured theme."""

from textual.color import Color
from textual.css.stylesheet import Stylesheet

from devsynth_tui.config import load
from devsynth_tui.ui.app import DevsynthApp
from ui.test_pilot import SIZE


async def test_the_configured_theme_styles_the_first_view_with_one_parse_of_the_stylesheets(monkeypatch):
    reparsed: list[Stylesheet] = []
    real = Stylesheet.reparse
    monkeypatch.setattr(Stylesheet, "reparse", lambda sheet: (reparsed.append(sheet), real(sheet)))
    app = DevsynthApp(load(use_overrides=False).with_values({"ui.theme": "light"}), fixed=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "devsynth-light" and app.has_class("-light-mode") and not app.has_class("-dark-mode")
        assert app.screen.styles.background == Color.parse(app.get_css_variables()["background"])
        assert not reparsed, "the stylesheets were parsed again after the start"
        app.action_set_theme("dark")  # a theme picked later restyles everything, as before
        await pilot.pause()
        assert reparsed and app.screen.styles.background == Color.parse(app.get_css_variables()["background"])
