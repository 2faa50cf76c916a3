"""Sectors in one order everywhere (issue 17, item 4): the vocabulary's (core.sectors),
その他 last, in the admin's check boxes, the analysts' filters and the API."""

import re

import pytest
from django.urls import reverse

from core.models import Sector
from core.sectors import SectorCode
from tests import factories

VOCABULARY = list(SectorCode.values)
JAPANESE = [
    "鉄道",
    "道路",
    "港湾",
    "空港",
    "水資源・河川",
    "下水道",
    "都市開発・不動産",
    "防災",
    "スマートシティ",
    "物流",
    "その他",
]


def test_the_vocabulary_ends_with_other():
    assert VOCABULARY[-1] == SectorCode.OTHER
    assert [str(label) for label in SectorCode.labels] == JAPANESE


@pytest.mark.django_db
def test_the_sector_rows_come_in_the_vocabularys_order():
    assert list(Sector.objects.values_list("code", flat=True)) == VOCABULARY


@pytest.mark.django_db
@pytest.mark.parametrize(
    "address", ["admin:missions_mission_add", "admin:agreements_agreement_add"]
)
def test_the_admins_check_boxes(data_entry_client, address):
    page = data_entry_client.get(reverse(address)).text
    ticked = re.findall(r'name="sectors" value="([a-z_]+)"', page)
    assert ticked == VOCABULARY


@pytest.mark.django_db
def test_the_analysts_filter(analyst_client):
    page = analyst_client.get(reverse("reports:mission-list")).text
    form = page.split('name="sector"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'value="([a-z_]+)"', form) == VOCABULARY


@pytest.mark.django_db
def test_the_apis_labels(api):
    mission = factories.MissionFactory()
    mission.sectors.set(["other", "logistics", "port", "railway"])
    body = api.get(f"/api/v1/missions/{mission.pk}/", HTTP_ACCEPT_LANGUAGE="ja").json()
    assert body["sectors"] == ["railway", "port", "logistics", "other"]
    assert body["sectors_labels"] == ["鉄道", "港湾", "物流", "その他"]
