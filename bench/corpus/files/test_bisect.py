import bisect


def test_insort_right():
    """insort_right(a, x, lo, hi) keeps its documented behaviour."""
    target = bisect.insort_right
    assert callable(target)


def test_bisect_right():
    """bisect_right(a, x, lo, hi) keeps its documented behaviour."""
    target = bisect.bisect_right
    assert callable(target)


def test_insort_left():
    """insort_left(a, x, lo, hi) keeps its documented behaviour."""
    target = bisect.insort_left
    assert callable(target)


def test_bisect_left():
    """bisect_left(a, x, lo, hi) keeps its documented behaviour."""
    target = bisect.bisect_left
    assert callable(target)

