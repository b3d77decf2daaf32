"""The benchmark pane against the real embedded server: keys handled while a run goes on, and the SLO answer drawn."""

import pytest

from devsynth_tui.config import load
from devsynth_tui.ui.app import DevsynthApp
from devsynth_tui.ui.bench import BenchPane
from ui.test_pilot import connected, open_pane, small_benchmark, until

pytestmark = pytest.mark.integration
SIZE = (160, 48)


async def start(app, pilot, requests: str, concurrency: str = "1", slo: str = "", max_tokens: str = "8"):
    await connected(app, pilot)
    await open_pane(app, pilot, "bench")
    app.query_one("#bench-requests").value = requests
    app.query_one("#bench-concurrency").value = concurrency
    app.query_one("#bench-max-tokens").value = max_tokens
    app.query_one("#bench-slo-input").value = slo
    app.query_one("#bench-stages").value = False
    pane, status = app.query_one(BenchPane), app.query_one("#bench-status")
    before = pane.worker
    await pilot.click("#bench-start")
    await until(pilot, lambda: pane.worker is not before or "refused" in str(status.render()), 30, "the start")


async def test_keys_are_handled_while_a_benchmark_runs(recording_proxy):
    app = DevsynthApp(load(base_url=recording_proxy.url).with_values({"llm.embedded.mode": "never"}))
    async with app.run_test(size=SIZE) as pilot:
        recording_proxy.gate.clear()  # the run's requests wait at the proxy: it is certainly still going
        await start(app, pilot, "20", max_tokens="16")
        assert app.query_one(BenchPane).worker.is_running
        await open_pane(app, pilot, "chat")  # to the chat, and type there
        await pilot.press(*"hello")
        await until(pilot, lambda: app.query_one("#prompt").text == "hello", 30, "the keys typed")
        assert app.query_one(BenchPane).worker.is_running  # the keys were handled during the run, not after it
        await open_pane(app, pilot, "bench")
        asked = lambda: any(path.endswith("/chat/completions") for _, path, _ in recording_proxy.requests)  # noqa: E731
        await until(pilot, asked, 60, "the run's first request")  # past its set-up: a run is stored
        await pilot.click("#bench-stop")
        recording_proxy.gate.set()
        await until(pilot, lambda: not app.query_one(BenchPane).worker.is_running, 60, "the stop")
        assert "incomplete" in str(app.query_one("#bench-status").render())
    app = DevsynthApp(load(base_url=recording_proxy.url).with_values({"llm.embedded.mode": "never"}))  # a restart
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(app, pilot, "bench")
        await until(pilot, lambda: "incomplete" in str(app.query_one("#bench-status").render()), 30, "the stored run")
        assert not app.query_one("#bench-progress").display  # how far it got is not stored: no bar says 0%


async def test_slo_answer_is_written_and_drawn(server_url):
    app = DevsynthApp(load(base_url=server_url).with_values({"llm.embedded.mode": "never"}))
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, "2", "1,2", slo="ttft_p90<=600s,e2e_p50<=0.001ms")
        await app.query_one(BenchPane).worker.wait()
        await pilot.pause(0.3)
        line = str(app.query_one("#bench-slo").render())
        assert (
            line.startswith("SLO ttft_p90<=600s, e2e_p50<=0.001ms: no level meets it")
            and "concurrency 2 misses e2e_p50" in line
        )
        chart = str(app.query_one("#bench-latency").render())
        assert "SLO met at no level" in chart and "concurrency" in chart
        await start(app, pilot, "2", "1,2", slo="ttft_p90<=600s")
        await app.query_one(BenchPane).worker.wait()
        await pilot.pause(0.3)
        assert "met up to concurrency 2 (goodput" in str(app.query_one("#bench-slo").render())
        assert "SLO met up to concurrency 2" in str(app.query_one("#bench-latency").render())
        await start(app, pilot, "2", slo="ttft_p90<=soon")
        assert "refused: --slo 'ttft_p90<=soon'" in str(app.query_one("#bench-status").render())


async def test_the_last_stored_run_is_shown_after_a_restart(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        await small_benchmark(app, pilot)
        shown = str(app.query_one("#bench-text").render())
        run = app.query_one("#bench-status").render()
    app = make_app()  # the same app home: a restart
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(app, pilot, "bench")
        await until(pilot, lambda: str(app.query_one("#bench-text").render()) == shown, 30, "the stored run")
        assert app.query_one("#bench-status").render() == run
        bar = app.query_one("#bench-progress")
        assert bar.display and bar.percentage == 1.0  # it said 0% over a complete run
        app.query_one(BenchPane).running(True)  # a new run starts from an empty bar, not the stored run's full one
        assert bar.percentage == 0
        assert "output tokens/s" in str(app.query_one("#bench-history").render())
