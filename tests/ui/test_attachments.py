"""Issue 20 in the dashboard: ``@path`` in the chat (Tab completes, the bar lists, ctrl+x detaches, stored with the
message, sent again in a follow-up), a task in your own words, the context view (ctrl+k) and the status line's fill;
whole-when-fits checked on the bytes the real server received."""

import asyncio
import fnmatch
from pathlib import Path

import pytest

from devsynth_tui.config import load
from devsynth_tui.ui.app import DevsynthApp
from devsynth_tui.ui.attachments import AttachmentBar
from devsynth_tui.ui.chat import AssistantMessage, PromptArea, UserMessage
from devsynth_tui.ui.context_view import ContextViewScreen

from .test_pilot import answered, connected, open_pane, until

FNMATCH = Path(fnmatch.__file__).read_text()
WORDING = "Write pytest tests for the code in the context, covering normal and edge cases."
SIZE = (120, 40)

pytestmark = pytest.mark.integration


def app_for(url: str) -> DevsynthApp:
    cfg = load(base_url=url).with_values({"llm.embedded.mode": "never", "llm.max_tokens": 4, "llm.temperature": 0})
    return DevsynthApp(cfg)


def text_of(widget) -> str:
    return str(widget.render())


async def typed(app, pilot, text: str) -> PromptArea:
    """Once connected, ``text`` in the chat's prompt, focused."""
    await connected(app, pilot)
    prompt = app.query_one(PromptArea)
    prompt.focus()
    prompt.text = text
    return prompt


async def test_chat_at_file_is_completed_listed_sent_whole_stored_and_sent_again(
    recording_proxy, tmp_path, monkeypatch
):
    (tmp_path / "fnmatch_copy.py").write_text(FNMATCH)
    (tmp_path / "notes.md").write_text("# notes\n")
    monkeypatch.chdir(tmp_path)
    app = app_for(recording_proxy.url)
    async with app.run_test(size=SIZE) as pilot:
        prompt = await typed(app, pilot, f"{WORDING} @fnm")
        prompt.move_cursor(prompt.document.end)
        await pilot.press("tab")
        await until(pilot, lambda: prompt.text == f"{WORDING} @fnmatch_copy.py ", 30, "the completion")
        bar = app.query_one(AttachmentBar)
        await until(pilot, lambda: bar.display and "fnmatch_copy.py" in text_of(bar), what="the attachment bar")
        assert "tokens" in text_of(bar) and "% of the" in text_of(bar)  # its share of the server's window
        barred = text_of(bar)
        await pilot.press("enter")
        await pilot.pause()
        await answered(app, pilot)
        part = next(p for p in app.query(AssistantMessage).last().context["parts"] if p["kind"] == "file")
        assert f"fnmatch_copy.py  {part['tokens']:,} tokens" in barred  # as the context view counts it: header too
        sent = recording_proxy.bodies()[-1]["messages"]
        assert FNMATCH.rstrip() in sent[0]["content"] and sent[-1]["content"].strip() == f"{WORDING} fnmatch_copy.py"
        assert "attached: fnmatch_copy.py" in text_of(app.query(UserMessage).last())
        assert not bar.display
        assert "ctx " in text_of(app.query_one("#status"))  # the window's fill
        stored = app.session.conversations.messages(app.main.chat_pane.conversation_id)
        assert stored[0].meta["attachments"] == [str(tmp_path / "fnmatch_copy.py")]
        assert next(p for p in stored[1].meta["context"]["parts"] if p["kind"] == "file")["status"] == "whole"
        await pilot.press("ctrl+k")
        await until(pilot, lambda: isinstance(app.screen, ContextViewScreen), what="the context view")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ContextViewScreen), what="closing it")
        prompt.text = "And what does translate return?"  # a follow-up: the earlier file is sent again
        await pilot.press("enter")
        await pilot.pause()
        await answered(app, pilot)
        assert FNMATCH.rstrip() in recording_proxy.bodies()[-1]["messages"][0]["content"]


async def test_an_email_and_a_decorator_stay_text_and_ctrl_x_detaches(recording_proxy, tmp_path, monkeypatch):
    (tmp_path / "property").write_text("x = 1\n")  # "@property" would name it only as a path: it does here
    (tmp_path / "a.py").write_text("print(1)\n")
    monkeypatch.chdir(tmp_path)
    app = app_for(recording_proxy.url)
    async with app.run_test(size=SIZE) as pilot:
        prompt = await typed(app, pilot, "mail me@a.py about @staticmethod and @a.py")
        bar = app.query_one(AttachmentBar)
        await until(pilot, lambda: bar.display and "a.py" in text_of(bar), what="the attachment bar")
        assert "staticmethod" not in text_of(bar) and "me@" not in text_of(bar)
        await pilot.press("ctrl+x")
        await until(pilot, lambda: prompt.text == "mail me@a.py about @staticmethod and a.py", 30, "the detach")
        await until(pilot, lambda: not bar.display, what="the bar to empty")
        await pilot.press("!")  # typing goes on where it was, at the end: not at the start
        await until(pilot, lambda: prompt.text == "mail me@a.py about @staticmethod and a.py!", 30, "the key typed")
        await pilot.press("backspace")
        await pilot.press("enter")
        await pilot.pause()
        await answered(app, pilot)
        assert recording_proxy.bodies()[-1]["messages"][-1]["content"] == "mail me@a.py about @staticmethod and a.py"
        assert "print(1)" not in recording_proxy.bodies()[-1]["messages"][0]["content"]


async def test_a_conversation_is_titled_as_its_question_shows_without_the_at(recording_proxy, tmp_path, monkeypatch):
    (tmp_path / "a.py").write_text("print(1)\n")
    monkeypatch.chdir(tmp_path)
    app = app_for(recording_proxy.url)
    async with app.run_test(size=SIZE) as pilot:
        await typed(app, pilot, "explain @a.py")
        await pilot.press("enter")
        await pilot.pause()
        await answered(app, pilot)
        assert app.session.conversations.list()[0].title == "explain a.py"


async def test_a_question_not_sent_comes_back_to_the_prompt_with_its_at_paths(tmp_path, monkeypatch):
    """Sent while connecting to a server that then fails: the question returns to the prompt as typed, so Enter sends
    it again with its file attached (it came back without its @: the file would not have gone)."""
    (tmp_path / "a.py").write_text("print(1)\n")
    monkeypatch.chdir(tmp_path)

    async def silent(reader, writer):  # accepts, never answers: the connect waits for its probe's timeout
        await asyncio.sleep(10)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    app = app_for(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/v1")
    async with server, app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.main.connection.started.is_set(), 30, "the connect")
        prompt = app.query_one(PromptArea)
        prompt.focus()
        prompt.text = "explain @a.py"
        await pilot.press("enter")
        await until(pilot, lambda: app.query(AssistantMessage), 30, "the question sent")
        await until(pilot, lambda: prompt.text == "explain @a.py", 60, "the question back in the prompt")


async def test_an_at_path_naming_nothing_is_said_above_the_prompt_and_not_sent(recording_proxy, tmp_path, monkeypatch):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "price.py").write_text("PRICE = 1\n")
    monkeypatch.chdir(tmp_path)
    app = app_for(recording_proxy.url)
    async with app.run_test(size=SIZE) as pilot:
        prompt = await typed(app, pilot, "write tests for @src/prices.py")  # a typo: the file is src/price.py, say
        bar = app.query_one(AttachmentBar)
        await until(pilot, lambda: bar.display and "no such file" in text_of(bar), what="the bar saying so")
        assert text_of(bar).startswith("can't attach: @src/prices.py: no such file or folder in")
        await pilot.press("enter")
        said = lambda: [n.message for n in app._notifications]  # noqa: E731
        await until(pilot, lambda: any("@src/prices.py: no such file" in n for n in said()), 30, "the refusal")
        assert prompt.text == "write tests for @src/prices.py" and recording_proxy.bodies() == []  # kept, not sent
        assert not app.query(AssistantMessage)
        await pilot.press("ctrl+x")  # the footer offers it: it drops the @, as the bar says to, to send it as text
        await until(pilot, lambda: prompt.text == "write tests for src/prices.py", 30, "the @ dropped")
        await until(pilot, lambda: not bar.display, what="the bar to empty")


async def test_a_task_in_your_own_words_sends_its_file_whole_and_is_a_conversation(recording_proxy, tmp_path):
    code = tmp_path / "fnmatch_copy.py"
    code.write_text(FNMATCH)
    app = app_for(recording_proxy.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        await open_pane(app, pilot, "tasks")
        instruction = app.query_one("#task-instruction")
        assert instruction.value == app.cfg.get("tasks")["explain file"]  # the first task's wording to start from
        instruction.value = "Write tests for translate"
        app.query_one("#task-files").value = str(code)
        await pilot.press("enter")
        output = app.query_one("#task-output")
        await until(
            pilot,
            lambda: output.query("AssistantMessage") and not app.query_one("#tasks-pane").running,
            what="the task",
        )
        sent = recording_proxy.bodies()[-1]["messages"]
        assert FNMATCH.rstrip() in sent[0]["content"] and sent[-1]["content"] == "Write tests for translate"
        stored = app.session.conversations.latest()
        assert stored.title == "Task own words: fnmatch_copy.py"
        assert app.session.conversations.messages(stored.id)[0].content == "Write tests for translate"


async def test_a_key_typed_into_the_tasks_wording_edits_it_not_replaces_it(recording_proxy):
    app = app_for(recording_proxy.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(app, pilot, "tasks")
        instruction = app.query_one("#task-instruction")
        wording = instruction.value
        instruction.focus()  # as Tab does
        await pilot.press("!")
        await until(pilot, lambda: instruction.value != wording, 30, "the key typed")
        assert instruction.value == wording + "!"


async def test_the_tasks_files_field_keeps_its_paths_when_the_pane_is_shown_again(recording_proxy):
    """Back to the Tasks pane (F2, then F3), the files field has the focus: a first key typed adds to its paths, it
    does not replace them (it replaced them: the field selected its text on focus)."""
    app = app_for(recording_proxy.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(app, pilot, "tasks")
        files = app.query_one("#task-files")
        await pilot.press(*"a.py")
        await until(pilot, lambda: files.value == "a.py", 30, "the path typed")
        await open_pane(app, pilot, "chat")
        await open_pane(app, pilot, "tasks")
        assert app.focused is files
        await pilot.press(*",b.py")
        await until(pilot, lambda: files.value != "a.py", 30, "the key typed")
        assert files.value == "a.py,b.py"


def test_a_question_names_its_attachments_as_typed_from_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    message = UserMessage("write tests", [str(tmp_path / "src" / "prices.py"), "/opt/lib/prices.py"])
    assert text_of(message) == "write tests\nattached: src/prices.py, /opt/lib/prices.py"  # two files, told apart
