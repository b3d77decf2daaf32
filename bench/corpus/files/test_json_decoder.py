import json.decoder


def test_jsondecodeerror___init():
    """JSONDecodeError.__init__(msg, doc, pos) keeps its documented behaviour."""
    target = json.decoder.JSONDecodeError.__init__
    assert callable(target)


def test_jsondecodeerror___reduce():
    """JSONDecodeError.__reduce__() keeps its documented behaviour."""
    target = json.decoder.JSONDecodeError.__reduce__
    assert callable(target)


def test_decode_uxxxx():
    """_decode_uXXXX(s, pos) keeps its documented behaviour."""
    target = json.decoder._decode_uXXXX
    assert callable(target)


def test_py_scanstring():
    """py_scanstring(s, end, strict, _b, _m) keeps its documented behaviour."""
    target = json.decoder.py_scanstring
    assert callable(target)


def test_jsonobject():
    """JSONObject(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo, _w, _ws) keeps its documented behaviour."""
    target = json.decoder.JSONObject
    assert callable(target)


def test_jsonarray():
    """JSONArray(s_and_end, scan_once, _w, _ws) keeps its documented behaviour."""
    target = json.decoder.JSONArray
    assert callable(target)


def test_jsondecoder___init():
    """JSONDecoder.__init__() keeps its documented behaviour."""
    target = json.decoder.JSONDecoder.__init__
    assert callable(target)


def test_jsondecoder_decode():
    """JSONDecoder.decode(s, _w) keeps its documented behaviour."""
    target = json.decoder.JSONDecoder.decode
    assert callable(target)


def test_jsondecoder_raw_decode():
    """JSONDecoder.raw_decode(s, idx) keeps its documented behaviour."""
    target = json.decoder.JSONDecoder.raw_decode
    assert callable(target)

