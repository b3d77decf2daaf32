"""Prompt optimization (guide 2.3): template trimming, example reduction,
instruction compression and chunked generation.

Nothing here ever changes code, numbers, identifiers or quoted text: those
spans are cut out before rewriting and put back untouched.
"""

from __future__ import annotations

import re

from devsynth_tui.services.context.chunking import chunk_text
from devsynth_tui.services.context.relevance import BM25, terms
from devsynth_tui.services.context.token_accounting import count_tokens

_FENCE = re.compile(r"^(```|~~~).*?(?:^\1[ \t]*$|\Z)", re.S | re.M)
_TEMPLATE_COMMENT = re.compile(r"\{#.*?#\}|<!--.*?-->", re.S)
_PROTECTED = re.compile(
    r"```.*?(?:```|\Z)"  # fenced code
    r"|`[^`\n]*`"  # inline code
    r'|"[^"\n]*"'  # double-quoted text
    r"|(?<!\w)'[^'\n]*'(?!\w)"  # single-quoted text (not apostrophes)
    r"|\bhttps?://\S+"  # URLs
    r"|\S*[\w.-]*[/\\][\w./\\-]*"  # paths
    r"|\b\w*[_\d]\w*\b"  # identifiers with _ or digits, and numbers
    r"|\b[a-z]+[A-Z]\w*\b",  # camelCase
    re.S,
)

# (pattern, replacement): filler phrasing and its plain equivalent. Order matters.
FILLER = [
    (r"\b(?:could|can|would|will) you (?:please )?(?:kindly )?", ""),
    (r"\bI(?: would|'d) (?:really )?like (?:you )?to\s+", ""),
    (r"\bI (?:want|need) you to\s+", ""),
    (r"\bplease\b,?\s*", ""),
    (r"\bkindly\s+", ""),
    (r"\b(?:it is|it's) (?:important|worth) (?:to note|noting) that\s+", ""),
    (r"\bplease note that\s+", ""),
    (r"\bas (?:mentioned|stated|noted) (?:before|above|earlier),?\s*", ""),
    (r"\bmake sure that\b", "ensure"),
    (r"\bmake sure to\s+", ""),
    (r"\bin order to\b", "to"),
    (r"\bdue to the fact that\b", "because"),
    (r"\bin the event that\b", "if"),
    (r"\bat this point in time\b", "now"),
    (r"\bfor the purpose of\b", "for"),
    (r"\b(?:is|are) able to\b", "can"),
    (r"\bha(?:s|ve) the ability to\b", "can"),
    (r"\ba (?:large|great) number of\b", "many"),
    (r"\b(?:basically|actually|literally|essentially)\s+", ""),
    (r"\b(?:kind|sort) of\s+", ""),
    (r"\bif possible\b,?\s*", ""),
    (r"\bthank you(?: (?:so|very) much)?(?: in advance)?\s*[.!]?\s*", ""),
    (r"\bthanks(?: in advance)?\s*[.!]?\s*", ""),
]
_FILLER = [(re.compile(p, re.I), r) for p, r in FILLER]


def _split_fences(text: str) -> list[tuple[bool, str]]:
    """(is_code, segment) pieces of ``text``; fenced code blocks are code."""
    out, pos = [], 0
    for m in _FENCE.finditer(text):
        if m.start() > pos:
            out.append((False, text[pos : m.start()]))
        out.append((True, m.group(0)))
        pos = m.end()
    if pos < len(text):
        out.append((False, text[pos:]))
    return out


def _tidy(prose: str) -> str:
    prose = re.sub(r"[ \t]+$", "", prose, flags=re.M)
    return re.sub(r"\n{3,}", "\n\n", prose)


def trim_template(text: str, strip_comments: bool = True) -> str:
    """Collapse blank lines, drop trailing spaces and ``{# #}`` / ``<!-- -->`` comments, outside code."""
    out = []
    for is_code, seg in _split_fences(text):
        if not is_code:
            if strip_comments:
                seg = _TEMPLATE_COMMENT.sub("", seg)
            seg = _tidy(seg)
        out.append(seg)
    return "".join(out).strip("\n")


def compress_instructions(text: str) -> str:
    """Remove filler phrasing; code, numbers, identifiers, paths and quotes are never touched."""
    out, pos = [], 0
    for m in _PROTECTED.finditer(text):
        out.append(_compress_prose(text[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_compress_prose(text[pos:]))
    return "".join(out)


def _compress_prose(prose: str) -> str:
    if not prose.strip():
        return prose
    new = prose
    for pattern, repl in _FILLER:
        new = pattern.sub(repl, new)
    if new == prose:
        return prose
    new = re.sub(r"(?<=\S)[ \t]{2,}", " ", new)
    new = re.sub(r"[ \t]+([,.;:!?])", r"\1", new)
    if not prose[-1].isspace():
        new = new.rstrip(" \t")
    # a sentence that lost its first words starts with a capital again
    return re.sub(r"(^|[.!?]\s+|\n)([a-z])(?=[a-z]*\b)", lambda m: m.group(1) + m.group(2).upper(), new)


def select_examples(examples: list[str], query: str, limit: int) -> list[str]:
    """The ``limit`` examples most relevant to ``query``, in their original order."""
    if len(examples) <= limit:
        return list(examples)
    if limit == 0:
        return []
    scores = BM25([terms(e) for e in examples]).scores(terms(query))
    best = sorted(range(len(examples)), key=lambda i: (-scores[i], i))[:limit]
    return [examples[i] for i in sorted(best)]


def split_for_generation(text: str, name: str, chunk_size: int) -> list[str]:
    """Split input on natural boundaries (code units, sections, paragraphs) into pieces of at most ``chunk_size``
    tokens."""
    pieces: list[str] = []
    current: list[str] = []
    used = 0
    units = chunk_text(text, name) or []
    for unit in units:
        for part in _fit(unit.text, chunk_size):
            n = count_tokens(part)
            if current and used + n > chunk_size:
                pieces.append("\n".join(current))
                current, used = [], 0
            current.append(part)
            used += n
    if current:
        pieces.append("\n".join(current))
    return pieces


def _fit(text: str, chunk_size: int) -> list[str]:
    """A unit larger than ``chunk_size`` split by lines (a line longer still is split by characters)."""
    if count_tokens(text) <= chunk_size:
        return [text]
    out: list[str] = []
    current: list[str] = []
    used = 0
    for line in text.splitlines():
        n = count_tokens(line) + 1
        if current and used + n > chunk_size:
            out.append("\n".join(current))
            current, used = [], 0
        if n > chunk_size:  # one huge line: split by characters (~2 per token, to stay under)
            step = max(1, chunk_size * 2)
            out.extend(line[i : i + step] for i in range(0, len(line), step))
            continue
        current.append(line)
        used += n
    if current:
        out.append("\n".join(current))
    return out
