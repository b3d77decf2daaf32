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

from devsynth_tui.services.context.folders import FolderListing, read_folder
from devsynth_tui.services.context.items import ContextError, ContextItem, load_files

_MENTION = re.compile(r"""(?<!\S)@(?:"([^"]+)"|'([^']+)'|((?:\\.|[^\s\\])+))""")
_TRAILING = ".,;:!?)]}'\""  # punctuation after a path that is not part of it ("see @a.py.")
# an @word ending so names a file, even one that is not there (a typo): said, not sent as text as @property is
FILE_SUFFIXES = frozenset(
    re.findall(
        r"\.\w+",
        ".py .pyi .ipynb .md .rst .txt .json .jsonl .yaml .yml .toml .ini .cfg .conf .lock .csv .xml .html .htm"
        " .css .scss .js .jsx .mjs .cjs .ts .tsx .vue .svelte .rs .go .java .kt .scala .c .h .cc .cpp .hpp .cs .rb"
        " .php .swift .m .sh .bash .zsh .ps1 .sql .lua .r .jl .ex .exs .erl .hs .ml .dart .proto .tf .gradle",
    )
)
_PATH_CHARS = re.compile(r"[\w.~/ +-]+")  # what a typed path is made of: not code such as @app.get("/x")
ALREADY_ATTACHED = "attached already (on their own or in another folder)"  # a folder's files sent once only


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
        typed, tail, path = _mention(m, base)
        if path is None:
            return m.group(0)
        found.setdefault(path.resolve(), Attachment(typed, path.resolve(), path.is_dir()))
        shown = f'"{typed}"' if m.group(1) or m.group(2) or " " in typed else typed
        return shown + tail

    return _MENTION.sub(one, prompt), list(found.values())


def unfound_paths(prompt: str, cwd: str | Path = ".") -> list[str]:
    """The ``@words`` of ``prompt`` written as paths (``./x``, ``dir/``, ``name.py``) that name nothing: typos to
    say, where ``@property`` or ``@types/node`` are text."""
    base = Path(cwd).expanduser().resolve()
    out = []
    for m in _MENTION.finditer(prompt):
        typed, _, path = _mention(m, base)
        if path is None and _looks_like_path(typed, base):
            out.append(typed)
    return out


def _mention(m: re.Match, base: Path) -> tuple[str, str, Path | None]:
    """An ``@`` mention: the path as typed (quotes, escapes and trailing punctuation off), the punctuation after
    it, and what it names (None: nothing)."""
    quoted = m.group(1) or m.group(2)
    typed = quoted or re.sub(r"\\(.)", r"\1", m.group(3))
    tail = ""
    path = _resolve(typed, base)
    while path is None and not quoted and typed and typed[-1] in _TRAILING:
        typed, tail = typed[:-1], typed[-1] + tail
        path = _resolve(typed, base)
    return typed, tail, path


def _looks_like_path(typed: str, base: Path) -> bool:
    """Written as a path (a file's suffix, a folder's slash, ./) of path characters, in a folder that exists: only its
    last part can be a typo (``@/components/x.vue``, an alias, or ``@app.get("/x.js")``, code, are not)."""
    written = (
        typed.startswith(("./", "../", "~/")) or typed.endswith("/") or Path(typed).suffix.lower() in FILE_SUFFIXES
    )
    if not written or not _PATH_CHARS.fullmatch(typed):
        return False
    parent = Path(typed.rstrip("/")).expanduser().parent
    return (parent if parent.is_absolute() else base / parent).is_dir()


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


def load_paths(paths: list[str], types: dict[str, str] | None = None) -> tuple[list[ContextItem], list[FolderListing]]:
    """Files (read whole, origin NAMED) and folders (``read_folder``: origin FOLDER, relevance picks within the
    budget), all or nothing: ContextError names what can't be used. The folders' listings come back too."""
    files: dict[Path, str] = {}  # each file once, as first spelled (a/b.py and /x/a/b.py are one)
    for p in paths:
        if not Path(p).expanduser().is_dir():
            files.setdefault(_real(p), p)
    items = load_files(list(files.values()), types)
    sent = set(files)  # a folder skips the files attached already
    listings = []
    for folder in (p for p in paths if Path(p).expanduser().is_dir()):
        try:
            listing = read_folder(folder)
        except ValueError as e:
            raise ContextError(f"context folder {folder}: {e}") from None
        fresh = [item for item in listing.items if _real(item.name) not in sent]
        if dropped := len(listing.items) - len(fresh):
            listing.items, listing.skipped[ALREADY_ATTACHED] = fresh, dropped
        if not listing.items and not dropped:
            raise ContextError(f"context folder {listing.summary()}: no file in it to send; name another folder")
        sent.update(_real(item.name) for item in fresh)
        listings.append(listing)
        items += listing.items
    return items, listings


def _real(path: str) -> Path:
    return Path(path).expanduser().resolve()


def attach(
    prompt: str,
    cwd: str | Path = ".",
    earlier: list[str] | None = None,
    context: list[str] | None = None,
    types: dict[str, str] | None = None,
):
    """A ChatRequest for a prompt with ``@path`` attachments: the text as sent, the files and folders named (and
    ``context`` ones, e.g. ``ask --context``, and ``earlier`` ones, e.g. attached to the conversation's earlier
    questions) as context, each named as the user sees it. ContextError when one can't be used, or an ``@path``
    names nothing."""
    from devsynth_tui.services.pipeline.request import ChatRequest

    base = Path(cwd).expanduser().resolve()
    if unfound := unfound_paths(prompt, base):
        raise ContextError(
            f"@{unfound[0]}: no such file or folder in {base}; fix the path (Tab completes it in the chat) or drop "
            f"the @ to send it as text"
        )
    text, found = parse_attachments(prompt, base)
    mine = [str(a.path) for a in found]
    items, listings = load_paths(list(dict.fromkeys([*(context or []), *mine, *(earlier or [])])), types)
    for item in items:  # named as the user sees them: relative to the working directory when under it
        item.name, item.folder = shown_path(item.name, base), shown_path(item.folder, base) if item.folder else ""
    for listing in listings:
        listing.root = shown_path(listing.root, base)
    return ChatRequest(text, context=items, listings=listings, attachments=mine)


def shown_path(path: str, base: str | Path) -> str:
    """``path`` as the user sees it: relative to ``base`` (the working directory) when under it, else whole."""
    rel = os.path.relpath(path, base)
    return path if rel == os.pardir or rel.startswith(os.pardir + os.sep) else rel


def earlier_attachments(messages: list) -> list[str]:
    """The paths attached to a conversation's earlier questions (stored in each user message's meta), oldest
    first, each once, those that still exist: a follow-up sends them again without re-attaching."""
    seen: dict[str, None] = {}
    for m in messages:
        if m.role == "user":
            for path in m.meta.get("attachments", []):
                seen.setdefault(path, None)
    return [p for p in seen if Path(p).exists()]
