"""The dashboard at the speed of the terminal, as behaviour: real figures in the first frame, panes mounted
when first shown, long streams followed to their last token, keys that never wait for a frame, sampling
only what is on screen, the server's process beside ours, the garbage collector's figure on the status line."""

import argparse
import asyncio
import contextlib
import gc
import re
import subprocess
import sys
import time

from textual import events
from textual.widgets import Button

from devsynth_tui.config import load
from devsynth_tui.services.context import token_accounting
from devsynth_tui.services.llm.first_look import PATHS
from devsynth_tui.services.llm.results import Delta
from devsynth_tui.services.pipeline.pipeline import Pipeline
from devsynth_tui.services.pipeline.request import Notice
from devsynth_tui.services.requests import RequestRun
from devsynth_tui.services.resources.monitor import server_process
from devsynth_tui.services.session import look_ahead
from devsynth_tui.services.store.conversations import Message
from devsynth_tui.ui import chat, chat_pane, markdown_view
from devsynth_tui.ui.app import DevsynthApp
from devsynth_tui.ui.attachments import AttachmentBar
from devsynth_tui.ui.chat import AssistantMessage, KeysTyped
from devsynth_tui.ui.chat_pane import SHOWN_AT_OPEN, ChatPane
from devsynth_tui.ui.connection import Connection
from devsynth_tui.ui.context_view import ContextViewScreen
from devsynth_tui.ui.main_screen import PANE_IDS, MainScreen
from devsynth_tui.ui.markdown_view import MarkdownView
from devsynth_tui.ui.panels import StageWaterfall
from devsynth_tui.ui.sampling import HIDDEN_SAMPLE_EVERY
from ui.test_pilot import SIZE, answered, ask, connected, ledger_rows, open_pane, until


def app_for(url, **values):
    return DevsynthApp(load(base_url=url).with_values({"llm.embedded.mode": "never", **values}))


def warmed_up(app) -> bool:
    return app.main.connection.warm_up_started and not any(w.group == "warm-up" and w.is_running for w in app.workers)


def on_screen(app) -> str:
    """The text of the screen as drawn (the SVG a screenshot saves holds every visible character)."""
    return app.export_screenshot().replace("&#160;", " ")


async def test_the_first_frame_holds_real_resource_figures(server_url, monkeypatch):
    first_frame: list[str] = []
    real = MainScreen._start_services

    def start(self):  # runs once the first frame is drawn
        first_frame.append(str(self.query_one("#resources").render()))
        real(self)

    monkeypatch.setattr(MainScreen, "_start_services", start)
    app = app_for(server_url)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: first_frame)
    assert re.search(r"CPU \(machine\): \d+\.\d%", first_frame[0])
    assert re.search(r"devsynth-tui\s+\d+\.\d%\s+\d+ MB", first_frame[0])
    assert re.search(r"Memory \(machine\): \d+\.\d%", first_frame[0])


async def test_below_110_columns_the_first_frame_is_drawn_before_psutil_loads(server_url, monkeypatch):
    """The sidebar hidden, the first frame shows no resources: the sampler (psutil, ~14 ms to import) is made after
    it, and then samples at the hidden pace (memory alerts). The screen's modules load without psutil."""
    at_first_frame: list = []
    real = MainScreen._start_services

    def start(self):  # runs once the first frame is drawn
        at_first_frame.append(self.resources)
        real(self)

    monkeypatch.setattr(MainScreen, "_start_services", start)
    app = app_for(server_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: at_first_frame)
        assert at_first_frame == [None] and app.main.resources is not None and app.main.resources.started
    code = "import sys, devsynth_tui.ui.app, devsynth_tui.ui.main_screen; print('psutil' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


async def test_panes_are_mounted_when_first_shown_and_their_first_control_focused(server_url):
    app = app_for(server_url)
    async with app.run_test(size=SIZE) as pilot:
        assert [pane.id for pane in app.query_one("#panes").children] == [PANE_IDS["chat"]]  # the others when shown
        await pilot.press("f4")
        await until(pilot, lambda: app.focused is not None and app.focused.id == "p-llm-temperature")
        assert app.main.tab_bar.active == "params"
        bar = app.main.tab_bar
        await pilot.click(bar, offset=(next(start for tab, start, _ in bar.spans() if tab == "models"), 0))  # a click
        await until(pilot, lambda: app.focused is not None and app.focused.id == "models-table")
        await pilot.press("f4", "f2")  # shown again: the same pane, the prompt focused back
        await until(pilot, lambda: app.focused is not None and app.focused.id == "prompt")
        assert len(app.query("#params-scroll")) == 1


async def test_the_models_pane_shows_the_list_read_before_it_was_opened(server_url):
    app = app_for(server_url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        await until(pilot, lambda: app.main.models)
        await pilot.press("f5")
        await until(pilot, lambda: app.query("#models-table") and app.query_one("#models-table").row_count)
        assert app.query_one("#models-table").row_count == len(app.main.models)


async def test_sampling_follows_whether_the_resources_are_shown(server_url):
    app = app_for(server_url, **{"monitor.interval": 0.5})
    started = time.time()  # the sampler is shared by the tests in this process: its readings since then
    async with app.run_test(size=(80, 24)) as pilot:  # narrow: the sidebar is hidden
        main = app.main
        await until(pilot, lambda: main.services_started)
        assert main.sampling._interval == 0.5 * HIDDEN_SAMPLE_EVERY  # only for memory alerts
        await until(pilot, lambda: main.sampler.samples and main.sampler.samples[-1].t > started, 30, "a reading")
        taken = main.sampler.samples[-1].t
        await pilot.press("ctrl+b")
        assert main.sampling._interval == 0.5 and main.sampler.samples[-1].t > taken  # sampled at once
        assert "CPU (machine)" in str(app.query_one("#resources").render())
        await pilot.press("ctrl+b")
        assert main.sampling._interval == 0.5 * HIDDEN_SAMPLE_EVERY
    app, started = app_for(server_url, **{"memory.monitoring.enabled": False}), time.time()
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.main.services_started)
        assert app.main.sampling is None  # hidden, and no alert to watch for: no timer at all
        await until(pilot, lambda: app.main.sampler.samples[-1].t > started, 30, "the first reading")  # but one, an
        # interval after the first frame
        await pilot.resize_terminal(*SIZE)
        await until(pilot, lambda: app.main.sampling is not None)


async def test_the_last_token_of_a_20k_token_stream_is_on_screen(faults):
    app = app_for(faults.url("fast"), **{"llm.max_tokens": 20_000})
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        await ask(app, pilot, "go")
        messages = app.query_one("#messages")
        assert messages.max_scroll_y > 1000 and messages.scroll_y == messages.max_scroll_y
        assert "tok19999" in on_screen(app)


async def test_the_last_words_of_a_real_answer_taller_than_the_view_are_on_screen(server_url):
    app = app_for(server_url, **{"llm.max_tokens": 200, "llm.temperature": 0.0, "llm.seed": 1})
    async with app.run_test(size=(70, 18)) as pilot:
        await connected(app, pilot)
        await ask(app, pilot, "Write a long story about a lighthouse keeper.")
        messages = app.query_one("#messages")
        answer = app.query(AssistantMessage).last().query_one(markdown_view.MarkdownView)
        assert messages.max_scroll_y > 0, "the answer fits the view: nothing to follow"
        last_words = answer.plain_lines[-1].split()[-2:]
        assert " ".join(last_words) in on_screen(app)


async def test_scrolling_up_stops_following_and_end_follows_again(faults):
    app = app_for(faults.url("stepped"), **{"llm.max_tokens": 200})  # the test releases the lines: no race
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        app.query_one("#prompt").text = "go"
        await pilot.press("enter")
        messages = app.query_one("#messages")
        faults.release(40)
        await until(pilot, lambda: "line39" in on_screen(app))
        assert messages.max_scroll_y > 20 and messages.scroll_y == messages.max_scroll_y  # followed
        for _ in range(5):
            messages.scroll_up(animate=False)
        await pilot.pause()
        held, grown = messages.scroll_y, messages.max_scroll_y
        faults.release(40)
        await until(pilot, lambda: messages.max_scroll_y >= grown + 40)
        assert messages.scroll_y == held and "line79" not in on_screen(app)  # the reader's place is kept
        messages.focus()
        await pilot.press("end")
        faults.release(40)
        await until(pilot, lambda: "line119" in on_screen(app))
        assert messages.scroll_y == messages.max_scroll_y  # following again
        faults.release(80)
        await answered(app, pilot)


async def test_a_key_typed_as_an_answer_is_rendered_is_in_the_input_before_the_render_ends(faults, monkeypatch):
    """A slow render of streamed text does not hold the keys typed meanwhile.

    The render (in its thread) waits until the key typed as the text arrived shows in the input. Were the
    render on the event loop (in a frame, or in the layout pass when the text came before the view was laid
    out), the key could not be handled before it returns: the wait runs out (10 s) and the check fails. No
    clock decides the outcome, so a busy machine only makes it slower.
    """
    real_render = markdown_view.render_source
    typed: list[str] = []
    seen_before_render_ended: list[bool] = []

    def waiting_render(*args, **kwargs):
        import time

        if typed and not seen_before_render_ended:
            deadline = time.monotonic() + 10
            while prompt.text != "x" and time.monotonic() < deadline:
                time.sleep(0.01)
            seen_before_render_ended.append(prompt.text == "x")
        return real_render(*args, **kwargs)

    monkeypatch.setattr(markdown_view, "render_source", waiting_render)
    faults.text_pieces = ["word " * 1000]  # one open paragraph longer than THREAD_CHARS: rendered in a thread
    assert len(faults.text_pieces[0]) > markdown_view.THREAD_CHARS
    app = app_for(faults.url("text"))
    real_flush = AssistantMessage.flush

    async def flush(self):
        if self._pending and not typed:  # as the terminal delivers a key: through the driver
            typed.append("x")
            key = events.Key("x", "x")
            key.set_sender(app)
            app._driver.send_message(key)
        await real_flush(self)

    monkeypatch.setattr(AssistantMessage, "flush", flush)
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        prompt = app.query_one("#prompt")
        await ask(app, pilot, "go")
    assert seen_before_render_ended == [True]


async def test_the_garbage_collection_figure_goes_to_the_resources_not_the_status_line(faults):
    app = app_for(faults.url("fast"), **{"llm.max_tokens": 2_000, "memory.aggressive_gc": True})
    notified: list[str] = []
    real_notify = app.notify
    app.notify = lambda message, **kw: (notified.append(message), real_notify(message, **kw))
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        await ask(app, pilot, "go")
        await until(pilot, lambda: "gc: " in str(app.query_one("#resources").render()), what="gc in the resources")
        assert "gc: " not in str(app.query_one("#status").render())
    assert not [n for n in notified if "gc" in n]


async def test_the_servers_process_is_shown_beside_ours(server_url, embedded_server):
    app = app_for(server_url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        await until(pilot, lambda: f"pid {embedded_server.pid}" in str(app.query_one("#resources").render()))
        await until(pilot, lambda: re.search(r"server\s+\d+\.\d%\s+\d+ MB", str(app.query_one("#resources").render())))


async def test_the_embedded_servers_process_is_named_when_it_stands_in(app_home):
    """The default setup (`make run` without LM Studio): the resources name the embedded child by its pid."""
    app = DevsynthApp(load(base_url="http://127.0.0.1:9/v1").with_values({"llm.embedded.mode": "always"}))
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        child = app.session.backend.embedded
        await until(pilot, lambda: f"embedded llama.cpp, pid {child.pid}" in str(app.query_one("#resources").render()))


def test_server_process_found_by_port_and_remote_named(server_url, embedded_server):
    pid, label = server_process(server_url)
    assert pid == embedded_server.pid and label.endswith(f"pid {embedded_server.pid}")
    assert server_process("http://192.0.2.1:1234/v1") == (None, "remote")
    assert server_process("http://whatever:1/v1", embedded_pid=4242) == (4242, "embedded llama.cpp, pid 4242")


async def test_the_garbage_is_collected_only_once_the_answers_final_text_is_on_screen(faults, monkeypatch):
    """memory.aggressive_gc after a large answer: never on the event loop before the answer's last frame."""
    from devsynth_tui.services.resources import monitor

    seen_at_collection: list[str] = []
    real = monitor.collect_garbage

    def collect() -> str:
        stats = app.query(AssistantMessage).last().query_one(".stats")
        seen_at_collection.append(str(stats.render()))
        return real()

    monkeypatch.setattr(monitor, "collect_garbage", collect)
    app = app_for(faults.url("fast"), **{"llm.max_tokens": 2_000, "memory.aggressive_gc": True})
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        await ask(app, pilot, "go")
        await until(pilot, lambda: seen_at_collection, what="the collection")
    assert len(seen_at_collection) == 1
    assert "2,000 tokens" in seen_at_collection[0]  # the answer's stats line: finish() had shown the final answer


async def run_task(app, pilot, folder) -> None:
    """Connect, open the Tasks pane and send its task on one small file in ``folder``."""
    (folder / "notes.txt").write_text("a note\n")
    await connected(app, pilot)
    await open_pane(app, pilot, "tasks")
    app.query_one("#task-files").value = str(folder / "notes.txt")
    await pilot.press("enter")


def on_screen_when_counted(monkeypatch, app_of, word: str) -> list[bool]:
    """Whether ``word`` was on screen each time a request's counting began (which may build the tokenizer).
    The wait for the paint has no time limit here: a busy machine may take longer than PAINT_WAIT to paint."""
    from devsynth_tui.services.pipeline.pipeline import Pipeline

    seen: list[bool] = []
    real = Pipeline._end

    async def end(self, *args, **kwargs):
        seen.append(word in on_screen(app_of()))
        return await real(self, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "_end", end)
    monkeypatch.setattr(chat, "PAINT_WAIT", 3600)
    return seen


async def test_an_answers_last_words_are_on_screen_before_it_is_counted(faults, monkeypatch):
    """Counting a streamed answer may build the tokenizer (holding the GIL): its last frame is drawn before."""
    seen_at_counting = on_screen_when_counted(monkeypatch, lambda: app, "line59")
    app = app_for(faults.url("stepped"), **{"llm.max_tokens": 60})
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        app.query_one("#prompt").text = "go"
        await pilot.press("enter")
        pane = app.main.chat_pane
        await until(pilot, lambda: any(live.mounted.is_set() for live in pane.live.values()), 30, "the answer's view")
        faults.release(60)  # the whole answer, once its view is there to draw it
        await answered(app, pilot)
    assert seen_at_counting == [True]


async def test_a_tasks_last_words_are_on_screen_before_it_is_counted(faults, monkeypatch, tmp_path):
    seen_at_counting = on_screen_when_counted(monkeypatch, lambda: app, "tok1999")
    app = app_for(faults.url("fast"), **{"llm.max_tokens": 2_000})
    async with app.run_test(size=SIZE) as pilot:
        await run_task(app, pilot, tmp_path)
        await until(pilot, lambda: seen_at_counting and not app.query_one("#tasks-pane").running, 60, "the end")
    assert seen_at_counting == [True]


async def test_a_short_task_answer_is_drawn_at_the_top_of_its_output(faults, tmp_path):
    """The output follows an answer once it is taller than the view: a short one is not drawn at the bottom, under
    blank lines (as Textual draws an anchored, shorter content)."""
    app = app_for(faults.url("stepped"), **{"llm.max_tokens": 3})
    async with app.run_test(size=SIZE) as pilot:
        await run_task(app, pilot, tmp_path)
        faults.release(3)
        await until(pilot, lambda: not app.query_one("#tasks-pane").running, 60, "the end")
        await pilot.pause()
        output = app.query_one("#task-output")
        view = output.query_one(AssistantMessage)
        assert output.scroll_y == 0 and view.region.y - output.region.y <= 1, (output.scroll_y, view.region)


async def test_an_answer_whose_conversation_is_left_as_it_is_drawn_is_recorded_whole(faults, monkeypatch):
    """ctrl+n while an answer's last text is drawn (a long block is drawn in a thread) removes its view: the answer
    is still counted and recorded as it ended, and stored in its conversation."""
    real, left = MarkdownView.finish, []

    async def finish(view, text=None):
        if text is None and not left:  # the stream's end
            left.append(app.main.chat_pane.conversation_id)
            await app.main.action_new_conversation()
        await real(view, text)

    monkeypatch.setattr(MarkdownView, "finish", finish)
    app = app_for(faults.url("fast"), **{"llm.max_tokens": 2_000})
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        app.query_one("#prompt").text = "go"
        await pilot.press("enter")
        await until(pilot, lambda: left and ledger_rows() and not app.main.chat_pane.live, 60, "the answer's end")
        assert app.main.chat_pane.conversation_id is None and not app.query(AssistantMessage)  # left, and removed
        assert ledger_rows()[0]["status"] == "ok"
        (conversation,) = app.session.conversations.list()
        assert app.session.conversations.messages(conversation.id)[-1].content.endswith("tok1999 ")


async def test_esc_while_a_whole_answer_is_drawn_cancels_it_recorded_and_kept(faults, monkeypatch):
    """Between the stream's end and its count the chat draws the answer; Esc then is a cancel like any other:
    the ledger row is written (cancelled) and the whole answer is stored."""
    drawing = asyncio.Event()

    async def wait_for_refresh(view) -> bool:  # the paint never comes: Esc meets the answer here
        drawing.set()
        return await asyncio.Event().wait()

    monkeypatch.setattr(MarkdownView, "wait_for_refresh", wait_for_refresh)  # the answer's text, painted()
    monkeypatch.setattr(chat, "PAINT_WAIT", 3600)
    app = app_for(faults.url("fast"), **{"llm.max_tokens": 2_000})
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        app.query_one("#prompt").text = "go"
        await pilot.press("enter")
        await until(pilot, drawing.is_set, what="the whole answer drawn")
        await pilot.press("escape")
        await until(pilot, lambda: not app.main.chat_pane.live, what="the cancel")
        await until(pilot, ledger_rows, what="the ledger row")
        row = ledger_rows()[0]
        assert (row["status"], row["error"]) == ("cancelled", "cancelled by the user")
        conversation = app.session.conversations.messages(app.main.chat_pane.conversation_id)
        assert conversation[-1].content.endswith("tok1999 ")


async def test_the_tokenizer_is_loaded_by_the_first_answer_not_at_start_up_nor_as_a_question_is_typed(
    faults, monkeypatch
):
    """Idle after start-up (connected, warmed up) the tokenizer's 26 MB are not loaded, nor while a question alone
    is typed (it is sent by bytes); the first answer from a server without a tokenizer of its own (this one) loads
    them (in a thread) and its figures are counted."""
    seen = spy_on_typing(monkeypatch)
    async with idle_without_tokenizer(faults) as (app, pilot):
        await pilot.press("g", "o")
        await until(pilot, lambda: "go" in seen, what="the typed question handled")
        assert not token_accounting.loaded() and not tokenizer_workers(app)
        await pilot.press("enter")
        await until(pilot, lambda: app.query(AssistantMessage), what="the answer's view")
        await answered(app, pilot)
        assert token_accounting.loaded()
        assert "tokens" in str(app.query(AssistantMessage).last().query_one(".stats").render())


async def test_a_first_answer_from_a_server_that_tokenizes_is_counted_by_it_and_never_builds_cl100k(server_url):
    """The embedded llama.cpp server counts tokens itself (POST /tokenize): a question alone is counted by it once
    answered, in the stats line and the context view (ctrl+k) too, and cl100k's 26 MB are never built."""
    token_accounting.encoding.cache_clear()
    app = app_for(server_url, **{"llm.max_tokens": 12, "disk.caching.enabled": False})
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        await ask(app, pilot, "Name a colour.")
        view = app.query(AssistantMessage).last()
        assert view.context and view.context["by_model"] and "tokens" in str(view.query_one(".stats").render())
        await pilot.press("ctrl+k")
        await until(pilot, lambda: isinstance(app.screen, ContextViewScreen), what="the context view")
        assert "tokens by the model's count of a " in str(app.screen.query_one("#context-headline").render())
        assert not token_accounting.loaded()


async def test_keys_typed_during_the_first_answer_do_not_build_the_tokenizer(faults, monkeypatch):
    """The first answer streams with the tokenizer not built (its build holds the interpreter ~60 ms in one call);
    a follow-up typed meanwhile does not start it either."""
    seen = spy_on_typing(monkeypatch)
    async with idle_without_tokenizer(faults, "steady", **{"llm.max_tokens": 20_000}) as (app, pilot):
        await pilot.press("g", "o", "enter")
        await until(pilot, lambda: app.query(AssistantMessage) and app.query(AssistantMessage).last().text, 60, "text")
        await pilot.press("x")
        await until(pilot, lambda: "x" in seen, what="the key typed during the answer handled")
        assert app.main.chat_pane.live, "the answer had ended: the check covers nothing"
        assert not token_accounting.loaded() and not tokenizer_workers(app)
        await pilot.press("escape")
        await answered(app, pilot)


async def test_typing_an_attachment_loads_the_tokenizer_meanwhile(faults, monkeypatch):
    """A question that attaches a file is counted before it is sent: the tokenizer loads while it is typed."""
    seen = spy_on_typing(monkeypatch)
    async with idle_without_tokenizer(faults) as (app, pilot):
        await pilot.press("@")
        await until(pilot, lambda: "@" in seen, what="the typed text handled")
        await until(pilot, lambda: token_accounting.loaded() or tokenizer_workers(app), what="the tokenizer loading")


@contextlib.asynccontextmanager
async def idle_without_tokenizer(faults, mode: str = "fast", **values):
    """The dashboard on ``faults``'s ``mode``, connected and warmed up, the tokenizer not loaded (as after
    start-up): (app, pilot)."""
    token_accounting.encoding.cache_clear()
    app = app_for(faults.url(mode), **values)
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        await until(pilot, lambda: warmed_up(app), what="the warm-up done")
        yield app, pilot


def spy_on_typing(monkeypatch) -> list[str]:
    """The prompt texts the chat pane has handled, in order."""
    seen: list[str] = []
    real = ChatPane.on_text_area_changed

    def changed(self, event) -> None:
        real(self, event)
        seen.append(event.text_area.text)

    monkeypatch.setattr(ChatPane, "on_text_area_changed", changed)
    return seen


def tokenizer_workers(app) -> list:
    return [w for w in app.workers if w.group == "tokenizer"]


async def test_connecting_names_the_server_before_the_warm_up_and_asks_each_endpoint_once(
    recording_proxy, app_home, monkeypatch
):
    """The first look asks each endpoint once, all at once and alone (the warm-up starts after the status line
    names the server); its model list is reused: the server is not asked again to list its models."""
    status_at_warm_up: list[str] = []
    real = Connection._warm_up

    def warm_up(self):
        status_at_warm_up.append(str(self.main.status_line.render()))
        real(self)

    monkeypatch.setattr(Connection, "_warm_up", warm_up)
    recording_proxy.requests.clear()
    app = app_for(recording_proxy.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        await until(pilot, lambda: warmed_up(app), what="the warm-up done")
        await pilot.press("f5")  # the Models pane shows the list connect fetched
        await until(pilot, lambda: app.main._pane("models") is not None and app.main.models)
    assert len(status_at_warm_up) == 1 and "llama.cpp server at" in status_at_warm_up[0]
    paths = [path for _, path, _ in recording_proxy.requests]
    assert sorted(paths) == sorted(["/v1/models", "/api/v0/models", "/api/v1/models", "/props"])


async def test_a_look_begun_at_start_up_names_the_server_and_model_in_the_first_frame(recording_proxy, monkeypatch):
    """The command starts the first look before Textual imports: once it has seen the server, the first frame names
    the server and the model (not "connecting…"), and the connect that follows asks nothing again."""
    cfg = load(base_url=recording_proxy.url).with_values({"llm.embedded.mode": "never"})
    recording_proxy.requests.clear()
    ahead = look_ahead(cfg)
    assert ahead is not None and ahead.result(timeout=10) is not None
    first_frame: list[str] = []
    monkeypatch.setattr(DevsynthApp, "post_display_hook", lambda app: first_frame or first_frame.append(on_screen(app)))
    app = DevsynthApp(cfg, look=ahead)
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
    assert f"llama.cpp server at {recording_proxy.url}" in first_frame[0]
    assert f"model {app.main.model}" in first_frame[0]
    assert sorted(path for _, path, _ in recording_proxy.requests) == sorted(PATHS)


async def test_the_footer_shows_the_keys_of_the_moment_and_a_click_presses_one(faults, monkeypatch):
    """Typing and sending change no key in the footer; attaching a file adds ctrl+x to it; a click on a key presses
    it, and the pointer over a key lights it as Textual's Footer does."""
    from devsynth_tui.ui.attachments import AttachmentBar
    from devsynth_tui.ui.footer import KeysFooter
    from devsynth_tui.ui.panes import ConversationPicker

    shown: list[list[str]] = []
    real_show = AttachmentBar.show
    monkeypatch.setattr(AttachmentBar, "show", lambda bar, lines: (shown.append(lines), real_show(bar, lines)))
    app = app_for(faults.url("fast"), **{"llm.max_tokens": 16})
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        footer = app.screen.query_one(KeysFooter)
        await until(pilot, footer.shown_keys, 30, "the footer's keys")
        keys = footer.shown_keys()
        assert keys[-1] == "ctrl+p" and "ctrl+q" in keys and "ctrl+x" not in keys
        await pilot.press(*"say hi")
        await until(pilot, lambda: shown, 30, "the attachment bar's check of the typed text")
        await ask(app, pilot, "say hi")
        assert footer.shown_keys() == keys
        app.query_one("#prompt").text = "explain @README.md"
        await until(pilot, lambda: "ctrl+x" in footer.shown_keys(), 30, "ctrl+x")
        chats = next(item for item in footer.items() if item.key == "ctrl+o")
        before = footer.render()
        await pilot.hover(KeysFooter, offset=(chats.start + 1, 0))
        after = footer.render()
        assert after.plain == before.plain
        lit = after.get_style_at_offset(app.console, chats.end - 1).bgcolor
        assert lit != before.get_style_at_offset(app.console, chats.end - 1).bgcolor
        await pilot.click(KeysFooter, offset=(chats.start + 1, 0))
        await until(pilot, lambda: isinstance(app.screen, ConversationPicker), 30, "the conversation picker")


async def test_a_question_is_sent_as_its_view_mounts_and_all_that_came_meanwhile_is_shown(server_url, monkeypatch):
    """On a busy machine (the answer's view takes half a second to mount here) the question is on its way before
    its view is there; what arrived meanwhile, even the whole of a cached answer with its end, is then shown."""
    sent_first: list[bool] = []
    real_add = ChatPane.add

    async def slow_add(self, *widgets):
        if any(isinstance(w, AssistantMessage) for w in widgets) and self.live:
            live = next(iter(self.live.values()))
            await asyncio.sleep(0.5)
            sent_first.append(live.answer.prepared is not None)
        await real_add(self, *widgets)

    monkeypatch.setattr(ChatPane, "add", slow_add)
    app = app_for(server_url, **{"llm.temperature": 0, "llm.max_tokens": 12, "disk.caching.enabled": True})
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        for _ in range(2):  # the second, in a new conversation, is the first one's cache hit
            await pilot.press("ctrl+n")
            await until(pilot, lambda: not app.query(AssistantMessage), 30, "the new conversation")
            await ask(app, pilot, "Name three colours.")
            view, pane = app.query(AssistantMessage).last(), app.main.chat_pane
            stored = app.session.conversations.messages(pane.conversation_id)[-1]
            assert view.text and view.text == stored.content
            assert str(view.query_one(".stats").render()) == stored.meta["stats"]
    assert "cache hit" in stored.meta["stats"]
    assert sent_first == [True, True]


async def test_a_questions_request_is_written_before_its_views_mount(faults, monkeypatch):
    """The views' mount and layout hold the event loop (10-25 ms): they wait until the request is on its way."""
    monkeypatch.setattr(chat_pane, "SEND_FIRST", 30.0)  # only the request's write lets the mount go on here
    at_mount: list[tuple[bool, int]] = []
    real_add = ChatPane.add

    async def add(self, *widgets):
        if any(isinstance(w, AssistantMessage) for w in widgets):
            live = next(iter(self.live.values()))
            at_mount.append((live.sent.is_set(), live.answer.pieces))
        await real_add(self, *widgets)

    monkeypatch.setattr(ChatPane, "add", add)
    app = app_for(faults.url("gated"))
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        app.query_one("#prompt").text = "hello"
        await pilot.press("enter")
        await until(pilot, lambda: at_mount, 20, "the answer's view")
        faults.open_gate(1)
        await answered(app, pilot)
        assert app.query(AssistantMessage).last().text == "gated answer"
    assert at_mount == [(True, 0)]  # written, and nothing of the answer came yet (the server holds it)


async def test_a_question_refused_before_it_is_sent_is_shown_at_once(server_url, monkeypatch):
    """A question that never goes out (too long for the model's window with llm.max_tokens kept) does not wait for
    a write that does not come: its refusal is shown at once."""
    monkeypatch.setattr(chat_pane, "SEND_FIRST", 60.0)
    app = app_for(server_url, **{"llm.max_tokens": 1_000_000})
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        app.query_one("#prompt").text = "hello"
        await pilot.press("enter")
        stats = lambda: str(app.query(AssistantMessage).last().query_one(".stats").render())  # noqa: E731
        await until(pilot, lambda: app.query(AssistantMessage) and "window" in stats(), 30, "the refusal")


async def test_the_attachment_bar_is_drawn_again_only_when_what_it_lists_changes(faults, monkeypatch):
    """Each drawing of the bar is a layout pass of the screen: questions without attachments draw it never."""
    drawn: list[str] = []
    real_update = AttachmentBar.update
    monkeypatch.setattr(AttachmentBar, "update", lambda self, text: (drawn.append(text), real_update(self, text)))
    app = app_for(faults.url("ok"))
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        for question in ("hello", "and again"):
            await ask(app, pilot, question)
            await pilot.pause(chat_pane.ATTACH_PAUSE + 0.2)  # the bar is worked out again once typing pauses
    assert drawn == []


async def test_a_long_conversation_opens_at_its_end_and_shows_earlier_messages_on_request(server_url):
    """The latest conversation opens at start-up with its last SHOWN_AT_OPEN messages (a long one mounted whole
    took seconds); the button above them shows earlier ones, a press at a time (or Home from the prompt with the
    chat at its top), until all are there in order."""
    app = app_for(server_url)
    async with app.run_test(size=SIZE) as pilot:
        convs = app.session.conversations
        stored = [Message("user" if n % 2 == 0 else "assistant", f"message {n}") for n in range(25)]
        cid = convs.start("long", stored[0])
        for message in stored[1:]:
            convs.add(cid, message)
        await app.main._switch_to(cid)
        pane = app.main.chat_pane

        def shown() -> list[str]:
            views = app.query("#messages > UserMessage, #messages > AssistantMessage")
            return [v.text if isinstance(v, AssistantMessage) else str(v.render()) for v in views]

        await until(pilot, lambda: shown() == [m.content for m in stored[-SHOWN_AT_OPEN:]], 30, "the last messages")
        for hidden, left in ((15, 5), (5, 0)):  # earlier messages before the press, and after it
            label = f"▲ {hidden} earlier messages: show {min(hidden, SHOWN_AT_OPEN)} more"
            assert str(app.query_one("#earlier", Button).label) == label
            if left:  # a click on the button
                app.query_one("#messages").scroll_home(animate=False)  # the user scrolls up to it
                await pilot.pause()
                await pilot.click("#earlier")
            else:  # Home from the prompt, twice: to the top, then up from it
                app.query_one("#prompt").focus()
                await pilot.press("home")
                await until(pilot, lambda: app.query_one("#messages").scroll_y == 0, 30, "the chat at its top")
                await pilot.press("home")
            expected = [m.content for m in stored[left:]]
            await until(pilot, lambda: shown() == expected, 30, "the earlier messages")  # noqa: B023
            assert len(pane.earlier) == left
        assert not app.query("#earlier")
        await pane.show_earlier()  # a press handled after the button went: nothing to do
        assert shown() == [m.content for m in stored]


async def test_ctrl_k_during_an_answer_shows_what_it_sent_or_says_when_it_will(faults, tmp_path):
    """An answer streaming: ctrl+k opens what it sent when that was counted before sending (a file attached), and
    says it will once it ends when it was sent by bytes (counted as it ends), never the previous answer's view."""
    (tmp_path / "notes.txt").write_text("Remember the milk.\n")
    app = app_for(faults.url("steady"), **{"llm.max_tokens": 20_000})
    notified: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        real_notify = app.notify
        app.notify = lambda message, **kw: (notified.append(str(message)), real_notify(message, **kw))
        await connected(app, pilot)
        for prompt in ("go", f"read @{tmp_path / 'notes.txt'}"):
            app.query_one("#prompt").text = prompt
            await pilot.press("enter")
            await until(pilot, lambda: app.query(AssistantMessage).last().text, 60, "the answer streaming")
            await pilot.press("ctrl+k")
            if prompt == "go":
                await until(pilot, lambda: any("counted, and shown here, once it ends" in n for n in notified))
            else:
                await until(pilot, lambda: isinstance(app.screen, ContextViewScreen), 30, "the context view")
                headline = str(app.screen.query_one("#context-headline").render())
                assert headline.startswith("This answer (streaming):") and app.main.chat_pane.live
                assert any(part["name"].endswith("notes.txt") for part in app.screen.view["parts"])
                await pilot.press("escape")
            await pilot.press("escape")  # the answer, cancelled
            await answered(app, pilot)


async def test_a_cancelled_answers_stages_are_shown_as_the_last_requests(faults, monkeypatch):
    """Esc during an answer: the sidebar's tokens per stage and the status line's share of the window become the
    cancelled request's (counted and recorded all the same), not the previous request's."""
    shown: list[list] = []
    fills: list[float | None] = []
    real = StageWaterfall.show_stages
    monkeypatch.setattr(StageWaterfall, "show_stages", lambda self, stages: (shown.append(stages), real(self, stages)))
    app = app_for(faults.url("steady"), **{"llm.max_tokens": 20_000})
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        for prompt in ("go", "and now a much longer question than the first one was"):
            app.query_one("#prompt").text = prompt
            await pilot.press("enter")
            await until(pilot, lambda: app.query(AssistantMessage).last().text, 60, "the answer streaming")
            await pilot.press("escape")
            await answered(app, pilot)
            stored = [(s["stage"], s["tokens_before"], s["tokens_after"]) for s in app.session.ledger.last_stages()]
            await until(pilot, lambda: shown and shown[-1] == stored, 30, "the cancelled request's stages")  # noqa: B023
            context = app.query(AssistantMessage).last().context  # what ctrl+k shows for it
            fills.append(app.main.state.figures.fill)
            assert context and fills[-1] == context["fill"]  # the status line's "ctx %" is the cancelled request's
    assert len(shown) == 2 and shown[0] != shown[1] and fills[0] != fills[1]


async def test_a_question_whose_conversation_changed_as_it_was_read_is_not_sent_with_the_wrong_history(
    faults, monkeypatch
):
    """ctrl+n while a question's files and history are read: nothing is sent with the history of a conversation
    no longer on screen; the question stays in the prompt, and Enter sends it in the one on screen."""
    real, switched = ChatPane.attached, []

    async def read_then_ctrl_n(self, text):
        request = await real(self, text)
        if not switched:  # the user's ctrl+n, handled as the question was being read
            switched.append(True)
            await self.main.action_new_conversation()
        return request

    monkeypatch.setattr(ChatPane, "attached", read_then_ctrl_n)
    app = app_for(faults.url("ok"))
    notified: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        real_notify = app.notify
        app.notify = lambda message, **kw: (notified.append(str(message)), real_notify(message, **kw))
        await connected(app, pilot)
        switched.append(True)
        await ask(app, pilot, "first question")
        switched.clear()
        pane = app.main.chat_pane
        app.query_one("#prompt").text = "a follow-up"
        await pilot.press("enter")
        await until(pilot, lambda: any("the conversation changed" in n for n in notified), 30, "the refusal")
        assert pane.conversation_id is None and not app.query(AssistantMessage)
        assert app.query_one("#prompt").text == "a follow-up"
        await pilot.press("enter")
        await until(pilot, lambda: app.query(AssistantMessage), 30, "the question sent here")
        await answered(app, pilot)
        stored = app.session.conversations.messages(pane.conversation_id)
        assert [m.content for m in stored if m.role == "user"] == ["a follow-up"]


def first_text_when_read_on(monkeypatch, source) -> list[str]:
    """What ``source()`` (an answer view's Markdown) held when the stream was read on after its first text."""
    seen: list[str] = []
    real_events = RequestRun.events

    async def events(run):
        first = False
        async for event in real_events(run):
            if first:
                seen.append(source())
            first = isinstance(event, Delta) and not event.thinking and not seen
            yield event

    monkeypatch.setattr(RequestRun, "events", events)
    return seen


async def test_an_answers_first_text_is_in_its_view_before_the_stream_is_read_on(faults, monkeypatch):
    """The first text goes into the answer's view as it arrives, so the coming frame draws it: it is not queued
    behind that frame (~10 ms later on screen)."""
    in_view_when_read_on = first_text_when_read_on(monkeypatch, lambda: app.query(MarkdownView).last().source)
    app = app_for(faults.url("gated"))
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        app.query_one("#prompt").text = "hello"
        await pilot.press("enter")
        pane = app.main.chat_pane
        await until(pilot, lambda: faults.inflight and all(a.mounted.is_set() for a in pane.live.values()), 30, "sent")
        faults.open_gate(1)
        await answered(app, pilot)
    assert in_view_when_read_on[0] == "gated"


async def test_a_tasks_first_text_is_in_its_view_before_the_stream_is_read_on(faults, monkeypatch, tmp_path):
    """The same in the Tasks pane: its answer's first text is not left for the next frame (~150 ms)."""
    output = lambda: app.query_one("#task-output").query_one(MarkdownView).source  # noqa: E731
    in_view_when_read_on = first_text_when_read_on(monkeypatch, output)
    app = app_for(faults.url("gated"))
    async with app.run_test(size=SIZE) as pilot:
        await run_task(app, pilot, tmp_path)
        await until(pilot, lambda: faults.inflight, 30, "sent")
        faults.open_gate(1)
        await until(pilot, lambda: not app.query_one("#tasks-pane").running, 60, "the task's end")
    assert in_view_when_read_on[0] == "gated"


async def test_an_answers_first_text_is_drawn_alone_and_its_live_count_follows(faults, monkeypatch):
    """The frame that draws an answer's first text draws nothing else: the live token estimate (sidebar, status
    line) follows a moment later, also when the stream stalls there, and leaves once the answer is counted."""
    counts: list[int] = []  # the live estimate once the pane has taken the first text
    real_events = RequestRun.events

    async def events(run):
        async for event in real_events(run):
            yield event
            if isinstance(event, Delta) and not counts:
                counts.append(app.main.state.figures.live_completion)

    monkeypatch.setattr(RequestRun, "events", events)
    app = app_for(faults.url("stepped"), **{"llm.max_tokens": 3})
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        app.query_one("#prompt").text = "hello"
        await pilot.press("enter")
        faults.release(1)
        await until(pilot, lambda: app.main.state.figures.live_completion == 1, 30, "the stalled stream's live count")
        assert counts == [0]
        faults.release(2)
        await answered(app, pilot)
        assert app.main.state.figures.live_completion == 0


async def test_the_notice_an_answer_waited_under_goes_in_the_frame_after_its_first_text(server_url, monkeypatch):
    """llama.cpp's prompt progress is said until the first text; the frame that draws that text draws it alone
    (the status line and the stats line follow in the next frame)."""
    at_first_text: list[tuple[str, str]] = []
    real_events = RequestRun.events

    async def events(run):
        async for event in real_events(run):
            yield event
            if isinstance(event, Delta) and not at_first_text:
                live = next(iter(app.main.chat_pane.live.values()))  # its view mounted by now, unless the machine is
                mounted = live.mounted.is_set() and live.view  # very slow: what came meanwhile is replayed into it
                stats = str(live.view.query_one(".stats").render()) if mounted else None
                at_first_text.append((app.main.state.figures.notice, stats))

    monkeypatch.setattr(RequestRun, "events", events)
    app = app_for(server_url, **{"llm.max_tokens": 40})
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        app.query_one("#prompt").text = "Tell me about the sea."
        await pilot.press("enter")
        await until(pilot, lambda: at_first_text, 60, "the first text")
        await until(pilot, lambda: not app.main.state.figures.notice, 30, "the notice gone")
        await answered(app, pilot)
        final = str(app.query(AssistantMessage).last().query_one(".stats").render())
    notice, stats = at_first_text[0]
    assert notice.startswith("processing the prompt:") and stats in (notice, None)
    assert "tokens" in final and final != notice


async def test_the_notice_goes_when_more_text_came_before_the_first_texts_frame(faults, monkeypatch):
    """Two pieces taken before the frame after the first (a fast model, or one network read): the notice goes all
    the same, not only at the answer's end."""
    progress = "processing the prompt: 10 of 40 tokens (25%)…"
    real_run = Pipeline.run

    async def run(self, req):
        yield Notice(progress)  # as llama.cpp's prompt progress is said
        async for event in real_run(self, req):
            yield event

    monkeypatch.setattr(Pipeline, "run", run)
    app = app_for(faults.url("stepped"), **{"llm.max_tokens": 4})
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        app.query_one("#prompt").text = "hello"
        await pilot.press("enter")
        pane = app.main.chat_pane
        await until(pilot, lambda: pane.live and all(a.mounted.is_set() for a in pane.live.values()), 30, "mounted")
        assert app.main.state.figures.notice == progress
        faults.release(2)  # the stream then stalls on the server: only the first text's frame can clear the notice
        view = app.query(AssistantMessage).last()
        await until(pilot, lambda: not app.main.state.figures.notice, 30, "the notice gone mid-answer")
        assert str(view.query_one(".stats").render()).startswith("streaming…")
        faults.release(2)
        await answered(app, pilot)


async def test_while_keys_are_typed_a_streamed_answer_draws_just_after_them(faults, monkeypatch):
    """While keys come, a streamed answer's frames (30-50 ms each at 160x48 on a busy stream) come just after a
    key, never in between on their own timer: the next key finds the loop free. Once typing stops, the answer
    draws at its frame rate again."""
    typing, keys, frames = [True], [0], []  # keys arrived so far; the keys arrived by each frame
    real_typed, real_flush = KeysTyped.typed, AssistantMessage.flush

    def typed(self, text):
        keys[0] += text
        real_typed(self, text)

    async def flush(self):
        frames.append(keys[0])
        await real_flush(self)

    monkeypatch.setattr(KeysTyped, "recently", lambda self: typing[0])  # however slowly this machine types
    monkeypatch.setattr(KeysTyped, "typed", typed)
    monkeypatch.setattr(AssistantMessage, "flush", flush)
    app = app_for(faults.url("paced"), **{"llm.max_tokens": 6000})  # a minute of lines, 100 a second
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        app.query_one("#prompt").text = "go"
        await pilot.press("enter")
        await until(pilot, lambda: app.query(MarkdownView) and app.query(MarkdownView).last().source, 30, "text")
        start, typed = len(frames), 0
        for _ in range(3):  # keys until a frame comes: the first key once the next frame is due brings it
            seen = len(frames)
            while len(frames) == seen and typed < 60:
                await pilot.press("x")
                typed += 1
                await pilot.pause(0.1)
        during = frames[start:]
        assert len(during) >= 3 and during == sorted(set(during)), during  # a key or more before each frame
        assert app.query_one("#prompt").text == "x" * typed
        typing[0], start = False, len(frames)
        await until(pilot, lambda: len(frames) >= start + 2, 30, "frames with no key typed")
        assert frames[-1] == frames[-2] == keys[0]
        await pilot.press("escape")
        await until(pilot, lambda: not app.main.chat_pane.live, 30, "the cancel")


async def test_an_answer_sent_with_enter_right_after_typing_draws_at_its_frame_rate(faults, monkeypatch):
    """Enter ends the typing: the answer it sends is drawn frame by frame from its first text on, not held back
    as if keys were still coming (it was, for half a second after the question's last key)."""
    monkeypatch.setattr(chat, "TYPING_SECONDS", 30.0)  # typed keys stay recent however slowly this machine runs
    frames, real_flush = [], AssistantMessage.flush

    async def flush(self):
        frames.append(self)
        await real_flush(self)

    monkeypatch.setattr(AssistantMessage, "flush", flush)
    app = app_for(faults.url("paced"), **{"llm.max_tokens": 6000})  # a minute of lines, 100 a second
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        await pilot.press("g", "o", "enter")
        await until(pilot, lambda: len(frames) >= 4, 20, "the answer's frames")
        await pilot.press("escape")
        await until(pilot, lambda: not app.main.chat_pane.live, 30, "the cancel")


async def test_the_start_collects_no_garbage_until_the_first_frame_then_freezes_what_it_made(server_url, monkeypatch):
    """The dashboard command turns the collector off for its start (imports and the first frame make few cycles);
    the first frame drawn, it is on again and what the start made is frozen: later collections don't scan it."""
    from devsynth_tui.cli import dashboard

    at_run: list[bool] = []
    monkeypatch.setattr("devsynth_tui.ui.app.run_app", lambda cfg, look: at_run.append(gc.isenabled()) or 0)
    try:
        dashboard.cmd_dashboard(argparse.Namespace(config=None, base_url=server_url, model=None))
        assert at_run == [False]
        frozen = gc.get_freeze_count()
        app = app_for(server_url)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.main.services_started, 30, "the first frame")
            assert gc.isenabled() and gc.get_freeze_count() > frozen
    finally:
        gc.enable()
        gc.unfreeze()
