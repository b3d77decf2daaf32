"""The Resources pane: fixed samples and requests, mounted in a small app (snapshots at 80x24 and 160x48), the
window key, and the figures it draws."""

import pytest
from textual.app import App, ComposeResult

from devsynth_tui.ui.fixed import fixed_requests, fixed_samples
from devsynth_tui.ui.resources import ResourcesPane, request_marks, throughput, time_ticks


class Host(App):
    def compose(self) -> ComposeResult:
        yield ResourcesPane(id="resources-pane")

    def on_mount(self) -> None:
        self.query_one(ResourcesPane).show(fixed_samples(), fixed_requests(), now=40.0)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_resources_pane_snapshot(snap_compare, size):
    async def settle(pilot):
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(Host(), terminal_size=size, run_before=settle)


async def test_w_switches_the_time_window():
    async with Host().run_test(size=(120, 40)) as pilot:
        head = pilot.app.query_one("#resources-head")
        assert "last minute" in str(head.render())
        pilot.app.query_one(ResourcesPane).focus()
        await pilot.press("w")
        assert "last 10 minutes" in str(head.render())
        cpu = str(pilot.app.query_one("#resources-cpu").render())
        assert "-10 min" in cpu and "now" in cpu
        await pilot.press("w", "w")
        assert "last minute" in str(head.render())


async def test_charts_state_their_range_and_mark_the_requests():
    async with Host().run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        memory = str(pilot.app.query_one("#resources-memory").render())
        assert "0-24,000" in memory and "swap used" in memory and "devsynth-tui" in memory
        tokens = str(pilot.app.query_one("#resources-tokens").render())
        assert "●" in tokens and "■" in tokens


def test_marks_and_throughput_from_ledger_rows():
    rows = fixed_requests()
    assert request_marks(rows, now=40.0, window=60)[0] == pytest.approx((-35.0, -34.4, -31.0))
    ends, rates = throughput(rows, now=40.0, window=60)
    width = 60 / len(ends)
    assert sum(rates) * width == pytest.approx(96 + 180 + 64)  # every token counted once
    assert max(rates) == pytest.approx(180 / (6.0 - 1.2))  # the busiest answer's rate
    assert time_ticks(600) == (
        [-600, -480, -360, -240, -120, 0],
        ["-10 min", "-8 min", "-6 min", "-4 min", "-2 min", "now"],
    )


async def test_a_request_begun_before_the_window_is_drawn_without_its_marks_left_of_the_axis():
    """A request that ended inside the window but was sent (and had its first token) before it: plotext drew its
    marks over the axis's numbers, and failed on a labelled series with no point inside (the pane's app ended)."""
    rows = [{"ts": 30.0, "duration": 50.0, "ttft": 10.0, "completion_tokens": 20}]  # sent at -80 s, first at -70 s
    assert request_marks(rows, now=60.0, window=60) == [(None, None, -30.0)]
    ended_after_the_last_sample = [{"ts": 102.0, "duration": 5.0, "ttft": 1.0}]
    assert request_marks(ended_after_the_last_sample, now=100.0, window=60) == [(-3.0, -2.0, 0.0)]  # its end: "now"

    class Late(App):
        def compose(self) -> ComposeResult:
            yield ResourcesPane()

        def on_mount(self) -> None:
            self.query_one(ResourcesPane).show(fixed_samples(), rows, now=60.0)

    async with Late().run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        tokens = str(pilot.app.query_one("#resources-tokens").render())
        assert "■" in tokens and "●" not in tokens
