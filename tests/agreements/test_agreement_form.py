"""The agreement form as staff fill it (issue 17, item 5): the signing meeting chosen by
date, country or mission, reading as a person names it, carrying the date and country
the form copies; the document's file name linked to the working download; the target
countries found by name."""

import datetime

import pytest
from django.urls import reverse

from missions.choices import LeaderRank
from tests import factories

AUTOCOMPLETE = reverse("admin:autocomplete")


@pytest.fixture
def ticad7(db):
    ishii = factories.PersonFactory(name="Ishii Keiichi", name_ja="石井啓一")
    mission = factories.MissionFactory(
        title="TICAD7",
        title_ja="TICAD7 第2回日-アフリカ官民インフラ会議",
        leader=ishii,
        start_date=datetime.date(2019, 8, 28),
    )
    ghana = factories.MeetingFactory(
        mission=mission,
        date=datetime.date(2019, 8, 29),
        counterpart_country="GH",
        principal=ishii,
        principal_rank=LeaderRank.MINISTER,
    )
    tunisia = factories.MeetingFactory(
        mission=mission,
        date=datetime.date(2019, 8, 30),
        counterpart_country="TN",
        principal=ishii,
        principal_rank=LeaderRank.MINISTER,
    )
    other = factories.MeetingFactory(
        mission=factories.MissionFactory(title="Viet Nam visit", title_ja="ベトナム訪問"),
        counterpart_country="VN",
    )
    return ghana, tunisia, other


def _search(client, term):
    response = client.get(
        AUTOCOMPLETE,
        {
            "app_label": "agreements",
            "model_name": "agreement",
            "field_name": "signed_at_meeting",
            "term": term,
        },
    )
    assert response.status_code == 200
    return response.json()["results"]


def test_the_signing_meeting_reads_as_a_person_names_it(data_entry_client, ticad7):
    ghana, _tunisia, _other = ticad7
    [result] = _search(data_entry_client, "ガーナ")
    assert result == {
        "id": str(ghana.pk),
        "text": "2019年8月29日 ガーナ — TICAD7 第2回日-アフリカ官民インフラ会議 (石井啓一 大臣)",
        "date": "2019/08/29",
        "country": "GH",
    }


@pytest.mark.parametrize(
    ("term", "countries"),
    [
        ("令和元年8月29日", ["GH"]),
        ("2019/8/30", ["TN"]),
        ("Ghana", ["GH"]),
        ("チュニジア", ["TN"]),
        ("TICAD7", ["GH", "TN"]),
        ("ベトナム訪問", ["VN"]),
        ("TICAD7 2019/8/30", ["TN"]),
    ],
)
def test_the_signing_meeting_is_found_by_date_country_or_mission(
    data_entry_client, ticad7, term, countries
):
    found = sorted(result["country"] for result in _search(data_entry_client, term))
    assert found == countries


def test_the_chosen_meeting_reads_the_same_on_the_form(data_entry_client, ticad7):
    ghana, _tunisia, _other = ticad7
    agreement = factories.AgreementFactory(signed_at_meeting=ghana, counterpart_country="GH")
    page = data_entry_client.get(reverse("admin:agreements_agreement_change", args=[agreement.pk]))
    assert (
        "2019年8月29日 ガーナ — TICAD7 第2回日-アフリカ官民インフラ会議 (石井啓一 大臣)"
        in page.text
    )
    # The form's script copies the meeting's date and country (core/agreement_form.js).
    assert "core/agreement_form.js" in page.text


def test_the_document_links_its_file_name_to_the_download(data_entry_client):
    document = factories.AgreementDocumentFactory()
    page = data_entry_client.get(
        reverse("admin:agreements_agreement_change", args=[document.agreement.pk])
    )
    download = reverse("agreements:document-download", args=[document.pk])
    name = document.file.name.rsplit("/", 1)[-1]
    assert f'<a href="{download}">{name}</a>' in page.text
    assert "/media/" not in page.text
    assert data_entry_client.get(download).status_code == 200


@pytest.mark.django_db
def test_the_target_countries_are_found_by_name(data_entry_client):
    page = data_entry_client.get(reverse("admin:agreements_agreement_add")).text
    box = page.split('name="target_countries"', 1)[1].split(">", 1)[0]
    assert "data-choose-countries" in box
    assert "admin/js/vendor/select2/select2" in page
