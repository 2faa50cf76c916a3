"""The admin's index and menu (issue 17, item 2): groups in Japanese, the business
records first in the order of the work, administration last."""

import pytest
from django.contrib.auth import get_user_model

BUSINESS = [
    "トップセールス",
    "協定・覚書",
    "案件",
    "関係者・機関",
    "フォローアップ",
    "メモ",
    "共通語彙",
]


@pytest.fixture
def superuser_client(client, db):
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.com", "x"))
    return client


def _groups(response):
    return [
        (str(app["name"]), [str(model["name"]) for model in app["models"]])
        for app in response.context["app_list"]
    ]


def test_the_business_records_come_first_and_administration_last(superuser_client):
    groups = _groups(superuser_client.get("/admin/"))
    names = [name for name, _models in groups]
    assert names[: len(BUSINESS)] == BUSINESS
    assert names[len(BUSINESS) :] == [
        "アカウント",
        "認証と認可",
        "外部システム連携",
        "ログイン記録",
        "閲覧記録",
        "エクスポート",
        "取込み",
        "検索",
    ]
    models = dict(groups)
    assert models["トップセールス"] == ["ミッション", "会談"]
    assert models["案件"][0] == "案件"
    assert models["関係者・機関"] == ["機関", "人物", "役職"]
    assert models["アカウント"] == ["ユーザー", "APIトークン"]


def test_every_group_reads_in_japanese(superuser_client):
    page = superuser_client.get("/admin/")
    for name, _models in _groups(page):
        assert not name.isascii(), name
    assert "Axes" not in page.text and "Webhooks" not in page.text


def test_the_menu_beside_a_record_follows_the_same_order(superuser_client):
    page = superuser_client.get("/admin/missions/mission/add/")
    names = [str(app["name"]) for app in page.context["available_apps"]]
    assert names[: len(BUSINESS)] == BUSINESS
    assert names[-1] == "検索"


def test_a_data_entry_user_sees_only_the_business_records(data_entry_client):
    names = [name for name, _models in _groups(data_entry_client.get("/admin/"))]
    assert names[: len(BUSINESS)] == BUSINESS


def test_in_english_the_groups_read_in_english(superuser_client):
    superuser_client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    names = [name for name, _models in _groups(superuser_client.get("/admin/"))]
    assert names[:2] == ["Top sales", "Agreements"]
    assert "Login records" in names
