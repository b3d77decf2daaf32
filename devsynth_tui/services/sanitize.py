"""Untrusted model output made safe for a terminal: shown literally, never interpreted.

Escape sequences, other control characters and bidi overrides become visible
stand-ins (ESC shows as ␛), so nothing from a model can clear the screen, move
the cursor, write the clipboard (OSC 52) or disguise text.
"""

from __future__ import annotations

_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def _table() -> dict[int, str]:
    table = {c: chr(0x2400 + c) for c in range(0x20) if chr(c) not in "\n\t"}
    table[0x7F] = "\u2421"
    table.update({c: f"<U+{c:04X}>" for c in range(0x80, 0xA0)})
    table.update({ord(c): f"<U+{ord(c):04X}>" for c in _BIDI})
    return table


_TABLE = _table()


def safe_text(text: str) -> str:
    """``text`` with every terminal control replaced by a visible stand-in; newlines and tabs kept."""
    return text.translate(_TABLE)
