"""The bigrams the index holds (crm_bigrams() in SQL) are those search looks up
(search.bigrams.bigrams in Python), for any text: otherwise a term would be looked up
under bigrams no row is indexed by, and found nowhere."""

import pytest
from django.db import connection

from core.folding import fold
from search.bigrams import FUNCTION, bigrams

TEXTS = ["港湾ターミナル", "ｶﾞｰﾅ 道路", "Tema Motorway", "a", "", "ab" * 5_000 + "港"]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="crm_bigrams() is PostgreSQL's")
@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_the_index_holds_the_bigrams_search_looks_up(text):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {FUNCTION}(%s)", [fold(text)])
        [indexed] = cursor.fetchone()
    assert sorted(indexed) == bigrams(text)
