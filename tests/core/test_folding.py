"""Names compared as a Japanese reader compares them (core.folding): one definition,
the same text from Python, from SQLite's registered function and from PostgreSQL's
expression, so that a search, a uniqueness rule and a duplicate check agree."""

import pytest
from django.db import connection
from django.db.models import F, Value

from contacts.models import Person
from core.folding import SIMILARITY_THRESHOLD, Folded, fold, name_key, similarity, trigrams
from tests import factories

ON_POSTGRESQL = connection.vendor == "postgresql"

SAMPLES = [
    "ｶﾞｰﾅ",
    "ガーナ",
    "ＧＨＡＮＡ",
    "Ghana",
    "ｸﾞﾗﾝﾄﾞ ﾎﾃﾙ",
    "İstanbul",
    "ΟΔΥΣΣΕΥΣ",
    "Côte d'Ivoire",
    "㈱日立製作所",
    "Ⅲ期",
    "石井　啓一",
    "Straße",
    "①②",
]


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("ｶﾞｰﾅ", "ガーナ"),  # half-width katakana, voiced mark joined
        ("ＧＨＡＮＡ", "ghana"),  # full-width Latin
        ("GHANA", "ghana"),
        ("Côte d'Ivoire", "côte d'ivoire"),
        ("㈱日立", "(株)日立"),  # compatibility characters spelt out
        ("石井　啓一", "石井 啓一"),  # the ideographic space is a space
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_name_key_evens_out_spaces():
    assert name_key("  ＩＳＨＩＩ　 Keiichi ") == "ishii keiichi"
    assert name_key("Ministry of  Roads") == name_key("MINISTRY OF ROADS")


@pytest.mark.django_db
def test_the_database_folds_as_python_does():
    """The SQL of `__folded` (crm_fold() on SQLite, NFKC and ICU's lower case on
    PostgreSQL) gives fold()'s text for every sample, column and parameter alike."""
    for text in SAMPLES:
        factories.PersonFactory(name=text)
    folded = dict(Person.objects.annotate(folded=Folded(F("name"))).values_list("name", "folded"))
    assert folded == {text: fold(text) for text in SAMPLES}
    for text in SAMPLES:
        value = Person.objects.annotate(folded=Folded(Value(text))).values_list("folded", flat=True)
        assert value.first() == fold(text), text


@pytest.mark.django_db
def test_folded_contains_reads_text_as_a_reader_does():
    ghana = factories.PersonFactory(name="GHANA Roads", name_ja="ガーナ道路")
    factories.PersonFactory(name="Kenya", name_ja="ケニア")

    def found(**lookup):
        return list(Person.objects.filter(**lookup).values_list("pk", flat=True))

    for term in ("ghana", "ＧＨＡＮＡ", "Ghana", "gHaNa"):
        assert found(name__folded__contains=term) == [ghana.pk], term
    for term in ("ｶﾞｰﾅ", "ガーナ"):
        assert found(name_ja__folded__contains=term) == [ghana.pk], term
    # The term is data, not a pattern, even once folded: full-width ％ and ＿ are NFKC's
    # % and _, which match themselves only.
    assert found(name__folded__contains="％") == []
    assert found(name__folded__contains="ＧＨ＿ＮＡ") == []


# -- similarity ---------------------------------------------------------------------------

PAIRS = [
    ("ISHII Keiichi", "Ishii Keiichi"),
    ("ISHII Keiichi", "Keiichi ISHII"),
    ("ISHII Keiichi", "ISHII Keichi"),
    ("ISHII Keiichi", "ISHII Kenji"),
    ("石井啓一", "石井 啓一"),
    ("石井啓一", "阿達雅志"),
    ("Ministry of Roads and Highways", "Ministry of Transport"),
    ("Ministry of Transport", "Ministry of Foreign Affairs"),
    ("ガーナ道路高速道省", "ｶﾞｰﾅ道路高速道省"),
    ("a", "b"),
    ("", "JICA"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("left", "right"), PAIRS)
def test_python_similarity_is_pg_trgm_similarity(left, right):
    """The fallback off PostgreSQL measures what pg_trgm measures on it."""
    ours = similarity(trigrams(fold(left)), trigrams(fold(right)))
    if not ON_POSTGRESQL:
        assert 0 <= ours <= 1
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT similarity(%s, %s), %s %% %s", [fold(left), fold(right)] * 2)
        theirs, similar = cursor.fetchone()
    assert ours == pytest.approx(theirs, abs=1e-6)
    assert (ours >= SIMILARITY_THRESHOLD) == similar


def test_similarity_examples():
    def score(left, right):
        return similarity(trigrams(fold(left)), trigrams(fold(right)))

    assert score("ISHII Keiichi", "ｉｓｈｉｉ ｋｅｉｉｃｈｉ") == 1
    assert score("ISHII Keiichi", "Keiichi Ishii") == 1  # word order does not matter
    assert score("ISHII Keiichi", "ISHII Keichi") >= SIMILARITY_THRESHOLD  # a typing slip
    assert score("石井啓一", "石井 啓一") >= SIMILARITY_THRESHOLD
    assert score("石井啓一", "阿達雅志") == 0
    assert score("", "JICA") == 0
