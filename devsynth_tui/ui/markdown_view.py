"""Markdown drawn as lines of text, one widget per answer, whatever its length.

A streamed answer's completed blocks are frozen: rendered once into wrapped lines at the
widget's width and never rendered again while the width stays. Only the open block at the end
is parsed and rendered again as text arrives (in a thread when it is long), so a frame costs the
size of that block, not of the answer, and key presses never wait behind it; an open paragraph is wrapped
again from its last line only. A frame repaints the lines that changed (all of them when the answer gained
lines: a layout pass), and only the lines on screen are turned into strips; a frozen line's strip is kept,
so a frame makes strips for the open block's lines only. The text is shown literally:
Markdown structure is drawn, nothing in the text is interpreted as markup or escape sequences (callers
pass ``safe_text``).
"""

from __future__ import annotations

import asyncio
import functools
from bisect import bisect_right
from dataclasses import dataclass, field

from rich.segment import Segment
from textual.content import Content, Span
from textual.geometry import Region, Size
from textual.selection import Selection
from textual.strip import Strip
from textual.widget import Widget

BULLETS = ("• ", "◦ ", "▪ ")
QUOTE = "▌ "
INLINE_STYLES = {"em": "italic", "strong": "bold", "s": "strike", "link": ".md--link"}


@functools.cache
def parser():
    """The gfm-like markdown-it parser (as Textual's Markdown uses), built once per process.

    A bare link is one with its scheme ("https://…", "mailto:…"): a file name such as prices.py or setup.sh is
    text, not a link to a domain. Text with no scheme in it skips linkify's search (a regex that took 80 ms on a
    long open paragraph, on every frame)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("gfm-like")
    if md.linkify is not None:
        md.linkify.set({"fuzzy_link": False, "fuzzy_email": False})
        search = md.linkify.pretest

        def pretest(text: str) -> bool:
            return ("//" in text or "mailto:" in text.lower()) and search(text)

        md.linkify.pretest = pretest
    return md


def warm_up() -> None:
    """Import and build what rendering the first answer needs (the parser, the tree, the code highlighter and
    its theme)."""
    from textual.highlight import HighlightTheme

    render_source("# a\n\n- *b* `c`\n\n```python\nd = 1\n```\n", 40, HighlightTheme)


# -- rendering: Markdown syntax tree -> wrapped Content lines ------------------------------------------------


def inline_content(node) -> Content:
    """An inline node's text with its emphasis, code and link styles (links are not followed)."""
    parts: list[str] = []
    spans: list[Span] = []
    position = 0

    def add(text: str, style: str = "") -> None:
        nonlocal position
        parts.append(text)
        if style and text:
            spans.append(Span(position, position + len(text), style))
        position += len(text)

    def walk(children) -> None:
        for child in children:
            kind = child.type
            if kind == "softbreak":
                add(" ")
            elif kind == "hardbreak":
                add("\n")
            elif kind == "code_inline":
                add(child.content, ".md--code-inline")
            elif kind == "image":
                add(f"[image: {child.content or child.attrs.get('src', '')}]", ".md--link")
            elif child.children:
                start = position
                walk(child.children)
                if (style := INLINE_STYLES.get(kind)) and position > start:
                    spans.append(Span(start, position, style))
            else:
                add(child.content)

    walk(node.children or ())
    return Content("".join(parts), spans=spans)


def _wrap(content: Content, width: int) -> list[Content]:
    return content.wrap(max(width, 1)) if content else [Content("")]


@dataclass
class Wrapped:
    """A paragraph's content wrapped at ``width``: its lines, and where each starts in the content's text."""

    content: Content
    width: int
    lines: list[Content]
    starts: list[int]


def wrap_growing(content: Content, width: int, before: Wrapped | None = None) -> Wrapped:
    """``content`` wrapped at ``width``, as ``_wrap`` does. A streamed paragraph grows at its end: when its text
    only grew since ``before`` (its wrap a frame ago) and the styles above the last line of that are unchanged,
    the lines above that one stay and only the rest is wrapped. Wrapping it whole took 45 ms a frame at 160 kB.
    (Text that changed, such as emphasis closed and its asterisks gone, is wrapped whole.)"""
    keep, plain = 0, content.plain
    reusable = before is not None and before.width == width and len(before.starts) == len(before.lines) > 1
    if before is not None and reusable:
        start, text = before.starts[-1], before.content.plain
        segment = text.rfind("\n", 0, start) + 1  # a wrapped segment's first word takes its leading spaces along
        starts_a_word = (
            start > 0 and text[start : start + 1].strip() and text[start - 1].isspace() and text[segment].strip()
        )
        grew = starts_a_word and "\t" not in plain and plain.startswith(text)
        if grew and _styles_before(content, start) == _styles_before(before.content, start):
            keep = len(before.lines) - 1
    if not keep:
        lines = _wrap(content, width)
        return Wrapped(content, width, lines, _line_starts(plain, lines, 0) or [])
    assert before is not None
    offset = before.starts[keep]
    lines = _wrap(content[offset:], width)
    starts = _line_starts(plain, lines, offset)
    return Wrapped(content, width, before.lines[:keep] + lines, before.starts[:keep] + starts if starts else [])


def _styles_before(content: Content, offset: int) -> list[Span]:
    return [span for span in content.spans if span.start < offset]


def _line_starts(plain: str, lines: list[Content], offset: int) -> list[int] | None:
    """Where each wrapped line starts in ``plain``, from ``offset``: after the line before it and the spaces or
    line break the wrap dropped there. None if a line is not in the text as it is (the next wrap is then whole)."""
    starts = []
    for line in lines:
        if line.plain and (offset := plain.find(line.plain, offset)) < 0:
            return None
        starts.append(offset)
        offset += len(line.plain)
    return starts


def _prefixed(lines: list[Content], first: str, rest: str, style: str) -> list[Content]:
    """Lines with ``first`` before the first one and ``rest`` before the others (bullets, quote bars)."""
    out = []
    for n, line in enumerate(lines):
        prefix = Content.styled(first if n == 0 else rest, style)
        out.append(prefix + line)
    return out


def _blocks(nodes, width: int, tight: bool, theme) -> list[Content]:
    """Block nodes one after another; a blank line between them unless the list they're in is tight."""
    lines: list[Content] = []
    for node in nodes:
        rendered = render_node(node, width, theme)
        if lines and rendered and not tight:
            lines.append(Content(""))
        lines += rendered
    return lines


def render_node(node, width: int, theme) -> list[Content]:
    """One block node as lines at most ``width`` cells wide."""
    kind = node.type
    if kind == "paragraph":
        return _wrap(inline_content(node.children[0]) if node.children else Content(""), width)
    if kind == "heading":
        level = node.tag[1:] or "1"
        text = inline_content(node.children[0]) if node.children else Content("")
        return _wrap(text.stylize_before(f".md--h{level}"), width)
    if kind in ("bullet_list", "ordered_list"):
        return _list(node, width, theme)
    if kind == "blockquote":
        inner = _blocks(node.children, width - len(QUOTE), False, theme)
        return _prefixed(inner, QUOTE, QUOTE, ".md--quote")
    if kind in ("fence", "code_block"):
        return code_lines(node.content, fence_language(node), width, theme)
    if kind == "hr":
        return [Content.styled("─" * width, ".md--rule")]
    if kind == "table":
        return _table(node, width)
    return (
        _wrap(Content(node.content.rstrip("\n")), width)
        if node.content
        else _blocks(node.children, width, False, theme)
    )


def fence_language(node) -> str:
    """A code block's language: the first word of its info string ("" if none, or if it is only spaces such as
    U+00A0, which markdown-it keeps and ``str.split`` drops)."""
    return (node.info.split() or [""])[0] if node.info else ""


def _list(node, width: int, theme) -> list[Content]:
    ordered = node.type == "ordered_list"
    depth, parent = 0, node.parent
    while parent is not None:
        depth += parent.type in ("bullet_list", "ordered_list")
        parent = parent.parent
    number = int(node.attrs.get("start", 1)) if ordered else 0
    items = [child for child in node.children if child.type == "list_item"]
    tight = all(p.hidden for item in items for p in item.children if p.type == "paragraph")
    marker_width = len(f"{number + len(items) - 1}. ") if ordered else 2
    lines: list[Content] = []
    for n, item in enumerate(items):
        marker = f"{number + n}. ".rjust(marker_width) if ordered else BULLETS[depth % len(BULLETS)]
        inner = _blocks(item.children, width - marker_width, tight, theme) or [Content("")]
        if lines and not tight:
            lines.append(Content(""))
        lines += _prefixed(inner, marker, " " * marker_width, ".md--bullet")
    return lines


def _table(node, width: int) -> list[Content]:
    """A table as aligned columns when it fits the width, else one wrapped line per row."""
    rows: list[tuple[bool, list[Content]]] = []
    for section in node.children:
        for row in section.children:
            cells = [inline_content(cell.children[0]) if cell.children else Content("") for cell in row.children]
            rows.append((section.type == "thead", cells))
    if not rows:
        return []
    columns = max(len(cells) for _, cells in rows)
    widths = [max((cells[i].cell_length for _, cells in rows if i < len(cells)), default=0) for i in range(columns)]
    separator = Content.styled(" │ ", ".md--rule")
    lines: list[Content] = []
    fits = sum(widths) + 3 * (columns - 1) <= width
    for header, cells in rows:
        cells = [cell.stylize_before(".md--table-header") if header else cell for cell in cells]
        if fits:
            padded = [
                cells[i].pad_right(widths[i] - cells[i].cell_length) if i < len(cells) else Content(" " * widths[i])
                for i in range(columns)
            ]
            lines.append(separator.join(padded).rstrip())
        else:
            lines += _wrap(separator.join(cells), width)
        if header and fits:
            lines.append(Content.styled("─┼─".join("─" * w for w in widths), ".md--rule"))
    return lines


def code_lines(code: str, language: str, width: int, theme) -> list[Content]:
    """A code block: highlighted when a highlight theme is given, folded at the width, on the code background.

    Code without a language is drawn plain, as rich's Markdown does: guessing imports every Pygments lexer (a
    150 ms stall, holding the GIL) and often guesses wrong on a short snippet."""
    code = code.rstrip("\n")
    if theme is not None:
        from textual.highlight import highlight

        content = highlight(code, language=language or "text", theme=theme)
    else:
        content = Content(code)
    inner = max(width - 2, 2)
    lines: list[Content] = []
    for line in content.split("\n", allow_blank=True):
        line = line.expand_tabs(4)
        for piece in line.fold(inner) if line.cell_length > inner else [line]:
            padded = Content(" ") + piece
            lines.append(padded.pad_right(max(0, width - padded.cell_length)).stylize_before(".md--code"))
    return lines


# -- splitting a stream: completed top-level blocks and the open one ----------------------------------------


LAZY_CODE_CHARS = 8_000  # an open code block longer than this is shown plain until it is complete and on screen
THREAD_CHARS = 2_000  # an open end longer than this is rendered in a thread (a shorter one takes ~2 ms: no hop)


@dataclass
class Block:
    """A completed top-level block: its syntax tree and its lines at the width they were rendered for.

    ``code`` (code, language) marks a code block drawn plain so far: it is highlighted once, when first on screen.
    """

    node: object
    lines: list[Content]
    code: tuple[str, str] | None = None


def render_block(node, width: int, theme, lazy: bool) -> Block:
    """A top-level block's lines; a code block is left plain (to highlight when seen) if ``lazy``."""
    if lazy and node.type in ("fence", "code_block"):
        language = fence_language(node)
        return Block(node, code_lines(node.content, language, width, None), (node.content, language))
    return Block(node, render_node(node, width, theme))


@dataclass
class Render:
    """What one render produced: blocks now complete, the open block's source and lines, and the width used."""

    width: int
    done: list[Block] = field(default_factory=list)
    tail: str = ""
    tail_lines: list[Content] = field(default_factory=list)
    paragraph: Wrapped | None = None  # the open block's wrap when it is a paragraph: the next render starts from it


def render_source(source: str, width: int, theme, final: bool = False, paragraph: Wrapped | None = None) -> Render:
    """Parse ``source`` (the open end of a document); every top-level block but the last is complete.

    With ``final`` the last block is complete too (the stream ended). Complete code blocks come back
    plain, to be highlighted when seen; the open one is highlighted unless it is long. An open paragraph is
    wrapped from the last line of ``paragraph`` (the previous render's) on, when the text above it is unchanged.
    """
    from markdown_it.tree import SyntaxTreeNode

    tokens = parser().parse(source)
    nodes = list(SyntaxTreeNode(tokens).children)
    result = Render(width, tail=source)
    if not nodes:
        return result
    complete, last_open = nodes[:-1], nodes[-1]
    last: SyntaxTreeNode | None = last_open
    if final:
        complete, last, result.tail = nodes, None, ""
    result.done = [render_block(node, width, theme, lazy=True) for node in complete]
    if last is not None:
        result.tail = _from_line(source, last.map[0] if last.map else 0)
        if last.type == "paragraph":
            content = inline_content(last.children[0]) if last.children else Content("")
            result.paragraph = wrap_growing(content, width, paragraph)
            result.tail_lines = result.paragraph.lines
        else:
            result.tail_lines = render_block(last, width, theme, lazy=len(last.content) > LAZY_CODE_CHARS).lines
    return result


def _from_line(source: str, line: int) -> str:
    """``source`` from its ``line``-th line on (lines end at "\\n" only, as markdown-it counts them)."""
    offset = 0
    for _ in range(line):
        offset = source.find("\n", offset) + 1
        if not offset:
            return ""
    return source[offset:]


class MarkdownView(Widget):
    """An answer's Markdown as lines: frozen completed blocks, then the open block being streamed."""

    COMPONENT_CLASSES = {
        "md--h1",
        "md--h2",
        "md--h3",
        "md--h4",
        "md--h5",
        "md--h6",
        "md--code-inline",
        "md--code",
        "md--link",
        "md--quote",
        "md--bullet",
        "md--rule",
        "md--table-header",
    }
    DEFAULT_CSS = """
    MarkdownView {
        height: auto;
        & > .md--h1 {
            color: $markdown-h1-color;
            background: $markdown-h1-background;
            text-style: $markdown-h1-text-style;
        }
        & > .md--h2 {
            color: $markdown-h2-color;
            background: $markdown-h2-background;
            text-style: $markdown-h2-text-style;
        }
        & > .md--h3 {
            color: $markdown-h3-color;
            background: $markdown-h3-background;
            text-style: $markdown-h3-text-style;
        }
        & > .md--h4 {
            color: $markdown-h4-color;
            background: $markdown-h4-background;
            text-style: $markdown-h4-text-style;
        }
        & > .md--h5 {
            color: $markdown-h5-color;
            background: $markdown-h5-background;
            text-style: $markdown-h5-text-style;
        }
        & > .md--h6 {
            color: $markdown-h6-color;
            background: $markdown-h6-background;
            text-style: $markdown-h6-text-style;
        }
        & > .md--code-inline { color: $text-warning 95%; background: $warning 10%; }
        & > .md--code { background: $foreground 6%; }
        & > .md--link { color: $text-accent; text-style: underline; }
        & > .md--quote { color: $text-primary 50%; }
        & > .md--bullet { color: $text-secondary; }
        & > .md--rule { color: $secondary; }
        & > .md--table-header { text-style: bold; }
    }
    """

    def __init__(self, text: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self._source = text
        self._blocks: list[Block] = []
        self._starts: list[int] = []  # each frozen block's first line in _lines
        self._lines: list[Content] = []  # the frozen blocks' lines, with a blank line between blocks
        self._tail = text  # the open block's source (all the text until the first render)
        self._tail_lines: list[Content] = []
        self._paragraph: Wrapped | None = None  # the open block's wrap, when it is a paragraph
        self._width = 0
        self._final = True  # a text given whole is complete; streaming clears this until finish
        self._streamed = False  # its text streamed in (start): a long one is not rendered in its first layout pass
        self._lock = asyncio.Lock()
        self._highlighting: set[int] = set()
        self._strips: dict[int, Strip] = {}  # frozen unselected lines' strips, for _strips_for (width, style)
        self._strips_for: tuple = ()

    @property
    def source(self) -> str:
        """All the Markdown received."""
        return self._source

    @property
    def line_count(self) -> int:
        return len(self._lines) + len(self._tail_lines)

    @property
    def lines_shown(self) -> int:
        """Lines on screen: one at least while streaming, so that the first text needs no layout pass."""
        return self.line_count or int(not self._final)

    @property
    def plain_lines(self) -> list[str]:
        """The lines as shown, without styles."""
        return [line.plain for line in self._lines + self._tail_lines]

    def _theme(self):
        """The code highlight theme for the app's colours (decided here, used in the render thread)."""
        from textual import highlight

        if self.app.native_ansi_color:
            return (
                highlight.ANSIDarkHighlightTheme if self.app.current_theme.dark else highlight.ANSILightHighlightTheme
            )
        return highlight.HighlightTheme

    # -- feeding ----------------------------------------------------------------------------------------

    def start(self) -> None:
        """The text that follows streams in: its last block stays open until ``finish``."""
        shown = self.lines_shown
        self._final, self._streamed = False, True
        if self.lines_shown != shown:  # laid out already with no line: the first text's line is laid out now
            self._lay_out()

    async def append(self, text: str) -> None:
        """Add streamed text; completed blocks freeze, the open block is rendered again (in a thread)."""
        self._source += text
        self._tail += text
        await self._rerender()

    async def finish(self, text: str | None = None) -> None:
        """The stream ended: the last block is complete. A different final ``text`` replaces everything."""
        shown = self.lines_shown
        self._final = True
        replaced = text is not None and text != self._source
        if replaced:
            async with self._lock:  # not under a render in flight: it would take the new text for the old
                self._source = self._tail = text or ""
                self._blocks, self._starts, self._lines, self._tail_lines = [], [], [], []
                self._strips.clear()
        await self._rerender()
        if replaced or self.lines_shown != shown:  # all of it drawn again; or the line kept for text that never came
            self._lay_out()

    async def _rerender(self) -> None:  # not _render: Widget._render is Textual's own
        async with self._lock:
            width, height = self._width, self.lines_shown
            if not width:  # not laid out yet: get_content_height renders it at its width
                self._lay_out()
                return
            tail, final, theme, paragraph = self._tail, self._final, self._theme(), self._paragraph
            start, drawn = len(self._lines), self._tail_lines
            if len(tail) > THREAD_CHARS:
                result = await asyncio.to_thread(render_source, tail, width, theme, final, paragraph)
            else:
                result = render_source(tail, width, theme, final, paragraph)
            if result.width != self._width:  # resized meanwhile: _relayout rendered the tail already
                return
            self._tail = result.tail + self._tail[len(tail) :]  # text that arrived meanwhile stays in the tail
            self._freeze(result.done)
            self._tail_lines, self._paragraph = self._below_frozen(result.tail_lines), result.paragraph
        if self.lines_shown != height:
            self._lay_out()
        elif (changed := self._first_change(start, drawn)) < height:  # no layout pass while the text grows within
            self.refresh(Region(0, changed, self.size.width, height - changed))  # its lines: those lines drawn only

    def _lay_out(self) -> None:
        """Ask for a layout pass that measures the view again. Textual keeps a widget's measured size until its
        count of layout requests changes, and a request made while one is pending does not count: a layout pass
        for another widget in between measured the old height, and the new lines stayed hidden (a stream whose
        next piece was slow to come showed its first line only)."""
        self._layout_required = False  # the request below counts, pending or not
        self.refresh(layout=True)

    def _first_change(self, start: int, drawn: list[Content]) -> int:
        """The first line from ``start`` (where the open block's lines ``drawn`` last were) that is not as drawn."""
        now = self._lines[start:] + self._tail_lines
        for n, (old, new) in enumerate(zip(drawn, now)):
            if old is not new and (old.plain != new.plain or old.spans != new.spans):
                return start + n
        return start + min(len(drawn), len(now))

    def _freeze(self, blocks: list[Block]) -> None:
        for block in blocks:
            if self._lines and block.lines:
                self._lines.append(Content(""))
            self._starts.append(len(self._lines))
            self._lines += block.lines
            self._blocks.append(block)

    def _relayout(self, width: int) -> None:
        """Render everything again at a new width (a resize): frozen blocks from their trees, the tail from source."""
        theme = self._theme()
        blocks, self._blocks, self._starts, self._lines = self._blocks, [], [], []
        self._width = width
        self._strips.clear()
        self._freeze([render_block(block.node, width, theme, lazy=True) for block in blocks])
        result = render_source(self._tail, width, theme, self._final) if self._tail else Render(width)
        self._tail = result.tail
        self._freeze(result.done)
        self._tail_lines, self._paragraph = self._below_frozen(result.tail_lines), result.paragraph

    def _below_frozen(self, lines: list[Content]) -> list[Content]:
        """The open block's lines as drawn: after a blank line below the frozen ones, as once it is frozen itself
        (it does not move down a line as the next block begins)."""
        return [Content(""), *lines] if self._lines and lines else lines

    def _highlight_later(self, index: int) -> None:
        """Highlight a frozen code block now on screen, in a thread; its lines keep their number."""
        if index in self._highlighting:
            return
        self._highlighting.add(index)
        block, width, theme = self._blocks[index], self._width, self._theme()

        async def highlight() -> None:
            code, language = block.code or ("", "")
            lines = await asyncio.to_thread(code_lines, code, language, width, theme)
            self._highlighting.discard(index)
            if width == self._width and self._blocks[index] is block and len(lines) == len(block.lines):
                start = self._starts[index]
                self._lines[start : start + len(lines)] = block.lines = lines
                block.code = None
                self._strips.clear()
                self.refresh()

        self.run_worker(highlight(), group="highlight")

    # -- drawing ----------------------------------------------------------------------------------------

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if width and width != self._width:
            if self._width or (self._final and not (self._streamed and len(self._tail) > THREAD_CHARS)):
                self._relayout(width)
            else:  # laid out first after streaming began (it may have ended): rendered as new text is, in a thread
                self._width = width
                if self._tail:
                    self.call_later(self._rerender)
        return self.lines_shown

    def _line(self, y: int) -> Content | None:
        frozen = len(self._lines)
        if y < frozen:
            index = bisect_right(self._starts, y) - 1
            if index >= 0 and self._blocks[index].code is not None:
                self._highlight_later(index)
            return self._lines[y]
        return self._tail_lines[y - frozen] if y - frozen < len(self._tail_lines) else None

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        style = self.visual_style
        line = self._line(y)
        if line is None:
            return Strip.blank(width, style.rich_style)
        selection = self.text_selection
        if selection is not None and (span := selection.get_span(y)) is not None:
            start, end = span
            line = line.stylize(
                self.screen.get_visual_style("screen--selection"), start, len(line) if end == -1 else end
            )
            return self._strip(line, y, width, style)
        if y >= len(self._lines):  # the open block's lines change as text arrives
            return self._strip(line, y, width, style)
        if self._strips_for != (width, style):
            self._strips_for = (width, style)
            self._strips.clear()
        if (strip := self._strips.get(y)) is None:
            strip = self._strips[y] = self._strip(line, y, width, style)
        return strip

    def _strip(self, line: Content, y: int, width: int, style) -> Strip:
        segments, x = [], 0
        for text, text_style in line.render(style, end="", parse_style=self._get_style):
            segments.append(Segment(text, (style + text_style).rich_style_with_offset(x, y)))
            x += len(text)
        return Strip(segments, line.cell_length).extend_cell_length(width, style.rich_style)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        return selection.extract("\n".join(self.plain_lines)), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()
