import fnmatch


def test_fnmatch():
    """fnmatch(name, pat) keeps its documented behaviour."""
    target = fnmatch.fnmatch
    assert callable(target)


def test_compile_pattern():
    """_compile_pattern(pat) keeps its documented behaviour."""
    target = fnmatch._compile_pattern
    assert callable(target)


def test_filter():
    """filter(names, pat) keeps its documented behaviour."""
    target = fnmatch.filter
    assert callable(target)


def test_fnmatchcase():
    """fnmatchcase(name, pat) keeps its documented behaviour."""
    target = fnmatch.fnmatchcase
    assert callable(target)


def test_translate():
    """translate(pat) keeps its documented behaviour."""
    target = fnmatch.translate
    assert callable(target)

