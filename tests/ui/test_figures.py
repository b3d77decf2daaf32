"""Every figure on screen agrees with the ledger after a cancelled answer, a failed connect and a benchmark run;
a failure in a worker shows one line naming the log file, which holds its traceback (never the API key)."""

import pytest

from devsynth_tui.config import load
from devsynth_tui.services.advisor import checks as advisor
from devsynth_tui.services.app_log import LOG_NAME
from devsynth_tui.ui.app import DevsynthApp
from devsynth_tui.ui.chat import AssistantMessage

from .test_pilot import SIZE, ask, connected, ledger_rows, small_benchmark, until

pytestmark = pytest.mark.integration


def text_of(app, selector: str) -> str:
    return str(app.query_one(selector).render())


def assert_figures_match_ledger(app) -> None:
    """The sidebar's counters and last request, and the status line's total, are the ledger's."""
    rows = [r for r in ledger_rows() if r["session"] == app.session.id]
    session, _ = app.session.totals()
    assert session.total_tokens == sum(r["total_tokens"] for r in rows)
    tokens, status = text_of(app, "#tokens"), text_of(app, "#status")
    assert f"{session.total_tokens:,} tokens" in status and "~" not in status + tokens  # exact: no estimate left
    counts = tokens.split("Tokens · all time")[0]
    assert f"{session.prompt_tokens:>9,}" in counts and f"{session.completion_tokens:>7,}" in counts
    last = tokens.split("Last request")[1]
    newest = rows[0]
    assert f"· {newest['status']}" in last
    assert f"{newest['prompt_tokens']:,} + {newest['completion_tokens']:,} tokens" in last
    assert app.main.request_tokens[-1] == newest["total_tokens"]


async def held_mid_answer(app, pilot, recording_proxy, question: str) -> AssistantMessage:
    """Ask ``question`` and wait until its answer is held mid-stream (``recording_proxy.gate`` lets it go on)."""
    recording_proxy.hold_after(5)
    app.query_one("#prompt").text = question
    await pilot.press("enter")
    await until(pilot, lambda: bool(app.query(AssistantMessage)), what="the answer view")
    view = app.query(AssistantMessage).last()
    await until(pilot, lambda: recording_proxy.holding.is_set() and bool(view.text), what="a partial answer")
    return view


async def cancelled_mid_answer(app, pilot, recording_proxy, question: str) -> AssistantMessage:
    """Ask ``question``, press Esc while its answer is held mid-stream, and wait for the cancelled row."""
    view = await held_mid_answer(app, pilot, recording_proxy, question)  # Esc certainly comes before its end
    await pilot.press("escape")
    await until(pilot, lambda: not app.main.chat_pane.live, what="the cancel")
    recording_proxy.gate.set()
    await until(pilot, lambda: "cancelled" in text_of(app, "#tokens"), what="the cancelled last request")
    return view


async def test_after_a_cancelled_answer_every_figure_is_the_ledgers(recording_proxy, app_home):
    app = DevsynthApp(
        load(base_url=recording_proxy.url).with_values({"llm.embedded.mode": "never", "llm.max_tokens": 3000})
    )
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        await cancelled_mid_answer(app, pilot, recording_proxy, "Write a very long story about a dragon.")
        assert ledger_rows()[0]["status"] == "cancelled"
        assert_figures_match_ledger(app)


def app_asking_for_tests(recording_proxy, tmp_path, max_tokens: int) -> tuple[DevsynthApp, str]:
    """An app on the recording proxy, and a question attaching a 60-function file (counted before it is sent)."""
    source = tmp_path / "prices.py"
    source.write_text("".join(f"def price_{i}(x):\n    return round(x * {i}.25, 2)\n\n" for i in range(60)))
    values = {"llm.embedded.mode": "never", "llm.max_tokens": max_tokens}
    return DevsynthApp(load(base_url=recording_proxy.url).with_values(values)), f"Write tests for @{source}"


async def test_a_cancelled_answer_counts_its_prompt_as_the_context_view_does(recording_proxy, app_home, tmp_path):
    """Cut short, no usage comes: the row's prompt is the model's own count taken before sending (ctrl+k's), not
    cl100k's, which is a third lower for code on this model."""
    app, question = app_asking_for_tests(recording_proxy, tmp_path, max_tokens=3000)
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        context = (await cancelled_mid_answer(app, pilot, recording_proxy, question)).context
        assert context["sent_exact"] and context["tokens_sent"] != context["tokens"]  # the two counts differ here
        assert ledger_rows()[0]["prompt_tokens"] == context["tokens_sent"]
        assert_figures_match_ledger(app)


async def test_while_an_answer_streams_its_prompt_counted_before_sending_is_in_the_totals(
    recording_proxy, app_home, tmp_path
):
    """A question with a file is counted before it is sent: while its answer streams, the sidebar's prompt and the
    totals include that count, marked ~ (the total no longer jumps by the whole file when the answer ends)."""
    app, question = app_asking_for_tests(recording_proxy, tmp_path, max_tokens=40)
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        await held_mid_answer(app, pilot, recording_proxy, question)
        (live_answer,) = app.main.chat_pane.live.values()
        sent = live_answer.answer.prepared.tokens_sent
        await until(pilot, lambda: app.main.state.figures.live_completion > 0, what="the live estimate")
        figures = app.main.state.figures
        assert figures.live_prompt == sent > 1000
        live = figures.session.total_tokens + sent + figures.live_completion
        assert f"~{live:,} tokens" in text_of(app, "#status")
        assert f"prompt {'~' + format(figures.session.prompt_tokens + sent, ','):>9}" in text_of(app, "#tokens")
        recording_proxy.gate.set()
        await until(pilot, lambda: not app.main.chat_pane.live, what="the answer's end")
        await until(pilot, lambda: "~" not in text_of(app, "#status"), what="the counted figures")
        assert app.main.state.figures.live_prompt == 0
        assert_figures_match_ledger(app)


async def test_after_a_failed_connect_the_server_row_says_so(app_home):
    cfg = load(base_url="http://127.0.0.1:9/v1").with_values({"llm.embedded.mode": "never"})
    app = DevsynthApp(cfg)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "not connected" in app.main.backend_label, what="the failed connect")
        await until(pilot, lambda: "connecting" not in text_of(app, "#resources"), what="the server row")
        assert "no server" in text_of(app, "#resources")
        assert "not connected" in text_of(app, "#status") and "0 tokens" in text_of(app, "#status")
        assert ledger_rows() == [] and "none yet" in text_of(app, "#tokens")


async def test_after_a_benchmark_every_figure_is_the_ledgers(make_app):
    """The benchmark's request is the last request: its figures, and no earlier answer's stages under them."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        await ask(app, pilot, "Say hi.")
        fall = app.query_one("#stage-waterfall")
        await until(pilot, lambda: fall.display, what="the answer's stages")
        await small_benchmark(app, pilot)
        await until(pilot, lambda: ledger_rows()[0]["operation"].startswith("bench"), what="the benchmark's rows")
        await until(pilot, lambda: not fall.display, what="the answer's stages gone")
        assert_figures_match_ledger(app)


async def test_a_check_that_raises_shows_one_line_and_lands_in_the_log(make_app, monkeypatch, app_home):
    secret = "sk-test-secret-0123456789"
    monkeypatch.setenv("DEVSYNTH_TUI_API_KEY", secret)

    def broken(facts):
        raise RuntimeError(f"a check went wrong near {secret}")

    monkeypatch.setattr(advisor, "CHECKS", [*advisor.CHECKS, broken])
    app = make_app()
    said: list[str] = []
    notify = app.notify
    app.notify = lambda message, **kw: (said.append(str(message)), notify(message, **kw))[1]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        log = app_home / LOG_NAME
        await until(pilot, lambda: any("advisor failed" in line for line in said), what="one line")
        await until(pilot, lambda: log.exists() and "Traceback" in log.read_text(), what="the traceback in the log")
        app.query_one("AdvisorPane").recheck()  # the same failure again: logged again, not said again
        await until(pilot, lambda: log.read_text().count("Traceback") >= 2, what="the second traceback in the log")
        await pilot.pause()
        lines = [line for line in said if "advisor failed" in line]
        assert len(lines) == 1 and "\n" not in lines[0] and str(log) in lines[0]
        text = log.read_text()
        assert "RuntimeError: a check went wrong" in text and "broken" in text and secret not in text
        assert app.is_running
