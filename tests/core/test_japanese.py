import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from core.japanese import era_year, format_yen


@pytest.mark.parametrize(
    "amount,japanese,english",
    [
        (23 * 10**12, "23兆円", "¥23 trillion"),
        (10 * 10**12, "10兆円", "¥10 trillion"),
        (1_500_000_000_000, "1.5兆円", "¥1.5 trillion"),
        (120_000_000_000, "1,200億円", "¥120 billion"),
        (250_000_000, "2.5億円", "¥250 million"),
        (5_000_000, "5,000,000円", "¥5 million"),
        (950, "950円", "¥950"),
    ],
)
def test_yen_in_both_languages(amount, japanese, english):
    assert format_yen(amount, "ja") == japanese
    assert format_yen(amount, "en") == english


def test_yen_follows_the_active_language_in_templates():
    template = Template("{% load japanese %}{{ amount|yen }}")
    with translation.override("ja"):
        assert template.render(Context({"amount": 30 * 10**12})) == "30兆円"
    with translation.override("en"):
        assert template.render(Context({"amount": 30 * 10**12})) == "¥30 trillion"


@pytest.mark.parametrize(
    "day,expected",
    [
        (datetime.date(2019, 4, 30), "平成31年"),
        (datetime.date(2019, 5, 1), "令和元年"),
        (datetime.date(2019, 8, 28), "令和元年"),
        (datetime.date(2020, 1, 1), "令和2年"),
        (datetime.date(1989, 1, 7), "昭和64年"),
        (datetime.date(1989, 1, 8), "平成元年"),
    ],
)
def test_era_year(day, expected):
    assert era_year(day) == expected
