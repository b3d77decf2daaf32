import base64


def test_bytes_from_decode_data():
    """_bytes_from_decode_data(s) keeps its documented behaviour."""
    target = base64._bytes_from_decode_data
    assert callable(target)


def test_b64encode():
    """b64encode(s, altchars) keeps its documented behaviour."""
    target = base64.b64encode
    assert callable(target)


def test_b64decode():
    """b64decode(s, altchars, validate) keeps its documented behaviour."""
    target = base64.b64decode
    assert callable(target)


def test_standard_b64encode():
    """standard_b64encode(s) keeps its documented behaviour."""
    target = base64.standard_b64encode
    assert callable(target)


def test_standard_b64decode():
    """standard_b64decode(s) keeps its documented behaviour."""
    target = base64.standard_b64decode
    assert callable(target)


def test_urlsafe_b64encode():
    """urlsafe_b64encode(s) keeps its documented behaviour."""
    target = base64.urlsafe_b64encode
    assert callable(target)


def test_urlsafe_b64decode():
    """urlsafe_b64decode(s) keeps its documented behaviour."""
    target = base64.urlsafe_b64decode
    assert callable(target)


def test_b32encode():
    """_b32encode(alphabet, s) keeps its documented behaviour."""
    target = base64._b32encode
    assert callable(target)


def test_b32decode():
    """_b32decode(alphabet, s, casefold, map01) keeps its documented behaviour."""
    target = base64._b32decode
    assert callable(target)


def test_b32encode():
    """b32encode(s) keeps its documented behaviour."""
    target = base64.b32encode
    assert callable(target)


def test_b32decode():
    """b32decode(s, casefold, map01) keeps its documented behaviour."""
    target = base64.b32decode
    assert callable(target)


def test_b32hexencode():
    """b32hexencode(s) keeps its documented behaviour."""
    target = base64.b32hexencode
    assert callable(target)


def test_b32hexdecode():
    """b32hexdecode(s, casefold) keeps its documented behaviour."""
    target = base64.b32hexdecode
    assert callable(target)


def test_b16encode():
    """b16encode(s) keeps its documented behaviour."""
    target = base64.b16encode
    assert callable(target)


def test_b16decode():
    """b16decode(s, casefold) keeps its documented behaviour."""
    target = base64.b16decode
    assert callable(target)


def test_85encode():
    """_85encode(b, chars, chars2, pad, foldnuls, foldspaces) keeps its documented behaviour."""
    target = base64._85encode
    assert callable(target)


def test_a85encode():
    """a85encode(b) keeps its documented behaviour."""
    target = base64.a85encode
    assert callable(target)


def test_a85decode():
    """a85decode(b) keeps its documented behaviour."""
    target = base64.a85decode
    assert callable(target)


def test_b85encode():
    """b85encode(b, pad) keeps its documented behaviour."""
    target = base64.b85encode
    assert callable(target)


def test_b85decode():
    """b85decode(b) keeps its documented behaviour."""
    target = base64.b85decode
    assert callable(target)


def test_encode():
    """encode(input, output) keeps its documented behaviour."""
    target = base64.encode
    assert callable(target)


def test_decode():
    """decode(input, output) keeps its documented behaviour."""
    target = base64.decode
    assert callable(target)


def test_input_type_check():
    """_input_type_check(s) keeps its documented behaviour."""
    target = base64._input_type_check
    assert callable(target)


def test_encodebytes():
    """encodebytes(s) keeps its documented behaviour."""
    target = base64.encodebytes
    assert callable(target)


def test_decodebytes():
    """decodebytes(s) keeps its documented behaviour."""
    target = base64.decodebytes
    assert callable(target)


def test_main():
    """main() keeps its documented behaviour."""
    target = base64.main
    assert callable(target)


def test_test():
    """test() keeps its documented behaviour."""
    target = base64.test
    assert callable(target)

