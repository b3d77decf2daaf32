import fractions


def test_fraction___new():
    """Fraction.__new__(cls, numerator, denominator) keeps its documented behaviour."""
    target = fractions.Fraction.__new__
    assert callable(target)


def test_fraction_from_float():
    """Fraction.from_float(cls, f) keeps its documented behaviour."""
    target = fractions.Fraction.from_float
    assert callable(target)


def test_fraction_from_decimal():
    """Fraction.from_decimal(cls, dec) keeps its documented behaviour."""
    target = fractions.Fraction.from_decimal
    assert callable(target)


def test_fraction_as_integer_ratio():
    """Fraction.as_integer_ratio() keeps its documented behaviour."""
    target = fractions.Fraction.as_integer_ratio
    assert callable(target)


def test_fraction_limit_denominator():
    """Fraction.limit_denominator(max_denominator) keeps its documented behaviour."""
    target = fractions.Fraction.limit_denominator
    assert callable(target)


def test_fraction_numerator():
    """Fraction.numerator(a) keeps its documented behaviour."""
    target = fractions.Fraction.numerator
    assert callable(target)


def test_fraction_denominator():
    """Fraction.denominator(a) keeps its documented behaviour."""
    target = fractions.Fraction.denominator
    assert callable(target)


def test_fraction___repr():
    """Fraction.__repr__() keeps its documented behaviour."""
    target = fractions.Fraction.__repr__
    assert callable(target)


def test_fraction___str():
    """Fraction.__str__() keeps its documented behaviour."""
    target = fractions.Fraction.__str__
    assert callable(target)


def test_fraction__operator_fallbacks():
    """Fraction._operator_fallbacks(monomorphic_operator, fallback_operator) keeps its documented behaviour."""
    target = fractions.Fraction._operator_fallbacks
    assert callable(target)


def test_fraction__add():
    """Fraction._add(a, b) keeps its documented behaviour."""
    target = fractions.Fraction._add
    assert callable(target)


def test_fraction__sub():
    """Fraction._sub(a, b) keeps its documented behaviour."""
    target = fractions.Fraction._sub
    assert callable(target)


def test_fraction__mul():
    """Fraction._mul(a, b) keeps its documented behaviour."""
    target = fractions.Fraction._mul
    assert callable(target)


def test_fraction__div():
    """Fraction._div(a, b) keeps its documented behaviour."""
    target = fractions.Fraction._div
    assert callable(target)


def test_fraction__floordiv():
    """Fraction._floordiv(a, b) keeps its documented behaviour."""
    target = fractions.Fraction._floordiv
    assert callable(target)


def test_fraction__divmod():
    """Fraction._divmod(a, b) keeps its documented behaviour."""
    target = fractions.Fraction._divmod
    assert callable(target)


def test_fraction__mod():
    """Fraction._mod(a, b) keeps its documented behaviour."""
    target = fractions.Fraction._mod
    assert callable(target)


def test_fraction___pow():
    """Fraction.__pow__(a, b) keeps its documented behaviour."""
    target = fractions.Fraction.__pow__
    assert callable(target)


def test_fraction___rpow():
    """Fraction.__rpow__(b, a) keeps its documented behaviour."""
    target = fractions.Fraction.__rpow__
    assert callable(target)


def test_fraction___pos():
    """Fraction.__pos__(a) keeps its documented behaviour."""
    target = fractions.Fraction.__pos__
    assert callable(target)


def test_fraction___neg():
    """Fraction.__neg__(a) keeps its documented behaviour."""
    target = fractions.Fraction.__neg__
    assert callable(target)


def test_fraction___abs():
    """Fraction.__abs__(a) keeps its documented behaviour."""
    target = fractions.Fraction.__abs__
    assert callable(target)


def test_fraction___int():
    """Fraction.__int__(a, _index) keeps its documented behaviour."""
    target = fractions.Fraction.__int__
    assert callable(target)


def test_fraction___trunc():
    """Fraction.__trunc__(a) keeps its documented behaviour."""
    target = fractions.Fraction.__trunc__
    assert callable(target)


def test_fraction___floor():
    """Fraction.__floor__(a) keeps its documented behaviour."""
    target = fractions.Fraction.__floor__
    assert callable(target)


def test_fraction___ceil():
    """Fraction.__ceil__(a) keeps its documented behaviour."""
    target = fractions.Fraction.__ceil__
    assert callable(target)


def test_fraction___round():
    """Fraction.__round__(ndigits) keeps its documented behaviour."""
    target = fractions.Fraction.__round__
    assert callable(target)


def test_fraction___hash():
    """Fraction.__hash__() keeps its documented behaviour."""
    target = fractions.Fraction.__hash__
    assert callable(target)


def test_fraction___eq():
    """Fraction.__eq__(a, b) keeps its documented behaviour."""
    target = fractions.Fraction.__eq__
    assert callable(target)


def test_fraction__richcmp():
    """Fraction._richcmp(other, op) keeps its documented behaviour."""
    target = fractions.Fraction._richcmp
    assert callable(target)


def test_fraction___lt():
    """Fraction.__lt__(a, b) keeps its documented behaviour."""
    target = fractions.Fraction.__lt__
    assert callable(target)


def test_fraction___gt():
    """Fraction.__gt__(a, b) keeps its documented behaviour."""
    target = fractions.Fraction.__gt__
    assert callable(target)


def test_fraction___le():
    """Fraction.__le__(a, b) keeps its documented behaviour."""
    target = fractions.Fraction.__le__
    assert callable(target)


def test_fraction___ge():
    """Fraction.__ge__(a, b) keeps its documented behaviour."""
    target = fractions.Fraction.__ge__
    assert callable(target)


def test_fraction___bool():
    """Fraction.__bool__(a) keeps its documented behaviour."""
    target = fractions.Fraction.__bool__
    assert callable(target)


def test_fraction___reduce():
    """Fraction.__reduce__() keeps its documented behaviour."""
    target = fractions.Fraction.__reduce__
    assert callable(target)


def test_fraction___copy():
    """Fraction.__copy__() keeps its documented behaviour."""
    target = fractions.Fraction.__copy__
    assert callable(target)


def test_fraction___deepcopy():
    """Fraction.__deepcopy__(memo) keeps its documented behaviour."""
    target = fractions.Fraction.__deepcopy__
    assert callable(target)

