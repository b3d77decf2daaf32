"""The dashboard against LM Studio as users have it (emulated): JIT loading, a thinking model, load/unload."""

from devsynth_tui.config import load
from devsynth_tui.ui.app import DevsynthApp
from devsynth_tui.ui.chat import AssistantMessage, ThinkingBlock
from ui.test_pilot import SIZE, answered, cells, connected, open_pane, until


def app_for(lmstudio, **values):
    return DevsynthApp(load(base_url=lmstudio.base_url).with_values({"llm.embedded.mode": "never", **values}))


async def models_table(app, pilot):
    """The Models pane's table, connected and listed."""
    await connected(app, pilot)
    await open_pane(app, pilot, "models")
    table = app.query_one("#models-table")
    await until(pilot, lambda: table.row_count >= 2, 30, "the model list")
    return table


async def test_jit_loading_is_said_and_thinking_is_shown_apart(lmstudio):
    lmstudio.load_delay = 1.0
    lmstudio.token_delay = 0.02
    app = app_for(lmstudio)
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        shown: list[str] = []  # the status line at each change of the state: the notice lasts only the load
        app.main.state.watch(lambda new, old: shown.append(str(app.query_one("#status").render())))
        app.query_one("#prompt").text = "hi"
        await pilot.press("enter")
        await until(pilot, lambda: any("loading" in status for status in shown), 30, "the loading notice")
        assert any("LM Studio is loading qwen/qwen3-4b…" in status for status in shown), shown
        await answered(app, pilot)
        view = app.query(AssistantMessage).last()
        block = view.query_one(ThinkingBlock)
        assert view.text == lmstudio.answer and view.thinking == lmstudio.reasoning
        assert block.collapsed and block.title.startswith(f"Thinking · {len(lmstudio.reasoning.split())} tokens · ")
        assert "loading" not in str(app.query_one("#status").render())
        stored = app.session.conversations.messages(app.main.chat_pane.conversation_id)[-1]
        assert stored.thinking == lmstudio.reasoning and stored.content == lmstudio.answer
        row = app.session.ledger.history(1)[0]
        assert row["reasoning_tokens"] == len(lmstudio.reasoning.split())
        assert row["model"] == "qwen/qwen3-4b"
        await open_pane(app, pilot, "models")  # the Models pane, mounted now, shows the list as it was last read
        models = app.query_one("#models-table")
        loaded = lambda: cells(models, "qwen/qwen3-4b")[2] == "loaded"  # noqa: E731
        await until(pilot, loaded, 30, "listed again after the JIT load")


async def test_models_pane_loads_and_unloads(lmstudio):
    app = app_for(lmstudio)
    async with app.run_test(size=SIZE) as pilot:
        table = await models_table(app, pilot)
        row = cells(table, "google/gemma-3-1b")
        assert row[2] == "not loaded" and row[3] == "0.72 GB" and row[5] == "Q4_0"
        table.move_cursor(row=table.get_row_index("google/gemma-3-1b"))
        await pilot.press("l")
        await until(pilot, lambda: cells(table, "google/gemma-3-1b")[2] == "loaded", 30, "the load")
        assert lmstudio.loads == 1
        await pilot.press("u")
        await until(pilot, lambda: cells(table, "google/gemma-3-1b")[2] == "not loaded", 30, "the unload")


async def test_a_model_lm_studio_unloaded_while_idle_says_loading_when_the_next_question_is_sent(lmstudio):
    """LM Studio's auto-unload: listed as loaded at connect time, unloaded since; the next question says it is
    loading before anything else (no token, no stage figure), and the Models pane says "not loaded" meanwhile."""
    lmstudio.load("qwen/qwen3-4b")
    lmstudio.load_delay = 2.0
    app = app_for(lmstudio)
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        await open_pane(app, pilot, "models")
        table = app.query_one("#models-table")
        await until(pilot, lambda: table.row_count and cells(table, "qwen/qwen3-4b")[2] == "loaded", 30, "the list")
        lmstudio.model("qwen/qwen3-4b").instances.clear()  # LM Studio's idle auto-unload
        seen: list[tuple[str, object]] = []
        app.main.state.watch(lambda new, old: seen.append((new.notice, cells(table, "qwen/qwen3-4b")[2])))
        await open_pane(app, pilot, "chat")
        app.query_one("#prompt").text = "hi"
        await pilot.press("enter")
        await until(pilot, lambda: any("loading" in notice for notice, _ in seen), 30, "the loading notice")
        assert ("LM Studio is loading qwen/qwen3-4b…", "not loaded") in seen
        view = app.query(AssistantMessage).last()
        assert view.text == ""  # said before the answer's first token
        await answered(app, pilot)
        await until(pilot, lambda: cells(table, "qwen/qwen3-4b")[2] == "loaded", 30, "listed again as loaded")


async def test_a_model_picked_in_the_models_pane_is_used_and_named(lmstudio):
    app = app_for(lmstudio)
    async with app.run_test(size=SIZE) as pilot:
        table = await models_table(app, pilot)
        other = next(m.id for m in app.main.models if m.id != app.main.model and m.type == "llm")
        table.focus()
        table.move_cursor(row=table.get_row_index(other))
        await pilot.press("enter")
        await until(pilot, lambda: app.cfg.get("llm.model") == other, 30, "the pick")
        assert f"model {other}" in str(app.query_one("#status").render()) and app.main.changes == {"llm.model": other}
