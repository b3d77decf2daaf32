"""The finished surface at 80x24: the Resources pane as a tab, a footer that keeps ctrl+r and ctrl+q in every
pane, a status line that leads with what serves, dialogs whose text is whole and that ctrl+q still quits."""

import re

import pytest
from textual import events

from devsynth_tui.ui.footer import KeysFooter
from devsynth_tui.ui.panes import Choice, ConversationPicker
from devsynth_tui.ui.resources import ResourcesPane
from ui.test_newcomer import SMALL, fixed_app, screen_text, text_of
from ui.test_pilot import PANE_KEYS, cells, open_pane, pane_open, until


@pytest.mark.parametrize("pane", list(PANE_KEYS))
async def test_the_footer_keeps_reconnect_and_quit_in_every_pane_at_80_columns(pane):
    app = fixed_app()
    async with app.run_test(size=SMALL) as pilot:
        await open_pane(app, pilot, pane)
        await pilot.pause()
        shown = app.screen.query_one(KeysFooter).shown_keys()
        assert "ctrl+r" in shown and "ctrl+q" in shown, shown


async def test_f8_shows_the_resources_pane_and_w_switches_its_window():
    app = fixed_app()
    async with app.run_test(size=SMALL) as pilot:
        await open_pane(app, pilot, "graphs")
        pane = app.screen.query_one(ResourcesPane)
        head = app.screen.query_one("#resources-head")
        await until(pilot, lambda: "last minute" in text_of(head), 30, "the charts")
        assert len(pane.history) == 40 and len(pane.requests) == 3  # the fixed samples and requests
        assert app.focused is pane
        await pilot.press("w")
        assert "last 10 minutes" in text_of(head)


async def test_the_gc_figure_goes_to_the_resource_panel_not_the_status_line():
    app = fixed_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        app.main.state.set(gc="gc: 1950 unreachable objects collected")
        await pilot.pause()
        assert "1950 unreachable" in text_of(app.main.resource_panel)
        assert "gc:" not in text_of(app.main.status_line)


async def test_the_status_line_leads_with_what_serves_and_notes_the_fallback_where_there_is_room():
    note = "LM Studio not running at http://localhost:1234/v1"
    for size, noted in ((SMALL, False), ((160, 48), True)):
        app = fixed_app()
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            app.main.state.set(backend_note=note)
            await pilot.pause()
            status = text_of(app.main.status_line)
            assert status.startswith("embedded SmolLM2") and ("LM Studio not running" in status) is noted, status


def flowed(app) -> str:
    """The dialog's text as drawn on screen, its lines joined by single spaces (its border dropped)."""
    box = app.screen.query_one("Vertical").region
    lines = screen_text(app).splitlines()[box.y : box.bottom]
    return " ".join(" ".join(line[box.x : box.right].strip(" │╭╮╰╯─").split()) for line in lines).strip()


async def test_dialog_text_is_whole_at_80x24():
    app = fixed_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, ConversationPicker), 30, "the picker")
        await pilot.pause()
        assert "first message in the Chat pane starts one" in flowed(app)
        await pilot.press("escape")
        app.main.changes["llm.temperature"] = 0.5
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(app.screen, Choice), 30, "the question")
        await pilot.pause()
        assert "Save them to overrides.yaml before quitting?" in flowed(app)


async def test_ctrl_q_quits_while_a_dialog_is_open():
    app = fixed_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, ConversationPicker), 30, "the picker")
        await pilot.press("ctrl+q")
        await until(pilot, lambda: not app.is_running, 30, "quitting")
    app = fixed_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        app.push_screen(Choice("Delete “x” and its 2 messages for good?", [("y", "Delete", "delete")]))
        await until(pilot, lambda: isinstance(app.screen, Choice), 30, "the question")
        await pilot.press("ctrl+q")
        await until(pilot, lambda: not app.is_running, 30, "quitting")


async def test_a_burst_of_keys_keeps_the_newline_where_it_was_typed():
    """A long line, ctrl+j and more text arriving in one burst (as a paste does): keys apply in arrival order."""
    from textual import events

    app = fixed_app()
    async with app.run_test(size=SMALL) as pilot:
        prompt = app.query_one("#prompt")
        await until(pilot, lambda: app.focused is prompt, 30, "the prompt focused")
        first, second = "a long first line " * 8, "and more"
        burst = [events.Key(c, c) for c in first] + [events.Key("ctrl+j", "\n")] + [events.Key(c, c) for c in second]
        for key in burst:  # all queued before any is handled, as the terminal delivers them
            key.set_sender(app)
            app._driver.send_message(key)
        await until(pilot, lambda: len(prompt.text) == len(first) + 1 + len(second), 30, "every key applied")
        assert prompt.text == first + "\n" + second


async def test_a_burst_of_keys_applies_backspace_and_arrows_where_they_were_typed():
    """Text, backspaces, arrows and more text in one burst (keys typed while the app is busy arrive so): the text
    area's own keys (its bindings, run once the key had gone up to the app) ran after the text typed behind them."""
    from textual import events

    app = fixed_app()
    async with app.run_test(size=SMALL) as pilot:
        prompt = app.query_one("#prompt")
        await until(pilot, lambda: app.focused is prompt, 30, "the prompt focused")
        keys = [*"hello", "backspace", "backspace", *"p me", *["left"] * 3, "X", *["right"] * 3, "!"]
        for key in (events.Key(k, k if len(k) == 1 else None) for k in keys):  # queued before any is handled
            key.set_sender(app)
            app._driver.send_message(key)
        await until(pilot, lambda: len(prompt.text) == len("helpX me!"), 30, "every key applied")
        await pilot.pause()
        assert prompt.text == "helpX me!"


async def test_a_burst_of_keys_in_a_parameter_field_edits_it_as_typed():
    """End, three backspaces and a new value, typed at once (as while the app is busy): the backspaces act before
    the digits typed after them, which they erased (the field was left empty)."""
    from textual import events

    app = fixed_app()
    async with app.run_test(size=SMALL) as pilot:
        await open_pane(app, pilot, "params")
        field = app.query_one("#p-llm-temperature")
        field.value = "0.25"
        field.focus()
        field.cursor_position = 0
        await pilot.pause()
        for key in (events.Key(k, k if len(k) == 1 else None) for k in ["end", *["backspace"] * 3, *"0.5"]):
            key.set_sender(app)
            app._driver.send_message(key)
        await until(pilot, lambda: field.value.endswith("5") and len(field.value) == 4, 30, "every key applied")
        await pilot.pause()
        assert field.value == "00.5"


async def test_enter_in_a_burst_sends_the_text_typed_just_ahead_of_it(monkeypatch):
    """Text and Enter arriving in one burst (a paste ending in a newline, tmux's send-keys): Enter sends the whole
    text. As a priority binding it ran before the text ahead of it was in, and sent an empty prompt."""
    from textual import events

    from devsynth_tui.ui.chat import PromptArea

    sent: list[str] = []
    monkeypatch.setattr(PromptArea, "action_submit", lambda self: sent.append(self.text))
    app = fixed_app()
    async with app.run_test(size=SMALL) as pilot:
        prompt = app.query_one("#prompt")
        await until(pilot, lambda: app.focused is prompt, 30, "the prompt focused")
        text = "explain the retry helper"
        for key in [events.Key(c, c) for c in text] + [events.Key("enter", "\r")]:
            key.set_sender(app)
            app._driver.send_message(key)
        await until(pilot, lambda: sent, 30, "the prompt sent")
        assert sent == [text]


async def test_a_thinking_block_opens_with_a_key_shown_in_the_footer_and_with_a_click():
    from devsynth_tui.ui.chat import AssistantMessage, ThinkingBlock

    app = fixed_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        assert "ctrl+t" not in app.screen.query_one(KeysFooter).shown_keys()  # no thinking block yet
        await app.main.chat_pane.add(AssistantMessage("Four.", "stats", thinking="2 and 2 make 4", thinking_title="T"))
        block = app.query_one(ThinkingBlock)
        footer = app.screen.query_one(KeysFooter)
        await until(pilot, lambda: "ctrl+t" in footer.shown_keys(), 30, "ctrl+t in the footer")
        await pilot.press("ctrl+t")
        await until(pilot, lambda: not block.collapsed, 30, "the block opened by its key")
        assert "2 and 2 make 4" in str(block.query_one(".thinking-text").render())
        await pilot.press("ctrl+t")
        await until(pilot, lambda: block.collapsed, 30, "the block closed by its key")
        title = block.query_one("CollapsibleTitle")
        await until(pilot, lambda: title.region.height > 0 and title.region.y < SMALL[1], 30, "the title on screen")
        await pilot.click(title)
        await until(pilot, lambda: not block.collapsed, 30, "the block opened by a click")


async def test_the_models_pane_on_llama_cpp_shows_size_and_parameters_and_l_says_it_loads_itself(make_app):
    app = make_app()
    notified: list[str] = []
    real_notify = app.notify
    app.notify = lambda message, **kw: (notified.append(str(message)), real_notify(message, **kw))
    async with app.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: app.session.pipeline is not None, 60, "the connection")
        await open_pane(app, pilot, "models")
        table = app.query_one("#models-table")
        await until(pilot, lambda: table.row_count > 0, 30, "the model list")
        model = app.main.models[0]
        _, name, _, size, params, quantization, *_ = cells(table, model.id)
        assert name == "SmolLM2-135M-Instruct" and params == "135M" and quantization == "Q4_1"
        assert size.endswith(" GB") and float(size.split()[0]) > 0
        await pilot.press("l")
        await until(pilot, lambda: any("loads its model itself" in n for n in notified), 30, "the answer to l")
        assert not any("not found" in n for n in notified)


async def test_the_waiting_line_counts_the_seconds_until_the_first_token():
    from textual.app import App

    from devsynth_tui.ui.chat import AssistantMessage

    class Host(App):
        def compose(self):
            yield AssistantMessage()

    async with Host().run_test(size=SMALL) as pilot:
        view = pilot.app.query_one(AssistantMessage)
        stats = view.query_one(".stats")
        view.start_stream()
        view.notice("sent: waiting for the first token…")
        assert text_of(stats) == "sent: waiting for the first token…"

        def count() -> int:  # the seconds shown (a stalled frame may skip one), 0 if none
            found = re.fullmatch(r"sent: waiting for the first token… (\d+) s", text_of(stats))
            return int(found[1]) if found else 0

        await until(pilot, lambda: count() >= 1, 30, "a first second counted")
        first = count()
        await until(pilot, lambda: count() > first, 30, "a later second counted")
        shown = count()
        view.notice("streaming… (Esc cancels)")  # a later notice keeps the count
        assert text_of(stats) == f"streaming… (Esc cancels) {shown} s"
        view.add("The answer")  # after the notice, as the chat pane does
        await pilot.pause(0.3)
        assert text_of(stats) == "streaming… (Esc cancels)"  # the first piece came: no count any more


async def test_the_resources_pane_is_fed_each_sample_while_shown(lmstudio):
    from ui.test_newcomer import emulated_app

    app = emulated_app(lmstudio, **{"monitor.interval": 0.2})
    async with app.run_test(size=SMALL) as pilot:  # 80 columns: the sidebar is hidden, the pane alone is sampled
        await open_pane(app, pilot, "graphs")
        pane = app.screen.query_one(ResourcesPane)
        await until(pilot, lambda: len(pane.history) >= 3, 60, "three samples drawn")
        await pilot.press("f2")
        await until(pilot, lambda: app.main.shown_tab == "chat", 30, "the chat on screen")  # feeding stops then
        kept, last = len(pane.history), pane.history[-1].t
        # the sampler is shared by the process and keeps a window: count the samples taken since, not its length
        newer = lambda: sum(s.t > last for s in app.main.sampler.samples)  # noqa: E731
        await until(pilot, lambda: newer() >= 3 or not app.main.sampling, 60, "three more samples, or none taken")
        assert (len(pane.history), pane.history[-1].t) == (kept, last)  # not fed while another pane is on screen


async def test_a_paste_delivered_as_keystrokes_goes_in_as_few_edits_and_whole():
    """A terminal without bracketed paste types a pasted file key by key: the keys are gathered and inserted
    together, not one edit (a re-wrap and a Changed event) each; the text and its order are kept."""
    from textual import events

    app = fixed_app()
    async with app.run_test(size=SMALL) as pilot:
        prompt = app.query_one("#prompt")
        await until(pilot, lambda: app.focused is prompt, 30, "the prompt focused")
        edits, replace = [], prompt.replace

        def counted(insert, *args, **kwargs):
            edits.append(insert)
            return replace(insert, *args, **kwargs)

        prompt.replace = counted
        text = "".join(f"def f{i}(x): return x * {i}  " for i in range(200))
        for c in text:  # all queued before any is handled, as the terminal delivers them
            key = events.Key(c if c.isalnum() else "space" if c == " " else c, c)
            key.set_sender(app)
            app._driver.send_message(key)
        await until(pilot, lambda: len(prompt.text) == len(text), 60, "every key applied")
        assert prompt.text == text
        assert len(edits) <= len(text) // 20, f"{len(edits)} edits for {len(text)} keys"


async def test_the_title_bar_names_the_app_and_its_icon_opens_the_command_palette():
    from textual.command import CommandPalette

    from devsynth_tui.ui.title_bar import TitleBar

    app = fixed_app()
    async with app.run_test(size=SMALL) as pilot:
        line = str(app.screen.query_one(TitleBar).render())
        assert line.startswith(" ⭘") and line.strip().endswith("devsynth-tui") and len(line) <= SMALL[0]
        await pilot.click(TitleBar, offset=(40, 0))  # the title: nothing opens
        assert not isinstance(app.screen, CommandPalette)
        await pilot.click(TitleBar, offset=(1, 0))
        await until(pilot, lambda: isinstance(app.screen, CommandPalette), 30, "the command palette")


async def test_a_click_on_a_tab_shows_its_pane_and_the_active_tab_stays_whole_when_narrow():
    from devsynth_tui.ui.tab_bar import TabBar

    app = fixed_app()
    async with app.run_test(size=(60, 20)) as pilot:
        bar = app.screen.query_one(TabBar)
        models = next(start for tab, start, _ in bar.spans() if tab == "models")
        await pilot.click(TabBar, offset=(models + 1, 0))
        await until(pilot, lambda: pane_open(app, "models"), 30, "the models pane")
        await open_pane(app, pilot, "graphs")  # F8: the last tab, past 60 columns
        titles = str(bar.render().renderables[0])
        assert bar.scrolled() > 0 and titles.rstrip().endswith("F8 Resources") and len(titles.rstrip()) <= 60
        await pilot.click(TabBar, offset=(titles.index("F6") + 1, 1))  # the underline's row works too
        await until(pilot, lambda: pane_open(app, "bench"), 30, "the benchmark pane")


@pytest.mark.parametrize("size", [(70, 24), (120, 40)])  # the tab bar narrower than its titles, sidebar or not
async def test_the_tab_bar_keeps_its_titles_on_one_line_over_the_underline(size):
    from devsynth_tui.ui.tab_bar import TabBar

    app = fixed_app()
    async with app.run_test(size=size) as pilot:
        await open_pane(app, pilot, "models")
        bar = app.screen.query_one(TabBar)
        titles, underline = (strip.text for strip in bar.render_lines(bar.size.region))
        assert titles.startswith(" F2 Chat  F3 Tasks") and "Resources" not in titles
        assert set(underline) <= set("━╸╺") and "━" in underline


async def test_the_footer_shows_only_keys_that_fit_whole_and_the_wheel_brings_the_others():
    app = fixed_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(KeysFooter)
        line, last = str(footer.render()), footer.items()[-2]  # the last key before the palette's
        assert line.split("▏")[0].rstrip() == line[: last.end].rstrip()  # nothing of a key cut after it
        shown = footer.shown_keys()
        assert "ctrl+s" not in shown  # cut at 80 columns
        for _ in range(10):
            footer.post_message(events.MouseScrollDown(footer, 1, 0, 0, 0, 0, False, False, False))
            await pilot.pause()
        assert "ctrl+s" in footer.shown_keys() and shown[0] not in footer.shown_keys()
        footer.post_message(events.MouseScrollUp(footer, 1, 0, 0, 0, 0, False, False, False))
        await pilot.pause()
        assert footer.first > 0 and footer.shown_keys()[-1] == "ctrl+p"
        await pilot.hover(KeysFooter, offset=(1, 0))
        assert footer.hovered is not None
        app.screen.refresh_bindings()  # the keys change (focus moved): nothing stays lit or scrolled
        await pilot.pause()
        assert footer.hovered is None and footer.first == 0 and footer.shown_keys() == shown
        footer.post_message(events.MouseScrollDown(footer, 1, 0, 0, 0, 0, False, False, False))
        await pilot.pause()
        assert footer.first == 1
        await pilot.resize_terminal(105, 24)  # wider: what was scrolled away may fit
        await pilot.pause()
        assert footer.first == 0


async def test_two_f_keys_read_at_once_leave_the_focus_in_the_pane_shown():
    app = fixed_app()
    async with app.run_test(size=SMALL) as pilot:
        await open_pane(app, pilot, "tasks")
        await open_pane(app, pilot, "chat")
        for key in (events.Key("f3", None), events.Key("f2", None)):
            key.set_sender(app)
            app._driver.send_message(key)
        await until(pilot, lambda: pane_open(app, "chat"), 30, "the chat pane")
        await pilot.pause(0.3)
        assert app.focused is app.query_one("#prompt")


def read_at_once(app, *keys: str) -> None:
    """Keys as the driver posts them when one read of the terminal holds them all (a paste, a fast typist)."""
    for name in keys:
        key = events.Key(name, name if len(name) == 1 else None)
        key.set_sender(app)
        app._driver.send_message(key)


async def test_keys_typed_right_after_an_f_key_go_to_the_pane_it_shows():
    app = fixed_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        read_at_once(app, "f6", "7", "8")  # a pane never shown: the keys wait for its mount
        await until(pilot, lambda: app.query("#bench-requests") and app.query_one("#bench-requests").value == "78")
        await open_pane(app, pilot, "chat")
        read_at_once(app, "f6", "1", "2")  # shown before: they went to the chat's prompt, hidden
        await until(pilot, lambda: app.query_one("#bench-requests").value == "12")
        assert app.query_one("#prompt").text == ""


async def test_an_f_key_right_after_ctrl_b_shows_its_pane_not_the_sidebar():
    app = fixed_app()
    async with app.run_test(size=(100, 30)) as pilot:  # narrow: ctrl+b shows the sidebar in place of the panes
        await pilot.pause()
        read_at_once(app, "ctrl+b", "f3")
        await until(pilot, lambda: pane_open(app, "tasks"), 30, "the tasks pane")
        await pilot.pause(0.3)
        assert not app.main.has_class("sidebar-open") and pane_open(app, "tasks")


async def test_the_tab_bar_takes_the_focus_and_its_arrows_step_through_the_panes():
    from devsynth_tui.ui.tab_bar import TabBar

    app = fixed_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.click(TabBar, offset=(100, 1))  # beside the titles: the prompt keeps the focus
        await pilot.press(*"hi")
        assert app.query_one("#prompt").text == "hi"
    app = fixed_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("shift+tab", "shift+tab")  # from the prompt, back past the messages
        await until(pilot, lambda: isinstance(app.focused, TabBar), 30, "the tab bar focused")
        for key, pane in (("right", "tasks"), ("left", "chat"), ("left", "graphs")):  # round the end too
            await pilot.press(key)
            await until(pilot, lambda pane=pane: app.main.shown_tab == pane, 30, f"the {pane} pane")
            assert isinstance(app.focused, TabBar)  # the bar keeps the focus: the next arrow steps on


async def test_maximizing_the_prompt_maximizes_the_panes_and_keeps_the_keys():
    app = fixed_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        app.screen.maximize(app.query_one("#prompt"))
        await pilot.pause()
        assert app.screen.maximized is app.query_one("#tabs")
        assert app.screen.query_one(KeysFooter).region.height == 1
        await pilot.press("ctrl+b")  # the sidebar would hide the only panes shown
        assert not app.main.has_class("sidebar-open") and app.focused is app.query_one("#prompt")


async def test_the_palettes_toggle_sidebar_does_nothing_where_the_sidebar_is_always_shown():
    app = fixed_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        focused = app.focused
        app.main.action_toggle_sidebar()  # as the palette calls it
        await pilot.pause()
        assert not app.main.has_class("sidebar-open") and app.focused is focused
