import configparser


def test_error___init():
    """Error.__init__(msg) keeps its documented behaviour."""
    target = configparser.Error.__init__
    assert callable(target)


def test_error___repr():
    """Error.__repr__() keeps its documented behaviour."""
    target = configparser.Error.__repr__
    assert callable(target)


def test_nosectionerror___init():
    """NoSectionError.__init__(section) keeps its documented behaviour."""
    target = configparser.NoSectionError.__init__
    assert callable(target)


def test_duplicatesectionerror___init():
    """DuplicateSectionError.__init__(section, source, lineno) keeps its documented behaviour."""
    target = configparser.DuplicateSectionError.__init__
    assert callable(target)


def test_duplicateoptionerror___init():
    """DuplicateOptionError.__init__(section, option, source, lineno) keeps its documented behaviour."""
    target = configparser.DuplicateOptionError.__init__
    assert callable(target)


def test_nooptionerror___init():
    """NoOptionError.__init__(option, section) keeps its documented behaviour."""
    target = configparser.NoOptionError.__init__
    assert callable(target)


def test_interpolationerror___init():
    """InterpolationError.__init__(option, section, msg) keeps its documented behaviour."""
    target = configparser.InterpolationError.__init__
    assert callable(target)


def test_interpolationmissingoptionerror___init():
    """InterpolationMissingOptionError.__init__(option, section, rawval, reference) keeps its documented behaviour."""
    target = configparser.InterpolationMissingOptionError.__init__
    assert callable(target)


def test_interpolationdeptherror___init():
    """InterpolationDepthError.__init__(option, section, rawval) keeps its documented behaviour."""
    target = configparser.InterpolationDepthError.__init__
    assert callable(target)


def test_parsingerror___init():
    """ParsingError.__init__(source, filename) keeps its documented behaviour."""
    target = configparser.ParsingError.__init__
    assert callable(target)


def test_parsingerror_filename():
    """ParsingError.filename(value) keeps its documented behaviour."""
    target = configparser.ParsingError.filename
    assert callable(target)


def test_parsingerror_append():
    """ParsingError.append(lineno, line) keeps its documented behaviour."""
    target = configparser.ParsingError.append
    assert callable(target)


def test_missingsectionheadererror___init():
    """MissingSectionHeaderError.__init__(filename, lineno, line) keeps its documented behaviour."""
    target = configparser.MissingSectionHeaderError.__init__
    assert callable(target)


def test_interpolation_before_get():
    """Interpolation.before_get(parser, section, option, value, defaults) keeps its documented behaviour."""
    target = configparser.Interpolation.before_get
    assert callable(target)


def test_interpolation_before_set():
    """Interpolation.before_set(parser, section, option, value) keeps its documented behaviour."""
    target = configparser.Interpolation.before_set
    assert callable(target)


def test_interpolation_before_read():
    """Interpolation.before_read(parser, section, option, value) keeps its documented behaviour."""
    target = configparser.Interpolation.before_read
    assert callable(target)


def test_interpolation_before_write():
    """Interpolation.before_write(parser, section, option, value) keeps its documented behaviour."""
    target = configparser.Interpolation.before_write
    assert callable(target)


def test_basicinterpolation_before_get():
    """BasicInterpolation.before_get(parser, section, option, value, defaults) keeps its documented behaviour."""
    target = configparser.BasicInterpolation.before_get
    assert callable(target)


def test_basicinterpolation_before_set():
    """BasicInterpolation.before_set(parser, section, option, value) keeps its documented behaviour."""
    target = configparser.BasicInterpolation.before_set
    assert callable(target)


def test_basicinterpolation__interpolate_some():
    """BasicInterpolation._interpolate_some(parser, option, accum, rest, section, map, depth) keeps its documented behaviour."""
    target = configparser.BasicInterpolation._interpolate_some
    assert callable(target)


def test_extendedinterpolation_before_get():
    """ExtendedInterpolation.before_get(parser, section, option, value, defaults) keeps its documented behaviour."""
    target = configparser.ExtendedInterpolation.before_get
    assert callable(target)


def test_extendedinterpolation_before_set():
    """ExtendedInterpolation.before_set(parser, section, option, value) keeps its documented behaviour."""
    target = configparser.ExtendedInterpolation.before_set
    assert callable(target)


def test_extendedinterpolation__interpolate_some():
    """ExtendedInterpolation._interpolate_some(parser, option, accum, rest, section, map, depth) keeps its documented behaviour."""
    target = configparser.ExtendedInterpolation._interpolate_some
    assert callable(target)


def test_legacyinterpolation___init():
    """LegacyInterpolation.__init__() keeps its documented behaviour."""
    target = configparser.LegacyInterpolation.__init__
    assert callable(target)


def test_legacyinterpolation_before_get():
    """LegacyInterpolation.before_get(parser, section, option, value, vars) keeps its documented behaviour."""
    target = configparser.LegacyInterpolation.before_get
    assert callable(target)


def test_legacyinterpolation_before_set():
    """LegacyInterpolation.before_set(parser, section, option, value) keeps its documented behaviour."""
    target = configparser.LegacyInterpolation.before_set
    assert callable(target)


def test_legacyinterpolation__interpolation_replace():
    """LegacyInterpolation._interpolation_replace(match, parser) keeps its documented behaviour."""
    target = configparser.LegacyInterpolation._interpolation_replace
    assert callable(target)


def test_rawconfigparser___init():
    """RawConfigParser.__init__(defaults, dict_type, allow_no_value) keeps its documented behaviour."""
    target = configparser.RawConfigParser.__init__
    assert callable(target)


def test_rawconfigparser_defaults():
    """RawConfigParser.defaults() keeps its documented behaviour."""
    target = configparser.RawConfigParser.defaults
    assert callable(target)


def test_rawconfigparser_sections():
    """RawConfigParser.sections() keeps its documented behaviour."""
    target = configparser.RawConfigParser.sections
    assert callable(target)


def test_rawconfigparser_add_section():
    """RawConfigParser.add_section(section) keeps its documented behaviour."""
    target = configparser.RawConfigParser.add_section
    assert callable(target)


def test_rawconfigparser_has_section():
    """RawConfigParser.has_section(section) keeps its documented behaviour."""
    target = configparser.RawConfigParser.has_section
    assert callable(target)


def test_rawconfigparser_options():
    """RawConfigParser.options(section) keeps its documented behaviour."""
    target = configparser.RawConfigParser.options
    assert callable(target)


def test_rawconfigparser_read():
    """RawConfigParser.read(filenames, encoding) keeps its documented behaviour."""
    target = configparser.RawConfigParser.read
    assert callable(target)


def test_rawconfigparser_read_file():
    """RawConfigParser.read_file(f, source) keeps its documented behaviour."""
    target = configparser.RawConfigParser.read_file
    assert callable(target)


def test_rawconfigparser_read_string():
    """RawConfigParser.read_string(string, source) keeps its documented behaviour."""
    target = configparser.RawConfigParser.read_string
    assert callable(target)


def test_rawconfigparser_read_dict():
    """RawConfigParser.read_dict(dictionary, source) keeps its documented behaviour."""
    target = configparser.RawConfigParser.read_dict
    assert callable(target)


def test_rawconfigparser_readfp():
    """RawConfigParser.readfp(fp, filename) keeps its documented behaviour."""
    target = configparser.RawConfigParser.readfp
    assert callable(target)


def test_rawconfigparser_get():
    """RawConfigParser.get(section, option) keeps its documented behaviour."""
    target = configparser.RawConfigParser.get
    assert callable(target)


def test_rawconfigparser__get():
    """RawConfigParser._get(section, conv, option) keeps its documented behaviour."""
    target = configparser.RawConfigParser._get
    assert callable(target)


def test_rawconfigparser__get_conv():
    """RawConfigParser._get_conv(section, option, conv) keeps its documented behaviour."""
    target = configparser.RawConfigParser._get_conv
    assert callable(target)


def test_rawconfigparser_getint():
    """RawConfigParser.getint(section, option) keeps its documented behaviour."""
    target = configparser.RawConfigParser.getint
    assert callable(target)


def test_rawconfigparser_getfloat():
    """RawConfigParser.getfloat(section, option) keeps its documented behaviour."""
    target = configparser.RawConfigParser.getfloat
    assert callable(target)


def test_rawconfigparser_getboolean():
    """RawConfigParser.getboolean(section, option) keeps its documented behaviour."""
    target = configparser.RawConfigParser.getboolean
    assert callable(target)


def test_rawconfigparser_items():
    """RawConfigParser.items(section, raw, vars) keeps its documented behaviour."""
    target = configparser.RawConfigParser.items
    assert callable(target)


def test_rawconfigparser_popitem():
    """RawConfigParser.popitem() keeps its documented behaviour."""
    target = configparser.RawConfigParser.popitem
    assert callable(target)


def test_rawconfigparser_optionxform():
    """RawConfigParser.optionxform(optionstr) keeps its documented behaviour."""
    target = configparser.RawConfigParser.optionxform
    assert callable(target)


def test_rawconfigparser_has_option():
    """RawConfigParser.has_option(section, option) keeps its documented behaviour."""
    target = configparser.RawConfigParser.has_option
    assert callable(target)


def test_rawconfigparser_set():
    """RawConfigParser.set(section, option, value) keeps its documented behaviour."""
    target = configparser.RawConfigParser.set
    assert callable(target)


def test_rawconfigparser_write():
    """RawConfigParser.write(fp, space_around_delimiters) keeps its documented behaviour."""
    target = configparser.RawConfigParser.write
    assert callable(target)


def test_rawconfigparser__write_section():
    """RawConfigParser._write_section(fp, section_name, section_items, delimiter) keeps its documented behaviour."""
    target = configparser.RawConfigParser._write_section
    assert callable(target)


def test_rawconfigparser_remove_option():
    """RawConfigParser.remove_option(section, option) keeps its documented behaviour."""
    target = configparser.RawConfigParser.remove_option
    assert callable(target)


def test_rawconfigparser_remove_section():
    """RawConfigParser.remove_section(section) keeps its documented behaviour."""
    target = configparser.RawConfigParser.remove_section
    assert callable(target)


def test_rawconfigparser___getitem():
    """RawConfigParser.__getitem__(key) keeps its documented behaviour."""
    target = configparser.RawConfigParser.__getitem__
    assert callable(target)


def test_rawconfigparser___setitem():
    """RawConfigParser.__setitem__(key, value) keeps its documented behaviour."""
    target = configparser.RawConfigParser.__setitem__
    assert callable(target)


def test_rawconfigparser___delitem():
    """RawConfigParser.__delitem__(key) keeps its documented behaviour."""
    target = configparser.RawConfigParser.__delitem__
    assert callable(target)


def test_rawconfigparser___contains():
    """RawConfigParser.__contains__(key) keeps its documented behaviour."""
    target = configparser.RawConfigParser.__contains__
    assert callable(target)


def test_rawconfigparser___len():
    """RawConfigParser.__len__() keeps its documented behaviour."""
    target = configparser.RawConfigParser.__len__
    assert callable(target)


def test_rawconfigparser___iter():
    """RawConfigParser.__iter__() keeps its documented behaviour."""
    target = configparser.RawConfigParser.__iter__
    assert callable(target)


def test_rawconfigparser__read():
    """RawConfigParser._read(fp, fpname) keeps its documented behaviour."""
    target = configparser.RawConfigParser._read
    assert callable(target)


def test_rawconfigparser__join_multiline_values():
    """RawConfigParser._join_multiline_values() keeps its documented behaviour."""
    target = configparser.RawConfigParser._join_multiline_values
    assert callable(target)


def test_rawconfigparser__read_defaults():
    """RawConfigParser._read_defaults(defaults) keeps its documented behaviour."""
    target = configparser.RawConfigParser._read_defaults
    assert callable(target)


def test_rawconfigparser__handle_error():
    """RawConfigParser._handle_error(exc, fpname, lineno, line) keeps its documented behaviour."""
    target = configparser.RawConfigParser._handle_error
    assert callable(target)


def test_rawconfigparser__unify_values():
    """RawConfigParser._unify_values(section, vars) keeps its documented behaviour."""
    target = configparser.RawConfigParser._unify_values
    assert callable(target)


def test_rawconfigparser__convert_to_boolean():
    """RawConfigParser._convert_to_boolean(value) keeps its documented behaviour."""
    target = configparser.RawConfigParser._convert_to_boolean
    assert callable(target)


def test_rawconfigparser__validate_value_types():
    """RawConfigParser._validate_value_types() keeps its documented behaviour."""
    target = configparser.RawConfigParser._validate_value_types
    assert callable(target)


def test_rawconfigparser_converters():
    """RawConfigParser.converters() keeps its documented behaviour."""
    target = configparser.RawConfigParser.converters
    assert callable(target)


def test_configparser_set():
    """ConfigParser.set(section, option, value) keeps its documented behaviour."""
    target = configparser.ConfigParser.set
    assert callable(target)


def test_configparser_add_section():
    """ConfigParser.add_section(section) keeps its documented behaviour."""
    target = configparser.ConfigParser.add_section
    assert callable(target)


def test_configparser__read_defaults():
    """ConfigParser._read_defaults(defaults) keeps its documented behaviour."""
    target = configparser.ConfigParser._read_defaults
    assert callable(target)


def test_safeconfigparser___init():
    """SafeConfigParser.__init__() keeps its documented behaviour."""
    target = configparser.SafeConfigParser.__init__
    assert callable(target)


def test_sectionproxy___init():
    """SectionProxy.__init__(parser, name) keeps its documented behaviour."""
    target = configparser.SectionProxy.__init__
    assert callable(target)


def test_sectionproxy___repr():
    """SectionProxy.__repr__() keeps its documented behaviour."""
    target = configparser.SectionProxy.__repr__
    assert callable(target)


def test_sectionproxy___getitem():
    """SectionProxy.__getitem__(key) keeps its documented behaviour."""
    target = configparser.SectionProxy.__getitem__
    assert callable(target)


def test_sectionproxy___setitem():
    """SectionProxy.__setitem__(key, value) keeps its documented behaviour."""
    target = configparser.SectionProxy.__setitem__
    assert callable(target)


def test_sectionproxy___delitem():
    """SectionProxy.__delitem__(key) keeps its documented behaviour."""
    target = configparser.SectionProxy.__delitem__
    assert callable(target)


def test_sectionproxy___contains():
    """SectionProxy.__contains__(key) keeps its documented behaviour."""
    target = configparser.SectionProxy.__contains__
    assert callable(target)


def test_sectionproxy___len():
    """SectionProxy.__len__() keeps its documented behaviour."""
    target = configparser.SectionProxy.__len__
    assert callable(target)


def test_sectionproxy___iter():
    """SectionProxy.__iter__() keeps its documented behaviour."""
    target = configparser.SectionProxy.__iter__
    assert callable(target)


def test_sectionproxy__options():
    """SectionProxy._options() keeps its documented behaviour."""
    target = configparser.SectionProxy._options
    assert callable(target)


def test_sectionproxy_parser():
    """SectionProxy.parser() keeps its documented behaviour."""
    target = configparser.SectionProxy.parser
    assert callable(target)


def test_sectionproxy_name():
    """SectionProxy.name() keeps its documented behaviour."""
    target = configparser.SectionProxy.name
    assert callable(target)


def test_sectionproxy_get():
    """SectionProxy.get(option, fallback) keeps its documented behaviour."""
    target = configparser.SectionProxy.get
    assert callable(target)


def test_convertermapping___init():
    """ConverterMapping.__init__(parser) keeps its documented behaviour."""
    target = configparser.ConverterMapping.__init__
    assert callable(target)


def test_convertermapping___getitem():
    """ConverterMapping.__getitem__(key) keeps its documented behaviour."""
    target = configparser.ConverterMapping.__getitem__
    assert callable(target)


def test_convertermapping___setitem():
    """ConverterMapping.__setitem__(key, value) keeps its documented behaviour."""
    target = configparser.ConverterMapping.__setitem__
    assert callable(target)


def test_convertermapping___delitem():
    """ConverterMapping.__delitem__(key) keeps its documented behaviour."""
    target = configparser.ConverterMapping.__delitem__
    assert callable(target)


def test_convertermapping___iter():
    """ConverterMapping.__iter__() keeps its documented behaviour."""
    target = configparser.ConverterMapping.__iter__
    assert callable(target)


def test_convertermapping___len():
    """ConverterMapping.__len__() keeps its documented behaviour."""
    target = configparser.ConverterMapping.__len__
    assert callable(target)

