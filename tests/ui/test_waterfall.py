"""The token panel's waterfall of the last request's stages, and the status line's order when narrow."""

from textual.app import App, ComposeResult

from devsynth_tui.ui.fixed import fixed_report
from devsynth_tui.ui.panels import StageWaterfall, StatusLine, TokenPanel


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
        fall.show_stages([])  # a request that ran no saving stage: the last one's bars go
        await pilot.pause()
        assert not fall.display


class Status(App):
    def compose(self) -> ComposeResult:
        yield StatusLine(markup=False)


async def test_status_line_leads_with_what_serves_at_80_columns():
    """The fallback note gives way first: at 80 columns the line starts with the embedded model, not a failure."""
    async with Status().run_test(size=(80, 3)) as pilot:
        line = pilot.app.query_one(StatusLine)
        line.show(
            "embedded SmolLM2-135M-Instruct (llama.cpp) at 127.0.0.1:8080",
            "SmolLM2-135M-Instruct",
            [],
            fixed_report(),
            note="LM Studio not running at http://localhost:1234/v1",
        )
        await pilot.pause()
        text = str(line.render())
        assert text.startswith("embedded SmolLM2") and "1,524 tokens" in text and "LM Studio" not in text
    async with Status().run_test(size=(200, 3)) as pilot:
        line = pilot.app.query_one(StatusLine)
        line.show("embedded SmolLM2 (llama.cpp)", "m", [], fixed_report(), note="LM Studio not running at x")
        await pilot.pause()
        assert "embedded SmolLM2 (llama.cpp) · LM Studio not running at x" in str(line.render())


async def test_the_status_lines_backend_is_cut_between_words():
    """ "LM Studio at http://localhost:4399…" read as another port: the server's URL is whole or not there."""
    label = "LM Studio at http://localhost:43999/v1"
    for width in range(60, 110, 2):
        async with Status().run_test(size=(width, 3)) as pilot:
            line = pilot.app.query_one(StatusLine)
            line.show(label, "qwen/qwen3-4b", [], fixed_report())
            await pilot.pause()
            text = str(line.render())
            assert "http" not in text or label in text, (width, text)
            assert "1,524 tokens" in text and (width < 100 or label in text), (width, text)


async def test_a_model_tag_is_not_an_address_it_is_cut_not_dropped():
    """Ollama's tags (qwen2.5-coder:7b) and LM Studio's instance ids (qwen/qwen3-4b:2) hold ":<digit>" too."""
    async with Status().run_test(size=(64, 3)) as pilot:
        line = pilot.app.query_one(StatusLine)
        line.show("the server at http://localhost:11434/v1", "qwen2.5-coder:7b-instruct-q4_K_M", [], fixed_report())
        await pilot.pause()
        assert "model qwen2.5-coder:7b" in str(line.render())


async def test_the_status_lines_note_is_cut_between_words():
    """A URL cut short reads as another one ("http://localhost:1…"): the note about the backend is cut between words
    only, wherever the line ends."""
    note = "LM Studio not running at http://localhost:1234/v1"
    label = "embedded SmolLM2-135M-Instruct (llama.cpp) at 127.0.0.1:53063"
    for width in range(110, 200, 3):
        async with Status().run_test(size=(width, 3)) as pilot:
            line = pilot.app.query_one(StatusLine)
            line.show(label, "SmolLM2-135M-Instruct", [], fixed_report(), note=note)
            await pilot.pause()
            text = str(line.render())
            assert "http" not in text or note in text, (width, text)  # the URL whole, or not there
            assert all(len(part) >= StatusLine.MIN_PART for part in text.split(" · ") if part.startswith("LM"))
            assert text.startswith("embedded SmolLM2") and "1,524 tokens" in text  # what serves first; the counts whole
            if width >= 150:
                assert "LM Studio not running" in text, (width, text)
