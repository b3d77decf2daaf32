"""The dashboard through server faults and hostile output (real loopback sockets)."""

import pytest

from devsynth_tui.config import load
from devsynth_tui.ui.app import DevsynthApp
from devsynth_tui.ui.chat import AssistantMessage
from devsynth_tui.ui.markdown_view import MarkdownView
from ui.test_pilot import SIZE, ask, connected, ledger_rows


def app_for(url, **values):
    return DevsynthApp(load(base_url=url).with_values({"llm.embedded.mode": "never", **values}))


@pytest.mark.parametrize(
    "mode, status, shown",
    [
        ("http500", "error", "CUDA out of memory"),
        ("notloaded", "error", "No models loaded"),
        ("disconnect", "partial", "broke mid-answer"),
        ("notjson", "partial", "not JSON"),
        ("badsse", "partial", "not server-sent events"),
        ("nodone", "partial", "ended before [DONE]"),
        ("silent", "error", "did not start answering within 1 s"),
        ("ratelimit", "ok", "tokens"),
        ("bigchunk", "ok", "tokens"),
    ],
)
async def test_dashboard_through_fault(faults, mode, status, shown):
    # only the silent server is waited on for 1 s: a 1 s limit on every read fails other modes on a busy machine
    app = app_for(faults.url(mode), **({"llm.first_byte_timeout": 1.0} if mode == "silent" else {}))
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        await ask(app, pilot, "hello")
        view = app.query(AssistantMessage).last()
        stats = str(view.query_one(".stats").render())
        assert shown in stats and (status == "ok") == (not view.classes & {"error", "partial"})
        if status == "partial":
            assert view.text.startswith("Partial")  # the partial answer stays on screen
        assert ledger_rows()[0]["status"] == status
        await ask(app, pilot, "still usable?")  # the app takes the next prompt
        assert len(app.query(AssistantMessage)) == 2 and app.is_running


async def test_dashboard_shows_hostile_output_literally(faults):
    from fault_server import HOSTILE

    app = app_for(faults.url("hostile"))
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        await ask(app, pilot, "hello")
        view = app.query(AssistantMessage).last()
        assert view.text == HOSTILE
        markdown = view.query_one(MarkdownView)
        shown = " ".join(markdown.plain_lines)
        assert "[@click=app.quit]click me[/]" in shown and "[bold red]rich[/]" in shown
        assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown and "␛[2J" in shown
        await pilot.click(markdown)
        await pilot.pause()
        assert app.is_running
