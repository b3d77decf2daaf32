import glob


def test_glob():
    """glob(pathname) keeps its documented behaviour."""
    target = glob.glob
    assert callable(target)


def test_iglob():
    """iglob(pathname) keeps its documented behaviour."""
    target = glob.iglob
    assert callable(target)


def test_iglob():
    """_iglob(pathname, root_dir, dir_fd, recursive, dironly, include_hidden) keeps its documented behaviour."""
    target = glob._iglob
    assert callable(target)


def test_glob1():
    """_glob1(dirname, pattern, dir_fd, dironly, include_hidden) keeps its documented behaviour."""
    target = glob._glob1
    assert callable(target)


def test_glob0():
    """_glob0(dirname, basename, dir_fd, dironly, include_hidden) keeps its documented behaviour."""
    target = glob._glob0
    assert callable(target)


def test_glob0():
    """glob0(dirname, pattern) keeps its documented behaviour."""
    target = glob.glob0
    assert callable(target)


def test_glob1():
    """glob1(dirname, pattern) keeps its documented behaviour."""
    target = glob.glob1
    assert callable(target)


def test_glob2():
    """_glob2(dirname, pattern, dir_fd, dironly, include_hidden) keeps its documented behaviour."""
    target = glob._glob2
    assert callable(target)


def test_iterdir():
    """_iterdir(dirname, dir_fd, dironly) keeps its documented behaviour."""
    target = glob._iterdir
    assert callable(target)


def test_listdir():
    """_listdir(dirname, dir_fd, dironly) keeps its documented behaviour."""
    target = glob._listdir
    assert callable(target)


def test_rlistdir():
    """_rlistdir(dirname, dir_fd, dironly, include_hidden) keeps its documented behaviour."""
    target = glob._rlistdir
    assert callable(target)


def test_lexists():
    """_lexists(pathname, dir_fd) keeps its documented behaviour."""
    target = glob._lexists
    assert callable(target)


def test_isdir():
    """_isdir(pathname, dir_fd) keeps its documented behaviour."""
    target = glob._isdir
    assert callable(target)


def test_join():
    """_join(dirname, basename) keeps its documented behaviour."""
    target = glob._join
    assert callable(target)


def test_has_magic():
    """has_magic(s) keeps its documented behaviour."""
    target = glob.has_magic
    assert callable(target)


def test_ishidden():
    """_ishidden(path) keeps its documented behaviour."""
    target = glob._ishidden
    assert callable(target)


def test_isrecursive():
    """_isrecursive(pattern) keeps its documented behaviour."""
    target = glob._isrecursive
    assert callable(target)


def test_escape():
    """escape(pathname) keeps its documented behaviour."""
    target = glob.escape
    assert callable(target)

