"""``@path`` attachments in the chat prompt: Tab completes the path, a bar above the prompt lists what is attached
with its tokens and share of the window, ctrl+x detaches the last one (its ``@`` goes: the path stays as text)."""

from __future__ import annotations

import os
import re

from textual.widgets import Static, TextArea

from devsynth_tui.services.sanitize import safe_line

_TYPED = re.compile(r"""(?<!\S)@("[^"]*|'[^']*|(?:\\.|[^\s\\])*)$""")  # the @word the cursor ends


def complete_at_cursor(area: TextArea, cwd: str = ".") -> list[str] | None:
    """Complete the ``@path`` the cursor ends: one match replaces it (a file gets a space after it), several
    extend it to what they share. Returns the matches; None when the cursor ends no ``@`` word."""
    from devsynth_tui.services.context.attachments import complete_path

    row, col = area.cursor_location
    before = area.document.get_line(row)[:col]
    m = _TYPED.search(before)
    if m is None:
        return None
    typed = "@" + m.group(1)
    matches = complete_path(typed, cwd)
    if not matches:
        return []
    new = matches[0] if len(matches) == 1 else os.path.commonprefix(matches)  # noqa: RUF071 - text completion, by character
    if len(matches) == 1 and not new.endswith("/"):
        new += " "
    if len(new) > len(typed):
        area.replace(new, (row, col - len(typed)), (row, col))
    return matches


def detach_last(text: str, cwd: str = ".") -> str:
    """``text`` with its last ``@path`` detached (an attachment, or a path naming nothing): the ``@`` before it
    removed, the path kept as text."""
    from devsynth_tui.services.context.attachments import parse_attachments, unfound_paths

    _, found = parse_attachments(text, cwd)
    typed = [a.typed for a in found] + unfound_paths(text, cwd)
    at = max((max(text.rfind("@" + t), text.rfind('@"' + t), text.rfind("@'" + t)) for t in typed), default=-1)
    return text if at < 0 else text[:at] + text[at + 1 :]


def describe(items: list, listings: list, window: int | None) -> list[str]:
    """One line per attachment (a file with its tokens, a folder with its files and skipped ones) and a total; a
    file's tokens with its header in the context block, as the context view (ctrl+k) counts what it sends."""
    from devsynth_tui.services.context.items import item_cost

    out, total = [], 0
    folders = {listing.root for listing in listings}
    for item in items:
        if item.folder in folders:
            continue
        tokens = item_cost(item)
        total += tokens
        out.append(f"  {safe_line(item.name, 60)}  {tokens:,} tokens{_share(tokens, window)}")
    for listing in listings:
        tokens = sum(item_cost(i) for i in listing.items)
        total += tokens
        skipped = sum(listing.skipped.values())
        note = f", {skipped} skipped" if skipped else ""
        out.append(
            f"  {safe_line(listing.root, 60)}/  {len(listing.items)} files{note}, {tokens:,} tokens"
            f"{_share(tokens, window)} (relevance picks within the budget)"
        )
    head = f"attached: {total:,} tokens{_share(total, window)}  (ctrl+x detaches the last, ctrl+k shows the context)"
    return [head, *out]


def _share(tokens: int, window: int | None) -> str:
    return f" ({tokens / window:.0%} of the {window:,}-token window)" if window else ""


class AttachmentBar(Static):
    """What the prompt attaches, above it; hidden while nothing is attached."""

    def __init__(self, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)
        self.display = False
        self.lines: list[str] = []

    def show(self, lines: list[str]) -> None:
        """List ``lines`` (none: hidden); drawn again only when they change (each drawing is a layout pass, and the
        bar is told after each question and each pause in typing)."""
        if lines == self.lines:
            return
        self.lines = lines
        self.update("\n".join(lines))
        self.display = bool(lines)
        self.screen.refresh_bindings()  # ctrl+x (detach) shows in the footer while something is attached
