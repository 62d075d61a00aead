"""Dates as the site shows them, parsed into ISO 8601.

Why our own parser: dateparser reads '02.12.2015' month-first unless told otherwise, and
Arabic-Indic digits ('٠٢.١٢.٢٠١٥') defeat dateparser, htmldate and trafilatura alike
(see issue 2, "What the anchors teach"). The site writes day-first everywhere.

Digits and letter variants are folded only in a private matching copy; the page text
itself is never changed.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

#: The site's own zone (Moscow, no DST since 2014): used when a time is shown without a zone.
SITE_TZ = timezone(timedelta(hours=3))

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# alef/yeh/teh-marbuta variants, tatweel and harakat folded only for matching month names
_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ـ": None, "٫": ".", "٬": ","})
_HARAKAT = re.compile("[\u064b-\u065f\u0670]")

# month names as written across the Arab world (Egypt/Gulf, Levant/Iraq, Maghreb), folded as above
_MONTH_NAMES: dict[str, int] = {
    "يناير": 1, "كانون الثاني": 1, "جانفي": 1,
    "فبراير": 2, "شباط": 2, "فيفري": 2,
    "مارس": 3, "اذار": 3,
    "ابريل": 4, "نيسان": 4, "افريل": 4,
    "مايو": 5, "ايار": 5, "ماي": 5,
    "يونيو": 6, "يونيه": 6, "حزيران": 6, "جوان": 6,
    "يوليو": 7, "يوليه": 7, "تموز": 7, "جويلية": 7,
    "اغسطس": 8, "اب": 8, "اوت": 8,
    "سبتمبر": 9, "ايلول": 9,
    "اكتوبر": 10, "تشرين الاول": 10,
    "نوفمبر": 11, "تشرين الثاني": 11,
    "ديسمبر": 12, "كانون الاول": 12,
}  # fmt: skip
# longest first so 'كانون الثاني' wins over a shorter prefix and 'ماي' does not eat 'مايو'
_MONTH_ALT = "|".join(sorted((re.escape(m) for m in _MONTH_NAMES), key=len, reverse=True))

_TIME = (
    r"(?:\D{0,12}?(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?"
    r"\s*(?P<ampm>صباحا|مساء|ص|م)?(?![\u0621-\u064a])"
    r"\s*(?P<zone>GMT|UTC|بتوقيت غرينتش|بتوقيت جرينتش|ت\.غ)?)?"
)
_NUMERIC = re.compile(r"(?<!\d)(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<y>\d{4})(?!\d)" + _TIME)
_ISO = re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?:[T ](?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?")
_NAMED = re.compile(
    r"(?<!\d)(?P<d>\d{1,2})\s*(?P<month>" + _MONTH_ALT + r")(?![\u0621-\u064a])(?:\s*/\s*(?:" + _MONTH_ALT + r"))?[\s,،]*(?P<y>\d{4})(?!\d)" + _TIME
)  # fmt: skip
_UTC_ZONES = frozenset({"GMT", "UTC", "بتوقيت غرينتش", "بتوقيت جرينتش", "ت.غ"})
_PM = frozenset({"م", "مساء"})
_AM = frozenset({"ص", "صباحا"})


def matching_copy(text: str) -> str:
    """The text with digits as ASCII and letter variants folded; for matching only, never stored."""
    if text.isascii():  # every table and pattern here maps non-ASCII characters only
        return text
    return _HARAKAT.sub("", text.translate(_DIGITS).translate(_LETTERS))


def _build(m: re.Match[str], month: int) -> datetime | date | None:
    try:
        day = date(int(m["y"]), month, int(m["d"]))
    except ValueError:
        return None
    if m["h"] is None:
        return day
    tz = UTC if m["zone"] in _UTC_ZONES else SITE_TZ
    hour = int(m["h"])
    if m["ampm"] in _PM and hour < 12:
        hour += 12
    elif m["ampm"] in _AM and hour == 12:
        hour = 0
    try:
        return datetime(day.year, day.month, day.day, hour, int(m["mi"]), int(m["s"] or 0), tzinfo=tz)
    except ValueError:
        return day


def parse_iso(text: str | None) -> datetime | date | None:
    """An ISO 8601 date or datetime (naive times are taken as the site's zone)."""
    if not text:
        return None
    m = _ISO.search(matching_copy(text))
    if not m:
        return None
    try:
        day = date(int(m["y"]), int(m["m"]), int(m["d"]))
        if m["h"] is None:
            return day
        tz = SITE_TZ
        if m["tz"]:
            tz_text = m["tz"]
            if tz_text == "Z":
                tz = UTC
            else:
                sign = -1 if tz_text[0] == "-" else 1
                digits = tz_text[1:].replace(":", "")
                tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        return datetime(day.year, day.month, day.day, int(m["h"]), int(m["mi"]), int(m["s"] or 0), tzinfo=tz)
    except ValueError:
        return None


def parse_date(text: str | None) -> datetime | date | None:
    """A date the site shows: ISO, 'dd.mm.yyyy | HH:MM GMT' (day first), or 'الأربعاء 02 ديسمبر 2015'.

    Returns an aware datetime when a time is shown, a date when only the day is, else None.
    """
    if not text:
        return None
    folded = matching_copy(text)
    if _ISO.search(folded):
        return parse_iso(folded)
    m = _NUMERIC.search(folded)
    if m:
        return _build(m, int(m["m"]))
    m = _NAMED.search(folded)
    if m:
        return _build(m, _MONTH_NAMES[m["month"]])
    return None


def to_iso(value: datetime | date | None) -> str | None:
    """ISO 8601 text, always with an offset (the item contract).

    A bare day (the page shows no time) becomes midnight in the site's zone: RT Arabic dates are
    Moscow time, so 'الأربعاء ٠٢ ديسمبر ٢٠١٥' is '2015-12-02T00:00:00+03:00'. A naive time is site time too.
    """
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=SITE_TZ)
    return value.isoformat()
