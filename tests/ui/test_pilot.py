"""Pilot tests of every pane's interactions, against the real embedded server where a model answers."""

import pytest
import yaml
from textual import events

from devsynth_tui.config import load, overrides_path
from devsynth_tui.services.store.database import Store, db_path
from devsynth_tui.services.store.ledger import Ledger
from devsynth_tui.ui.app import DevsynthApp
from devsynth_tui.ui.bench import BenchPane
from devsynth_tui.ui.chat import AssistantMessage, UserMessage
from devsynth_tui.ui.main_screen import PANE_IDS
from devsynth_tui.ui.markdown_view import MarkdownView
from devsynth_tui.ui.panes import Choice, ConversationPicker

SIZE = (160, 48)


async def until(pilot, condition, seconds: float = 120, what: str = "the condition") -> None:
    """Let the app run until ``condition()`` holds; fail after ``seconds``."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"{what} never happened")


PANE_KEYS = {
    "chat": "f2",
    "tasks": "f3",
    "params": "f4",
    "models": "f5",
    "bench": "f6",
    "advisor": "f7",
    "graphs": "f8",
}


def pane_open(app, tab: str) -> bool:
    """Is ``tab``'s pane on screen and ready? Its F-key mounts a pane shown for the first time; once mounted it is
    filled, then its first control focused: that control focused and laid out says it all ran."""
    focused = app.focused
    return (
        app.main.shown_tab == tab
        and focused is not None
        and app.main.query_one(f"#{PANE_IDS[tab]}") in focused.ancestors_with_self
        and focused.region.width > 0
    )


async def open_pane(app, pilot, tab: str, seconds: float = 30) -> None:
    """Press ``tab``'s F-key and wait until its pane is ready (mounted, filled, its first control focused)."""
    await pilot.press(PANE_KEYS[tab])
    await until(pilot, lambda: pane_open(app, tab), seconds, f"the {tab} pane")


def cells(table, key) -> list[str]:
    """A DataTable row's cells as the plain text shown (cells from outside are Text, never markup)."""
    return [str(cell) for cell in table.get_row(key)]


async def connected(app, pilot, seconds: float = 120):
    """Wait for the connection (a loaded machine starts the embedded server slowly); fail naming the backend."""
    for _ in range(int(seconds / 0.05)):
        if app.session.pipeline is not None:
            return
        if app.main.connection.worker is not None and app.main.connection.worker.is_finished:
            break  # the connect worker ended without a pipeline: it failed, waiting longer changes nothing
        await pilot.pause(0.05)
    raise AssertionError(f"never connected in {seconds:g} s: {app.main.backend_label}")


async def answered(app, pilot, seconds: float = 240):
    """Wait until no answer streams and every answer on screen shows its stats (not the "…" it streams under)."""

    def ended() -> bool:
        views = app.query(AssistantMessage)
        return not app.main.chat_pane.live and all(str(v.query_one(".stats").render()) != "…" for v in views)

    await until(pilot, ended, seconds, "the answer's end")


async def ask(app, pilot, text):
    """Send ``text`` from the prompt and wait for its answer's end (its view first: Enter may not be handled yet)."""
    before = len(app.query(AssistantMessage))
    app.query_one("#prompt").text = text
    await pilot.press("enter")
    await until(pilot, lambda: len(app.query(AssistantMessage)) > before, 60, "the answer's view")
    await answered(app, pilot)


async def small_benchmark(app, pilot) -> None:
    """A two-request benchmark run from the Benchmark pane, to its end."""
    await open_pane(app, pilot, "bench")
    app.query_one("#bench-requests").value = "2"
    app.query_one("#bench-max-tokens").value = "8"
    app.query_one("#bench-stages").value = False
    await pilot.click("#bench-start")
    await until(pilot, lambda: app.query_one(BenchPane).worker is not None, 30, "the run's start")
    await app.query_one(BenchPane).worker.wait()


def ledger_rows():
    from devsynth_tui.config import app_home

    return Ledger(Store(db_path(app_home()))).history(20)


async def test_send_streams_answer_and_counts_tokens(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert app.focused.id == "prompt"
        await connected(app, pilot)
        await ask(app, pilot, "What is 2+2?")
        answers = app.query(AssistantMessage)
        assert len(answers) == 1 and answers[0].text.strip()
        stats = str(answers[0].query_one(".stats").render())
        assert "tokens" in stats and "ttft" in stats
        session, all_time = app.session.totals()
        row = ledger_rows()[0]
        assert row["completion_tokens"] == session.completion_tokens > 0 and row["operation"] == "chat"
        assert (session.prompt_tokens, session.completion_tokens) == (
            all_time.prompt_tokens,
            all_time.completion_tokens,
        )
        counts = str(app.query_one("#tokens").render()).split("Tokens · all time")[0]
        assert f"{session.prompt_tokens:>9,}" in counts and f"{session.completion_tokens:>7,}" in counts
        assert f"{session.total_tokens:,} tokens" in str(app.query_one("#status").render())
        assert "embedded" not in app.main.backend_label and "server at" in app.main.backend_label


async def test_empty_prompt_not_sent(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        app.query_one("#prompt").text = "   "
        await pilot.press("enter")
        await pilot.pause()
        assert not app.main.chat_pane.live and not app.query(UserMessage) and ledger_rows() == []


async def test_escape_cancels_keeps_partial_and_app_stays_usable(recording_proxy, app_home):
    app = DevsynthApp(
        load(base_url=recording_proxy.url).with_values({"llm.embedded.mode": "never", "llm.max_tokens": 3000})
    )
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        recording_proxy.hold_after(5)  # the answer waits mid-stream at the proxy: Esc certainly comes before its end
        app.query_one("#prompt").text = "Write a very long story about a dragon."
        await pilot.press("enter")
        view = app.query(AssistantMessage).last()
        for _ in range(1200):
            if recording_proxy.holding.is_set() and view.text:
                break
            await pilot.pause(0.05)
        await pilot.press("escape")
        await until(pilot, lambda: not app.main.chat_pane.live, 60, "the cancel")
        recording_proxy.gate.set()
        assert view.has_class("cancelled") and view.text
        assert "cancelled" in str(view.query_one(".stats").render())
        assert ledger_rows()[0]["status"] == "cancelled"
        session, all_time = app.session.totals()
        assert session.completion_tokens == all_time.completion_tokens == ledger_rows()[0]["completion_tokens"] > 0
        app.main.set_param("llm.max_tokens", 12)
        await ask(app, pilot, "Say hi.")
        assert ledger_rows()[0]["status"] == "ok"
        stored = app.session.conversations.messages(app.main.chat_pane.conversation_id)
        assert [m.status for m in stored if m.role == "assistant"] == ["cancelled", "ok"]


async def test_switch_rename_delete_conversations(make_app):
    app = make_app(**{"llm.max_tokens": 8})
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        await ask(app, pilot, "First conversation question")
        first = app.main.chat_pane.conversation_id
        await pilot.press("ctrl+n")
        await until(pilot, lambda: not app.query(UserMessage), 30, "the new chat")
        await ask(app, pilot, "Second conversation question")
        assert app.main.chat_pane.conversation_id != first
        await pilot.press("ctrl+o")
        await until(
            pilot, lambda: isinstance(app.screen, ConversationPicker) and app.focused is not None, 30, "the picker"
        )
        await pilot.press("down", "enter")  # the older one is second in the list
        shown = lambda: [str(m.render()) for m in app.query(UserMessage)]  # noqa: E731
        await until(pilot, lambda: app.main.chat_pane.conversation_id == first and shown(), 30, "the switch")
        assert "First conversation question" in shown()[0]
        app.main.action_rename_conversation()
        await until(pilot, lambda: app.focused and app.focused.id == "rename-input", 30, "the rename dialog")
        app.screen.query_one("#rename-input").value = "Renamed chat"
        titles = lambda: [c.title for c in app.session.conversations.list() if c.id == first]  # noqa: E731
        before = titles()
        await pilot.press("enter")
        await until(pilot, lambda: titles() != before, 30, "the rename")
        assert titles() == ["Renamed chat"]
        app.main.action_delete_conversation()
        await until(pilot, lambda: isinstance(app.screen, Choice), 30, "the question")
        await pilot.press("y")  # it asks first
        await until(pilot, lambda: first not in [c.id for c in app.session.conversations.list()], 30, "the delete")


class Spy:
    """Passes requests to the real client and remembers each payload."""

    def __init__(self, client):
        self.client, self.payloads = client, []

    def stream_chat(self, payload, result=None):
        self.payloads.append(payload)
        return self.client.stream_chat(payload, result)

    def __getattr__(self, name):
        return getattr(self.client, name)


@pytest.mark.parametrize(
    "key, text, expected",
    [
        ("llm.temperature", "0.55", 0.55),
        ("llm.top_p", "0.8", 0.8),
        ("llm.top_k", "12", 12),
        ("llm.max_tokens", "7", 7),
        ("llm.seed", "42", 42),
    ],
)
async def test_each_parameter_applies_to_next_request(make_app, key, text, expected):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        app.session.backend.client = Spy(app.session.backend.client)
        await open_pane(app, pilot, "params")
        box = app.query_one(f"#p-{key.replace('.', '-')}")
        box.value = text
        await until(pilot, lambda: app.cfg.get(key) == expected, 30, f"{key} applied")
        await pilot.press("f2")
        await ask(app, pilot, "Name a fruit.")
        assert app.session.backend.client.payloads[-1][key.split(".")[1]] == expected


async def test_a_change_applied_elsewhere_is_shown_in_the_params_pane(make_app):
    """The advisor's Enter applies its change through the screen: the Params pane showed the old value meanwhile."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(app, pilot, "params")
        change = {
            "llm.temperature": 0.5,
            "tokens.prompt_optimization.chunked_generation": True,
            "tokens.context_pruning.strategy": ["relevance", "recency"],  # not among the pane's choices
        }
        for key, value in change.items():
            app.main.set_param(key, value)  # as AdvisorPane.apply does
        await pilot.pause()
        assert app.query_one("#p-llm-temperature").value == "0.5"
        assert app.query_one("#p-tokens-prompt_optimization-chunked_generation").value is True
        assert app.query_one("#p-strategy").value == ("relevance", "recency")
        assert app.main.changes == change and app.cfg.get("llm.temperature") == 0.5  # shown, not posted back


async def test_invalid_parameter_refused_in_place(make_app):
    app = make_app()

    def error_of(key: str) -> str:
        return str(app.query_one(f"#p-{key}-error").render())

    def refused(box, key: str, reason: str) -> bool:
        return box.has_class("-invalid") and reason in error_of(key)

    async with app.run_test(size=SIZE) as pilot:
        await open_pane(app, pilot, "params")
        box = app.query_one("#p-llm-temperature")
        box.value = "5"
        await until(pilot, lambda: refused(box, "llm-temperature", "between 0 and 2"), 30, "the refusal")
        assert app.cfg.get("llm.temperature") == 0.2
        box.value = "abc"
        await until(pilot, lambda: refused(box, "llm-temperature", "expected a number"), 30, "the second refusal")
        box.value = "1.5"
        await until(pilot, lambda: app.cfg.get("llm.temperature") == 1.5, 30, "the valid value applied")
        await until(pilot, lambda: not box.has_class("-invalid") and not error_of("llm-temperature"), 30, "no error")
        box.focus()
        await pilot.press("enter")  # 1.5 taken: the next edit starts from it
        box.value = ""  # typed over: each key a change, "2" valid on the way to a refused "2.5"
        await pilot.press("2")
        app.post_message(events.AppBlur())  # the terminal window left and came back mid-edit: the edit goes on
        app.post_message(events.AppFocus())
        await pilot.pause()
        await pilot.press(".", "5")
        await until(pilot, lambda: refused(box, "llm-temperature", "between 0 and 2, got 2.5; 1.5 kept"), 30, "2.5")
        await until(pilot, lambda: app.cfg.get("llm.temperature") == 1.5, 30, "the value before the edit kept")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: overrides_path().is_file(), 30, "the save")
        assert yaml.safe_load(overrides_path().read_text())["llm"]["temperature"] == 1.5  # not the "2" typed on the way
        top_k = app.query_one("#p-llm-top_k")
        top_k.value = "2.5"
        await until(pilot, lambda: refused(top_k, "llm-top_k", "expected a whole number"), 30, "top_k refused")
        seed = app.query_one("#p-llm-seed")
        seed.value = "42"
        await until(pilot, lambda: app.cfg.get("llm.seed") == 42, 30, "the seed applied")
        seed.value = " "
        await until(pilot, lambda: app.cfg.get("llm.seed") is None, 30, "the seed cleared")
        assert not seed.has_class("-invalid")  # empty: a random seed


async def test_switches_and_strategy_apply(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(app, pilot, "params")
        switch = app.query_one("#p-tokens-response_optimization-streaming")
        switch.value = False
        await until(pilot, lambda: app.cfg.get("tokens.response_optimization.streaming") is False, 30, "the switch")
        app.query_one("#p-strategy").value = ("recency",)
        await until(pilot, lambda: app.cfg.get("tokens.context_pruning.strategy") == ["recency"], 30, "the strategy")


async def test_save_writes_overrides_never_the_user_config(server_url, app_home, tmp_path):
    user = tmp_path / "mine.yaml"
    original = "# my comments stay\nllm:\n  top_k: 5\n  temperature: 0.9\n"
    user.write_text(original)
    before = user.stat().st_mtime_ns
    app = DevsynthApp(load(user, base_url=server_url).with_values({"llm.embedded": "never"}))
    async with app.run_test(size=SIZE) as pilot:
        assert str(user) in app.cfg.sources and app.cfg.get("llm.top_k") == 5  # the user's file is in use
        await open_pane(app, pilot, "params")
        box = app.query_one("#p-llm-temperature")
        assert box.value == "0.9"
        box.value = "0.3"
        await until(pilot, lambda: app.cfg.get("llm.temperature") == 0.3, 30, "the value applied")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: overrides_path().exists(), 30, "the overrides saved")
    assert user.read_text() == original and user.stat().st_mtime_ns == before
    assert yaml.safe_load(overrides_path().read_text()) == {"llm": {"temperature": 0.3}}  # only what changed
    assert load(user).get("llm.temperature") == 0.3 and load(user).get("llm.top_k") == 5


async def test_pick_model(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        await open_pane(app, pilot, "models")
        table = app.query_one("#models-table")
        await until(pilot, lambda: table.row_count >= 1, 30, "the model list")
        table.focus()
        await pilot.press("enter")  # the server's one model, in use already: nothing to pin, nothing to save
        said = lambda: any("is the active model already" in n.message for n in app._notifications)  # noqa: E731
        await until(pilot, said, 30, "the pick")  # a message from the pane to the screen
        assert app.cfg.get("llm.model") is None and app.main.changes == {}


async def test_switch_theme_from_command(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == "devsynth-dark"
        app.action_set_theme("light")
        await pilot.pause()
        assert app.theme == "devsynth-light"
        app.action_set_theme("high-contrast")
        await pilot.pause()
        assert app.theme == "devsynth-high-contrast"
        await pilot.press("ctrl+p")
        await until(pilot, lambda: app.screen.query("CommandInput"), 30, "the command palette")
        await pilot.press(*"Theme: light")
        found = lambda: app.screen.query("CommandList") and app.screen.query_one("CommandList").option_count  # noqa: E731
        await until(pilot, found, 30, "the palette's search")  # its providers search in the background
        await pilot.press("enter")
        await until(pilot, lambda: app.theme == "devsynth-light", 30, "the theme picked in the palette")
        assert app.main.changes == {"ui.theme": "light"}  # saved by the name the config takes
        app.action_set_theme("dark")
        await pilot.pause()
        assert app.main.changes == {}  # back to the configured theme: nothing to save


async def test_user_theme_file(make_app, tmp_path):
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        (__import__("pathlib").Path(__file__).parents[2] / "themes" / "dark.yaml")
        .read_text()
        .replace("devsynth-dark", "my-theme")
    )
    app = make_app(**{"ui.theme": str(mine)})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "my-theme"


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ("name: mine\nprimary: notacolor", "primary: 'notacolor' is not a colour"),
        ("name: mine\nprimary: 123", "primary: 123 is not a colour"),
        ("name: mine\nprimary: null", "primary: None is not a colour"),
        ("name: My Theme\nprimary: '#ff8800'", "name: 'My Theme' is not a name"),
        ("name: mine\nprimary: '#ff8800'\nluminosity_spread: x", "luminosity_spread: 'x' is not a number"),
        ("name: mine\nprimary: '#ff8800'\nvariables: [1]", "variables: [1] is not a mapping"),
        ("name: mine\nprimary: '#ff8800'\nvariables: {text-muted: nope}", "variables.text-muted: 'nope' is not a"),
        ("name: mine\nprimary: '#ff8800'\nansi: true", "ansi: themes of the terminal's own colours are not"),
    ],
)
async def test_a_theme_file_with_a_bad_field_is_said_and_the_default_theme_used(make_app, tmp_path, fields, said):
    """Each of these crashed the dashboard at start with a traceback (a colour, a name, a number, the variables)."""
    mine = tmp_path / "mine.yaml"
    mine.write_text(fields + "\n")
    app = make_app(**{"ui.theme": str(mine)})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "devsynth-dark"
        [toast] = [n.message for n in app._notifications if str(mine) in n.message]
        assert said in toast


async def test_memory_alert_on_threshold(make_app):
    app = make_app(**{"memory.monitoring.threshold": 1.0, "monitor.interval": 0.2})
    notified = []
    real_notify = app.notify
    app.notify = lambda message, **kw: (notified.append(message), real_notify(message, **kw))
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(40):
            if app.main.alerts:
                break
            await pilot.pause(0.1)
        assert app.main.alerts and app.main.alerts[0].endswith("> 1 MB limit")
        assert app.query_one("#status").has_class("alert")
        assert "⚠" in str(app.query_one("#resources").render())
        assert any(message.endswith("> 1 MB limit") for message in notified)


async def test_too_small_and_narrow(make_app):
    app = make_app()
    async with app.run_test(size=(50, 12)) as pilot:
        await pilot.pause()
        assert app.main.has_class("too-small") and app.query_one("#too-small").display
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.main.has_class("narrow") and not app.query_one("#sidebar").display
        await pilot.press("a", "b", "c", "ctrl+b")
        await pilot.pause()
        assert app.query_one("#sidebar").display
        await pilot.press("ctrl+b")  # the panes again, the prompt focused as it was: what is typed next goes there
        await until(pilot, lambda: not app.query_one("#sidebar").display and app.focused, 30, "the panes back")
        await pilot.press("d", "e", "f")
        await until(pilot, lambda: app.query_one("#prompt").text == "abcdef", 30, "the keys typed")
        await pilot.press("ctrl+b")  # the sidebar again, then the terminal widened: the panes come back focused
        sidebar = app.query_one("#sidebar")
        await until(pilot, lambda: sidebar.display and app.focused is sidebar, 30, "the sidebar alone, its keys on")
        await pilot.resize_terminal(160, 48)
        await until(pilot, lambda: not app.main.has_class("narrow") and app.focused, 30, "wide, focused")
        await pilot.press("g")
        await until(pilot, lambda: app.query_one("#prompt").text == "abcdefg", 30, "the key typed")


async def test_task_runner_shows_what_pipeline_did(make_app, tmp_path):
    code = tmp_path / "calc.py"
    code.write_text("def add(a, b):\n    return a + b\n")
    app = make_app(**{"llm.max_tokens": 16})
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        await open_pane(app, pilot, "tasks")
        app.query_one("#task-files").value = f"{code}=code"
        await pilot.click("#task-run")
        await pilot.pause()
        await app.workers.wait_for_complete()
        stages = lambda: str(app.query_one("#task-stages").render())  # noqa: E731
        await until(pilot, lambda: "What the pipeline did" in stages(), 120, "the stages, drawn after the run ends")
        table = app.query_one("#task-items")
        assert table.row_count == 1 and str(table.get_row_at(0)[0]) == str(code)
        assert "prompt tokens" in stages()
        answer = app.query_one("#task-output").query_one(AssistantMessage)
        assert answer.text.strip() and "tokens" in str(answer.query_one(".stats").render())
        assert ledger_rows()[0]["operation"] == "explain file"
        stored = app.session.conversations.latest()  # a task run is a conversation exchange
        assert stored.title == "Task explain file: calc.py"
        question, reply = app.session.conversations.messages(stored.id)
        assert question.content == app.cfg.get("tasks")["explain file"] and reply.content == answer.text


async def test_hostile_text_is_literal(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        hostile = "[bold]x[/] [@click=app.quit]q[/] \x1b[2J\x1b]52;c;aGk=\x07 \u202eevil"
        view = AssistantMessage(hostile, "stats")
        await app.query_one("#messages").mount(view)
        await pilot.pause()
        await pilot.click(view)
        await pilot.pause()
        assert app.is_running  # the click did not run app.quit
        shown = " ".join(view.query_one(MarkdownView).plain_lines)
        assert "[@click=app.quit]" in shown and "[bold]" in shown
        assert "\x1b" not in shown and "␛" in shown and "\u202e" not in shown


async def test_benchmark_pane_small_run_and_stop(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        await small_benchmark(app, pilot)
        await pilot.pause(0.3)
        assert app.query_one("#bench-stop").disabled is True
        text = str(app.query_one("#bench-text").render())
        assert "Serving, concurrency 1: 2/2 requests" in text
        assert app.query_one("#bench-progress").percentage == 1.0
        assert "run 1: complete" in str(app.query_one("#bench-status").render())
        app.query_one("#bench-requests").value = "500"
        await pilot.click("#bench-start")
        await pilot.pause()
        assert app.query_one("#bench-stop").disabled is False  # 500 requests are far from done
        await pilot.pause(1.5)
        await pilot.click("#bench-stop")
        await until(pilot, lambda: not app.query_one(BenchPane).worker.is_running, 60, "the stop")
        await until(pilot, lambda: "run 2" in str(app.query_one("#bench-status").render()), 30, "the run's status")
        assert "run 2: incomplete" in str(app.query_one("#bench-status").render())
        assert app.cfg.get("disk.caching.enabled") and app.session.pipeline.cfg.get(
            "disk.caching.enabled"
        )  # chat settings untouched
        app.query_one("#bench-requests").value = "0"
        await pilot.click("#bench-start")
        await pilot.pause()
        assert "refused: --requests 0" in str(app.query_one("#bench-status").render())


async def test_an_answer_keeps_streaming_into_its_conversation_while_another_is_open(recording_proxy, app_home):
    app = DevsynthApp(
        load(base_url=recording_proxy.url).with_values({"llm.embedded.mode": "never", "llm.max_tokens": 200})
    )
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        recording_proxy.hold_after(5)  # the answer waits mid-stream at the proxy until the test lets it go
        app.query_one("#prompt").text = "Write a long essay about lighthouses."
        await pilot.press("enter")
        await until(pilot, lambda: app.main.chat_pane.conversation_id is not None, 30, "the stored conversation")
        first = app.main.chat_pane.conversation_id
        for _ in range(1200):
            if recording_proxy.holding.is_set() and app.main.chat_pane.live[first].answer.parts:
                break
            await pilot.pause(0.05)
        await pilot.press("ctrl+n")  # leave while it streams
        await pilot.pause()
        assert not app.query(AssistantMessage) and first in app.main.chat_pane.live
        await app.main._switch_to(first)  # come back mid-answer: what arrived is there and it keeps coming
        await pilot.pause()
        view = app.query(AssistantMessage).last()
        assert first in app.main.chat_pane.live and view.text.startswith(
            "".join(app.main.chat_pane.live[first].answer.parts[:1])
        )
        assert str(view.query_one(".stats").render()) == "streaming… (Esc cancels)"
        recording_proxy.gate.set()
        await answered(app, pilot)
        stored = app.session.conversations.messages(first)
        assert [m.role for m in stored] == ["user", "assistant"] and stored[1].status == "ok"
        assert view.text == stored[1].content and len(app.query(AssistantMessage)) == 1
        row = ledger_rows()[0]
        assert row["status"] == "ok" and row["completion_tokens"] > 20


async def test_an_answer_that_finishes_off_screen_is_stored_whole(make_app):
    app = make_app(**{"llm.max_tokens": 60})
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        app.query_one("#prompt").text = "Write a short poem about the sea."
        await pilot.press("enter")
        await until(pilot, lambda: app.main.chat_pane.conversation_id is not None, 30, "the stored conversation")
        first = app.main.chat_pane.conversation_id
        await pilot.pause(0.2)
        await pilot.press("ctrl+n")
        await answered(app, pilot)
        assert app.main.chat_pane.conversation_id is None and not app.query(AssistantMessage)
        stored = app.session.conversations.messages(first)
        assert stored[-1].role == "assistant" and stored[-1].status == "ok" and stored[-1].content.strip()
        await app.main._switch_to(first)
        await pilot.pause()
        assert app.query(AssistantMessage).last().text == stored[-1].content


async def test_a_pasted_file_is_sent_whole_and_a_prompt_sent_while_connecting_waits(make_app):
    code = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n"
    app = make_app(**{"llm.max_tokens": 8})
    async with app.run_test(size=SIZE) as pilot:
        prompt = app.query_one("#prompt")
        prompt.focus()
        from textual import events

        app.post_message(events.Paste("Explain:\n" + code))  # a terminal's bracketed paste, as the driver delivers it
        await pilot.pause()
        assert prompt.text == "Explain:\n" + code
        await pilot.press("enter")  # probably still connecting: the question waits for the server
        await until(pilot, lambda: app.query(AssistantMessage), 60, "the answer's view")
        await answered(app, pilot)
        stored = app.session.conversations.messages(app.main.chat_pane.conversation_id)
        assert stored[0].content == "Explain:\n" + code and stored[1].status == "ok"


async def test_a_prompt_sent_before_the_connection_began_waits_for_it(make_app, monkeypatch):
    """Enter in the first frames, before the connect starts, waits for the server (it said "no model server")."""
    from devsynth_tui.ui.main_screen import MainScreen

    start, held = MainScreen._start_services, []
    monkeypatch.setattr(MainScreen, "_start_services", lambda self: held.append(self))  # the first frames last
    app = make_app(**{"llm.max_tokens": 8})
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: held, 60, "the first frames")
        app.query_one("#prompt").text = "Say hi."
        await pilot.press("enter")
        await until(pilot, lambda: app.query(AssistantMessage), 60, "the answer's view")
        stats = app.query(AssistantMessage).last().query_one(".stats")
        await until(pilot, lambda: "waiting for the server" in str(stats.render()), 30, "the waiting note")
        start(held[0])  # the connect begins
        await answered(app, pilot)
        stored = app.session.conversations.messages(app.main.chat_pane.conversation_id)
        assert [m.role for m in stored] == ["user", "assistant"] and stored[1].status == "ok" and stored[1].content


async def test_the_status_line_names_the_model_as_the_server_spells_it(make_app):
    """A model asked for in another case is the server's model: the status line shows the id requests send."""
    app = make_app(**{"llm.model": "smollm2-135m-instruct"})
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        await pilot.pause()
        assert app.main.model == "SmolLM2-135M-Instruct"
        assert "model SmolLM2-135M-Instruct" in str(app.main.status_line.render())
        app.main.set_param("llm.temperature", 0.3)  # another setting changed keeps it
        await pilot.pause()
        assert "model SmolLM2-135M-Instruct" in str(app.main.status_line.render())
