import textwrap


def test_textwrapper___init():
    """TextWrapper.__init__(width, initial_indent, subsequent_indent, expand_tabs, replace_whitespace, fix_sentence_endings, break_long_words, drop_whitespace, break_on_hyphens, tabsize) keeps its documented behaviour."""
    target = textwrap.TextWrapper.__init__
    assert callable(target)


def test_textwrapper__munge_whitespace():
    """TextWrapper._munge_whitespace(text) keeps its documented behaviour."""
    target = textwrap.TextWrapper._munge_whitespace
    assert callable(target)


def test_textwrapper__split():
    """TextWrapper._split(text) keeps its documented behaviour."""
    target = textwrap.TextWrapper._split
    assert callable(target)


def test_textwrapper__fix_sentence_endings():
    """TextWrapper._fix_sentence_endings(chunks) keeps its documented behaviour."""
    target = textwrap.TextWrapper._fix_sentence_endings
    assert callable(target)


def test_textwrapper__handle_long_word():
    """TextWrapper._handle_long_word(reversed_chunks, cur_line, cur_len, width) keeps its documented behaviour."""
    target = textwrap.TextWrapper._handle_long_word
    assert callable(target)


def test_textwrapper__wrap_chunks():
    """TextWrapper._wrap_chunks(chunks) keeps its documented behaviour."""
    target = textwrap.TextWrapper._wrap_chunks
    assert callable(target)


def test_textwrapper__split_chunks():
    """TextWrapper._split_chunks(text) keeps its documented behaviour."""
    target = textwrap.TextWrapper._split_chunks
    assert callable(target)


def test_textwrapper_wrap():
    """TextWrapper.wrap(text) keeps its documented behaviour."""
    target = textwrap.TextWrapper.wrap
    assert callable(target)


def test_textwrapper_fill():
    """TextWrapper.fill(text) keeps its documented behaviour."""
    target = textwrap.TextWrapper.fill
    assert callable(target)


def test_wrap():
    """wrap(text, width) keeps its documented behaviour."""
    target = textwrap.wrap
    assert callable(target)


def test_fill():
    """fill(text, width) keeps its documented behaviour."""
    target = textwrap.fill
    assert callable(target)


def test_shorten():
    """shorten(text, width) keeps its documented behaviour."""
    target = textwrap.shorten
    assert callable(target)


def test_dedent():
    """dedent(text) keeps its documented behaviour."""
    target = textwrap.dedent
    assert callable(target)


def test_indent():
    """indent(text, prefix, predicate) keeps its documented behaviour."""
    target = textwrap.indent
    assert callable(target)

