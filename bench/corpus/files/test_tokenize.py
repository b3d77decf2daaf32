import tokenize


def test_tokeninfo___repr():
    """TokenInfo.__repr__() keeps its documented behaviour."""
    target = tokenize.TokenInfo.__repr__
    assert callable(target)


def test_tokeninfo_exact_type():
    """TokenInfo.exact_type() keeps its documented behaviour."""
    target = tokenize.TokenInfo.exact_type
    assert callable(target)


def test_group():
    """group() keeps its documented behaviour."""
    target = tokenize.group
    assert callable(target)


def test_any():
    """any() keeps its documented behaviour."""
    target = tokenize.any
    assert callable(target)


def test_maybe():
    """maybe() keeps its documented behaviour."""
    target = tokenize.maybe
    assert callable(target)


def test_all_string_prefixes():
    """_all_string_prefixes() keeps its documented behaviour."""
    target = tokenize._all_string_prefixes
    assert callable(target)


def test_compile():
    """_compile(expr) keeps its documented behaviour."""
    target = tokenize._compile
    assert callable(target)


def test_untokenizer___init():
    """Untokenizer.__init__() keeps its documented behaviour."""
    target = tokenize.Untokenizer.__init__
    assert callable(target)


def test_untokenizer_add_whitespace():
    """Untokenizer.add_whitespace(start) keeps its documented behaviour."""
    target = tokenize.Untokenizer.add_whitespace
    assert callable(target)


def test_untokenizer_untokenize():
    """Untokenizer.untokenize(iterable) keeps its documented behaviour."""
    target = tokenize.Untokenizer.untokenize
    assert callable(target)


def test_untokenizer_compat():
    """Untokenizer.compat(token, iterable) keeps its documented behaviour."""
    target = tokenize.Untokenizer.compat
    assert callable(target)


def test_untokenize():
    """untokenize(iterable) keeps its documented behaviour."""
    target = tokenize.untokenize
    assert callable(target)


def test_get_normal_name():
    """_get_normal_name(orig_enc) keeps its documented behaviour."""
    target = tokenize._get_normal_name
    assert callable(target)


def test_detect_encoding():
    """detect_encoding(readline) keeps its documented behaviour."""
    target = tokenize.detect_encoding
    assert callable(target)


def test_open():
    """open(filename) keeps its documented behaviour."""
    target = tokenize.open
    assert callable(target)


def test_tokenize():
    """tokenize(readline) keeps its documented behaviour."""
    target = tokenize.tokenize
    assert callable(target)


def test_tokenize():
    """_tokenize(readline, encoding) keeps its documented behaviour."""
    target = tokenize._tokenize
    assert callable(target)


def test_generate_tokens():
    """generate_tokens(readline) keeps its documented behaviour."""
    target = tokenize.generate_tokens
    assert callable(target)


def test_main():
    """main() keeps its documented behaviour."""
    target = tokenize.main
    assert callable(target)


def test_generate_tokens_from_c_tokenizer():
    """_generate_tokens_from_c_tokenizer(source) keeps its documented behaviour."""
    target = tokenize._generate_tokens_from_c_tokenizer
    assert callable(target)

