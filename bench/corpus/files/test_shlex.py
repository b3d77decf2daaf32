import shlex


def test_shlex___init():
    """shlex.__init__(instream, infile, posix, punctuation_chars) keeps its documented behaviour."""
    target = shlex.shlex.__init__
    assert callable(target)


def test_shlex_punctuation_chars():
    """shlex.punctuation_chars() keeps its documented behaviour."""
    target = shlex.shlex.punctuation_chars
    assert callable(target)


def test_shlex_push_token():
    """shlex.push_token(tok) keeps its documented behaviour."""
    target = shlex.shlex.push_token
    assert callable(target)


def test_shlex_push_source():
    """shlex.push_source(newstream, newfile) keeps its documented behaviour."""
    target = shlex.shlex.push_source
    assert callable(target)


def test_shlex_pop_source():
    """shlex.pop_source() keeps its documented behaviour."""
    target = shlex.shlex.pop_source
    assert callable(target)


def test_shlex_get_token():
    """shlex.get_token() keeps its documented behaviour."""
    target = shlex.shlex.get_token
    assert callable(target)


def test_shlex_read_token():
    """shlex.read_token() keeps its documented behaviour."""
    target = shlex.shlex.read_token
    assert callable(target)


def test_shlex_sourcehook():
    """shlex.sourcehook(newfile) keeps its documented behaviour."""
    target = shlex.shlex.sourcehook
    assert callable(target)


def test_shlex_error_leader():
    """shlex.error_leader(infile, lineno) keeps its documented behaviour."""
    target = shlex.shlex.error_leader
    assert callable(target)


def test_shlex___iter():
    """shlex.__iter__() keeps its documented behaviour."""
    target = shlex.shlex.__iter__
    assert callable(target)


def test_shlex___next():
    """shlex.__next__() keeps its documented behaviour."""
    target = shlex.shlex.__next__
    assert callable(target)


def test_split():
    """split(s, comments, posix) keeps its documented behaviour."""
    target = shlex.split
    assert callable(target)


def test_join():
    """join(split_command) keeps its documented behaviour."""
    target = shlex.join
    assert callable(target)


def test_quote():
    """quote(s) keeps its documented behaviour."""
    target = shlex.quote
    assert callable(target)


def test_print_tokens():
    """_print_tokens(lexer) keeps its documented behaviour."""
    target = shlex._print_tokens
    assert callable(target)

