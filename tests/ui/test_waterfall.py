"""The token panel's waterfall of the last request's stages."""

from textual.app import App, ComposeResult

from devsynth_tui.ui.panels import StageWaterfall, TokenPanel


class Host(App):
    def compose(self) -> ComposeResult:
        yield TokenPanel()
        yield StageWaterfall()  # beside the token panel in the sidebar


async def test_waterfall_appears_with_the_last_requests_stages():
    async with Host().run_test(size=(70, 60)) as pilot:
        fall = pilot.app.query_one(StageWaterfall)
        assert not fall.display and not fall.children  # hidden, and no plot built, before any request
        fall.show_stages([("context:relevance", 9000, 1500), ("prompt:template_trimming", 60, 52)])
        await pilot.pause()
        assert fall.display and len(fall.children) == 1
        screen = pilot.app.export_screenshot().replace("&#160;", " ")
        assert "relevance" in screen and "template trimm" in screen and "saved" in screen
        fall.show_stages([("context:priority", 800, 700)])  # the next request replaces the bars
        await pilot.pause()
        screen = pilot.app.export_screenshot().replace("&#160;", " ")
        assert len(fall.children) == 1 and "priority" in screen and "relevance" not in screen
