"""The dashboard's start as behaviour: the first view is built once, styled once, in the configured theme; the
connection starts right after the first frame."""

from textual.app import App
from textual.color import Color
from textual.css.stylesheet import Stylesheet

from devsynth_tui.config import load
from devsynth_tui.services import session
from devsynth_tui.ui.app import DevsynthApp
from devsynth_tui.ui.main_screen import MainScreen
from ui.test_pilot import SIZE, until


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


async def test_the_services_start_right_after_the_first_frame_not_once_the_screen_settles(server_url, monkeypatch):
    """The connection's work (imports and probes in threads) begins after one frame: the later ones (resizes the
    terminal reports, the footer's layout) no longer hold it back."""
    frames: list[str] = []
    frames_at_start: list[list[str]] = []
    real_display, real_start = App._display, MainScreen._start_services
    monkeypatch.setattr(
        App,
        "_display",
        lambda app, screen, update: (update and frames.append(update), real_display(app, screen, update)),
    )
    monkeypatch.setattr(
        MainScreen, "_start_services", lambda main: (frames_at_start.append(list(frames)), real_start(main))
    )
    app = DevsynthApp(load(base_url=server_url).with_values({"llm.embedded.mode": "never"}))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: frames_at_start, 30, "the services started")
        assert len(frames_at_start[0]) == 1, f"{len(frames_at_start[0])} frames before the services started"
        await until(pilot, lambda: "server at" in app.main.backend_label, 60, "the server named")


async def test_a_narrow_terminal_gets_its_layout_in_the_first_styling_of_the_screen(monkeypatch):
    """At 80 columns the narrow class is set as the screen composes, without a restyle of every widget of its own:
    the screen's resume styles them all right after (they were styled twice). The footer's first keys are the narrow
    ones (ctrl+b)."""
    from devsynth_tui.ui.footer import KeysFooter

    restyled: list[MainScreen] = []
    real = MainScreen.update_node_styles
    monkeypatch.setattr(MainScreen, "update_node_styles", lambda main, **kw: (restyled.append(main), real(main, **kw)))
    app = DevsynthApp(load(use_overrides=False), fixed=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.main.has_class("narrow") and not app.query_one("#sidebar").display
        assert "ctrl+b" in app.screen.query_one(KeysFooter).shown_keys()
        assert len(restyled) == 1, f"the screen was restyled {len(restyled)} times"


async def test_the_pipelines_modules_are_imported_once_the_server_answered_not_beside_the_probes(
    server_url, monkeypatch
):
    """The pipeline's modules (a thread) no longer share the interpreter with the probes' client build: they import
    once the server has answered, while the model is resolved and the status line names the server."""
    found_when_imported: list[bool] = []
    real_import = session.import_module

    def importing(name: str):
        if name == session.PIPELINE:
            found_when_imported.append(app.main.session.backend is not None)
        return real_import(name)

    monkeypatch.setattr(session, "import_module", importing)
    app = DevsynthApp(load(base_url=server_url).with_values({"llm.embedded.mode": "never"}))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: not app.main.connection.worker or not app.main.connection.worker.is_running, 60)
        await until(pilot, lambda: app.main.session.pipeline is not None, 60, "the pipeline")
        assert found_when_imported == [True] and app.main.model and "server at" in app.main.backend_label
