"""Snapshots of the main screen and each pane at 80x24, 100x30 and 160x48, in fixed mode (no clock, no sampling,
fixed data)."""

import pytest

from devsynth_tui.config import load
from devsynth_tui.ui.app import DevsynthApp
from ui.test_pilot import PANE_KEYS, pane_open

PANES = ["chat", "tasks", "params", "models", "bench", "advisor", "graphs"]  # graphs: the Resources pane


async def settled(pilot, ready) -> None:
    """Wait (however loaded the machine) until ``ready()``, animations are over and nothing is left to draw."""
    for _ in range(2400):  # up to 120 s: a loaded machine is slow, but a screen that never gets ready fails
        if ready():
            break
        await pilot.pause(0.05)
    else:
        raise AssertionError("the screen never reached the state to snapshot")
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (160, 48)], ids=["80x24", "100x30", "160x48"])
@pytest.mark.parametrize("pane", PANES)
def test_pane_snapshot(snap_compare, pane, size):
    async def show(pilot):
        await pilot.pause()
        await pilot.press(PANE_KEYS[pane])
        await settled(pilot, lambda: pane_open(pilot.app, pane))  # mounted, filled and focused: not just its tab

    assert snap_compare(DevsynthApp(load(use_overrides=False), fixed=True), terminal_size=size, run_before=show)


def test_narrow_sidebar_snapshot(snap_compare):
    async def open_sidebar(pilot):
        await pilot.pause()
        await pilot.press("ctrl+b")
        await settled(pilot, lambda: pilot.app.query_one("#sidebar").display)

    assert snap_compare(
        DevsynthApp(load(use_overrides=False), fixed=True), terminal_size=(80, 24), run_before=open_sidebar
    )
