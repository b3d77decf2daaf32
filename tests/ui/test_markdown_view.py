"""MarkdownView: Markdown drawn as lines, completed blocks frozen, only the open block rendered again."""

import random
import threading

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

from devsynth_tui.ui import markdown_view
from devsynth_tui.ui.markdown_view import MarkdownView, render_source
from ui.test_pilot import until

ANSWER = """# Retrying

`retry` calls **fn** up to *n* times, and a [link](http://example.com) stays text.

- first item
- second item
  1. nested one
  2. nested two

> a quote that is long enough to wrap at forty columns, and wraps

| option | meaning |
|--------|---------|
| n      | attempts |

```python
for attempt in range(n):
    try:
        return fn()
    except OSError:
        time.sleep(2 ** attempt)
```

---

Done: it returns `None` when every attempt fails.
"""


def whole(text: str, width: int = 40) -> list[str]:
    """The plain lines of ``text`` rendered whole (the reference a stream must end up equal to)."""
    result = render_source(text, width, None, final=True)
    lines: list[str] = []
    for block in result.done:
        if lines and block.lines:
            lines.append("")
        lines += [line.plain for line in block.lines]
    return lines


class Host(App):
    def compose(self) -> ComposeResult:
        yield VerticalScroll(id="messages")


async def streaming_view(pilot) -> MarkdownView:
    """A MarkdownView in the host app, streaming."""
    view = MarkdownView()
    await pilot.app.query_one("#messages").mount(view)
    await pilot.pause()
    view.start()
    return view


def test_blocks_are_drawn_as_text():
    lines = whole(ANSWER)
    assert lines[0] == "Retrying"
    assert "retry calls fn up to n times, and a link" in " ".join(lines)  # inline marks gone, text kept
    assert "• first item" in lines and "  1. nested one" in lines
    assert any(line.startswith("▌ a quote") for line in lines) and all(len(line) <= 40 for line in lines)
    assert "option │ meaning" in lines and "n      │ attempts" in lines
    assert " for attempt in range(n):" in [line.rstrip() for line in lines]
    assert " ".join(lines[-2:]) == "Done: it returns None when every attempt fails."


def test_a_bare_link_needs_its_scheme_so_file_names_stay_text():
    """prices.py and setup.sh are files, not domains (.py and .sh are top-level domains): drawn as text. A link
    with its scheme, in any case, and a mailto: address are drawn as links."""
    text = "Edit prices.py and setup.sh, see https://example.com/x, HTTP://X.ORG and mailto:a@b.example."
    [block] = render_source(text, 200, None, final=True).done
    [line] = block.lines
    links = [line.plain[span.start : span.end] for span in line.spans if span.style == ".md--link"]
    assert links == ["https://example.com/x", "HTTP://X.ORG", "mailto:a@b.example"]


def test_a_growing_paragraph_is_wrapped_from_its_last_line_as_if_whole():
    """A streamed paragraph is wrapped from its last line on, the lines above kept: line for line and style for
    style as the whole text wrapped, whatever arrives (words, words longer than the width, emphasis closed far
    back, code, wide characters, line breaks, links, a blank line that starts another paragraph)."""
    pieces = ["word ", "a ", "longer ", "x" * 45, " ", "*em", "ph* ", "`co", "de` ", "漢字かな ", "  \n", "\n"]
    pieces += ["**", "[l](http://a.b) ", "https://example.com/", "é ", "_", "tab\tbed "]
    rng, reused = random.Random(7), 0
    for _ in range(15):
        width, text, paragraph = rng.choice([9, 20, 37, 80]), "", None
        for _ in range(rng.randint(20, 100)):
            text += rng.choice(pieces)
            result = render_source(text, width, None, paragraph=paragraph)
            reference = render_source(text, width, None)
            assert [(line.plain, line.spans) for line in result.tail_lines] == [
                (line.plain, line.spans) for line in reference.tail_lines
            ], (text, width)
            if (
                paragraph is not None
                and result.paragraph is not None
                and paragraph.lines[0] is result.paragraph.lines[0]
            ):
                reused += 1
            paragraph = result.paragraph
    assert reused > 50  # the lines above were kept, not wrapped again
    paragraph = render_source("&#32;漢 ", 2, None).paragraph  # a paragraph led by a space: its first word takes
    grown = render_source("&#32;漢 y", 2, None, paragraph=paragraph)  # it along, folded to end at the 漢
    assert [line.plain for line in grown.tail_lines] == whole("&#32;漢 y", 2)
    text, paragraph = "", None
    for n in range(300):  # words only: from its second line on, each render keeps the lines above the last
        text += f"tok{n} "
        result = render_source(text, 40, None, paragraph=paragraph)
        assert result.paragraph is not None
        if paragraph is not None and len(paragraph.lines) > 1 and paragraph.lines[-1].plain:
            assert result.paragraph.lines[0] is paragraph.lines[0], n
        paragraph = result.paragraph


def test_a_code_block_whose_info_is_only_a_wide_space_is_drawn():
    """A fence's info string of U+00A0 (kept by markdown-it, dropped by str.split) raised IndexError mid-frame."""
    for info in ("\xa0", "\u3000"):
        lines = [
            line.plain.strip() for line in render_source(f"```{info}\nx = 1\n```\n", 30, None, final=True).done[0].lines
        ]
        assert lines == ["x = 1"]


def test_only_the_last_block_stays_open():
    result = render_source("para one\n\n- a\n- b\n\npara th", 40, None)
    assert [block.node.type for block in result.done] == ["paragraph", "bullet_list"]
    assert result.tail == "para th" and [line.plain for line in result.tail_lines] == ["para th"]
    final = render_source(result.tail, 40, None, final=True)
    assert final.tail == "" and [block.node.type for block in final.done] == ["paragraph"]


async def test_a_stream_ends_as_the_whole_text_renders(monkeypatch):
    """Fed in random pieces, frozen block by block, the answer ends up drawn exactly as if given whole."""
    pieces, rest, rng = [], ANSWER * 3, random.Random(7)
    while rest:
        n = rng.randint(1, 12)
        pieces.append(rest[:n])
        rest = rest[n:]
    async with Host().run_test(size=(44, 20)) as pilot:
        view = await streaming_view(pilot)
        for piece in pieces:
            await view.append(piece)
        await view.finish()
        assert view.source == ANSWER * 3
        assert view.plain_lines == whole(ANSWER * 3, view.content_size.width)


async def test_each_frame_parses_the_open_block_not_the_answer(monkeypatch):
    """However long the answer, a frame renders only what arrived since the last complete block."""
    parsed: list[int] = []
    real = markdown_view.render_source

    def counting(source, *args, **kwargs):
        parsed.append(len(source))
        return real(source, *args, **kwargs)

    monkeypatch.setattr(markdown_view, "render_source", counting)
    paragraph = "A paragraph of an answer that goes on for a while.\n\n"
    async with Host().run_test(size=(80, 20)) as pilot:
        view = await streaming_view(pilot)
        for _ in range(300):
            await view.append(paragraph)
        await view.finish()
    assert len(view.source) == 300 * len(paragraph) and view.line_count == 2 * 300 - 1
    assert max(parsed) <= 2 * len(paragraph)  # never the whole answer (16,500 characters)


def long_renders_on_the_loop(monkeypatch) -> list[bool]:
    """For each render of a text longer than THREAD_CHARS from now on: whether it ran on the event loop's thread."""
    on_loop: list[bool] = []
    real = markdown_view.render_source

    def recording(source, *args, **kwargs):
        if len(source) > markdown_view.THREAD_CHARS:
            on_loop.append(threading.current_thread() is threading.main_thread())
        return real(source, *args, **kwargs)

    monkeypatch.setattr(markdown_view, "render_source", recording)
    return on_loop


async def test_text_streamed_before_the_view_is_laid_out_is_rendered_off_the_event_loop(monkeypatch):
    """A long first piece that arrives before the view has its width (a fast server, a cached answer) is rendered
    in a thread once the width is known, not in the layout pass on the event loop; and drawn the same."""
    on_loop = long_renders_on_the_loop(monkeypatch)
    text = "word " * 1000
    async with Host().run_test(size=(200, 60)) as pilot:  # no scrollbar comes: no second width
        view = MarkdownView()
        view.start()
        await view.append(text)  # not mounted yet: no width
        await pilot.app.query_one("#messages").mount(view)
        await until(pilot, lambda: view.line_count > 1, what="the text rendered")
        assert on_loop == [False]
        await view.finish()
        assert view.plain_lines == whole(text, view.content_size.width)


async def test_a_stream_that_ended_before_the_view_is_laid_out_is_rendered_off_the_event_loop(monkeypatch):
    """The same when the whole stream ends before the layout (a fast server on a loaded machine): it was then
    rendered whole in the layout pass, holding the keys typed meanwhile."""
    on_loop = long_renders_on_the_loop(monkeypatch)
    text = "word " * 1000
    async with Host().run_test(size=(200, 60)) as pilot:
        view = MarkdownView()
        view.start()
        await view.append(text)
        await view.finish()  # not mounted yet: no width
        await pilot.app.query_one("#messages").mount(view)
        await until(pilot, lambda: view.line_count > 1, what="the text rendered")
        assert on_loop == [False]
        assert view.plain_lines == whole(text, view.content_size.width)


async def test_a_streaming_view_keeps_a_line_so_its_first_text_needs_no_layout_pass(monkeypatch):
    """Waiting for its first text, a streaming view takes one line; a first line of text is then drawn without a
    layout pass (a frame of the whole screen less), and more lines still ask for one. A finished empty view
    takes none."""
    async with Host().run_test(size=(80, 20)) as pilot:
        view = MarkdownView()
        view.start()
        await pilot.app.query_one("#messages").mount(view)
        await until(pilot, lambda: view.size.height == 1, what="the line kept")
        layouts: list[bool] = []
        real = view.refresh
        monkeypatch.setattr(
            view, "refresh", lambda *a, layout=False, **k: (layouts.append(layout), real(*a, layout=layout, **k))[1]
        )
        await view.append("Hello")
        assert layouts == [False]
        await view.append(" there.\n\nA second paragraph.")
        assert layouts[-1] is True
        await view.finish("")
        await until(pilot, lambda: view.size.height == 0, what="no line once finished empty")


async def test_a_view_laid_out_before_its_stream_starts_lays_out_the_line_it_keeps():
    """A view mounted (and laid out, with no line) before its answer starts streaming shows its first text: the
    line it keeps while streaming is laid out as the stream starts."""
    async with Host().run_test(size=(80, 20)) as pilot:
        view = MarkdownView()
        await pilot.app.query_one("#messages").mount(view)
        await until(pilot, lambda: view.size.width > 0, 10, "the view laid out")
        assert view.size.height == 0
        view.start()
        await view.append("line0")
        await until(pilot, lambda: view.size.height == 1, 10, "the first line laid out")


async def test_a_stream_that_ends_with_no_text_gives_back_the_line_it_kept():
    """An answer that ends before any text (Esc, an error, only thinking) takes no line once finished."""
    async with Host().run_test(size=(80, 20)) as pilot:
        view = await streaming_view(pilot)
        await until(pilot, lambda: view.size.height == 1, 10, "the line kept while streaming")
        await view.finish()
        await until(pilot, lambda: view.size.height == 0, 10, "no line once finished with no text")


async def test_lines_that_arrive_while_a_layout_pass_is_pending_are_laid_out():
    """Lines that come while the view's layout request waits (its queue busy), after another widget's layout pass
    measured the view, are laid out too: the view is not left at the height that pass measured."""
    import asyncio

    from textual.widgets import Static

    async with Host().run_test(size=(80, 20)) as pilot:
        other = Static("x")
        await pilot.app.query_one("#messages").mount(other)
        view = await streaming_view(pilot)
        await view.append("line0\n\nline1\n\n")
        await until(pilot, lambda: view.size.height == 3, 10, "two paragraphs laid out")
        busy = asyncio.Event()
        view.call_later(busy.wait)  # the view's queue is busy, as while it renders a long tail in a thread
        try:  # (pilot.pause waits for every queue: plain sleeps until the view is free)
            await asyncio.sleep(0.05)
            await view.append("line2\n\n")  # a layout request, waiting behind the busy message
            other.update("y\nz", layout=True)  # another widget's layout pass meanwhile measures the view
            for _ in range(600):
                if other.size.height == 2:
                    break
                await asyncio.sleep(0.05)
            assert view.size.height == 5, "the other widget's layout pass measured the view"
            await view.append("line3\n\n")
        finally:
            busy.set()
        await until(pilot, lambda: view.size.height == view.lines_shown == 7, 10, "all four paragraphs laid out")


async def test_a_one_line_notice_under_an_answer_needs_no_layout_pass(monkeypatch):
    """The line under an answer (its notice, its seconds waiting) is redrawn in place while it stays one line."""
    from textual.widgets import Static

    from devsynth_tui.ui.chat import AssistantMessage

    async with Host().run_test(size=(80, 20)) as pilot:
        message = AssistantMessage()
        await pilot.app.query_one("#messages").mount(message)
        stats = message.query_one(".stats", Static)
        await until(pilot, lambda: stats.size.height == 1, what="the stats line laid out")
        layouts: list[bool] = []
        real = stats.refresh
        monkeypatch.setattr(
            stats, "refresh", lambda *a, layout=False, **k: (layouts.append(layout), real(*a, layout=layout, **k))[1]
        )
        message.notice("waiting for the first token…")
        assert layouts == [False]
        message.notice("a notice long enough to wrap " * 4)
        assert layouts[-1] is True


async def test_code_is_highlighted_once_on_screen():
    async with Host().run_test(size=(60, 20)) as pilot:
        view = MarkdownView("```python\nx = 1\n```\n\nafter")
        await pilot.app.query_one("#messages").mount(view)
        await until(pilot, lambda: view._blocks and view._blocks[0].code is None, 30, "the highlighting")
        code = view._blocks[0]
        assert code.code is None and code.lines[0].spans  # drawn plain first, then highlighted in place
        assert [line.plain.rstrip() for line in code.lines] == [" x = 1"]


async def test_a_resize_wraps_again():
    async with Host().run_test(size=(80, 20)) as pilot:
        view = MarkdownView("word " * 60)
        await pilot.app.query_one("#messages").mount(view)
        await pilot.pause()
        wide = view.line_count
        await pilot.resize_terminal(40, 20)
        await pilot.pause()
        assert view.line_count > wide and all(len(line) <= 40 for line in view.plain_lines)


async def test_selected_text_is_the_plain_text():
    async with Host().run_test(size=(60, 20)) as pilot:
        view = MarkdownView("Some **bold** text")
        await pilot.app.query_one("#messages").mount(view)
        await pilot.pause()
        from textual.selection import Selection

        assert view.get_selection(Selection(None, None)) == ("Some bold text", "\n")


def drawn_as_the_lines_say(view: MarkdownView) -> bool:
    """Every line on screen is the strip its current line and style make (a kept strip is never stale)."""
    width, style = view.content_size.width, view.visual_style
    return all(
        list(view.render_line(y)) == list(view._strip(view._line(y), y, width, style))
        for y in range(min(view.line_count, view.size.height))
    )


async def test_a_frame_during_a_stream_draws_only_the_open_blocks_lines_again(monkeypatch):
    """Frozen lines keep their strips: a frame after more text arrived makes strips for the open block only."""
    made: list[int] = []
    real = MarkdownView._strip

    def counting(self, line, y, *args):
        made.append(y)
        return real(self, line, y, *args)

    monkeypatch.setattr(MarkdownView, "_strip", counting)
    async with Host().run_test(size=(60, 30)) as pilot:
        view = await streaming_view(pilot)
        await view.append("First paragraph, complete.\n\nSecond, complete too.\n\nThe open one")
        await pilot.pause()
        frozen = len(view._lines)
        assert frozen and drawn_as_the_lines_say(view)
        made.clear()
        await view.append(" grows\n\nand a new one opens")
        await until(pilot, lambda: made, 30, "the frame drawn")
        assert min(made) >= frozen  # the lines frozen before were not drawn again
        assert drawn_as_the_lines_say(view)


async def test_text_that_grows_within_its_line_draws_that_line_only(monkeypatch):
    """A frame whose text stays within the lines it had draws the lines that changed, not the whole view (at
    160x48 a view of 40 lines took 7 ms a frame against 2 ms for two: most frames at a model's pace). The open
    block is drawn where it will stay once the next block begins: below a blank line."""
    drawn: list[int] = []
    real = MarkdownView.render_line

    def counting(self, y):
        drawn.append(y)
        return real(self, y)

    monkeypatch.setattr(MarkdownView, "render_line", counting)
    async with Host().run_test(size=(60, 30)) as pilot:
        view = await streaming_view(pilot)
        await view.append("A paragraph.\n\nAnother, long enough to wrap onto a second line at sixty columns.\n\nOpen")
        await until(pilot, lambda: view.line_count == 6 and 5 in drawn, 30, "the first frame")
        drawn.clear()
        await view.append(" and it grows")
        await until(pilot, lambda: drawn, 30, "the frame drawn")
        assert view.line_count == 6 and set(drawn) == {5} and drawn_as_the_lines_say(view)
        shown = view.plain_lines
        await view.append("\n\nThe next block begins")  # the open one is frozen where it was drawn
        await until(pilot, lambda: view.line_count == 8, 30, "the next block")
        assert view.plain_lines[:6] == shown and drawn_as_the_lines_say(view)


async def test_a_final_text_of_nothing_clears_what_was_streamed():
    """A final text that differs from the streamed one replaces it whole, even when it has no lines at all."""
    async with Host().run_test(size=(60, 20)) as pilot:
        view = await streaming_view(pilot)
        await view.append("Hello there\n\nsecond para")
        await until(pilot, lambda: view.size.height == 3, 30, "the text drawn")
        await view.finish("")
        await until(pilot, lambda: view.size.height == 0, 30, "the view emptied")
        assert view.line_count == 0 and not view.plain_lines


async def test_highlight_selection_and_theme_draw_frozen_lines_again():
    async with Host().run_test(size=(60, 20)) as pilot:
        view = MarkdownView("# Title\n\n```python\nx = 1\n```\n\nafter")
        await pilot.app.query_one("#messages").mount(view)
        await pilot.pause()
        # the code block is highlighted in place once on screen
        await until(pilot, lambda: len(view._blocks) > 1 and view._blocks[1].code is None, 30, "the highlighting")
        await pilot.pause()
        assert drawn_as_the_lines_say(view)
        pilot.app.theme = "textual-light" if pilot.app.current_theme.dark else "textual-dark"
        await pilot.pause()
        assert drawn_as_the_lines_say(view)
        from textual.selection import Selection

        pilot.app.screen.selections = {view: Selection(None, None)}
        await pilot.pause()
        selected = list(view.render_line(0))
        pilot.app.screen.selections = {}
        await pilot.pause()
        assert list(view.render_line(0)) != selected and drawn_as_the_lines_say(view)


def test_code_without_a_language_is_drawn_plain_and_labelled_code_highlighted():
    """No guess for unlabelled code: guessing imports every Pygments lexer (a stall) and is often wrong."""
    from textual.highlight import HighlightTheme

    def styles(language: str) -> set[str]:
        code = "import os\n\ndef main():\n    return os.getcwd()\n"
        lines = markdown_view.code_lines(code, language, 40, HighlightTheme)
        return {str(span.style) for line in lines for span in line.spans} - {".md--code", "$text"}

    assert styles("") == set()
    assert styles("python")  # keywords, names...
