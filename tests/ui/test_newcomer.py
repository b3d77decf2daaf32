"""What a newcomer meets in the dashboard: the task runner as the chat, every pane at 80x24, keys that
scroll, questions before anything is lost, a status line that keeps what matters, alerts that don't cry wolf."""

import re

import pytest
import yaml

from devsynth_tui.config import load, overrides_path
from devsynth_tui.ui.app import DevsynthApp
from devsynth_tui.ui.bench import BenchPane
from devsynth_tui.ui.chat import AssistantMessage, UserMessage
from devsynth_tui.ui.context_view import ContextViewScreen
from devsynth_tui.ui.footer import KeysFooter
from devsynth_tui.ui.main_screen import TABS
from devsynth_tui.ui.panes import Choice, ConversationPicker
from ui.test_pilot import ask, connected, ledger_rows, open_pane, until

SMALL, MEDIUM, LARGE = (80, 24), (100, 30), (160, 48)


@pytest.fixture
def real_app(server_url):
    """The dashboard on the real embedded server."""

    def make(**values):
        return DevsynthApp(load(base_url=server_url).with_values({"llm.embedded.mode": "never", **values}))

    return make


@pytest.fixture
def proxied_app(recording_proxy):
    """The dashboard on the real embedded server behind the recording proxy, whose gate holds the answers."""

    def make(**values):
        return DevsynthApp(load(base_url=recording_proxy.url).with_values({"llm.embedded.mode": "never", **values}))

    return make


def emulated_app(lmstudio, **values):
    return DevsynthApp(load(base_url=lmstudio.base_url).with_values({"llm.embedded.mode": "never", **values}))


def fixed_app():
    return DevsynthApp(load(use_overrides=False), fixed=True)


def text_of(widget) -> str:
    return str(widget.render())


def screen_text(app) -> str:
    return "\n".join("".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips())


def task_answer(app) -> AssistantMessage | None:
    found = app.query_one("#task-output").query(AssistantMessage)
    return found.first() if found else None


# -- the task runner ------------------------------------------------------------------------------


async def test_task_runner_shows_progress_at_once_streams_and_esc_keeps_the_partial(
    proxied_app, recording_proxy, tmp_path
):
    code = tmp_path / "story.py"
    code.write_text(
        "def tell(dragon):\n    '''Tell a very long story about the dragon.'''\n    return dragon.story()\n"
    )
    app = proxied_app(**{"llm.max_tokens": 3000, "llm.temperature": 0.0})
    async with app.run_test(size=SMALL) as pilot:
        await connected(app, pilot)
        recording_proxy.hold_after(20)  # the answer stops mid-stream at the proxy: it is certainly still streaming
        await open_pane(app, pilot, "tasks")
        app.query_one("#task-files").value = str(code)
        await pilot.press("enter")
        shows = lambda: (view := task_answer(app)) is not None and text_of(view.query_one(".stats")) != "…"  # noqa: E731
        await until(pilot, shows, 30, "the run's progress")  # said before anything came back
        view = task_answer(app)
        assert any(
            word in text_of(view.query_one(".stats"))
            for word in ("reading", "preparing", "waiting", "processing the prompt", "streaming")
        ), text_of(view.query_one(".stats"))
        await until(pilot, lambda: recording_proxy.holding.is_set() and view.text.strip(), what="streaming")
        assert "streaming" in text_of(view.query_one(".stats"))
        await pilot.pause(0.2)
        first_word = re.findall(r"[A-Za-z]{3,}", view.text)[0]
        assert first_word in screen_text(app) and not text_of(app.query_one("#task-stages"))  # the answer is in view
        await pilot.press("escape")
        await until(pilot, lambda: view.has_class("cancelled"), 10, "the cancel")
        recording_proxy.gate.set()
        stages = app.query_one("#task-stages")
        await until(pilot, lambda: "What the pipeline did" in text_of(stages), 30, "the stages, drawn after the end")
        assert first_word in screen_text(app)
        assert view.text and "partial answer is kept" in text_of(view.query_one(".stats"))
        row = ledger_rows()[0]
        assert row["status"] == "cancelled" and row["operation"] == "explain file" and row["completion_tokens"] > 0
        assert f"{row['total_tokens']:,} tokens" in text_of(app.query_one("#status"))  # the counters moved
        assert not app.query_one("#tasks-pane").running


async def test_a_chat_answer_says_it_streams_from_its_first_piece_and_the_wait_leaves_the_status_line(
    proxied_app, recording_proxy
):
    """llama.cpp's prompt progress is said while the prompt is processed; once the answer's first piece is in, the
    view says it streams and the status line no longer says "processing the prompt" (it stayed, at 100 %)."""
    app = proxied_app(**{"llm.max_tokens": 3000, "llm.temperature": 0.0})
    async with app.run_test(size=SMALL) as pilot:
        await connected(app, pilot)
        recording_proxy.hold_after(20)  # mid-answer, held at the proxy
        notices: list[str] = []
        app.main.state.watch(lambda new, old: notices.append(new.notice))
        app.query_one("#prompt").text = "Tell a very long story about a dragon and a knight. " * 12
        await pilot.press("enter")
        await until(pilot, lambda: app.query(AssistantMessage), 30, "the answer's view")
        view = app.query(AssistantMessage).last()
        await until(pilot, lambda: recording_proxy.holding.is_set() and view.text.strip(), what="streaming")
        await pilot.pause(0.3)
        assert any("processing the prompt" in n for n in notices)  # the real server's progress was said
        assert "streaming" in text_of(view.query_one(".stats"))
        assert "processing the prompt" not in text_of(app.query_one("#status"))
        figures = app.main.state.figures  # the status line counts the streaming answer, as the sidebar does, marked
        assert figures.live_completion > 0  # as an estimate until the answer is counted
        live, session = figures.live_completion, figures.session
        assert f"~{session.total_tokens + live:,} tokens" in text_of(app.query_one("#status"))
        completion = "~" + format(session.completion_tokens + live, ",")
        assert f"completion {completion:>7}" in text_of(app.query_one("#tokens"))
        await pilot.press("escape")
        recording_proxy.gate.set()
        await until(pilot, lambda: view.has_class("cancelled"), 30, "the cancel")
        await pilot.press("ctrl+k")  # what the cut-short answer sent (was: "no answer here yet")
        await until(pilot, lambda: isinstance(app.screen, ContextViewScreen), 30, "the context view")
        cid = app.main.chat_pane.conversation_id
        stored = app.session.conversations.messages(cid)[-1]
        assert stored.status == "cancelled" and stored.meta["context"]["parts"]  # kept for the conversation reopened


async def test_a_click_on_the_line_under_an_answer_shows_what_that_answer_sent(real_app):
    """ctrl+k shows the last answer's request; a click on an earlier answer's stats line shows that one's."""
    app = real_app(**{"llm.max_tokens": 8})
    async with app.run_test(size=LARGE) as pilot:
        await connected(app, pilot)
        for question in ("Name a colour.", "Name a fruit, then a vegetable, then a tree, in one short sentence."):
            await ask(app, pilot, question)
        first, last = app.query(AssistantMessage)
        assert first.context["tokens"] < last.context["tokens"]  # the second request also sends the first exchange
        await pilot.click(first.query_one(".stats"))
        await until(pilot, lambda: isinstance(app.screen, ContextViewScreen), 30, "the context view")
        assert app.screen.view is first.context
        assert str(app.screen.query_one("#context-headline").render()).startswith("This answer: ")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ContextViewScreen), 30, "the view closed")
        await pilot.click(first.query_one("MarkdownView"))  # the answer's text is not a button
        await pilot.pause()
        assert not isinstance(app.screen, ContextViewScreen)


async def test_a_finished_task_has_the_stats_footer_the_counters_and_a_scrolling_output(lmstudio, tmp_path):
    code = tmp_path / "calc.py"
    code.write_text("def add(a, b):\n    return a + b\n")
    lmstudio.answer = "\n\n".join(f"Paragraph {n}: add returns the sum of a and b." for n in range(40))
    app = emulated_app(lmstudio)
    async with app.run_test(size=SMALL) as pilot:
        await connected(app, pilot)
        await open_pane(app, pilot, "tasks")
        app.query_one("#task-files").value = f"{code}=code"
        await pilot.press("enter")
        await until(
            pilot, lambda: task_answer(app) is not None and not app.query_one("#tasks-pane").running, what="the answer"
        )
        stages = app.query_one("#task-stages")
        await until(pilot, lambda: "What the pipeline did" in text_of(stages), 30, "the stages, drawn after the end")
        view = task_answer(app)
        assert view.text == lmstudio.answer
        stats = text_of(view.query_one(".stats"))
        assert "tokens" in stats and "ttft" in stats and "tok/s" in stats  # the chat's stats line
        row = ledger_rows()[0]
        assert row["status"] == "ok" and f"{row['total_tokens']:,} tokens" in text_of(app.query_one("#status"))
        assert app.main.request_tokens[-1] == row["total_tokens"]
        output = app.query_one("#task-output")
        assert output.max_scroll_y > 10  # a long answer scrolls instead of running under the status line
        assert app.query_one("#task-items").display
        before = output.scroll_y
        assert before > 10  # it followed the answer to its end
        await pilot.press("pageup")  # from the file list, as in the chat from the prompt
        await until(pilot, lambda: output.scroll_y < before, 30, "the output scrolled from the file list")
        assert app.focused.id == "task-files"
        app.query_one("#task-instruction").focus()
        before = output.scroll_y
        await pilot.press("pagedown")  # and from the instruction
        await until(pilot, lambda: output.scroll_y > before, 30, "the output scrolled from the instruction")
        assert app.focused.id == "task-instruction"


@pytest.mark.parametrize(
    "content, words",
    [(None, ["nope.py", "not found"]), (b"\x00\x01\x02binary", ["logo.bin", "binary"])],
    ids=["missing", "binary"],
)
async def test_a_bad_context_file_is_refused_in_place_before_any_request(lmstudio, tmp_path, content, words):
    bad = tmp_path / ("nope.py" if content is None else "logo.bin")
    if content is not None:
        bad.write_bytes(content)
    good = tmp_path / "calc.py"
    good.write_text("def add(a, b):\n    return a + b\n")
    app = emulated_app(lmstudio)
    async with app.run_test(size=SMALL) as pilot:
        await connected(app, pilot)
        await pilot.pause(0.3)
        seen = len(lmstudio.requests)
        await open_pane(app, pilot, "tasks")
        app.query_one("#task-files").value = f"{good}, {bad}"
        await pilot.press("enter")
        await until(pilot, lambda: app.query_one("#task-refusal").has_class("refused"), 10, "the refusal")
        await pilot.pause(0.3)
        refusal = text_of(app.query_one("#task-refusal"))
        assert refusal.startswith("refused: context file") and all(w in refusal for w in words), refusal
        assert str(good) not in refusal
        assert task_answer(app) is None and not app.query_one("#tasks-pane").running
        assert lmstudio.requests[seen:] == [] and ledger_rows() == []
        app.query_one("#task-files").value = " , "
        await pilot.press("enter")
        refusal = app.query_one("#task-refusal")
        await until(pilot, lambda: "name at least one context file" in text_of(refusal), 30, "the refusal")


# -- keys -------------------------------------------------------------------------------------------


async def test_page_keys_scroll_the_chat_while_the_prompt_has_focus():
    app = fixed_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        for n in range(30):
            await app.main.chat_pane.add(UserMessage(f"question {n}"))
        await pilot.pause(0.2)
        messages = app.query_one("#messages")
        prompt = app.query_one("#prompt")
        prompt.text = "first line\nsecond"
        assert app.focused is prompt and messages.scroll_y == messages.max_scroll_y > 0
        await pilot.press("pageup")
        await pilot.pause()
        assert messages.scroll_y < messages.max_scroll_y
        await pilot.press("home")
        await pilot.pause()
        assert messages.scroll_y == 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert messages.scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert messages.scroll_y == messages.max_scroll_y  # the live bottom
        assert app.focused is prompt and prompt.text == "first line\nsecond"  # typing was not touched
        prompt.move_cursor((1, 3))
        await pilot.press("ctrl+a")  # line start and end stay on ctrl+a and ctrl+e
        assert prompt.cursor_location == (1, 0)
        await open_pane(app, pilot, "models")  # elsewhere the keys are the focused widget's: the chat does not move
        await pilot.press("home")
        await pilot.pause()
        assert messages.scroll_y == messages.max_scroll_y


# -- questions before anything is lost ----------------------------------------------------------------


async def test_deleting_a_conversation_asks_first(lmstudio):
    app = emulated_app(lmstudio)
    async with app.run_test(size=SMALL) as pilot:
        conversations = app.session.conversations
        cid = conversations.create("Keep me please")
        await app.main._switch_to(cid)
        await pilot.press("ctrl+p")
        await pilot.press(*"Delete conversation")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, Choice), 5, "the question")
        assert "Delete “Keep me please”" in text_of(app.screen.query_one("Label"))
        await pilot.press("escape")
        await pilot.pause()
        assert conversations.get(cid) is not None and app.main.chat_pane.conversation_id == cid  # Esc keeps it
        app.main.action_delete_conversation()
        await until(pilot, lambda: isinstance(app.screen, Choice), 30, "the question again")
        await pilot.press("y")
        await until(pilot, lambda: conversations.get(cid) is None, 30, "the delete")
        await until(pilot, lambda: app.main.chat_pane.conversation_id is None, 30, "the chat left")


async def test_quitting_with_unsaved_parameter_edits_asks(lmstudio):
    app = emulated_app(lmstudio)
    async with app.run_test(size=SMALL) as pilot:
        await open_pane(app, pilot, "params")
        app.query_one("#p-llm-temperature").value = "0.7"
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, Choice) and "llm.temperature" in text_of(app.screen.query_one("Label"))
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running and not overrides_path().exists()
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
    assert yaml.safe_load(overrides_path().read_text()) == {"llm": {"temperature": 0.7}}
    app = emulated_app(lmstudio)
    async with app.run_test(size=SMALL) as pilot:
        await open_pane(app, pilot, "params")
        app.query_one("#p-llm-top_k").value = "7"
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("q")  # quit without saving
        await pilot.pause()
    assert yaml.safe_load(overrides_path().read_text()) == {"llm": {"temperature": 0.7}}


async def test_saved_changes_quit_without_a_question(lmstudio):
    app = emulated_app(lmstudio)
    async with app.run_test(size=SMALL) as pilot:
        await open_pane(app, pilot, "params")
        app.query_one("#p-llm-temperature").value = "0.6"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


async def test_a_parameter_changed_back_is_no_change_to_save_unless_another_value_was_saved(lmstudio):
    app = emulated_app(lmstudio)
    async with app.run_test(size=SMALL) as pilot:
        await open_pane(app, pilot, "params")
        field = app.query_one("#p-llm-temperature")
        started = field.value
        for value in ("0.5", started):
            field.value = value
            await pilot.pause()
        assert not app.main.unsaved  # back where the config files have it: nothing to ask about on quitting
        field.value = "0.5"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        field.value = started
        await pilot.pause()
        assert app.main.unsaved == {"llm.temperature": float(started)}  # the file says 0.5 now
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, Choice) and "llm.temperature" in text_of(app.screen.query_one("Label"))
        await pilot.press("q")
        await pilot.pause()


async def test_the_empty_conversation_picker_says_so():
    app = fixed_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, ConversationPicker)
        assert "No stored conversations yet" in text_of(app.screen.query_one("#no-conversations"))


# -- what stays at 80 columns ---------------------------------------------------------------------------


async def test_status_line_and_footer_keep_what_matters_at_80_columns():
    for size, sidebar_key in ((SMALL, True), (MEDIUM, True), (LARGE, False)):
        app = fixed_app()
        async with app.run_test(size=size) as pilot:
            await pilot.pause(0.3)
            status = text_of(app.query_one("#status"))
            assert "1,524 tokens, 4,590 saved" in status and len(status) <= size[0] - 2, status
            app.main.status_line.show(
                "not connected: connection refused at http://localhost:1234/v1 (ctrl+r reconnects)",
                "qwen2.5-coder-7b-instruct",
                ["devsynth-tui 612 MB > 500 MB limit"],
                app.main.totals()[0],
            )
            await pilot.pause()
            status = text_of(app.query_one("#status"))
            assert "1,524 tokens" in status and "612 MB > 500 MB limit" in status
            if size == MEDIUM:
                assert "ctrl+r reconnects" in status
            shown = app.screen.query_one(KeysFooter).shown_keys()
            assert ("ctrl+b" in shown) is sidebar_key, shown


async def test_an_alert_leaves_the_status_line_once_back_below(real_app):
    app = real_app(**{"memory.monitoring.threshold": 1.0, "monitor.interval": 0.2})
    async with app.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: app.query_one("#status").has_class("alert"), 20, "the alert")
        assert "> 1 MB limit" in text_of(app.query_one("#status"))
        app.main.sampler.alerts[0].threshold = 1e9  # back below: the next sample clears it
        await until(pilot, lambda: not app.query_one("#status").has_class("alert"), 20, "the clearing")
        assert "limit" not in text_of(app.query_one("#status")) and len(app.main.alerts) == 1  # said once


# -- every pane at 80x24 and 100x30 ------------------------------------------------------------------


@pytest.mark.parametrize("size", [SMALL, MEDIUM], ids=["80x24", "100x30"])
async def test_every_benchmark_control_is_on_screen(size):
    app = fixed_app()
    async with app.run_test(size=size) as pilot:
        await open_pane(app, pilot, "bench")  # laid out: every control's region is known
        screen = app.screen.region
        for control in (
            "#bench-requests",
            "#bench-concurrency",
            "#bench-max-tokens",
            "#bench-stages",
            "#bench-slo-input",
            "#bench-start",
            "#bench-stop",
        ):
            widget = app.query_one(control)
            assert widget.region.width and screen.contains_region(widget.region), (control, widget.region)
        assert "guide stages" in text_of(app.query_one("#bench-stages"))
        results = app.query_one("#bench-results")
        assert results.max_scroll_y > 0 or size == MEDIUM  # the charts below the results scroll into view


@pytest.mark.parametrize(
    "pane, first",
    [
        ("chat", "#prompt"),
        ("tasks", "#task-files"),
        ("params", "#p-llm-temperature"),
        ("models", "#models-table"),
        ("bench", "#bench-requests"),
        ("advisor", "#advisor-table"),
    ],
)
async def test_each_pane_is_usable_at_80x24(pane, first):
    app = fixed_app()
    async with app.run_test(size=SMALL) as pilot:
        await open_pane(app, pilot, pane)
        focused = app.focused
        assert focused is app.query_one(first) and app.screen.region.contains_region(focused.region)
        for _ in range(12):  # every control of the pane is reached by Tab, and scrolled into view
            await pilot.press("tab")
            await pilot.pause()
            assert app.screen.region.contains_region(app.focused.region), app.focused


async def test_benchmark_runs_from_enter_and_stops_with_escape(proxied_app, recording_proxy):
    app = proxied_app()
    async with app.run_test(size=SMALL) as pilot:
        await connected(app, pilot)
        await open_pane(app, pilot, "bench")
        app.query_one("#bench-requests").value = "20"
        app.query_one("#bench-max-tokens").value = "8"
        recording_proxy.gate.clear()  # the run's requests wait at the proxy: it is certainly still going
        await pilot.press("enter")
        await until(
            pilot,
            lambda: app.query_one(BenchPane).worker and app.query_one(BenchPane).worker.is_running,
            10,
            "the start",
        )
        assert "Esc stops" in text_of(app.query_one("#bench-status"))

        def asked() -> bool:
            return any(path.endswith("/chat/completions") for _, path, _ in recording_proxy.requests)

        await until(pilot, asked, 60, "the run's first request")  # past its set-up: a run is stored
        await pilot.press("escape")
        recording_proxy.gate.set()
        await until(pilot, lambda: not app.query_one(BenchPane).worker.is_running, 60, "the stop")
        await until(pilot, lambda: "Esc stops" not in text_of(app.query_one("#bench-status")), 30, "the status")
        assert "incomplete" in text_of(app.query_one("#bench-status"))
        assert app.query_one("#bench-start").disabled is False


async def test_benchmark_stopped_during_its_set_up_says_so(proxied_app, monkeypatch):
    """Esc before the run's first request: nothing is stored and the pane says so (it said "starting…" for ever)."""
    import threading

    from devsynth_tui.services.benchmark import runner

    measuring, release = threading.Event(), threading.Event()

    def slow_measure(*args):  # the set-up's socket scan, held until the test has pressed Esc
        measuring.set()
        release.wait(60)
        raise RuntimeError("not reached: the run was stopped")

    monkeypatch.setattr(runner, "CompetingLoad", slow_measure)
    app = proxied_app()
    async with app.run_test(size=SMALL) as pilot:
        await connected(app, pilot)
        await open_pane(app, pilot, "bench")
        app.query_one("#bench-requests").value = "2"
        await pilot.press("enter")
        await until(pilot, measuring.is_set, 60, "the set-up")
        await pilot.press("escape")
        try:
            await until(pilot, lambda: not app.query_one(BenchPane).worker.is_running, 60, "the stop")
        finally:
            release.set()
        assert text_of(app.query_one("#bench-status")) == "stopped before the run began: nothing stored"
        assert app.query_one("#bench-start").disabled is False


async def test_models_pane_r_lists_the_models_again(lmstudio):
    app = emulated_app(lmstudio)
    async with app.run_test(size=SMALL) as pilot:
        await connected(app, pilot)
        await open_pane(app, pilot, "models")
        listed = len([r for r in lmstudio.requests if r.path.endswith("/models")])
        await pilot.press("r")
        await until(pilot, lambda: len([r for r in lmstudio.requests if r.path.endswith("/models")]) > listed, 10, "r")


async def test_the_command_palette_lists_each_command_once_and_its_screenshot_saves():
    app = fixed_app()
    async with app.run_test(size=SMALL) as pilot:
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert len(titles) == len(commands), titles
        assert [t for t in titles if "theme" in t.lower()] == ["Theme: dark", "Theme: light", "Theme: high-contrast"]
        assert "Go to Benchmark" in titles and "Go to Bench" not in titles
        assert [t for t in titles if t.startswith("Go to")] == [f"Go to {t[3:]}" for _, t in TABS]  # every pane
        before = set(app.session.home.glob("*.svg"))
        commands["Screenshot"].callback()
        await pilot.pause()
        assert len(set(app.session.home.glob("*.svg")) - before) == 1


async def test_a_short_terminal_scrolls_the_sidebar_to_its_resources_with_keys():
    """At 80x24 with ctrl+b the sidebar held more than the screen: the resources were cut off, out of reach (then
    reached with the mouse only). ctrl+b focuses it: the keys scroll it; ctrl+b again gives the prompt its focus."""
    app = fixed_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+b")
        await pilot.pause()
        sidebar = app.query_one("#sidebar")
        assert sidebar.max_scroll_y > 0 and "Disk:" not in screen_text(app)
        assert app.focused is sidebar
        await pilot.press("end")  # scrolls as an animation: waited for
        await until(pilot, lambda: "Disk:" in screen_text(app), 30, "the resources' last line")
        await pilot.press("home")
        await until(pilot, lambda: sidebar.scroll_y == 0, 30, "the top")
        await pilot.press("pagedown")
        await until(pilot, lambda: sidebar.scroll_y > 0, 30, "a page down")
        await pilot.press("ctrl+b")
        await until(pilot, lambda: app.focused is app.query_one("#prompt"), 30, "the prompt focused again")


async def test_at_full_width_tab_reaches_the_sidebar_whose_keys_scroll_it_and_a_click_leaves_the_prompt_focused():
    """A sidebar taller than the screen (here at 160x30) scrolls from the keyboard too: Tab focuses it. A click on it
    does not (what is typed next goes to the prompt); narrowed away while focused, its focus goes to the prompt."""
    app = fixed_app()
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        sidebar, prompt = app.query_one("#sidebar"), app.query_one("#prompt")
        assert sidebar.max_scroll_y > 0
        await pilot.click("#sidebar")
        await pilot.press("h", "i")
        await until(pilot, lambda: prompt.text == "hi", 30, "the keys typed after a click, in the prompt")
        for _ in range(6):
            if app.focused is sidebar:
                break
            await pilot.press("tab")
        assert app.focused is sidebar
        await pilot.press("end")
        await until(pilot, lambda: sidebar.scroll_y == sidebar.max_scroll_y, 30, "the sidebar's end")
        await pilot.resize_terminal(100, 30)  # narrow: the sidebar hides
        await until(pilot, lambda: app.focused is prompt, 30, "the prompt focused again")
        await pilot.press("!")
        await until(pilot, lambda: prompt.text == "hi!", 30, "the key typed, in the prompt")


async def test_narrowing_away_a_focused_sidebar_stays_on_the_pane_shown():
    """The focus ctrl+b once gave back is not given again later: it lay in the Tasks pane, and narrowing away the
    sidebar (focused with Tab) switched the user from Chat to Tasks."""
    app = fixed_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("f3", "ctrl+b", "ctrl+b")  # the Tasks pane's control: remembered, then focused again
        await pilot.resize_terminal(160, 30)
        await pilot.press("f2")
        await until(pilot, lambda: app.focused is app.query_one("#prompt"), 30, "the chat's prompt")
        sidebar = app.query_one("#sidebar")
        for _ in range(8):
            if app.focused is sidebar:
                break
            await pilot.press("tab")
        assert app.focused is sidebar
        await pilot.resize_terminal(100, 30)
        await until(pilot, lambda: app.focused is app.query_one("#prompt"), 30, "the chat's prompt again")
        assert app.main.tab_bar.active == "chat"
