"""Snapshots of the context view (ctrl+k) at 80x24 and 160x48, from fixed data (the shape ``as_json()`` has)."""

import pytest
from textual.widgets import DataTable

from devsynth_tui.config import load
from devsynth_tui.ui.app import DevsynthApp
from devsynth_tui.ui.context_view import ContextViewScreen

from .test_snapshots import settled


def part(kind, name, tokens, status, why="", lines=(), files=None, skipped=None):
    return {
        "kind": kind,
        "name": name,
        "tokens": tokens,
        "share": tokens / 16384,
        "status": status,
        "why": why,
        "lines": [list(r) for r in lines],
        "files": files or {},
        "skipped": skipped or {},
    }


VIEW = {
    "model": "qwen2.5-coder-7b-instruct",
    "window": 16384,
    "tokens": 5093,
    "tokens_sent": 5301,
    "fill": 5093 / 16384,
    "parts": [
        part("system", "system prompt", 11, "sent"),
        part("history", "2 exchanges", 412, "whole"),
        part("summary", "older exchanges", 96, "summarized", "3 older exchanges summarized to fit"),
        part("file", "src/fnmatch.py", 1412, "whole", "whole: the named files fit the budget (1,412 of 7,192 tokens)"),
        part("file", "src/big_module.py", 1630, "partial", "cut worst-first to fit", [(1, 40), (208, 260)]),
        part(
            "folder",
            "docs",
            1490,
            "partial",
            "9 not picked: below the relevance threshold",
            files={"picked whole": 3, "cut": 1, "not picked": 9},
            skipped={"binary": 2, "lockfiles": 1},
        ),
        part("question", "question", 22, "sent"),
        part("framing", "context block headers", 20, "sent"),
    ],
}


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_context_view_snapshot(snap_compare, size):
    async def open_view(pilot):
        await pilot.pause()
        pilot.app.push_screen(ContextViewScreen(VIEW, "Last answer"))
        await settled(pilot, lambda: isinstance(pilot.app.screen, ContextViewScreen))
        await pilot.press("down", "down", "down", "down", "down")  # the folder: its why in full under the table

    assert snap_compare(DevsynthApp(load(use_overrides=False), fixed=True), terminal_size=size, run_before=open_view)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
async def test_the_table_fits_the_width_and_says_where_it_cuts(size):
    """No column runs off the right edge: a narrow terminal drops the why column (the line under the table has it)
    and a cell cut to the room left ends in "…"."""
    app = DevsynthApp(load(use_overrides=False), fixed=True)
    async with app.run_test(size=size) as pilot:
        view = ContextViewScreen(VIEW, "Last answer")
        app.push_screen(view)
        await settled(pilot, lambda: view.is_mounted and view.query_one(DataTable).row_count == len(VIEW["parts"]))
        table = view.query_one(DataTable)
        assert table.max_scroll_x == 0  # all of it in view: nothing hidden off the right edge
        labels = [str(column.label) for column in table.columns.values()]
        docs = str(table.get_row_at(5)[3])
        if size == (80, 24):
            assert labels == ["component", "tokens", "window", "sent as"] and docs.endswith("…")
        else:
            assert labels[-1] == "why" and str(table.get_row_at(5)[4]) == "9 not picked: below the relevance threshold"
