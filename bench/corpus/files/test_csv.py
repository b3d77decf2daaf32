import csv


def test_dialect___init():
    """Dialect.__init__() keeps its documented behaviour."""
    target = csv.Dialect.__init__
    assert callable(target)


def test_dialect__validate():
    """Dialect._validate() keeps its documented behaviour."""
    target = csv.Dialect._validate
    assert callable(target)


def test_dictreader___init():
    """DictReader.__init__(f, fieldnames, restkey, restval, dialect) keeps its documented behaviour."""
    target = csv.DictReader.__init__
    assert callable(target)


def test_dictreader___iter():
    """DictReader.__iter__() keeps its documented behaviour."""
    target = csv.DictReader.__iter__
    assert callable(target)


def test_dictreader_fieldnames():
    """DictReader.fieldnames(value) keeps its documented behaviour."""
    target = csv.DictReader.fieldnames
    assert callable(target)


def test_dictreader___next():
    """DictReader.__next__() keeps its documented behaviour."""
    target = csv.DictReader.__next__
    assert callable(target)


def test_dictwriter___init():
    """DictWriter.__init__(f, fieldnames, restval, extrasaction, dialect) keeps its documented behaviour."""
    target = csv.DictWriter.__init__
    assert callable(target)


def test_dictwriter_writeheader():
    """DictWriter.writeheader() keeps its documented behaviour."""
    target = csv.DictWriter.writeheader
    assert callable(target)


def test_dictwriter__dict_to_list():
    """DictWriter._dict_to_list(rowdict) keeps its documented behaviour."""
    target = csv.DictWriter._dict_to_list
    assert callable(target)


def test_dictwriter_writerow():
    """DictWriter.writerow(rowdict) keeps its documented behaviour."""
    target = csv.DictWriter.writerow
    assert callable(target)


def test_dictwriter_writerows():
    """DictWriter.writerows(rowdicts) keeps its documented behaviour."""
    target = csv.DictWriter.writerows
    assert callable(target)


def test_sniffer___init():
    """Sniffer.__init__() keeps its documented behaviour."""
    target = csv.Sniffer.__init__
    assert callable(target)


def test_sniffer_sniff():
    """Sniffer.sniff(sample, delimiters) keeps its documented behaviour."""
    target = csv.Sniffer.sniff
    assert callable(target)


def test_sniffer__guess_quote_and_delimiter():
    """Sniffer._guess_quote_and_delimiter(data, delimiters) keeps its documented behaviour."""
    target = csv.Sniffer._guess_quote_and_delimiter
    assert callable(target)


def test_sniffer__guess_delimiter():
    """Sniffer._guess_delimiter(data, delimiters) keeps its documented behaviour."""
    target = csv.Sniffer._guess_delimiter
    assert callable(target)


def test_sniffer_has_header():
    """Sniffer.has_header(sample) keeps its documented behaviour."""
    target = csv.Sniffer.has_header
    assert callable(target)

