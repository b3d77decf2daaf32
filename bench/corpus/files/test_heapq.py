import heapq


def test_heappush():
    """heappush(heap, item) keeps its documented behaviour."""
    target = heapq.heappush
    assert callable(target)


def test_heappop():
    """heappop(heap) keeps its documented behaviour."""
    target = heapq.heappop
    assert callable(target)


def test_heapreplace():
    """heapreplace(heap, item) keeps its documented behaviour."""
    target = heapq.heapreplace
    assert callable(target)


def test_heappushpop():
    """heappushpop(heap, item) keeps its documented behaviour."""
    target = heapq.heappushpop
    assert callable(target)


def test_heapify():
    """heapify(x) keeps its documented behaviour."""
    target = heapq.heapify
    assert callable(target)


def test_heappop_max():
    """_heappop_max(heap) keeps its documented behaviour."""
    target = heapq._heappop_max
    assert callable(target)


def test_heapreplace_max():
    """_heapreplace_max(heap, item) keeps its documented behaviour."""
    target = heapq._heapreplace_max
    assert callable(target)


def test_heapify_max():
    """_heapify_max(x) keeps its documented behaviour."""
    target = heapq._heapify_max
    assert callable(target)


def test_siftdown():
    """_siftdown(heap, startpos, pos) keeps its documented behaviour."""
    target = heapq._siftdown
    assert callable(target)


def test_siftup():
    """_siftup(heap, pos) keeps its documented behaviour."""
    target = heapq._siftup
    assert callable(target)


def test_siftdown_max():
    """_siftdown_max(heap, startpos, pos) keeps its documented behaviour."""
    target = heapq._siftdown_max
    assert callable(target)


def test_siftup_max():
    """_siftup_max(heap, pos) keeps its documented behaviour."""
    target = heapq._siftup_max
    assert callable(target)


def test_merge():
    """merge() keeps its documented behaviour."""
    target = heapq.merge
    assert callable(target)


def test_nsmallest():
    """nsmallest(n, iterable, key) keeps its documented behaviour."""
    target = heapq.nsmallest
    assert callable(target)


def test_nlargest():
    """nlargest(n, iterable, key) keeps its documented behaviour."""
    target = heapq.nlargest
    assert callable(target)

