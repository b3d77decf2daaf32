import json.encoder


def test_py_encode_basestring():
    """py_encode_basestring(s) keeps its documented behaviour."""
    target = json.encoder.py_encode_basestring
    assert callable(target)


def test_py_encode_basestring_ascii():
    """py_encode_basestring_ascii(s) keeps its documented behaviour."""
    target = json.encoder.py_encode_basestring_ascii
    assert callable(target)


def test_jsonencoder___init():
    """JSONEncoder.__init__() keeps its documented behaviour."""
    target = json.encoder.JSONEncoder.__init__
    assert callable(target)


def test_jsonencoder_default():
    """JSONEncoder.default(o) keeps its documented behaviour."""
    target = json.encoder.JSONEncoder.default
    assert callable(target)


def test_jsonencoder_encode():
    """JSONEncoder.encode(o) keeps its documented behaviour."""
    target = json.encoder.JSONEncoder.encode
    assert callable(target)


def test_jsonencoder_iterencode():
    """JSONEncoder.iterencode(o, _one_shot) keeps its documented behaviour."""
    target = json.encoder.JSONEncoder.iterencode
    assert callable(target)


def test_make_iterencode():
    """_make_iterencode(markers, _default, _encoder, _indent, _floatstr, _key_separator, _item_separator, _sort_keys, _skipkeys, _one_shot, ValueError, dict, float, id, int, isinstance, list, str, tuple, _intstr) keeps its documented behaviour."""
    target = json.encoder._make_iterencode
    assert callable(target)

