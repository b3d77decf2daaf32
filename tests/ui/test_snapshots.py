"""Snapshots of the main screen and each pane at 80x24 and 160x48, in fixed mode (no clock, no sampling, fixed data)."""

import pytest

from devsynth_tui.config import load
from devsynth_tui.ui.app import DevsynthApp

PANES = ["chat", "tasks", "params", "models", "bench"]
KEYS = {"chat": "f2", "tasks": "f3", "params": "f4", "models": "f5", "bench": "f6"}


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
@pytest.mark.parametrize("pane", PANES)
def test_pane_snapshot(snap_compare, pane, size):
    async def show(pilot):
        await pilot.pause()
        await pilot.press(KEYS[pane])
        await pilot.pause(0.3)

    assert snap_compare(DevsynthApp(load(use_overrides=False), fixed=True), terminal_size=size, run_before=show)


def test_narrow_sidebar_snapshot(snap_compare):
    async def open_sidebar(pilot):
        await pilot.pause()
        await pilot.press("ctrl+b")
        await pilot.pause(0.3)

    assert snap_compare(DevsynthApp(load(use_overrides=False), fixed=True), terminal_size=(80, 24), run_before=open_sidebar)
