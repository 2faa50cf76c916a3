"""How a cell of the bureau's spreadsheets becomes a value: dates in the forms Japanese
offices write them (2019-08-29, 2019/8/29, 2019年8月29日, 令和元年8月29日, an Excel date
cell), numbers with full-width digits and 兆円 / 億円 amounts, countries as ISO codes or
names in English or Japanese, coded values by code or by label in either language.

Each parser raises ValueError with a message a person understands (in the active
language); the import names the row and the column."""

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import cache

from django.utils import translation
from django.utils.translation import gettext as _
from django_countries import countries

from core.folding import fold, name_key
from core.japanese import CHO, ERAS, OKU
from core.xlsx import FORMULA_PREFIXES

# Excel counts days from 1899-12-30 (its 1900 leap-year bug included).
EXCEL_EPOCH = datetime.date(1899, 12, 30)
LANGUAGES = ("ja", "en")


def text(value) -> str:
    """A cell as text: blank for an empty cell, trailing and leading spaces trimmed, a
    number as typed (a phone number read as 312345678, not 312345678.0). A leading
    apostrophe before = + - @ is the quote an export puts before a text a spreadsheet
    would take for a formula (core.api.export): the text is what follows it. A cell
    that starts with = is text, never evaluated."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        value = value.date()
    result = str(value).strip(" \u3000")
    if result.startswith("'") and result[1:2] and result[1:].startswith(FORMULA_PREFIXES):
        return result[1:]
    return result


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip(" \u3000\t\r\n"))


_ISO_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_KANJI_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_ERA_DATE = re.compile(
    r"^(令和|平成|昭和|大正|明治|[RHSTM])(元|\d{1,2})[年.](\d{1,2})[月.](\d{1,2})日?$"
)
_ERA_LETTERS = {"R": "令和", "H": "平成", "S": "昭和", "T": "大正", "M": "明治"}


def parse_date(value) -> datetime.date | None:
    """None for a blank cell; ValueError for what is not a date."""
    if is_blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # An Excel date cell read without its format: days since Excel's epoch.
        if 1 <= value < 2958466:
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise ValueError(_("“%(value)s” is not a date.") % {"value": value})
    raw = text(value)
    normalised = unicodedata.normalize("NFKC", raw).strip()
    try:
        if found := _ISO_DATE.match(normalised):
            year, month, day = (int(part) for part in found.groups())
            return datetime.date(year, month, day)
        normalised = normalised.replace(" ", "")
        if found := _KANJI_DATE.match(normalised):
            year, month, day = (int(part) for part in found.groups())
            return datetime.date(year, month, day)
        if found := _ERA_DATE.match(normalised.upper() if normalised[:1].isascii() else normalised):
            era, year, month, day = found.groups()
            era = _ERA_LETTERS.get(era, era)
            first_day = next(first for first, name in ERAS if name == era)
            year = 1 if year == "元" else int(year)
            result = datetime.date(first_day.year + year - 1, int(month), int(day))
            if result < first_day:
                raise ValueError
            return result
    except ValueError:
        pass
    raise ValueError(
        _(
            "“%(value)s” is not a date: write it as 2019-08-29, 2019/8/29, 2019年8月29日 or 令和元年8月29日."
        )
        % {"value": raw}
    )


_AMOUNT_PART = r"(\d+(?:\.\d+)?)(兆円|兆|億円|億|万円|万|円)"
_UNITS = {"兆円": CHO, "兆": CHO, "億円": OKU, "億": OKU, "万円": 10**4, "万": 10**4, "円": 1}


def parse_integer(value, *, amount: bool = False) -> int | None:
    """A whole number: full-width digits and thousands separators allowed; with
    `amount`, yen with ¥ and 兆円 / 億円 / 万円 (1.5兆円, 2兆3000億円). None when blank."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(_("“%(value)s” is not a number.") % {"value": value})
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(_("“%(value)s” is not a whole number.") % {"value": value})
    raw = text(value)
    normalised = unicodedata.normalize("NFKC", raw).replace(",", "").replace(" ", "")
    normalised = normalised.replace("¥", "").replace("\\", "")
    if amount and any(unit in normalised for unit in _UNITS):
        total, leftover = Decimal(0), normalised
        for number, unit in re.findall(_AMOUNT_PART, normalised):
            total += Decimal(number) * _UNITS[unit]
        leftover = re.sub(_AMOUNT_PART, "", normalised)
        if not leftover and total == total.to_integral_value():
            return int(total)
    else:
        try:
            number = Decimal(normalised)
        except InvalidOperation:
            number = None
        if number is not None and number.is_finite():
            if number != number.to_integral_value():
                raise ValueError(_("“%(value)s” is not a whole number.") % {"value": raw})
            return int(number)
    if amount:
        raise ValueError(
            _(
                "“%(value)s” is not an amount: write it in yen (23000000000000) or as 23兆円 or 1.5億円."
            )
            % {"value": raw}
        )
    raise ValueError(_("“%(value)s” is not a number.") % {"value": raw})


def labels_of(choices) -> dict[str, str]:
    """{folded code or label, in Japanese and in English: code} of a field's choices."""
    found = {}
    for code, label in choices:
        found[fold(str(code))] = code
        for language in LANGUAGES:
            with translation.override(language):
                found[name_key(str(label))] = code
    return found


def parse_choice(value, labels: dict[str, str], allowed_text) -> str:
    """A coded value given by code or label (大臣 or minister). Blank gives "".
    `allowed_text`, the labels the message names, may be a function giving them."""
    if is_blank(value):
        return ""
    raw = text(value)
    code = labels.get(name_key(raw))
    if code is None:
        if callable(allowed_text):
            allowed_text = allowed_text()
        raise ValueError(
            _("“%(value)s” is not one of: %(allowed)s.") % {"value": raw, "allowed": allowed_text}
        )
    return code


@cache
def _country_names() -> dict[str, str]:
    found = {}
    for language in LANGUAGES:
        with translation.override(language):
            for code, name in countries:
                found[name_key(str(name))] = code
    for code, _name in countries:
        found[fold(code)] = code
    # Names the bureau's sheets use beside the standard ones.
    for alias, code in (
        ("viet nam", "VN"),
        ("vietnam", "VN"),
        ("ベトナム", "VN"),
        ("usa", "US"),
        ("us", "US"),
        ("uk", "GB"),
        ("米国", "US"),
        ("英国", "GB"),
        ("韓国", "KR"),
        ("中国", "CN"),
        ("日本", "JP"),
        ("japan", "JP"),
    ):
        found.setdefault(alias, code)
    return found


def parse_country(value) -> str:
    """An ISO code (GH), or the name in English or Japanese (Ghana, ガーナ). Blank gives ""."""
    if is_blank(value):
        return ""
    raw = text(value)
    code = _country_names().get(name_key(raw))
    if code is None:
        raise ValueError(
            _("“%(value)s” is not a country: give its ISO code (GH) or its name (Ghana, ガーナ).")
            % {"value": raw}
        )
    return code


_SEPARATORS = re.compile(r"\s*[,;、，；\n]\s*")


def split_list(value) -> list[str]:
    """Items of a list cell: separated by commas, semicolons, 、 or line breaks."""
    if is_blank(value):
        return []
    return [item for item in _SEPARATORS.split(text(value)) if item]


def split_names(value, known) -> list[str]:
    """Names in a list cell whose names may themselves hold commas ("Ministry of Land,
    Infrastructure, Transport and Tourism"): pieces between commas are joined back
    while the joined text is a known name (`known(text) -> bool`), longest first."""
    if is_blank(value):
        return []
    pieces = [piece.strip() for piece in re.split(r"[,;、，；\n]", text(value))]
    pieces = [piece for piece in pieces if piece]
    names, start = [], 0
    while start < len(pieces):
        for end in range(len(pieces), start, -1):
            candidate = ", ".join(pieces[start:end])
            if end == start + 1 or known(candidate):
                names.append(candidate)
                start = end
                break
    return names
