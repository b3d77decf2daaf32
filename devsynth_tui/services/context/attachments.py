"""``@path`` attachments in a prompt, and the path completion for typing them.

``@src/app.py`` or ``@docs/`` names a file or folder relative to the working
directory (or absolute, or ``~``); a path with spaces is quoted (``@"my notes.md"``)
or escaped (``@my\\ notes.md``). An ``@word`` is an attachment only when it names
an existing file or folder: an e-mail address (``a@b.org``: no space before the
``@``) or a decorator (``@property``) stays text. In the text sent, an attachment
reads as its path without the ``@``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

_MENTION = re.compile(r"""(?<!\S)@(?:"([^"]+)"|'([^']+)'|((?:\\.|[^\s\\])+))""")
_TRAILING = ".,;:!?)]}'\""  # punctuation after a path that is not part of it ("see @a.py.")


@dataclass(frozen=True)
class Attachment:
    """One ``@path``: as typed, and resolved."""

    typed: str  # the path as written, without the @ and quotes
    path: Path  # absolute
    is_dir: bool


def _resolve(typed: str, cwd: Path) -> Path | None:
    path = Path(typed).expanduser()
    path = path if path.is_absolute() else cwd / path
    return path if path.is_file() or path.is_dir() else None


def parse_attachments(prompt: str, cwd: str | Path = ".") -> tuple[str, list[Attachment]]:
    """The prompt's text (each attachment as its path, without the @) and its attachments, in order,
    each once. Whatever does not name an existing file or folder is left as it was typed."""
    base = Path(cwd).expanduser().resolve()
    found: dict[Path, Attachment] = {}

    def one(m: re.Match) -> str:
        quoted = m.group(1) or m.group(2)
        typed = quoted or re.sub(r"\\(.)", r"\1", m.group(3))
        tail = ""
        path = _resolve(typed, base)
        while path is None and not quoted and typed and typed[-1] in _TRAILING:
            typed, tail = typed[:-1], typed[-1] + tail
            path = _resolve(typed, base)
        if path is None:
            return m.group(0)
        found.setdefault(path.resolve(), Attachment(typed, path.resolve(), path.is_dir()))
        shown = f'"{typed}"' if quoted or " " in typed else typed
        return shown + tail

    return _MENTION.sub(one, prompt), list(found.values())


def complete_path(partial: str, cwd: str | Path = ".", limit: int = 50) -> list[str]:
    """Tab completion for an ``@path`` being typed: the ``@``-words that extend ``partial``
    (``@sr`` -> ``@src/``), folders ending in ``/``, names with spaces quoted. Hidden
    entries only when the typed name starts with a dot."""
    typed = partial[1:] if partial.startswith("@") else partial
    typed = typed.strip("\"'").replace("\\ ", " ")
    head, _, stem = typed.rpartition("/")
    folder = Path(head or ("/" if typed.startswith("/") else ".")).expanduser()
    folder = folder if folder.is_absolute() else Path(cwd).expanduser() / folder
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []
    out = []
    for entry in entries:
        if not entry.name.startswith(stem) or (entry.name.startswith(".") and not stem.startswith(".")):
            continue
        try:
            is_dir = entry.is_dir()
        except OSError:
            continue
        path = (head + "/" if head or typed.startswith("/") else "") + entry.name + ("/" if is_dir else "")
        out.append(f'@"{path}"' if " " in path else f"@{path}")
        if len(out) >= limit:
            break
    return out
