"""Strings from outside made safe for a terminal: shown literally, never interpreted.

Model output, model ids, server error bodies, file names and rows read back from the
database all pass through here. Escape sequences (CSI, OSC incl. OSC 52 clipboard
writes), other C0/C1 control characters and bidi overrides become visible stand-ins
(ESC shows as ␛), so nothing from outside can clear the screen, move the cursor, write
the clipboard or disguise text. :func:`safe_markup` also escapes Rich/Textual markup
for the places that render a string as markup.
"""

from __future__ import annotations

import re

_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_MARKUP = re.compile(r"(\\*)(\[[a-zA-Z#/@!:=$.\"'~*_-])")  # what Rich reads as the start of a tag


def _table() -> dict[int, str]:
    table = {c: chr(0x2400 + c) for c in range(0x20) if chr(c) not in "\n\t"}
    table[0x7F] = "\u2421"
    table.update({c: f"<U+{c:04X}>" for c in range(0x80, 0xA0)})
    table.update({ord(c): f"<U+{ord(c):04X}>" for c in _BIDI})
    return table


_TABLE = _table()
_LINE_TABLE = _TABLE | {ord("\n"): "\u2424", ord("\t"): " ", 0x2028: "\u2424", 0x2029: "\u2424"}


def safe_text(text: str) -> str:
    """``text`` with every terminal control replaced by a visible stand-in; newlines and tabs kept."""
    return text.translate(_TABLE)


def safe_line(text: object, limit: int | None = None) -> str:
    """One line of outside text (a model id, an error body, a file name, a stored row): controls and
    line breaks made visible, at most ``limit`` characters (an ellipsis marks the cut)."""
    line = str(text).translate(_LINE_TABLE)
    if limit is not None and len(line) > limit:
        line = line[: max(limit - 1, 0)] + "\u2026"
    return line


def safe_markup(text: object, limit: int | None = None) -> str:
    """:func:`safe_line`, with Rich/Textual markup escaped: for a string put into markup (``[b]{name}[/]``)."""
    return _MARKUP.sub(lambda m: m.group(1) * 2 + "\\" + m.group(2), safe_line(text, limit))
