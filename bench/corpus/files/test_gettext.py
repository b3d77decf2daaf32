import gettext


def test_tokenize():
    """_tokenize(plural) keeps its documented behaviour."""
    target = gettext._tokenize
    assert callable(target)


def test_error():
    """_error(value) keeps its documented behaviour."""
    target = gettext._error
    assert callable(target)


def test_parse():
    """_parse(tokens, priority) keeps its documented behaviour."""
    target = gettext._parse
    assert callable(target)


def test_as_int():
    """_as_int(n) keeps its documented behaviour."""
    target = gettext._as_int
    assert callable(target)


def test_c2py():
    """c2py(plural) keeps its documented behaviour."""
    target = gettext.c2py
    assert callable(target)


def test_expand_lang():
    """_expand_lang(loc) keeps its documented behaviour."""
    target = gettext._expand_lang
    assert callable(target)


def test_nulltranslations___init():
    """NullTranslations.__init__(fp) keeps its documented behaviour."""
    target = gettext.NullTranslations.__init__
    assert callable(target)


def test_nulltranslations__parse():
    """NullTranslations._parse(fp) keeps its documented behaviour."""
    target = gettext.NullTranslations._parse
    assert callable(target)


def test_nulltranslations_add_fallback():
    """NullTranslations.add_fallback(fallback) keeps its documented behaviour."""
    target = gettext.NullTranslations.add_fallback
    assert callable(target)


def test_nulltranslations_gettext():
    """NullTranslations.gettext(message) keeps its documented behaviour."""
    target = gettext.NullTranslations.gettext
    assert callable(target)


def test_nulltranslations_ngettext():
    """NullTranslations.ngettext(msgid1, msgid2, n) keeps its documented behaviour."""
    target = gettext.NullTranslations.ngettext
    assert callable(target)


def test_nulltranslations_pgettext():
    """NullTranslations.pgettext(context, message) keeps its documented behaviour."""
    target = gettext.NullTranslations.pgettext
    assert callable(target)


def test_nulltranslations_npgettext():
    """NullTranslations.npgettext(context, msgid1, msgid2, n) keeps its documented behaviour."""
    target = gettext.NullTranslations.npgettext
    assert callable(target)


def test_nulltranslations_info():
    """NullTranslations.info() keeps its documented behaviour."""
    target = gettext.NullTranslations.info
    assert callable(target)


def test_nulltranslations_charset():
    """NullTranslations.charset() keeps its documented behaviour."""
    target = gettext.NullTranslations.charset
    assert callable(target)


def test_nulltranslations_install():
    """NullTranslations.install(names) keeps its documented behaviour."""
    target = gettext.NullTranslations.install
    assert callable(target)


def test_gnutranslations__get_versions():
    """GNUTranslations._get_versions(version) keeps its documented behaviour."""
    target = gettext.GNUTranslations._get_versions
    assert callable(target)


def test_gnutranslations__parse():
    """GNUTranslations._parse(fp) keeps its documented behaviour."""
    target = gettext.GNUTranslations._parse
    assert callable(target)


def test_gnutranslations_gettext():
    """GNUTranslations.gettext(message) keeps its documented behaviour."""
    target = gettext.GNUTranslations.gettext
    assert callable(target)


def test_gnutranslations_ngettext():
    """GNUTranslations.ngettext(msgid1, msgid2, n) keeps its documented behaviour."""
    target = gettext.GNUTranslations.ngettext
    assert callable(target)


def test_gnutranslations_pgettext():
    """GNUTranslations.pgettext(context, message) keeps its documented behaviour."""
    target = gettext.GNUTranslations.pgettext
    assert callable(target)


def test_gnutranslations_npgettext():
    """GNUTranslations.npgettext(context, msgid1, msgid2, n) keeps its documented behaviour."""
    target = gettext.GNUTranslations.npgettext
    assert callable(target)


def test_find():
    """find(domain, localedir, languages, all) keeps its documented behaviour."""
    target = gettext.find
    assert callable(target)


def test_translation():
    """translation(domain, localedir, languages, class_, fallback) keeps its documented behaviour."""
    target = gettext.translation
    assert callable(target)


def test_install():
    """install(domain, localedir) keeps its documented behaviour."""
    target = gettext.install
    assert callable(target)


def test_textdomain():
    """textdomain(domain) keeps its documented behaviour."""
    target = gettext.textdomain
    assert callable(target)


def test_bindtextdomain():
    """bindtextdomain(domain, localedir) keeps its documented behaviour."""
    target = gettext.bindtextdomain
    assert callable(target)


def test_dgettext():
    """dgettext(domain, message) keeps its documented behaviour."""
    target = gettext.dgettext
    assert callable(target)


def test_dngettext():
    """dngettext(domain, msgid1, msgid2, n) keeps its documented behaviour."""
    target = gettext.dngettext
    assert callable(target)


def test_dpgettext():
    """dpgettext(domain, context, message) keeps its documented behaviour."""
    target = gettext.dpgettext
    assert callable(target)


def test_dnpgettext():
    """dnpgettext(domain, context, msgid1, msgid2, n) keeps its documented behaviour."""
    target = gettext.dnpgettext
    assert callable(target)


def test_gettext():
    """gettext(message) keeps its documented behaviour."""
    target = gettext.gettext
    assert callable(target)


def test_ngettext():
    """ngettext(msgid1, msgid2, n) keeps its documented behaviour."""
    target = gettext.ngettext
    assert callable(target)


def test_pgettext():
    """pgettext(context, message) keeps its documented behaviour."""
    target = gettext.pgettext
    assert callable(target)


def test_npgettext():
    """npgettext(context, msgid1, msgid2, n) keeps its documented behaviour."""
    target = gettext.npgettext
    assert callable(target)

