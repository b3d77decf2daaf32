import difflib


def test_calculate_ratio():
    """_calculate_ratio(matches, length) keeps its documented behaviour."""
    target = difflib._calculate_ratio
    assert callable(target)


def test_sequencematcher___init():
    """SequenceMatcher.__init__(isjunk, a, b, autojunk) keeps its documented behaviour."""
    target = difflib.SequenceMatcher.__init__
    assert callable(target)


def test_sequencematcher_set_seqs():
    """SequenceMatcher.set_seqs(a, b) keeps its documented behaviour."""
    target = difflib.SequenceMatcher.set_seqs
    assert callable(target)


def test_sequencematcher_set_seq1():
    """SequenceMatcher.set_seq1(a) keeps its documented behaviour."""
    target = difflib.SequenceMatcher.set_seq1
    assert callable(target)


def test_sequencematcher_set_seq2():
    """SequenceMatcher.set_seq2(b) keeps its documented behaviour."""
    target = difflib.SequenceMatcher.set_seq2
    assert callable(target)


def test_sequencematcher___chain_b():
    """SequenceMatcher.__chain_b() keeps its documented behaviour."""
    target = difflib.SequenceMatcher.__chain_b
    assert callable(target)


def test_sequencematcher_find_longest_match():
    """SequenceMatcher.find_longest_match(alo, ahi, blo, bhi) keeps its documented behaviour."""
    target = difflib.SequenceMatcher.find_longest_match
    assert callable(target)


def test_sequencematcher_get_matching_blocks():
    """SequenceMatcher.get_matching_blocks() keeps its documented behaviour."""
    target = difflib.SequenceMatcher.get_matching_blocks
    assert callable(target)


def test_sequencematcher_get_opcodes():
    """SequenceMatcher.get_opcodes() keeps its documented behaviour."""
    target = difflib.SequenceMatcher.get_opcodes
    assert callable(target)


def test_sequencematcher_get_grouped_opcodes():
    """SequenceMatcher.get_grouped_opcodes(n) keeps its documented behaviour."""
    target = difflib.SequenceMatcher.get_grouped_opcodes
    assert callable(target)


def test_sequencematcher_ratio():
    """SequenceMatcher.ratio() keeps its documented behaviour."""
    target = difflib.SequenceMatcher.ratio
    assert callable(target)


def test_sequencematcher_quick_ratio():
    """SequenceMatcher.quick_ratio() keeps its documented behaviour."""
    target = difflib.SequenceMatcher.quick_ratio
    assert callable(target)


def test_sequencematcher_real_quick_ratio():
    """SequenceMatcher.real_quick_ratio() keeps its documented behaviour."""
    target = difflib.SequenceMatcher.real_quick_ratio
    assert callable(target)


def test_get_close_matches():
    """get_close_matches(word, possibilities, n, cutoff) keeps its documented behaviour."""
    target = difflib.get_close_matches
    assert callable(target)


def test_keep_original_ws():
    """_keep_original_ws(s, tag_s) keeps its documented behaviour."""
    target = difflib._keep_original_ws
    assert callable(target)


def test_differ___init():
    """Differ.__init__(linejunk, charjunk) keeps its documented behaviour."""
    target = difflib.Differ.__init__
    assert callable(target)


def test_differ_compare():
    """Differ.compare(a, b) keeps its documented behaviour."""
    target = difflib.Differ.compare
    assert callable(target)


def test_differ__dump():
    """Differ._dump(tag, x, lo, hi) keeps its documented behaviour."""
    target = difflib.Differ._dump
    assert callable(target)


def test_differ__plain_replace():
    """Differ._plain_replace(a, alo, ahi, b, blo, bhi) keeps its documented behaviour."""
    target = difflib.Differ._plain_replace
    assert callable(target)


def test_differ__fancy_replace():
    """Differ._fancy_replace(a, alo, ahi, b, blo, bhi) keeps its documented behaviour."""
    target = difflib.Differ._fancy_replace
    assert callable(target)


def test_differ__fancy_helper():
    """Differ._fancy_helper(a, alo, ahi, b, blo, bhi) keeps its documented behaviour."""
    target = difflib.Differ._fancy_helper
    assert callable(target)


def test_differ__qformat():
    """Differ._qformat(aline, bline, atags, btags) keeps its documented behaviour."""
    target = difflib.Differ._qformat
    assert callable(target)


def test_is_line_junk():
    """IS_LINE_JUNK(line, pat) keeps its documented behaviour."""
    target = difflib.IS_LINE_JUNK
    assert callable(target)


def test_is_character_junk():
    """IS_CHARACTER_JUNK(ch, ws) keeps its documented behaviour."""
    target = difflib.IS_CHARACTER_JUNK
    assert callable(target)


def test_format_range_unified():
    """_format_range_unified(start, stop) keeps its documented behaviour."""
    target = difflib._format_range_unified
    assert callable(target)


def test_unified_diff():
    """unified_diff(a, b, fromfile, tofile, fromfiledate, tofiledate, n, lineterm) keeps its documented behaviour."""
    target = difflib.unified_diff
    assert callable(target)


def test_format_range_context():
    """_format_range_context(start, stop) keeps its documented behaviour."""
    target = difflib._format_range_context
    assert callable(target)


def test_context_diff():
    """context_diff(a, b, fromfile, tofile, fromfiledate, tofiledate, n, lineterm) keeps its documented behaviour."""
    target = difflib.context_diff
    assert callable(target)


def test_check_types():
    """_check_types(a, b) keeps its documented behaviour."""
    target = difflib._check_types
    assert callable(target)


def test_diff_bytes():
    """diff_bytes(dfunc, a, b, fromfile, tofile, fromfiledate, tofiledate, n, lineterm) keeps its documented behaviour."""
    target = difflib.diff_bytes
    assert callable(target)


def test_ndiff():
    """ndiff(a, b, linejunk, charjunk) keeps its documented behaviour."""
    target = difflib.ndiff
    assert callable(target)


def test_mdiff():
    """_mdiff(fromlines, tolines, context, linejunk, charjunk) keeps its documented behaviour."""
    target = difflib._mdiff
    assert callable(target)


def test_htmldiff___init():
    """HtmlDiff.__init__(tabsize, wrapcolumn, linejunk, charjunk) keeps its documented behaviour."""
    target = difflib.HtmlDiff.__init__
    assert callable(target)


def test_htmldiff_make_file():
    """HtmlDiff.make_file(fromlines, tolines, fromdesc, todesc, context, numlines) keeps its documented behaviour."""
    target = difflib.HtmlDiff.make_file
    assert callable(target)


def test_htmldiff__tab_newline_replace():
    """HtmlDiff._tab_newline_replace(fromlines, tolines) keeps its documented behaviour."""
    target = difflib.HtmlDiff._tab_newline_replace
    assert callable(target)


def test_htmldiff__split_line():
    """HtmlDiff._split_line(data_list, line_num, text) keeps its documented behaviour."""
    target = difflib.HtmlDiff._split_line
    assert callable(target)


def test_htmldiff__line_wrapper():
    """HtmlDiff._line_wrapper(diffs) keeps its documented behaviour."""
    target = difflib.HtmlDiff._line_wrapper
    assert callable(target)


def test_htmldiff__collect_lines():
    """HtmlDiff._collect_lines(diffs) keeps its documented behaviour."""
    target = difflib.HtmlDiff._collect_lines
    assert callable(target)


def test_htmldiff__format_line():
    """HtmlDiff._format_line(side, flag, linenum, text) keeps its documented behaviour."""
    target = difflib.HtmlDiff._format_line
    assert callable(target)


def test_htmldiff__make_prefix():
    """HtmlDiff._make_prefix() keeps its documented behaviour."""
    target = difflib.HtmlDiff._make_prefix
    assert callable(target)


def test_htmldiff__convert_flags():
    """HtmlDiff._convert_flags(fromlist, tolist, flaglist, context, numlines) keeps its documented behaviour."""
    target = difflib.HtmlDiff._convert_flags
    assert callable(target)


def test_htmldiff_make_table():
    """HtmlDiff.make_table(fromlines, tolines, fromdesc, todesc, context, numlines) keeps its documented behaviour."""
    target = difflib.HtmlDiff.make_table
    assert callable(target)


def test_restore():
    """restore(delta, which) keeps its documented behaviour."""
    target = difflib.restore
    assert callable(target)


def test_test():
    """_test() keeps its documented behaviour."""
    target = difflib._test
    assert callable(target)

