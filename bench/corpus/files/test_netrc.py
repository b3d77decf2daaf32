import netrc


def test_netrcparseerror___init():
    """NetrcParseError.__init__(msg, filename, lineno) keeps its documented behaviour."""
    target = netrc.NetrcParseError.__init__
    assert callable(target)


def test_netrcparseerror___str():
    """NetrcParseError.__str__() keeps its documented behaviour."""
    target = netrc.NetrcParseError.__str__
    assert callable(target)


def test_netrclex___init():
    """_netrclex.__init__(fp) keeps its documented behaviour."""
    target = netrc._netrclex.__init__
    assert callable(target)


def test_netrclex__read_char():
    """_netrclex._read_char() keeps its documented behaviour."""
    target = netrc._netrclex._read_char
    assert callable(target)


def test_netrclex_get_token():
    """_netrclex.get_token() keeps its documented behaviour."""
    target = netrc._netrclex.get_token
    assert callable(target)


def test_netrclex_push_token():
    """_netrclex.push_token(token) keeps its documented behaviour."""
    target = netrc._netrclex.push_token
    assert callable(target)


def test_netrc___init():
    """netrc.__init__(file) keeps its documented behaviour."""
    target = netrc.netrc.__init__
    assert callable(target)


def test_netrc__parse():
    """netrc._parse(file, fp, default_netrc) keeps its documented behaviour."""
    target = netrc.netrc._parse
    assert callable(target)


def test_netrc__security_check():
    """netrc._security_check(fp, default_netrc, login) keeps its documented behaviour."""
    target = netrc.netrc._security_check
    assert callable(target)


def test_netrc_authenticators():
    """netrc.authenticators(host) keeps its documented behaviour."""
    target = netrc.netrc.authenticators
    assert callable(target)


def test_netrc___repr():
    """netrc.__repr__() keeps its documented behaviour."""
    target = netrc.netrc.__repr__
    assert callable(target)

