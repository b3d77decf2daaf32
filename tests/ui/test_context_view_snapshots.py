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


def rows_shown(table: DataTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


async def test_the_table_fits_the_width_and_says_where_it_cuts():
    """No column runs off the right edge: at 80 columns the why column goes (the line under the table has it) and a
    cell cut to the room left ends in "…"; at 160, after a resize, the why column is back, whole. Many rows bring a
    vertical scrollbar: the table fits beside it."""
    many = {**VIEW, "parts": [*VIEW["parts"], *(part("file", f"src/mod_{n}.py", 40, "whole") for n in range(30))]}
    app = DevsynthApp(load(use_overrides=False), fixed=True)
    async with app.run_test(size=(80, 24)) as pilot:
        for view_data in (VIEW, many):
            view = ContextViewScreen(view_data, "Last answer")
            app.push_screen(view)
            parts = len(view_data["parts"])
            await settled(pilot, lambda: view.is_mounted and view.query_one(DataTable).row_count == parts)  # noqa: B023
            table = view.query_one(DataTable)
            await settled(pilot, lambda: table.max_scroll_x == 0)  # noqa: B023  all of it in view, fitted
            assert [str(column.label) for column in table.columns.values()][-1] == "sent as"
            assert any(line.lstrip().startswith("docs ") and "…" in line for line in rows_shown(table))  # cut, said so
            if view_data is many:
                assert table.show_vertical_scrollbar
            else:
                await pilot.resize_terminal(160, 48)
                await settled(pilot, lambda: len(table.columns) == 5)  # noqa: B023
                assert table.max_scroll_x == 0
                assert any("9 not picked: below the relevance threshold" in line for line in rows_shown(table))
                await pilot.resize_terminal(80, 24)
                app.pop_screen()
