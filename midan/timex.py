"""Time expressions: find them and normalise them to TimeML values against the publication date.

News dates events relative to the publication day ("on Tuesday", "last week", "earlier this month"); libraries
such as dateparser parse an isolated date string but neither find expressions in running text nor resolve them
by tense against a document date, so the tagger is a set of rules written here (HeidelTime's approach). Dating
events with the expressions found here, by ACLED's rules, is :mod:`midan.dating`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import Callable

from spacy.tokens import Doc, Token

from midan.mention import Timex
from midan.nlp import dateline_end

logger = logging.getLogger(__name__)

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
WORD_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
                "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
                "hundred": 100, "a hundred": 100, "a couple of": 2, "several": -1, "few": -1, "a few": -1,
                "some": -1}
#: the words of compound numbers ("twenty-four", "nineteen ninety-six")
_TENS = {word: n for word, n in WORD_NUMBERS.items() if 20 <= n <= 90 and n % 10 == 0}
_ONES = {word: n for word, n in WORD_NUMBERS.items() if 1 <= n <= 9 and word not in {"a", "an", "a couple of"}}
UNITS = {"day": "D", "week": "W", "month": "M", "year": "Y", "hour": "H", "minute": "MIN", "decade": "DE"}
SEASONS = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}


_MONTH = r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|" \
         r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_ORDINAL_WORDS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
                  "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
                  "eighteenth", "nineteenth", "twentieth"]
#: "third" -> 3, "twenty-first" -> 21, "thirty first" -> 31 (days of a month said in words)
ORDINALS = {word: i + 1 for i, word in enumerate(_ORDINAL_WORDS)}
ORDINALS.update({f"{tens}{sep}{word}": base + i + 1 for tens, base in (("twenty", 20), ("thirty", 30))
                 for sep in ("-", " ") for i, word in enumerate(_ORDINAL_WORDS[:9])})
ORDINALS["thirtieth"] = 30
_ORDINAL = "|".join(sorted(ORDINALS, key=len, reverse=True))
_DAY = r"(?P<day>[0-3]?\d(?:st|nd|rd|th)?|" + _ORDINAL + ")"
_YEAR = r"(?P<year>(?:1[89]|20)\d\d)"
_WEEKDAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_NUM = r"(?P<num>\d+(?:\s+1/2)?|(?:" + "|".join(_TENS) + r")[\s-](?:" + "|".join(_ONES) + r")|" \
       r"a hundred|a couple of|a|an|one|two|three|four|five|six|seven|eight|nine|ten|" \
       r"eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|several|a few|few|some)"
_UNIT = r"(?P<unit>day|week|month|year|hour|minute|decade)s?"


# --- calendar helpers -----------------------------------------------------------------------------------------


def _month_span(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _year_span(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _year_timex(start: int, end: int, text: str, year: int, mod: str = "", since: bool = False) -> Timex:
    """A DATE that is a whole calendar year ("2019", "last year", "the year-ago period")."""
    return Timex(start, end, text, "DATE", str(year), *_year_span(year), "year", mod, since)


def _week_span(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def _week_value(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _day_number(text: str) -> int:
    """A day of the month written "3", "3rd" or "third" (0 when it is none)."""
    text = text.lower()
    digits = re.match(r"\d+", text)
    return int(digits.group(0)) if digits else ORDINALS.get(text, 0)


def _number(text: str) -> int:
    """A count in digits or words ("12", "twenty-four"); -1 for one that says no number ("several")."""
    text = text.lower()
    if text.isdigit():
        return int(text)
    tens, _, ones = text.replace("-", " ").partition(" ")
    if tens in WORD_NUMBERS and ones in WORD_NUMBERS and WORD_NUMBERS[tens] >= 20:
        return WORD_NUMBERS[tens] + WORD_NUMBERS[ones]
    return WORD_NUMBERS.get(text, -1)


# --- the rules ------------------------------------------------------------------------------------------------

Resolver = Callable[[re.Match[str], dt.date | None, str], Timex | None]
_RULES: list[tuple[re.Pattern[str], Resolver]] = []


def rule(pattern: str, flags: int = re.IGNORECASE) -> Callable[[Resolver], Resolver]:
    def register(func: Resolver) -> Resolver:
        _RULES.append((re.compile(pattern, flags), func))
        return func

    return register


def _date(m: re.Match[str], day: dt.date, text: str | None = None) -> Timex:
    return Timex(m.start(), m.end(), text or m.group(0), "DATE", day.isoformat(), day, day, "day")


def _infer_year(month: int, day: int | None, dct: dt.date | None, tense: str) -> int | None:
    """The year of a month (and day) given without one: on the DCT's side the tense says ("on December 28" in a
    past-tense story of 2 January is last year's; "in March" when the story speaks of plans is next year's once
    this March has passed), else the nearest ("payable Dec. 15" in October, "the summit in April")."""
    if dct is None:
        return None
    year = dct.year
    first = _safe_date(year, month, day or 1) or dt.date(year, month, 1)
    last = _safe_date(year, month, day) if day else _month_span(year, month)[1]
    if tense == "future":
        return year + 1 if last is not None and last < dct - dt.timedelta(days=7) else year
    if tense == "past":
        # the last such date, unless it falls within the coming month (a date a week ahead is a deadline or a
        # meeting, "had to return by Jan. 14" in a story of 6 January, not one of a year ago)
        if first > dct + dt.timedelta(days=7) and (day is None or first > dct + dt.timedelta(days=31)):
            return year - 1
        return year

    def distance(y: int) -> int:
        start = _safe_date(y, month, day or 1) or dt.date(y, month, 1)
        return abs((start - dct).days)

    return min((year - 1, year, year + 1), key=distance)


@rule(r"\b(?P<year>(?:1[89]|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b")
def _iso(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    day = _safe_date(int(m["year"]), int(m["month"]), int(m["day"]))
    return _date(m, day) if day else None


@rule(r"\b(?:(?:the\s+)?" + _DAY + r"\s+(?:of\s+)?" + _MONTH + r"|" + _MONTH.replace("month", "month2") +
      r"\s+(?P<day2>[0-3]?\d(?:st|nd|rd|th)?|" + _ORDINAL + r")(?!\s*(?:,\s*)?\d{3}\b)(?!:\d))(?:,?\s+" + _YEAR +
      r")?\b")
def _day_month(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    month = MONTHS[(m["month"] or m["month2"]).lower().rstrip(".")]
    day_number = _day_number(m["day"] or m["day2"])
    if not 1 <= day_number <= 31:
        return None
    year = int(m["year"]) if m["year"] else _infer_year(month, day_number, dct, tense)
    if year is None:
        return Timex(m.start(), m.end(), m.group(0), "DATE", f"XXXX-{month:02d}-{day_number:02d}",
                     granularity="day")
    day = _safe_date(year, month, day_number)
    return _date(m, day) if day else None


@rule(r"\bon\s+the\s+(?P<day>[0-3]?\d(?:st|nd|rd|th)|" + _ORDINAL + r")(?=\s*(?:[,.;:)!?]|$|\s+(?:and|or|when|as|"
      r"after|before|while|in|at|of\s+(?:this|last|next|the)\s+month)\b))")
def _ordinal_day(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    """"On the 3rd": a day of the story's month (of the month before when a past-tense story is not there yet,
    of the next one for plans already past this month)."""
    number = _day_number(m["day"])
    if dct is None or not 1 <= number <= 31:
        return None
    index = dct.year * 12 + dct.month - 1
    if tense == "past" and number > dct.day:
        index -= 1
    elif tense == "future" and number < dct.day:
        index += 1
    year, month = divmod(index, 12)
    day = _safe_date(year, month + 1, number)
    if day is None:
        return None
    start = m.start("day") - len("the ")
    return Timex(start, m.end(), m.string[start:m.end()], "DATE", day.isoformat(), day, day, "day")


@rule(r"\b(?P<a>[0-3]?\d)[/.](?P<b>[01]?\d)[/.](?P<year>(?:19|20)\d\d)\b")
def _numeric(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    a, b = int(m["a"]), int(m["b"])
    # day/month as most of the world writes it; month/day when the first number cannot be a day's month
    day, month = (a, b) if b <= 12 else (b, a)
    value = _safe_date(int(m["year"]), month, day)
    return _date(m, value) if value else None


_BEFORE_MONTH = frozenset({"in", "since", "by", "until", "till", "from", "through", "during", "of", "before", "after",
                           "last", "next", "this", "that", "the", "early", "late", "mid", "to"})


@rule(r"\b(?:(?P<mod>early|mid|late|the (?:beginning|start|end|middle) of)[\s-]+)?" + _MONTH +
      r"(?:,?\s+(?:of\s+)?" + _YEAR + r")?\b(?!\s+[0-3]?\d\b)", 0)
def _month(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    word = m["month"]
    if word.lower() in {"may", "mar", "march"} and not m["year"] and not m["mod"]:
        # "may" the modal, "march" the verb: only a capitalised name after a word that introduces a date ("in
        # March", "since May", "the March accession"); tag() also checks the parse
        before = m.string[max(0, m.start() - 12):m.start()].split()
        if not word[0].isupper() or not before or before[-1].lower() not in _BEFORE_MONTH:
            return None
    month = MONTHS[word.lower().rstrip(".")]
    year = int(m["year"]) if m["year"] else _infer_year(month, None, dct, tense)
    mod = _mod(m["mod"])
    if year is None:
        return Timex(m.start(), m.end(), m.group(0), "DATE", f"XXXX-{month:02d}", granularity="month", mod=mod)
    first, last = _month_span(year, month)
    return Timex(m.start(), m.end(), m.group(0), "DATE", f"{year}-{month:02d}", first, last, "month", mod)


@rule(r"\b(?P<word>March|May)\s+(?P<year>(?:1[89]|20)\d\d)\b")
def _month_year_ambiguous(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    month = MONTHS[m["word"].lower()]
    first, last = _month_span(int(m["year"]), month)
    return Timex(m.start(), m.end(), m.group(0), "DATE", f"{m['year']}-{month:02d}", first, last, "month")


def _mod(text: str | None) -> str:
    if not text:
        return ""
    text = text.lower()
    if "early" in text or "beginning" in text or "start" in text:
        return "START"
    if "late" in text or "end" in text:
        return "END"
    return "MID"


@rule(r"\b(?:(?P<rel>last|next|this|past|(?:this\s+)?coming)\s+)?" + _WEEKDAY +
      r"(?:\s+(?P<part>morning|afternoon|evening|night))?\b", 0)
def _weekday(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    if re.search(r"\b(?:Black|Bloody|Super|Cyber|Ash|Palm|Holy|Maundy|Easter|Whit)\s+$", m.string[:m.start()][-10:]):
        return None  # a name ("Black Monday", "Super Tuesday"), not a day of this week
    target = WEEKDAYS[m["weekday"].lower()]
    rel = (m["rel"] or "").lower()
    if dct is None:
        return Timex(m.start(), m.end(), m.group(0), "DATE", f"XXXX-WXX-{target + 1}", granularity="day")
    if rel in {"next", "coming", "this coming"} or (tense == "future" and rel != "last"):
        delta = (target - dct.weekday()) % 7 or 7
        day = dct + dt.timedelta(days=delta)
    elif rel == "last":
        delta = (dct.weekday() - target) % 7 or 7
        day = dct - dt.timedelta(days=delta)
    elif tense == "present" and not rel and (target - dct.weekday()) % 7 in {1, 2, 3} and \
            not m.string.startswith("'s", m.end()):
        # "meets Monday", "is to resume trading Tuesday": the coming one when it is the nearer
        day = dct + dt.timedelta(days=(target - dct.weekday()) % 7)
    else:
        day = dct - dt.timedelta(days=(dct.weekday() - target) % 7)
    timex = _date(m, day)
    if m["part"]:
        timex.type, timex.value = "TIME", f"{day.isoformat()}T{_PARTS[m['part'].lower()]}"
    return timex


_PARTS = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}


@rule(r"\b(?P<word>yesterday|today|tonight|overnight|(?:this|yesterday|last|tomorrow)\s+"
      r"(?:morning|afternoon|evening|night)|tomorrow)\b")
def _deictic(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    word = m["word"].lower()
    offset = -1 if word.startswith(("yesterday", "last", "overnight")) else 1 if word.startswith("tomorrow") else 0
    if dct is None:
        return Timex(m.start(), m.end(), m.group(0), "DATE", "PRESENT_REF" if offset == 0 else "XXXX-XX-XX",
                     granularity="day")
    day = dct + dt.timedelta(days=offset)
    timex = _date(m, day)
    part = word.split()[-1]
    if part in _PARTS or word == "tonight":
        timex.type, timex.value = "TIME", f"{day.isoformat()}T{_PARTS.get(part, 'NI')}"
    return timex


@rule(r"\b(?P<pre>earlier|later|late|early)?\s*(?P<rel>last|next|this|past|previous|coming)\s+"
      r"(?P<unit>week|weekend|month|year)\b")
def _relative(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    rel, unit, pre = m["rel"].lower(), m["unit"].lower(), (m["pre"] or "").lower()
    text_start = m.start() if m["pre"] else m.start("rel")
    if dct is None:
        return Timex(text_start, m.end(), m.group(0).strip(), "DATE", "XXXX", granularity=unit)
    step = {"last": -1, "past": -1, "previous": -1, "next": 1, "coming": 1, "this": 0}[rel]
    mod = {"earlier": "", "early": "START", "late": "END", "later": ""}.get(pre, "")
    if unit in {"week", "weekend"}:
        anchor = dct + dt.timedelta(weeks=step)
        first, last = _week_span(anchor)
        if unit == "weekend":
            first, last = first + dt.timedelta(days=5), last
            value = f"{_week_value(anchor)}-WE"
        else:
            value = _week_value(anchor)
        if pre == "earlier" and step == 0:
            last = dct
        timex = Timex(text_start, m.end(), m.string[text_start:m.end()], "DATE", value, first, last, unit, mod)
    elif unit == "month":
        month_index = dct.year * 12 + dct.month - 1 + step
        year, month = divmod(month_index, 12)
        first, last = _month_span(year, month + 1)
        if pre == "earlier" and step == 0:
            last = dct
        timex = Timex(text_start, m.end(), m.string[text_start:m.end()], "DATE", f"{year}-{month + 1:02d}", first,
                      last, "month", mod)
    else:
        year = dct.year + step
        timex = _year_timex(text_start, m.end(), m.string[text_start:m.end()], year, mod)
    return timex


@rule(r"\b" + _NUM + r"\s+" + _UNIT + r"\s+(?P<dir>ago|earlier|before|later)\b(?!\s+than\b)")
def _ago(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    count, unit, direction = _number(m["num"]), m["unit"].lower(), m["dir"].lower()
    if unit == "day" and direction in {"later", "earlier"}:
        # "three days later", "a day earlier": TimeML's DURATION (P3D) anchored on the story's last date; the day it
        # points to (``begin``) is resolved by ``tag`` and dates events. "A few days later" has no count (PXD)
        if count < 0:
            return Timex(m.start(), m.end(), m.group(0), "DURATION", "PXD", granularity="ref")
        return Timex(m.start(), m.end(), m.group(0), "DURATION", f"P{count}D", granularity="day",
                     shift=count if direction == "later" else -count)
    if direction == "before" and re.match(r"\s+[A-Za-z]", m.string[m.end():]):
        # "30 days before closing", "several months before he entered": counted from an event the text names,
        # whose day is not known here; TimeML codes the stretch (P30D, PXM)
        return Timex(m.start(), m.start("dir"), m.string[m.start():m.start("dir")].strip(), "DURATION",
                     _duration_value(count, unit), granularity="duration")
    if dct is None or count < 0 or unit in {"hour", "minute"}:
        return Timex(m.start(), m.end(), m.group(0), "DATE", "PAST_REF", granularity="ref")
    days = {"day": 1, "week": 7, "month": 30, "year": 365, "decade": 3650}[unit] * count
    sign = 1 if direction == "later" else -1
    if unit == "day" and direction != "ago":
        # "two days before": counted from the story's last date, not from the publication day
        return Timex(m.start(), m.end(), m.group(0), "DATE", "XXXX-XX-XX", granularity="day", shift=sign * days)
    day = dct + dt.timedelta(days=sign * days)
    if unit == "day":
        return _date(m, day)
    if unit == "week":
        first, last = _week_span(day)
        return Timex(m.start(), m.end(), m.group(0), "DATE", _week_value(day), first, last, "week")
    if unit == "month":
        # calendar months, not 30-day blocks: "five months ago" in a story of 31 March is October
        year, month = divmod(dct.year * 12 + dct.month - 1 + sign * count, 12)
        first, last = _month_span(year, month + 1)
        return Timex(m.start(), m.end(), m.group(0), "DATE", f"{year}-{month + 1:02d}", first, last, "month")
    return _year_timex(m.start(), m.end(), m.group(0), day.year)


@rule(r"\b(?:the\s+)?(?:(?P<rel>following|next|previous|preceding)\s+day|day\s+(?P<dir>after|before))\b"
      r"(?!\s+[A-Za-z])")  # "the day after falling 250 points", "the day before the vote": counted from an event
def _anaphoric_day(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    later = (m["rel"] or m["dir"]).lower() in {"following", "next", "after"}
    return Timex(m.start(), m.end(), m.group(0), "DATE", "XXXX-XX-XX", granularity="day", shift=1 if later else -1)


@rule(r"\b(?:(?P<dir>later|earlier)\s+that|that|the\s+(?P<rel>following|next|previous|preceding))\s+"
      r"(?P<unit>year|month)\b(?!\s+(?:ago|before|after|later|earlier|old)\b)")
def _anaphoric_period(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    """"Later that year", "the following month": counted from the story's last date, resolved by ``tag``."""
    rel = (m["rel"] or "").lower()
    step = 1 if rel in {"following", "next"} else -1 if rel in {"previous", "preceding"} else 0
    unit = m["unit"].lower()
    return Timex(m.start(), m.end(), m.group(0), "DATE", "XXXX" if unit == "year" else "XXXX-XX", granularity=unit,
                 period_shift=step)


@rule(r"\b(?:in\s+)?(?P<rel>recent|the (?:past|last))\s+(?P<unit>days|weeks|months|years)\b")
def _recent(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    """"In recent days" is the past week (it can date an event: PAST_REF with the week's span); "in recent
    weeks/months/years" an uncounted stretch up to now (PXW, PXM, PXY), vaguer than any event's date."""
    start = m.start("rel")
    unit = m["unit"].lower().rstrip("s")
    if unit != "day":
        return Timex(start, m.end(), m.string[start:m.end()], "DURATION", f"PX{UNITS[unit]}", granularity="ref")
    timex = Timex(start, m.end(), m.string[start:m.end()], "DATE", "PAST_REF", granularity="ref")
    if dct is not None:
        timex.begin, timex.last, timex.granularity = dct - dt.timedelta(days=6), dct, "week"
    return timex


@rule(r"\bthe\s+weekend\b")
def _the_weekend(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    """"The weekend" ("clashes over the weekend"): the one just past, the present one when the story is published
    on a weekend, the coming one for plans ("last/next/this weekend" are :func:`_relative`'s)."""
    if dct is None:
        return None
    weekday = dct.weekday()
    if weekday >= 5:
        saturday = dct - dt.timedelta(days=weekday - 5)
    elif tense == "future":
        saturday = dct + dt.timedelta(days=5 - weekday)
    else:
        saturday = dct - dt.timedelta(days=weekday + 2)
    return Timex(m.start(), m.end(), m.group(0), "DATE", f"{_week_value(saturday)}-WE", saturday,
                 saturday + dt.timedelta(days=1), "weekend")


# "previously" and "formerly" are left out: TimeML annotators mark them rarely (3 of 23 in TBAQ). "the past" followed
# by a count is a duration ("the past two months")
@rule(r"\b(?:in\s+)?(?P<the>(?:the\s+)?coming\s+(?:days|weeks|months|quarters|years))\b")
def _coming(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    """"In the coming weeks": a time to come no count measures (FUTURE_REF)."""
    return Timex(m.start("the"), m.end(), m["the"], "DATE", "FUTURE_REF", granularity="ref")


@rule(r"\b(?:one|some)\s*day\b")
def _some_day(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    """"Will one day be", "someday": an unnamed time to come (a past "one day" is a duration or a story's day)."""
    if tense != "future":
        return None
    return Timex(m.start(), m.end(), m.group(0), "DATE", "FUTURE_REF", granularity="ref")


@rule(r"\b(?P<word>recently|now|currently|nowadays|these days|current(?!\s+account)|recent|"
      r"the past(?!\s+(?:\w+[\s-]+)?(?:days?|weeks?|months?|years?|"
      r"decades?|centur(?:y|ies))\b)|(?:in\s+)?the\s+(?:near\s+|distant\s+)?future)\b")
def _reference(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    word = m["word"].lower()
    value = "PRESENT_REF" if word in {"now", "currently", "nowadays", "these days", "current"} else \
        "FUTURE_REF" if word.endswith("future") else "PAST_REF"
    return Timex(m.start(), m.end(), m.group(0), "DATE", value, granularity="ref")


@rule(r"\b(?:(?P<rel>last|this|next|(?:this\s+)?past|coming|the(?:\s+(?:early|late))?)\s+)?"
      r"(?P<season>spring|summer|autumn|fall|winter)(?:\s+(?:of\s+)?" + _YEAR + r")?\b")
def _season(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    if not m["rel"] and not m["year"]:
        return None  # "fall" is a verb as often as a season
    rel = (m["rel"] or "").lower()
    rel = "last" if rel.endswith("past") or (rel.startswith("the") and tense == "past") else \
        "next" if rel == "coming" or (rel.startswith("the") and tense == "future") else rel
    year = int(m["year"]) if m["year"] else (dct.year if dct else None)
    start_month = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}[SEASONS[m["season"].lower()]]
    if year is not None and dct is not None and rel == "last" and start_month + 3 > dct.month:
        year -= 1
    if year is not None and dct is not None and rel == "next" and start_month <= dct.month:
        year += 1
    code = SEASONS[m["season"].lower()]
    start = m.start("rel") if m["rel"] else m.start()
    return Timex(start, m.end(), m.string[start:m.end()], "DATE", f"{year or 'XXXX'}-{code}", granularity="season")


@rule(r"\b(?:the\s+)?(?:(?P<pre>(?:1[89]|20)\d\d|(?:this|last|next)\s+year's)\s+)?(?P<ord>first|second|third|fourth)"
      r"[\s-]+quarter(?:\s+(?:of\s+)?" + _YEAR + r")?\b")
def _quarter(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    number = ["first", "second", "third", "fourth"].index(m["ord"].lower()) + 1
    pre = (m["pre"] or "").lower()
    year = int(m["year"]) if m["year"] else int(pre) if pre.isdigit() else (dct.year if dct else None)
    if pre and not pre.isdigit() and year is not None:
        year += {"this": 0, "last": -1, "next": 1}[pre.split()[0]]
        return Timex(m.start(), m.end(), m.group(0), "DATE", f"{year}-Q{number}", granularity="quarter")
    if not (m["year"] or pre) and dct is not None and tense != "future" and dt.date(dct.year, 3 * number - 2, 1) > dct:
        year = dct.year - 1  # "third-quarter results" in a story of February: last year's
    return Timex(m.start(), m.end(), m.group(0), "DATE", f"{year or 'XXXX'}-Q{number}", granularity="quarter")


@rule(r"\b(?:the|this)\s+(?:(?P<which>(?:latest|last|recent|current|fiscal|same)\s+)?quarter|latest\s+period)\b"
      r"(?![\s-]+(?:century|mile))")
def _the_quarter(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    """"The quarter" of a company report is the last one completed before the story ("the latest quarter");
    "the current quarter" or "this quarter" is the one the story is in."""
    if dct is None:
        return None
    quarter, year = (dct.month - 1) // 3 + 1, dct.year
    which = (m["which"] or "").strip().lower()
    if not (which == "current" or m.group(0).lower().startswith("this")):
        quarter, year = (quarter - 1, year) if quarter > 1 else (4, year - 1)
    return Timex(m.start(), m.end(), m.group(0), "DATE", f"{year}-Q{quarter}", granularity="quarter")


@rule(r"\b(?:the\s+)?year[\s-](?:ago|earlier)(?:\s+(?:first|second|third|fourth)(?:[\s-]quarter)?)?"
      r"(?:\s+(?:quarter|period))?(?![\s-]+(?:nine|six|three|\d+)\s+months)\b")
def _year_ago(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    """"The year-ago quarter", "year-earlier results": the year before the story's (a company's reporting period
    when the story reports one, settled by ``_fiscal``)."""
    if dct is None:
        return None
    return _year_timex(m.start(), m.end(), m.group(0), dct.year - 1)


@rule(r"\b(?:the\s+)?(?:(?P<year>(?:1[89]|20)\d\d)|(?P<rel>last|this)\s+year's|(?:comparable|corresponding|same)\s+"
      r"(?:year[\s-](?:ago|earlier)\s+)?)\s*(?P<what>period|quarter)(?P<back>\s+(?:last\s+year|a\s+year\s+(?:ago|earlier)))?\b")
def _year_period(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    """A company's period of a given year ("the 1988 period", "last year's quarter", "the corresponding period
    last year"): that year, made its reporting quarter by ``_fiscal``."""
    if m["year"]:
        year = int(m["year"])
    elif dct is None:
        return None
    elif m["rel"]:
        year = dct.year - (m["rel"].lower() == "last")
    elif m["back"] or "year" in m.group(0).lower():
        year = dct.year - 1
    else:
        return None  # "the same period" alone says no year
    return _year_timex(m.start(), m.end(), m.group(0), year)


@rule(r"(?:\bthe\s+)?(?:\b(?P<decade>(?:1[89]|20)\d0)s|['’](?P<short>\d0)s)\b")
def _decade(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    """"The 1990s" (199), "the '80s": the latest such decade that has begun by the story's date."""
    if m["decade"]:
        return Timex(m.start(), m.end(), m.group(0), "DATE", m["decade"][:3], granularity="decade")
    now = dct.year if dct is not None else 1999
    year = now // 100 * 100 + int(m["short"])
    if year > now:
        year -= 100
    return Timex(m.start(), m.end(), m.group(0), "DATE", str(year)[:3], granularity="decade")


@rule(r"\b(?:the\s+)?(?P<half>first|second|last|latter)\s+(?:half|two\s+quarters)\s+of\s+(?:the\s+year|"
      + _YEAR.replace("year", "hyear") + r")\b")
def _half(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    """"The second half of 1989", "the last half of the year", "the first two quarters of 1990": a half year."""
    year = m["hyear"] or (str(dct.year) if dct else "XXXX")
    return Timex(m.start(), m.end(), m.group(0), "DATE", f"{year}-H{1 if m['half'].lower() == 'first' else 2}",
                 granularity="half")


#: words around a four-digit number that make it a count, not a year ("some 2000 protesters", "$1990")
_COUNT_BEFORE = re.compile(r"(?:[$#£€¥]|\d[,.]?|\bup\s+to\s+|\b(?:about|some|nearly|almost|over|around|least|than|"
                           r"of|up|roughly|estimated|approximately|with|killed|arrested|injured|wounded|number)\s+)$",
                           re.IGNORECASE)
_COUNT_AFTER = re.compile(r"^(?:\s*(?:%|percent|[-–]\s*\d|(?:people|persons|men|women|children|troops|soldiers|"
                          r"police(?:men)?|officers|protesters|demonstrators|students|workers|members|supporters|"
                          r"residents|refugees|civilians|families|homes|houses|cars|vehicles|dead|killed|injured|"
                          r"wounded|detainees|prisoners|fighters|rebels|militants|were|have|had|are|others|more|"
                          r"of|to)\b))", re.IGNORECASE)


def _bare_year(text: str, start: int, end: int) -> bool:
    """Whether a four-digit number with no word before it that makes it a date is still a year: in news it mostly
    is ("between 1994 and 1997", "his 1996 campaign"), unless it counts something ("2000 protesters", "$1990")."""
    return not _COUNT_BEFORE.search(text[max(0, start - 16):start]) and not _COUNT_AFTER.match(text[end:end + 16])


@rule(r"\b(?P<since>since|in|during|by|until|before|after|from|of|early|late|mid-|the|a|an|into|through|throughout|"
      r"for|both|and|fiscal|its|their|'s)?\s*" + _YEAR +
      r"\b(?![-/.]\d)(?!,\d)")
def _year(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    if not m["since"] and not _bare_year(m.string, m.start("year"), m.end()):
        return None
    year = int(m["year"])
    start = m.start("year")
    word = (m["since"] or "").lower()
    since = word == "since"
    if word in {"the", "a", "an"}:
        start = m.start("since")
    return _year_timex(start, m.end(), m.string[start:m.end()], year, since=since)


@rule(r"\b(?:for|over|during|lasting|in)?\s*(?:the\s+)?(?:(?:past|last|next)\s+)?" + _NUM +
      # "a 6-year-old boy" is an age
      r"(?:\s+more)?[\s-]+" + _UNIT + r"\b(?!\s+(?:ago|earlier|later|before))(?![\s-]+old\b)")
def _duration(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    unit = m["unit"].lower()
    count = _number(m["num"].removesuffix("1/2").strip())
    start = m.start("num")
    if m["num"].endswith("1/2") and count >= 0:
        # "5 1/2 hours", "2 1/2 years": the half in the next unit down
        value = {"hour": f"PT{count}H30M", "minute": f"PT{count}M30S", "day": f"P{count}DT12H",
                 "week": f"P{7 * count + 3}DT12H", "month": f"P{count}M15D", "year": f"P{count}Y6M",
                 "decade": f"P{10 * count + 5}Y"}[unit]
        return Timex(start, m.end(), m.string[start:m.end()].strip(), "DURATION", value, granularity="duration")
    # "(over) the past two months": the expression starts at "the past", not at the preposition or the count
    lead = re.search(r"(?:\bthe\s+)?\b(?:past|last|next)\s+$", m.string[m.start():start], re.IGNORECASE)
    if lead is not None:
        lead_start = m.start() + lead.start()
        before = m.string[max(0, lead_start - 12):lead_start]
        # "(over) the past two months", "in last 24 hours"; not the verb ("the curfew will last two days")
        if not lead.group(0).lower().startswith("last") or re.search(r"\b(?:in|over|for|during|within)\s+$", before,
                                                                      re.IGNORECASE):
            start = lead_start
    return Timex(start, m.end(), m.string[start:m.end()].strip(), "DURATION", _duration_value(count, unit),
                 granularity="duration")


def _duration_value(count: int, unit: str) -> str:
    """TimeML's value of a counted stretch: P3D, PT48H, PT20M, P20Y for two decades; X for no count."""
    amount = "X" if count < 0 else str(count)
    code = UNITS[unit]
    if code == "MIN":
        return f"PT{amount}M"
    if unit == "hour":
        return f"PT{amount}H"
    if code == "DE":
        return f"P{amount}0Y" if amount != "X" else "PXDE"
    return f"P{amount}{code}"


@rule(r"\b(?P<the>the\s+current\s+(?:fiscal\s+|calendar\s+)?year)\b")
def _current_year(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    if dct is None:
        return None
    return _year_timex(m.start(), m.end(), m.group(0), dct.year)


@rule(r"\b(?:for|of|in|through)\s+(?P<the>the\s+(?:fiscal\s+|full\s+)?year)\b(?P<ended>\s+(?:ended|ending|to|through))?"
      r"(?!\s+(?:ago|earlier|before|after|later|(?:1[89]|20)\d\d))")
def _the_year(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    """A company's year: "for the year ended Sept. 30" is a year-long period (P1Y), "a high for the year" the
    year of the story."""
    start = m.start("the")
    if m["ended"]:
        return Timex(start, m.end("the"), m["the"], "DURATION", "P1Y", granularity="duration")
    if dct is None:
        return None
    return _year_timex(start, m.end("the"), m["the"], dct.year)


@rule(r"\b(?:for|within|over)\s+(?P<unit>hours|days|weeks|months|years|decades)\b(?!\s+(?:ago|earlier|later|before))")
def _vague_duration(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    """An uncounted stretch ("for weeks", "within days"): a duration of unknown length, PXW, PXD ..."""
    unit = m["unit"].lower().rstrip("s")
    value = "PTXH" if unit == "hour" else "PXDE" if unit == "decade" else f"PX{UNITS[unit]}"
    return Timex(m.start("unit"), m.end(), m["unit"], "DURATION", value, granularity="duration")


@rule(r"\b(?:on\s+)?(?P<day>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?:s|\s+(?P<part>mornings|"
      r"afternoons|evenings|nights))\b")
def _weekdays(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    """"On Fridays", "Tuesday nights": every such day (a SET)."""
    part = _PARTS.get((m["part"] or "").lower().rstrip("s"), "")
    start = m.start("day")
    return Timex(start, m.end(), m.string[start:m.end()], "SET",
                 f"XXXX-WXX-{WEEKDAYS[m['day'].lower()] + 1}{'T' + part if part else ''}", granularity="set")


@rule(r"\b(?P<word>(?:every|each)\s+(?:(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|"
      r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December)|day|week|"
      r"month|quarter|year|morning|night)|hourly|daily|weekly|monthly|annually|yearly)\b")
def _set(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    word = m["word"].lower()
    if m["weekday"]:
        value = f"XXXX-WXX-{WEEKDAYS[m['weekday'].lower()] + 1}"
    elif m["month"]:
        value = f"XXXX-{MONTHS[m['month'].lower()[:3]]:02d}"
    elif word == "hourly":
        value = "PT1H"
    elif "quarter" in word:
        value = "P1Q"
    elif "day" in word or word == "daily" or "morning" in word or "night" in word:
        value = "P1D"
    elif "week" in word:
        value = "P1W"
    elif "month" in word:
        value = "P1M"
    else:
        value = "P1Y"
    return Timex(m.start(), m.end(), m.group(0), "SET", value, granularity="set")


@rule(r"\b(?:at\s+)?(?P<hour>[01]?\d)(?::(?P<minute>[0-5]\d))?\s*(?P<ampm>a\.?m\.?|p\.?m\.?)(?=\W|$)")
def _clock(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    hour = int(m["hour"]) % 12 + (12 if m["ampm"].lower().startswith("p") else 0)
    minute = int(m["minute"] or 0)
    start = m.start("hour")
    day = dct.isoformat() if dct else "XXXX-XX-XX"
    timex = Timex(start, m.end(), m.string[start:m.end()], "TIME", f"{day}T{hour:02d}:{minute:02d}", granularity="time")
    if dct:
        timex.begin = timex.last = dct
    return timex


@rule(r"\b(?P<word>noon|midday|midnight)\b")
def _noon(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    clock = "24" if m["word"].lower() == "midnight" else "12:00"
    timex = Timex(m.start(), m.end(), m.group(0), "TIME", f"{dct.isoformat() if dct else 'XXXX-XX-XX'}T{clock}",
                  granularity="time")
    if dct:
        timex.begin = timex.last = dct
    return timex


@rule(r"\b(?:(?P<the>the\s+year\s+)?(?P<two>two\s+thousand)(?:\s+(?:and\s+)?(?P<ones2>" + "|".join(_ONES) + r"))?|"
      r"nineteen\s+(?P<tens>" + "|".join(_TENS) + r")(?:[\s-](?P<ones>" + "|".join(_ONES) + r"))?)\b"
      r"(?!\s+(?:dollars|people|troops|men|women)\b)")
def _spoken_year(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    """Years as broadcasters say them ("nineteen ninety-six", "the year two thousand")."""
    if m["two"]:
        if not m["the"] and not m["ones2"]:
            return None  # "two thousand" alone is a count
        year = 2000 + _ONES.get((m["ones2"] or "").lower(), 0)
    else:
        year = 1900 + _TENS[m["tens"].lower()] + _ONES.get((m["ones"] or "").lower(), 0)
    return _year_timex(m.start(), m.end(), m.group(0), year)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _easter(year: int) -> dt.date:
    # the Gregorian computus (Meeus/Jones/Butcher); no calendar library in the dependencies has it
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


#: fixed-date and rule-dated holidays the news dates events by (lunar ones, Eid or Ramadan, need a calendar the
#: dependencies do not ship and are left out)
_HOLIDAYS: dict[str, Callable[[int], dt.date]] = {
    "new year's day": lambda y: dt.date(y, 1, 1), "new year's eve": lambda y: dt.date(y, 12, 31),
    "christmas eve": lambda y: dt.date(y, 12, 24), "christmas day": lambda y: dt.date(y, 12, 25),
    "christmas": lambda y: dt.date(y, 12, 25), "boxing day": lambda y: dt.date(y, 12, 26),
    "valentine's day": lambda y: dt.date(y, 2, 14), "may day": lambda y: dt.date(y, 5, 1),
    "labour day": lambda y: dt.date(y, 5, 1), "international women's day": lambda y: dt.date(y, 3, 8),
    "bastille day": lambda y: dt.date(y, 7, 14), "independence day": lambda y: dt.date(y, 7, 4),
    "halloween": lambda y: dt.date(y, 10, 31), "easter sunday": _easter, "easter": _easter,
    "good friday": lambda y: _easter(y) - dt.timedelta(days=2),
    "thanksgiving day": lambda y: _nth_weekday(y, 11, 3, 4), "thanksgiving": lambda y: _nth_weekday(y, 11, 3, 4),
    "election day": lambda y: _nth_weekday(y, 11, 0, 1) + dt.timedelta(days=1),
}


@rule(r"\b(?:(?P<rel>last|this|next)\s+)?(?P<name>" + "|".join(sorted(_HOLIDAYS, key=len, reverse=True)) + r")\b"
      r"(?:,?\s+" + _YEAR + r")?(?!\s+(?:week|season|holiday|weekend|rising|uprising|offensive)\b)")
def _holiday(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    """A named day ("on Thanksgiving Day", "last Christmas"): this year's when it has passed and the clause is in
    the past, next year's for plans, else the nearest."""
    day_of = _HOLIDAYS[m["name"].lower()]
    rel = (m["rel"] or "").lower()
    if m["year"]:
        day = day_of(int(m["year"]))
    elif dct is None:
        return None
    else:
        days = [day_of(dct.year + k) for k in (-1, 0, 1)]
        if rel == "last" or (tense == "past" and rel != "next"):
            day = max(d for d in days if d <= dct)
        elif rel == "next" or tense == "future":
            day = min(d for d in days if d >= dct)
        else:
            day = min(days, key=lambda d: abs((d - dct).days))
    return _date(m, day)


@rule(r"\b(?:the\s+)?(?P<nth>\d{1,2})(?:st|nd|rd|th)[\s-]+century\b")
def _century(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    number = int(m["nth"])
    if not 1 <= number <= 21:
        return None
    return Timex(m.start(), m.end(), m.group(0), "DATE", f"{number - 1:02d}", granularity="century")


@rule(r"\b(?:by\s+|around\s+|at\s+|before\s+)?(?P<end>year[\s-]end|year's\s+end|the\s+end\s+of\s+the\s+year)\b")
def _year_end(m: re.Match[str], dct: dt.date | None, tense: str) -> Timex | None:
    """"By year-end": the end of the story's year (its last month)."""
    if dct is None:
        return None
    return Timex(m.start("end"), m.end(), m["end"], "DATE", str(dct.year), *_month_span(dct.year, 12), "month", "END")


# --- tagging ----------------------------------------------------------------------------------------------------

#: verbs whose complement is still to come ("expected to join in April", "scheduled to spend Tuesday morning")
_FUTURE_HEADS = frozenset({"plan", "vow", "threaten", "promise", "intend", "expect", "schedule", "set", "due",
                           "prepare", "aim", "slate"})
#: verbs that push something to a later date, in any tense ("postponed the vote until Friday")
_DEFER_VERBS = frozenset({"postpone", "delay", "defer", "adjourn", "reschedule"})
#: auxiliaries of a clause about what is still to come ("would be ready Tuesday", "must be returned by Jan. 14";
#: "could" and "can" also report past ability, "police could not say on Monday", and are left out)
FUTURE_AUX = frozenset({"will", "shall", "'ll", "wo", "would", "might", "must", "should", "may", "'d"})
#: words that make what they govern a date still to come ("payable Dec. 15", "effective Feb. 1")
_AHEAD_WORDS = frozenset({"payable", "effective", "due", "upcoming", "next"})


def _had(token: Token) -> bool:
    """Whether a word of plan or expectation is in the past perfect ("had been due", "had been scheduled"): a plan
    of the past, whose day has gone."""
    return any(c.lower_ in {"had", "'d"} for c in (*token.children, *token.head.children))


def _tense(doc: Doc | None, start: int) -> str:
    """The tense of the clause around a character offset: "future" ("will march on Tuesday", "is expected to join
    in April", "postponed the vote until Tuesday", "payable Dec. 15"), "past" ("marched on Tuesday", "has met
    twice since May") or "present" (neither: "meets Monday", "the summit in April"), which resolvers read as the
    nearest such date."""
    if doc is None:
        return "present"
    token = doc.char_span(start, start + 1, alignment_mode="expand")
    if token is None:
        return "present"
    # the verb of the clause: "for a mission in December" reaches "will be named" five words up
    verb = _finite_verb(token.root)
    if _verb_tense(verb) == "future":
        return "future"
    path = [token.root, *list(token.root.ancestors)[:3]]
    ahead = next((t for t in path if t.lower_ in _AHEAD_WORDS), None)
    if ahead is not None:
        return "past" if _had(ahead) else "future"  # "payable Dec. 15"; "had been due to expire Friday"
    if verb.lemma_.lower() in _DEFER_VERBS:
        return "future"
    node = verb
    for _ in range(3):  # "expected to join", "a summit set for April", "plans to hold a news conference"
        if node.lemma_.lower() in _FUTURE_HEADS:
            if _had(node):
                return "past"  # "had been due to expire Friday": a plan of the past, its day already gone
            if node.tag_ == "VBN" and node.dep_ == "acl":
                # "a summit set for December will discuss ...", "a service planned for Saturday was cancelled":
                # the plan's day lies on the side of the clause it is told in
                return _verb_tense(_finite_verb(node.head)) or "present"
            if node.tag_ == "VBD":
                return "present"  # "planned a march on Saturday": told in the past, for either side of the story
            return "future"
        if node.head.i == node.i:
            break
        node = node.head
    if verb.tag_ == "VB" and verb.dep_ == "xcomp" and verb.head.lemma_ == "be" and verb.head.tag_ in {"VBZ", "VBP"} \
            and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children):
        return "future"  # "is to resume trading in Paris Tuesday", "the minister is to visit on Monday"
    if verb.tag_ != "VBD" and verb.dep_ in {"xcomp", "advcl"} and any(
            c.lower_ in {"will", "'ll"} for c in verb.head.children if c.dep_ == "aux"):
        return "future"
    return _verb_tense(verb) or ("past" if any(t.tag_ == "VBD" for t in token.root.sent) else "present")


def _finite_verb(token: Token) -> Token:
    """The verb whose tense a word's clause takes: a participle or gerund without auxiliaries that opens a clause
    ("rising to $42 in June from $29 in March", "leaving the index ...") takes the verb it hangs on."""
    verb = next((t for t in [token, *list(token.ancestors)[:6]] if t.pos_ in {"VERB", "AUX"}), token)
    for _ in range(2):
        # a past participle that modifies a noun ("the decision, announced Wednesday"; "the agreement, announced
        # Friday, ..." parsed as an adverbial clause without a conjunction) is past on its own
        if (verb.tag_ == "VBG" or (verb.tag_ == "VBN" and verb.dep_ != "acl" and not (
                verb.dep_ == "advcl" and not any(c.dep_ == "mark" for c in verb.children)))) and verb.dep_ in {
                "advcl", "xcomp", "conj", "acl", "pcomp"} and not any(
                c.dep_ in {"aux", "auxpass"} for c in verb.children) and verb.head.pos_ in {"VERB", "AUX"}:
            verb = verb.head
    return verb


def _verb_tense(verb: Token) -> str:
    """"past", "present" or "future" from a verb's own form and auxiliaries ("" for a word that is no verb): "is
    heard" is present, "was heard", "has met" and "met" past."""
    if verb.pos_ not in {"VERB", "AUX"}:
        return ""
    auxiliaries = [c for c in verb.children if c.dep_ in {"aux", "auxpass"}]
    if any(c.lemma_ == "have" for c in auxiliaries) and any(c.tag_ == "MD" for c in auxiliaries):
        return "past"  # "may have been", "would have met": a past seen from now
    if verb.tag_ == "MD" or any(c.lower_ in FUTURE_AUX for c in auxiliaries):
        return "future"
    if verb.tag_ == "VBD" or any(c.tag_ == "VBD" or c.lemma_ == "have" for c in auxiliaries):
        return "past"
    if verb.tag_ == "VBN" and not auxiliaries:
        return "past"
    return "present"


#: an amount just before "a year" / "annually" makes it a rate ("$2 million a year", "four flights a week",
#: "rise 8.5% annually"), which TimeML does not mark
_RATE_BEFORE = re.compile(r"(?:\d[\d,.]*\s*%?|million|billion|thousand|percent|hundred)(?:\s+[a-z]+){0,2}\s+$",
                          re.IGNORECASE)


def _word_ok(timex: Timex, text: str, doc: Doc | None) -> bool:
    """Reject month names that are verbs, modals or first names in this sentence ("police may march", "Jan
    Kavan"), and rates ("$2 million a year")."""
    if (timex.type == "DURATION" and re.fullmatch(r"an?\s+\w+", timex.text, re.IGNORECASE)) or \
            timex.text.lower() == "annually":
        if _RATE_BEFORE.search(text[max(0, timex.start - 40):timex.start]):
            return False
    if doc is None:
        return True
    span = doc.char_span(timex.start, timex.end, alignment_mode="expand")
    if span is None:
        return True
    first = span[0]
    if first.lower_ in {"may", "march"} and first.pos_ in {"AUX", "VERB"}:
        return False
    if len(span) == 1 and first.ent_type_ == "PERSON" and first.i + 1 < len(doc) and doc[first.i + 1].is_title:
        return False
    # a title ("High Noon", ABC's "This Week", "60 Minutes", "VOA Today"): a word that is lower case in running
    # text capitalised inside a sentence
    if any(t.text in _TITLE_WORDS and t.i and doc[t.i - 1].is_alpha and doc[t.i - 1].text not in {"On", "At"}
           and any(w.is_lower and len(w) > 3 for w in t.sent) for t in span):  # not a headline in title case
        return False
    return True


_TITLE_WORDS = frozenset({"This", "Week", "Noon", "Minutes", "Hours", "Days", "Today", "Tonight", "Tomorrow",
                          "Yesterday", "Morning", "Night", "Evening", "Now"})


def tag(text: str, dct: dt.date | None, doc: Doc | None = None) -> list[Timex]:
    """Every time expression of ``text`` with its TimeML value, longest match first where rules overlap."""
    found: list[Timex] = []
    for pattern, resolve in _RULES:
        for match in pattern.finditer(text):
            try:
                timex = resolve(match, dct, _tense(doc, match.start()))
            except (ValueError, OverflowError, KeyError):
                continue
            if timex is None or not timex.text.strip():
                continue
            timex.start, timex.end, timex.text = _trim(text, timex.start, timex.end)
            if _word_ok(timex, text, doc):
                found.append(timex)
    found.sort(key=lambda t: (t.start, -(t.end - t.start)))
    chosen: list[Timex] = []
    for timex in found:
        if chosen and timex.start < chosen[-1].end:
            continue
        chosen.append(timex)
    # "since 2019" etc.: mark spans opened by "since" (before shifts are resolved: such a span dates no story)
    for timex in chosen:
        if _SINCE_BEFORE.search(text, max(timex.start - 12, 0), timex.start):  # "since May", "since the May 1 coup"
            timex.since = True
    _resolve_shifts(text, chosen)
    _merge_adjacent(text, chosen)
    _fiscal(text, chosen, doc)
    return chosen


#: "a year ago" / "the year-earlier period" and the comparison that makes them a reporting period
_YEAR_BACK = re.compile(r"(?:(?:the\s+)?(?:a|one)\s+year\s+(?:ago|earlier)|(?:the\s+)?year[\s-](?:ago|earlier)\b.*)$",
                        re.IGNORECASE)
_PERIOD_WORDS = re.compile(r"\b(?:quarter|period|three months|net|profit|loss|earnings|revenue|sales|income|a share)\b",
                           re.IGNORECASE)


def _sentence_of(text: str, timex: Timex, doc: Doc | None) -> str:
    """The sentence around an expression: the parse's, else the text between full stops."""
    span = doc.char_span(timex.start, timex.end, alignment_mode="expand") if doc is not None else None
    if span is not None:
        return span.sent.text
    return text[text.rfind(".", 0, timex.start) + 1:text.find(".", timex.end) % (len(text) + 1)]


def _fiscal(text: str, chosen: list[Timex], doc: Doc | None) -> None:
    """Company reports compare a quarter with the same quarter a year before: in a story that names its quarter,
    "a year ago" and "the year-earlier period" beside a quarter or period are that quarter of the year before
    (TimeML's reading), not the whole year. Written here because no tagger library reads reporting periods."""
    quarters = Counter(t.value for t in chosen if t.granularity == "quarter" and re.fullmatch(r"\d{4}-Q[1-4]", t.value))
    if not quarters:
        return
    value = max(quarters, key=lambda v: (quarters[v], v))
    quarter = int(value[-1])
    for timex in chosen:
        if timex.granularity != "year":
            continue
        lower = timex.text.lower()
        if re.search(r"\b(?:period|quarter)\b", lower):
            # "the 1988 period": that year's reporting quarter; "the year-ago quarter", "last year's quarter": the
            # reporting quarter's year before
            year = int(timex.value) if re.search(r"\d{4}", lower) else \
                int(value[:4]) - bool(re.search(r"\b(?:ago|earlier|last)\b", lower))
        elif _YEAR_BACK.fullmatch(timex.text):
            year = int(value[:4]) - 1
            sentence = _sentence_of(text, timex, doc)
            # beside a quarter's figures; not beside a half's or nine months' ("for the nine months, ... a year
            # earlier" is the same nine months, which TimeML leaves as the year)
            if not _PERIOD_WORDS.search(sentence) or re.search(r"\b(?:nine|six) months\b|\bfirst half\b", sentence,
                                                               re.IGNORECASE):
                continue
        elif lower == "last year":
            # "down from $21.4 million last year" beside the quarter's figures
            year = int(value[:4]) - 1
            beside_quarter = doc is not None and re.search(r"\b(?:quarter|period)\b", _sentence_of(text, timex, doc),
                                                           re.IGNORECASE)
            if not beside_quarter or \
                    not re.search(r"\b(?:from|with|than)\b[^.]{0,40}$", text[max(0, timex.start - 45):timex.start]):
                continue
        else:
            continue
        timex.value, timex.granularity = f"{year}-Q{quarter}", "quarter"
        timex.begin = dt.date(year, 3 * quarter - 2, 1)
        timex.last = _month_span(year, 3 * quarter)[1]


_JOINER = re.compile(r"(?:\s*,?\s*(?:on\s+)?(?:[ECMP][SD]T|GMT|local time|\(\d{4}\s+GMT\))?\s*,?\s*)")


def _merge_adjacent(text: str, chosen: list[Timex]) -> None:
    """Join a clock time and the day after it ("10 p.m. Wednesday", "noon Thursday") and a weekday and the explicit
    date after it ("Monday, Oct. 26"): one expression, dated by the day that is written out."""
    for k, timex in enumerate(chosen):
        week_of = re.search(r"\bthe\s+week\s+of\s+$", text[max(0, timex.start - 16):timex.start], re.IGNORECASE)
        if week_of and timex.granularity == "day" and timex.begin is not None:
            # "the week of March 6"
            first, last = _week_span(timex.begin)
            start = timex.start - len(week_of.group(0))
            chosen[k] = Timex(start, timex.end, text[start:timex.end], "DATE", _week_value(timex.begin), first, last,
                              "week")
    i = 0
    while i + 1 < len(chosen):
        left, right = chosen[i], chosen[i + 1]
        gap = text[left.end:right.start]
        if (left.granularity in {"month", "season"} and right.granularity == "year" and left.value[:4].isdigit()
                and right.value.isdigit()
                and re.fullmatch(r"\s+(?:of\s+)?", gap) and not re.search(r"\d{4}", left.text)):
            # "January nineteen ninety-seven", "the winter of nineteen ninety-four": the month of that year
            value = right.value + left.value[4:]
            merged = Timex(left.start, right.end, text[left.start:right.end], "DATE", value,
                           granularity=left.granularity)
            if left.granularity == "month":
                merged.begin, merged.last = _month_span(int(right.value), int(value[5:7]))
            chosen[i:i + 2] = [merged]
            continue
        if not _JOINER.fullmatch(gap):
            i += 1
            continue
        merged: Timex | None = None
        if left.granularity == "time" and right.granularity == "day" and right.begin is not None:
            clock = left.value.partition("T")[2]
            merged = Timex(left.start, right.end, text[left.start:right.end], "TIME",
                           f"{right.value[:10]}T{clock}", right.begin, right.last, "day")
        elif (left.granularity == "day" and right.granularity == "day"
              and (named := re.search(_WEEKDAY + "$", left.text)) and right.begin is not None
              and not re.search(_WEEKDAY, right.text)):
            day = right.begin
            weekday = WEEKDAYS[named["weekday"].lower()]
            if day.weekday() != weekday and not re.search(r"\d{4}", right.text):
                # "Sunday, March 8" without a year: the year whose March 8 is a Sunday, if one is next to it
                day = next((d for d in (_safe_date(day.year + k, day.month, day.day) for k in (0, -1, 1))
                            if d is not None and d.weekday() == weekday), day)
            merged = Timex(left.start, right.end, text[left.start:right.end], right.type, day.isoformat(), day, day,
                           "day")
        if merged is None:
            i += 1
            continue
        chosen[i:i + 2] = [merged]


_SINCE_BEFORE = re.compile(r"\bsince(?:\s+the)?\s*$", re.IGNORECASE)


def _resolve_shifts(text: str, chosen: list[Timex]) -> None:
    """Date "the following day" and "two days later" from the last day-precise date before them (after the
    dateline), "later that year" from the last date of any precision; with no such date the expression says
    nothing and is dropped."""
    filed = dateline_end(text)
    previous: Timex | None = None  # the last day-precise date
    period: Timex | None = None  # the last date of any precision
    earlier_period: Timex | None = None  # the one before it
    for timex in list(chosen):
        if timex.granularity == "time" and timex.start >= filed and previous is not None and \
                previous.begin is not None and timex.value[:10] != previous.value[:10]:
            # a clock time alone ("shot at 10 p.m.") is on the story's last day, not the publication day
            day = previous.begin
            timex.value, timex.begin, timex.last = f"{day.isoformat()}{timex.value[10:]}", day, day
        if timex.period_shift is not None:
            if period is not None and not text[period.end:timex.start].strip():
                period = earlier_period  # "March the following year": the year after the story's, not after March's
            if timex.granularity == "month" and period is not None and period.granularity not in {"month", "week",
                                                                                                  "day", "time"}:
                period = None  # "the following month" after a bare year says no month
            if period is None or period.begin is None:
                chosen.remove(timex)
                continue
            if timex.granularity == "year":
                year = period.begin.year + timex.period_shift
                timex.value, (timex.begin, timex.last) = str(year), _year_span(year)
            else:
                year, month = divmod(period.begin.year * 12 + period.begin.month - 1 + timex.period_shift, 12)
                timex.value = f"{year}-{month + 1:02d}"
                timex.begin, timex.last = _month_span(year, month + 1)
        if timex.start >= filed and timex.begin is not None and not timex.since:
            period, earlier_period = timex, period
        if timex.shift is not None:
            if previous is None or previous.begin is None:
                chosen.remove(timex)
                continue
            day = previous.begin + dt.timedelta(days=timex.shift)
            timex.begin = timex.last = day
            if timex.type != "DURATION":  # "three days later" keeps its value (P3D) and points to the day
                timex.value = day.isoformat()
        if timex.start >= filed and timex.granularity == "day" and timex.begin is not None and not timex.since:
            previous = timex


def _trim(text: str, start: int, end: int) -> tuple[int, int, str]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1] in " ," or (text[end - 1] == "." and not re.search(
            r"\b(?:[ap]\.m|[A-Za-z]{3,4})\.$", text[start:end]))):
        end -= 1
    return start, end, text[start:end]


# --- expressions and headlines in the parse -------------------------------------------------------------------


def timex_root(doc: Doc, timex: Timex) -> Token | None:
    """The syntactic head of a time expression in its parse (None when its characters lie outside every token)."""
    span = doc.char_span(timex.start, timex.end, alignment_mode="expand")
    return span.root if span is not None else None


_HEADLINE = re.compile(r"[^\n]{1,200}?(?<![.!?\"”:])[ \t]*\n[ \t]*\n")


def headline_end(text: str) -> int:
    """Where a headline that opens the text ends (0 when there is none): a first line without a full stop,
    followed by a blank line ("Apple releases iPhone SDK\n\nDuring a media event ...")."""
    match = _HEADLINE.match(text)
    return match.end() if match and match.group(0).strip() else 0
