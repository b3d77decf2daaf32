import statistics


def test_sum():
    """_sum(data) keeps its documented behaviour."""
    target = statistics._sum
    assert callable(target)


def test_ss():
    """_ss(data, c) keeps its documented behaviour."""
    target = statistics._ss
    assert callable(target)


def test_isfinite():
    """_isfinite(x) keeps its documented behaviour."""
    target = statistics._isfinite
    assert callable(target)


def test_coerce():
    """_coerce(T, S) keeps its documented behaviour."""
    target = statistics._coerce
    assert callable(target)


def test_exact_ratio():
    """_exact_ratio(x) keeps its documented behaviour."""
    target = statistics._exact_ratio
    assert callable(target)


def test_convert():
    """_convert(value, T) keeps its documented behaviour."""
    target = statistics._convert
    assert callable(target)


def test_fail_neg():
    """_fail_neg(values, errmsg) keeps its documented behaviour."""
    target = statistics._fail_neg
    assert callable(target)


def test_integer_sqrt_of_frac_rto():
    """_integer_sqrt_of_frac_rto(n, m) keeps its documented behaviour."""
    target = statistics._integer_sqrt_of_frac_rto
    assert callable(target)


def test_float_sqrt_of_frac():
    """_float_sqrt_of_frac(n, m) keeps its documented behaviour."""
    target = statistics._float_sqrt_of_frac
    assert callable(target)


def test_decimal_sqrt_of_frac():
    """_decimal_sqrt_of_frac(n, m) keeps its documented behaviour."""
    target = statistics._decimal_sqrt_of_frac
    assert callable(target)


def test_mean():
    """mean(data) keeps its documented behaviour."""
    target = statistics.mean
    assert callable(target)


def test_fmean():
    """fmean(data, weights) keeps its documented behaviour."""
    target = statistics.fmean
    assert callable(target)


def test_geometric_mean():
    """geometric_mean(data) keeps its documented behaviour."""
    target = statistics.geometric_mean
    assert callable(target)


def test_harmonic_mean():
    """harmonic_mean(data, weights) keeps its documented behaviour."""
    target = statistics.harmonic_mean
    assert callable(target)


def test_median():
    """median(data) keeps its documented behaviour."""
    target = statistics.median
    assert callable(target)


def test_median_low():
    """median_low(data) keeps its documented behaviour."""
    target = statistics.median_low
    assert callable(target)


def test_median_high():
    """median_high(data) keeps its documented behaviour."""
    target = statistics.median_high
    assert callable(target)


def test_median_grouped():
    """median_grouped(data, interval) keeps its documented behaviour."""
    target = statistics.median_grouped
    assert callable(target)


def test_mode():
    """mode(data) keeps its documented behaviour."""
    target = statistics.mode
    assert callable(target)


def test_multimode():
    """multimode(data) keeps its documented behaviour."""
    target = statistics.multimode
    assert callable(target)


def test_quantiles():
    """quantiles(data) keeps its documented behaviour."""
    target = statistics.quantiles
    assert callable(target)


def test_variance():
    """variance(data, xbar) keeps its documented behaviour."""
    target = statistics.variance
    assert callable(target)


def test_pvariance():
    """pvariance(data, mu) keeps its documented behaviour."""
    target = statistics.pvariance
    assert callable(target)


def test_stdev():
    """stdev(data, xbar) keeps its documented behaviour."""
    target = statistics.stdev
    assert callable(target)


def test_pstdev():
    """pstdev(data, mu) keeps its documented behaviour."""
    target = statistics.pstdev
    assert callable(target)


def test_mean_stdev():
    """_mean_stdev(data) keeps its documented behaviour."""
    target = statistics._mean_stdev
    assert callable(target)


def test_covariance():
    """covariance() keeps its documented behaviour."""
    target = statistics.covariance
    assert callable(target)


def test_correlation():
    """correlation() keeps its documented behaviour."""
    target = statistics.correlation
    assert callable(target)


def test_linear_regression():
    """linear_regression() keeps its documented behaviour."""
    target = statistics.linear_regression
    assert callable(target)


def test_normal_dist_inv_cdf():
    """_normal_dist_inv_cdf(p, mu, sigma) keeps its documented behaviour."""
    target = statistics._normal_dist_inv_cdf
    assert callable(target)


def test_normaldist___init():
    """NormalDist.__init__(mu, sigma) keeps its documented behaviour."""
    target = statistics.NormalDist.__init__
    assert callable(target)


def test_normaldist_from_samples():
    """NormalDist.from_samples(cls, data) keeps its documented behaviour."""
    target = statistics.NormalDist.from_samples
    assert callable(target)


def test_normaldist_samples():
    """NormalDist.samples(n) keeps its documented behaviour."""
    target = statistics.NormalDist.samples
    assert callable(target)


def test_normaldist_pdf():
    """NormalDist.pdf(x) keeps its documented behaviour."""
    target = statistics.NormalDist.pdf
    assert callable(target)


def test_normaldist_cdf():
    """NormalDist.cdf(x) keeps its documented behaviour."""
    target = statistics.NormalDist.cdf
    assert callable(target)


def test_normaldist_inv_cdf():
    """NormalDist.inv_cdf(p) keeps its documented behaviour."""
    target = statistics.NormalDist.inv_cdf
    assert callable(target)


def test_normaldist_quantiles():
    """NormalDist.quantiles(n) keeps its documented behaviour."""
    target = statistics.NormalDist.quantiles
    assert callable(target)


def test_normaldist_overlap():
    """NormalDist.overlap(other) keeps its documented behaviour."""
    target = statistics.NormalDist.overlap
    assert callable(target)


def test_normaldist_zscore():
    """NormalDist.zscore(x) keeps its documented behaviour."""
    target = statistics.NormalDist.zscore
    assert callable(target)


def test_normaldist_mean():
    """NormalDist.mean() keeps its documented behaviour."""
    target = statistics.NormalDist.mean
    assert callable(target)


def test_normaldist_median():
    """NormalDist.median() keeps its documented behaviour."""
    target = statistics.NormalDist.median
    assert callable(target)


def test_normaldist_mode():
    """NormalDist.mode() keeps its documented behaviour."""
    target = statistics.NormalDist.mode
    assert callable(target)


def test_normaldist_stdev():
    """NormalDist.stdev() keeps its documented behaviour."""
    target = statistics.NormalDist.stdev
    assert callable(target)


def test_normaldist_variance():
    """NormalDist.variance() keeps its documented behaviour."""
    target = statistics.NormalDist.variance
    assert callable(target)


def test_normaldist___add():
    """NormalDist.__add__(x1, x2) keeps its documented behaviour."""
    target = statistics.NormalDist.__add__
    assert callable(target)


def test_normaldist___sub():
    """NormalDist.__sub__(x1, x2) keeps its documented behaviour."""
    target = statistics.NormalDist.__sub__
    assert callable(target)


def test_normaldist___mul():
    """NormalDist.__mul__(x1, x2) keeps its documented behaviour."""
    target = statistics.NormalDist.__mul__
    assert callable(target)


def test_normaldist___truediv():
    """NormalDist.__truediv__(x1, x2) keeps its documented behaviour."""
    target = statistics.NormalDist.__truediv__
    assert callable(target)


def test_normaldist___pos():
    """NormalDist.__pos__(x1) keeps its documented behaviour."""
    target = statistics.NormalDist.__pos__
    assert callable(target)


def test_normaldist___neg():
    """NormalDist.__neg__(x1) keeps its documented behaviour."""
    target = statistics.NormalDist.__neg__
    assert callable(target)


def test_normaldist___rsub():
    """NormalDist.__rsub__(x1, x2) keeps its documented behaviour."""
    target = statistics.NormalDist.__rsub__
    assert callable(target)


def test_normaldist___eq():
    """NormalDist.__eq__(x1, x2) keeps its documented behaviour."""
    target = statistics.NormalDist.__eq__
    assert callable(target)


def test_normaldist___hash():
    """NormalDist.__hash__() keeps its documented behaviour."""
    target = statistics.NormalDist.__hash__
    assert callable(target)


def test_normaldist___repr():
    """NormalDist.__repr__() keeps its documented behaviour."""
    target = statistics.NormalDist.__repr__
    assert callable(target)


def test_normaldist___getstate():
    """NormalDist.__getstate__() keeps its documented behaviour."""
    target = statistics.NormalDist.__getstate__
    assert callable(target)


def test_normaldist___setstate():
    """NormalDist.__setstate__(state) keeps its documented behaviour."""
    target = statistics.NormalDist.__setstate__
    assert callable(target)

