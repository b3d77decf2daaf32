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
        assert not fall.display  # hidden before any request
        fall.show_stages([("context:instruction_compression", 9000, 1500), ("prompt:template_trimming", 1500, 1500)])
        await pilot.pause()
        text = str(fall.render())
        assert fall.display and "instruction compression: 9,000 → 1,500 (saved 7,500)" in text  # the name whole
        assert "template trimming: 1,500 → 1,500\n" in text  # nothing saved: no saved part
        bars = [line for line in text.splitlines() if set(line) <= {"█", "░"} and line]
        assert bars[0].count("░") > bars[0].count("█") and "░" not in bars[1]  # one scale: 0-9,000 tokens
        assert "0-9,000 tokens" in text
        fall.show_stages([("context:priority", 800, 800)])  # the next request replaces the bars
        await pilot.pause()
        text = str(fall.render())
        assert "priority" in text and "instruction" not in text and "nothing saved" in text and "░" not in text
