"""Japanese conventions for figures: large yen amounts in 兆円 / 億円, and the era
year (令和元年) beside the Western one."""

import datetime
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import get_language, gettext, override

CHO = 10**12  # 兆
OKU = 10**8  # 億

# (first day, name): the eras of the modern calendar, newest first.
ERAS = (
    (datetime.date(2019, 5, 1), "令和"),
    (datetime.date(1989, 1, 8), "平成"),
    (datetime.date(1926, 12, 25), "昭和"),
    (datetime.date(1912, 7, 30), "大正"),
    (datetime.date(1868, 10, 23), "明治"),
)


def _rounded(value: Decimal) -> str:
    # One decimal at most, and none when it would be ".0": 23兆円, 1.5兆円.
    text = number_format(
        value.quantize(Decimal("0.1")), decimal_pos=1, use_l10n=True, force_grouping=True
    )
    return text[:-2] if text.endswith(("0", "０")) and text[-2] in ".," else text


def format_yen(amount: int | None, language: str | None = None) -> str:
    """¥23,000,000,000,000 as 「23兆円」 in Japanese and "¥23 trillion" in English;
    amounts under 1億 stay in full."""
    if amount is None:
        return ""
    language = language or get_language() or "ja"
    value = Decimal(amount)
    if language.startswith("ja"):
        if abs(amount) >= CHO:
            return f"{_rounded(value / CHO)}兆円"
        if abs(amount) >= OKU:
            return f"{_rounded(value / OKU)}億円"
        return f"{number_format(amount, force_grouping=True)}円"
    with override(language):
        for size, word in (
            (CHO, gettext("trillion")),
            (10**9, gettext("billion")),
            (10**6, gettext("million")),
        ):
            if abs(amount) >= size:
                return f"¥{_rounded(value / size)} {word}"
        return f"¥{number_format(amount, force_grouping=True)}"


def era_year(day: datetime.date) -> str:
    """「令和元年」 for 2019-05-01, 「平成31年」 for 2019-04-30: 元年 for the first year."""
    for first_day, name in ERAS:
        if day >= first_day:
            year = day.year - first_day.year + 1
            return f"{name}{'元' if year == 1 else year}年"
    return ""
