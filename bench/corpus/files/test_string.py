import string


def test_capwords():
    """capwords(s, sep) keeps its documented behaviour."""
    target = string.capwords
    assert callable(target)


def test_template___init_subclass():
    """Template.__init_subclass__(cls) keeps its documented behaviour."""
    target = string.Template.__init_subclass__
    assert callable(target)


def test_template___init():
    """Template.__init__(template) keeps its documented behaviour."""
    target = string.Template.__init__
    assert callable(target)


def test_template__invalid():
    """Template._invalid(mo) keeps its documented behaviour."""
    target = string.Template._invalid
    assert callable(target)


def test_template_substitute():
    """Template.substitute() keeps its documented behaviour."""
    target = string.Template.substitute
    assert callable(target)


def test_template_safe_substitute():
    """Template.safe_substitute() keeps its documented behaviour."""
    target = string.Template.safe_substitute
    assert callable(target)


def test_template_is_valid():
    """Template.is_valid() keeps its documented behaviour."""
    target = string.Template.is_valid
    assert callable(target)


def test_template_get_identifiers():
    """Template.get_identifiers() keeps its documented behaviour."""
    target = string.Template.get_identifiers
    assert callable(target)


def test_formatter_format():
    """Formatter.format() keeps its documented behaviour."""
    target = string.Formatter.format
    assert callable(target)


def test_formatter_vformat():
    """Formatter.vformat(format_string, args, kwargs) keeps its documented behaviour."""
    target = string.Formatter.vformat
    assert callable(target)


def test_formatter__vformat():
    """Formatter._vformat(format_string, args, kwargs, used_args, recursion_depth, auto_arg_index) keeps its documented behaviour."""
    target = string.Formatter._vformat
    assert callable(target)


def test_formatter_get_value():
    """Formatter.get_value(key, args, kwargs) keeps its documented behaviour."""
    target = string.Formatter.get_value
    assert callable(target)


def test_formatter_check_unused_args():
    """Formatter.check_unused_args(used_args, args, kwargs) keeps its documented behaviour."""
    target = string.Formatter.check_unused_args
    assert callable(target)


def test_formatter_format_field():
    """Formatter.format_field(value, format_spec) keeps its documented behaviour."""
    target = string.Formatter.format_field
    assert callable(target)


def test_formatter_convert_field():
    """Formatter.convert_field(value, conversion) keeps its documented behaviour."""
    target = string.Formatter.convert_field
    assert callable(target)


def test_formatter_parse():
    """Formatter.parse(format_string) keeps its documented behaviour."""
    target = string.Formatter.parse
    assert callable(target)


def test_formatter_get_field():
    """Formatter.get_field(field_name, args, kwargs) keeps its documented behaviour."""
    target = string.Formatter.get_field
    assert callable(target)

