import calendar


def test_illegalmontherror___init():
    """IllegalMonthError.__init__(month) keeps its documented behaviour."""
    target = calendar.IllegalMonthError.__init__
    assert callable(target)


def test_illegalmontherror___str():
    """IllegalMonthError.__str__() keeps its documented behaviour."""
    target = calendar.IllegalMonthError.__str__
    assert callable(target)


def test_illegalweekdayerror___init():
    """IllegalWeekdayError.__init__(weekday) keeps its documented behaviour."""
    target = calendar.IllegalWeekdayError.__init__
    assert callable(target)


def test_illegalweekdayerror___str():
    """IllegalWeekdayError.__str__() keeps its documented behaviour."""
    target = calendar.IllegalWeekdayError.__str__
    assert callable(target)


def test_localized_month___init():
    """_localized_month.__init__(format) keeps its documented behaviour."""
    target = calendar._localized_month.__init__
    assert callable(target)


def test_localized_month___getitem():
    """_localized_month.__getitem__(i) keeps its documented behaviour."""
    target = calendar._localized_month.__getitem__
    assert callable(target)


def test_localized_month___len():
    """_localized_month.__len__() keeps its documented behaviour."""
    target = calendar._localized_month.__len__
    assert callable(target)


def test_localized_day___init():
    """_localized_day.__init__(format) keeps its documented behaviour."""
    target = calendar._localized_day.__init__
    assert callable(target)


def test_localized_day___getitem():
    """_localized_day.__getitem__(i) keeps its documented behaviour."""
    target = calendar._localized_day.__getitem__
    assert callable(target)


def test_localized_day___len():
    """_localized_day.__len__() keeps its documented behaviour."""
    target = calendar._localized_day.__len__
    assert callable(target)


def test_isleap():
    """isleap(year) keeps its documented behaviour."""
    target = calendar.isleap
    assert callable(target)


def test_leapdays():
    """leapdays(y1, y2) keeps its documented behaviour."""
    target = calendar.leapdays
    assert callable(target)


def test_weekday():
    """weekday(year, month, day) keeps its documented behaviour."""
    target = calendar.weekday
    assert callable(target)


def test_monthrange():
    """monthrange(year, month) keeps its documented behaviour."""
    target = calendar.monthrange
    assert callable(target)


def test_monthlen():
    """_monthlen(year, month) keeps its documented behaviour."""
    target = calendar._monthlen
    assert callable(target)


def test_prevmonth():
    """_prevmonth(year, month) keeps its documented behaviour."""
    target = calendar._prevmonth
    assert callable(target)


def test_nextmonth():
    """_nextmonth(year, month) keeps its documented behaviour."""
    target = calendar._nextmonth
    assert callable(target)


def test_calendar___init():
    """Calendar.__init__(firstweekday) keeps its documented behaviour."""
    target = calendar.Calendar.__init__
    assert callable(target)


def test_calendar_getfirstweekday():
    """Calendar.getfirstweekday() keeps its documented behaviour."""
    target = calendar.Calendar.getfirstweekday
    assert callable(target)


def test_calendar_setfirstweekday():
    """Calendar.setfirstweekday(firstweekday) keeps its documented behaviour."""
    target = calendar.Calendar.setfirstweekday
    assert callable(target)


def test_calendar_iterweekdays():
    """Calendar.iterweekdays() keeps its documented behaviour."""
    target = calendar.Calendar.iterweekdays
    assert callable(target)


def test_calendar_itermonthdates():
    """Calendar.itermonthdates(year, month) keeps its documented behaviour."""
    target = calendar.Calendar.itermonthdates
    assert callable(target)


def test_calendar_itermonthdays():
    """Calendar.itermonthdays(year, month) keeps its documented behaviour."""
    target = calendar.Calendar.itermonthdays
    assert callable(target)


def test_calendar_itermonthdays2():
    """Calendar.itermonthdays2(year, month) keeps its documented behaviour."""
    target = calendar.Calendar.itermonthdays2
    assert callable(target)


def test_calendar_itermonthdays3():
    """Calendar.itermonthdays3(year, month) keeps its documented behaviour."""
    target = calendar.Calendar.itermonthdays3
    assert callable(target)


def test_calendar_itermonthdays4():
    """Calendar.itermonthdays4(year, month) keeps its documented behaviour."""
    target = calendar.Calendar.itermonthdays4
    assert callable(target)


def test_calendar_monthdatescalendar():
    """Calendar.monthdatescalendar(year, month) keeps its documented behaviour."""
    target = calendar.Calendar.monthdatescalendar
    assert callable(target)


def test_calendar_monthdays2calendar():
    """Calendar.monthdays2calendar(year, month) keeps its documented behaviour."""
    target = calendar.Calendar.monthdays2calendar
    assert callable(target)


def test_calendar_monthdayscalendar():
    """Calendar.monthdayscalendar(year, month) keeps its documented behaviour."""
    target = calendar.Calendar.monthdayscalendar
    assert callable(target)


def test_calendar_yeardatescalendar():
    """Calendar.yeardatescalendar(year, width) keeps its documented behaviour."""
    target = calendar.Calendar.yeardatescalendar
    assert callable(target)


def test_calendar_yeardays2calendar():
    """Calendar.yeardays2calendar(year, width) keeps its documented behaviour."""
    target = calendar.Calendar.yeardays2calendar
    assert callable(target)


def test_calendar_yeardayscalendar():
    """Calendar.yeardayscalendar(year, width) keeps its documented behaviour."""
    target = calendar.Calendar.yeardayscalendar
    assert callable(target)


def test_textcalendar_prweek():
    """TextCalendar.prweek(theweek, width) keeps its documented behaviour."""
    target = calendar.TextCalendar.prweek
    assert callable(target)


def test_textcalendar_formatday():
    """TextCalendar.formatday(day, weekday, width) keeps its documented behaviour."""
    target = calendar.TextCalendar.formatday
    assert callable(target)


def test_textcalendar_formatweek():
    """TextCalendar.formatweek(theweek, width) keeps its documented behaviour."""
    target = calendar.TextCalendar.formatweek
    assert callable(target)


def test_textcalendar_formatweekday():
    """TextCalendar.formatweekday(day, width) keeps its documented behaviour."""
    target = calendar.TextCalendar.formatweekday
    assert callable(target)


def test_textcalendar_formatweekheader():
    """TextCalendar.formatweekheader(width) keeps its documented behaviour."""
    target = calendar.TextCalendar.formatweekheader
    assert callable(target)


def test_textcalendar_formatmonthname():
    """TextCalendar.formatmonthname(theyear, themonth, width, withyear) keeps its documented behaviour."""
    target = calendar.TextCalendar.formatmonthname
    assert callable(target)


def test_textcalendar_prmonth():
    """TextCalendar.prmonth(theyear, themonth, w, l) keeps its documented behaviour."""
    target = calendar.TextCalendar.prmonth
    assert callable(target)


def test_textcalendar_formatmonth():
    """TextCalendar.formatmonth(theyear, themonth, w, l) keeps its documented behaviour."""
    target = calendar.TextCalendar.formatmonth
    assert callable(target)


def test_textcalendar_formatyear():
    """TextCalendar.formatyear(theyear, w, l, c, m) keeps its documented behaviour."""
    target = calendar.TextCalendar.formatyear
    assert callable(target)


def test_textcalendar_pryear():
    """TextCalendar.pryear(theyear, w, l, c, m) keeps its documented behaviour."""
    target = calendar.TextCalendar.pryear
    assert callable(target)


def test_htmlcalendar_formatday():
    """HTMLCalendar.formatday(day, weekday) keeps its documented behaviour."""
    target = calendar.HTMLCalendar.formatday
    assert callable(target)


def test_htmlcalendar_formatweek():
    """HTMLCalendar.formatweek(theweek) keeps its documented behaviour."""
    target = calendar.HTMLCalendar.formatweek
    assert callable(target)


def test_htmlcalendar_formatweekday():
    """HTMLCalendar.formatweekday(day) keeps its documented behaviour."""
    target = calendar.HTMLCalendar.formatweekday
    assert callable(target)


def test_htmlcalendar_formatweekheader():
    """HTMLCalendar.formatweekheader() keeps its documented behaviour."""
    target = calendar.HTMLCalendar.formatweekheader
    assert callable(target)


def test_htmlcalendar_formatmonthname():
    """HTMLCalendar.formatmonthname(theyear, themonth, withyear) keeps its documented behaviour."""
    target = calendar.HTMLCalendar.formatmonthname
    assert callable(target)


def test_htmlcalendar_formatmonth():
    """HTMLCalendar.formatmonth(theyear, themonth, withyear) keeps its documented behaviour."""
    target = calendar.HTMLCalendar.formatmonth
    assert callable(target)


def test_htmlcalendar_formatyear():
    """HTMLCalendar.formatyear(theyear, width) keeps its documented behaviour."""
    target = calendar.HTMLCalendar.formatyear
    assert callable(target)


def test_htmlcalendar_formatyearpage():
    """HTMLCalendar.formatyearpage(theyear, width, css, encoding) keeps its documented behaviour."""
    target = calendar.HTMLCalendar.formatyearpage
    assert callable(target)


def test_different_locale___init():
    """different_locale.__init__(locale) keeps its documented behaviour."""
    target = calendar.different_locale.__init__
    assert callable(target)


def test_different_locale___enter():
    """different_locale.__enter__() keeps its documented behaviour."""
    target = calendar.different_locale.__enter__
    assert callable(target)


def test_different_locale___exit():
    """different_locale.__exit__() keeps its documented behaviour."""
    target = calendar.different_locale.__exit__
    assert callable(target)


def test_get_default_locale():
    """_get_default_locale() keeps its documented behaviour."""
    target = calendar._get_default_locale
    assert callable(target)


def test_localetextcalendar___init():
    """LocaleTextCalendar.__init__(firstweekday, locale) keeps its documented behaviour."""
    target = calendar.LocaleTextCalendar.__init__
    assert callable(target)


def test_localetextcalendar_formatweekday():
    """LocaleTextCalendar.formatweekday(day, width) keeps its documented behaviour."""
    target = calendar.LocaleTextCalendar.formatweekday
    assert callable(target)


def test_localetextcalendar_formatmonthname():
    """LocaleTextCalendar.formatmonthname(theyear, themonth, width, withyear) keeps its documented behaviour."""
    target = calendar.LocaleTextCalendar.formatmonthname
    assert callable(target)


def test_localehtmlcalendar___init():
    """LocaleHTMLCalendar.__init__(firstweekday, locale) keeps its documented behaviour."""
    target = calendar.LocaleHTMLCalendar.__init__
    assert callable(target)


def test_localehtmlcalendar_formatweekday():
    """LocaleHTMLCalendar.formatweekday(day) keeps its documented behaviour."""
    target = calendar.LocaleHTMLCalendar.formatweekday
    assert callable(target)


def test_localehtmlcalendar_formatmonthname():
    """LocaleHTMLCalendar.formatmonthname(theyear, themonth, withyear) keeps its documented behaviour."""
    target = calendar.LocaleHTMLCalendar.formatmonthname
    assert callable(target)


def test_setfirstweekday():
    """setfirstweekday(firstweekday) keeps its documented behaviour."""
    target = calendar.setfirstweekday
    assert callable(target)


def test_format():
    """format(cols, colwidth, spacing) keeps its documented behaviour."""
    target = calendar.format
    assert callable(target)


def test_formatstring():
    """formatstring(cols, colwidth, spacing) keeps its documented behaviour."""
    target = calendar.formatstring
    assert callable(target)


def test_timegm():
    """timegm(tuple) keeps its documented behaviour."""
    target = calendar.timegm
    assert callable(target)


def test_main():
    """main(args) keeps its documented behaviour."""
    target = calendar.main
    assert callable(target)

