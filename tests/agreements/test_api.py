"""The agreements API: CRUD through agreement_save, every model rule refused as a 400,
documents uploaded and downloaded through the permission-checked view, filters,
exports and a fixed number of queries per list."""

import datetime

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from agreements.choices import AgreementKind, AgreementStatus, Renewal
from agreements.models import Agreement, AgreementDocument
from contacts.choices import OrganizationKind
from core.models import Sector
from core.sectors import SectorCode
from tests.api import assert_bad_parameter, client_for, count_list_queries, csv_rows, ids, xlsx_rows
from tests.factories import (
    MINIMAL_PDF,
    AgreementDocumentFactory,
    AgreementFactory,
    MeetingFactory,
    OrganizationFactory,
    PersonFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Queries of the list itself (see count_list_queries): count, page (with signatory,
# signer, meeting, supersedes and superseded_by joined), then one prefetch each for
# organisations, sectors, projects, documents and tags.
AGREEMENT_LIST_QUERIES = 7
# Count, page (with the agreement joined).
DOCUMENT_LIST_QUERIES = 2

SIGNED = datetime.date(2018, 5, 2)
LIST = reverse("api:agreement-list")
DOCUMENTS = reverse("api:agreementdocument-list")


def detail(agreement):
    return reverse("api:agreement-detail", args=[agreement.pk])


def document_detail(document):
    return reverse("api:agreementdocument-detail", args=[document.pk])


@pytest.fixture
def mlit():
    return OrganizationFactory(
        name=settings.MLIT_ORGANIZATION_NAME,
        name_ja="国土交通省",
        kind=OrganizationKind.JAPANESE_GOVERNMENT,
        country="JP",
    )


def signed(**kwargs):
    return AgreementFactory(**{"status": AgreementStatus.SIGNED, "signed_on": SIGNED, **kwargs})


# -- CRUD ----------------------------------------------------------------------------


def test_create_reads_back_every_field_and_defaults_the_signatory_to_mlit(api, mlit):
    ministry = OrganizationFactory(country="VN")
    minister = PersonFactory()
    project = ProjectFactory()
    meeting = MeetingFactory(counterpart_country="VN", date=datetime.date(2018, 5, 2))
    response = api.post(
        LIST,
        {
            "title": "MoC on urban railways",
            "title_ja": "都市鉄道に関する協力覚書",
            "kind": "moc",
            "signed_by": minister.pk,
            "counterpart_country": "VN",
            "counterpart_organizations": [ministry.pk],
            "target_countries": ["LA", "KH"],
            "sectors": ["railway", "urban_development"],
            "scope": "Urban railway development in Hanoi",
            "status": "in_force",
            "signed_on": "2018-05-02",
            "effective_on": "2018-05-02",
            "expires_on": "2023-05-01",
            "renewal": "automatic",
            "signed_at_meeting": meeting.pk,
            "projects": [project.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    agreement = Agreement.objects.get(pk=body["id"])
    assert body["url"] == f"http://testserver{detail(agreement)}"
    assert body["japanese_signatory"] == {
        "id": mlit.pk,
        "url": f"http://testserver{reverse('api:organization-detail', args=[mlit.pk])}",
        "display": settings.MLIT_ORGANIZATION_NAME,
    }
    assert body["signed_by"]["id"] == minister.pk
    assert body["kind_label"] == "Memorandum of Cooperation"
    assert (body["status"], body["status_label"]) == ("in_force", "In force")
    assert body["renewal_label"] == "Automatic renewal"
    assert body["counterpart_country"] == "VN"
    assert body["counterpart_country_name"] == "Vietnam"
    assert body["counterpart_country_region"] == "southeast_asia"
    # Several codes carry their labels, names and regions in the same order.
    assert body["target_countries"] == ["KH", "LA"]
    assert body["target_countries_names"] == ["Cambodia", "Laos"]
    assert body["target_countries_regions"] == ["southeast_asia", "southeast_asia"]
    assert body["sectors"] == ["railway", "urban_development"]
    assert body["sectors_labels"] == ["Railway", "Urban development and real estate"]
    assert [o["id"] for o in body["counterpart_organizations"]] == [ministry.pk]
    assert [p["id"] for p in body["projects"]] == [project.pk]
    assert body["signed_at_meeting"]["id"] == meeting.pk
    assert body["supersedes"] is None
    assert body["superseded_by"] is None
    assert body["documents"] == []
    assert (body["signed_on"], body["effective_on"], body["expires_on"]) == (
        "2018-05-02",
        "2018-05-02",
        "2023-05-01",
    )
    assert agreement.japanese_signatory == mlit
    assert sorted(country.code for country in agreement.target_countries) == ["KH", "LA"]
    assert set(agreement.sectors.values_list("code", flat=True)) == {
        "railway",
        "urban_development",
    }


def test_create_with_another_signatory_needs_no_mlit(api):
    jica = OrganizationFactory(kind=OrganizationKind.JAPANESE_PUBLIC_BODY, country="JP")
    response = api.post(
        LIST,
        {"title": "LoI", "kind": "loi", "counterpart_country": "IN", "japanese_signatory": jica.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["japanese_signatory"]["id"] == jica.pk


def test_create_without_mlit_in_the_directory_is_a_clear_400(api):
    response = api.post(
        LIST, {"title": "MoC", "kind": "moc", "counterpart_country": "VN"}, format="json"
    )
    assert response.status_code == 400
    [message] = response.json()["japanese_signatory"]
    assert settings.MLIT_ORGANIZATION_NAME in message
    assert not Agreement.objects.exists()


def test_the_missing_mlit_message_reads_in_japanese(data_entry_user):
    client = client_for(data_entry_user, language="ja")
    response = client.post(
        LIST, {"title": "MoC", "kind": "moc", "counterpart_country": "VN"}, format="json"
    )
    assert response.status_code == 400
    assert "日本側署名機関" in response.json()["japanese_signatory"][0]


def test_retrieve_update_and_delete(api, mlit, administrator_user):
    agreement = AgreementFactory(japanese_signatory=mlit, counterpart_country="TH")
    response = api.get(detail(agreement))
    assert response.status_code == 200
    assert response["ETag"]
    assert response.json()["title"] == agreement.title

    response = api.patch(
        detail(agreement),
        {"status": "signed", "signed_on": "2019-01-10", "sectors": ["port"]},
        format="json",
        HTTP_IF_MATCH=response["ETag"],
    )
    assert response.status_code == 200, response.content
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED
    assert agreement.signed_on == datetime.date(2019, 1, 10)
    assert list(agreement.sectors.values_list("code", flat=True)) == ["port"]

    response = api.put(
        detail(agreement),
        {
            "title": "Renamed",
            "kind": "mou",
            "counterpart_country": "TH",
            "status": "signed",
            "signed_on": "2019-01-10",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    agreement.refresh_from_db()
    assert (agreement.title, agreement.kind) == ("Renamed", AgreementKind.MOU)
    assert agreement.japanese_signatory == mlit  # kept when not given

    # Data entry staff correct agreements but never delete them.
    assert api.delete(detail(agreement)).status_code == 403
    assert client_for(administrator_user).delete(detail(agreement)).status_code == 204
    assert not Agreement.objects.filter(pk=agreement.pk).exists()


def test_an_analyst_reads_but_does_not_write(analyst_api):
    agreement = AgreementFactory()
    assert analyst_api.get(detail(agreement)).status_code == 200
    assert analyst_api.patch(detail(agreement), {"title": "x"}, format="json").status_code == 403


def test_nobody_without_a_role_or_login_reads():
    agreement = AgreementFactory()
    assert client_for().get(detail(agreement)).status_code in (401, 403)
    assert client_for(UserFactory()).get(detail(agreement)).status_code == 403


# -- rules -----------------------------------------------------------------------------


def _payload(**values):
    return {"title": "MoC", "kind": "moc", "counterpart_country": "VN", **values}


RULES = [
    pytest.param(
        _payload(status="signed"),
        "non_field_errors",
        "An agreement with this status needs its signing date.",
        id="signed-without-signed_on",
    ),
    pytest.param(
        _payload(status="signed", signed_on="2018-05-02", effective_on="2018-05-01"),
        "non_field_errors",
        "An agreement cannot take effect before it is signed.",
        id="effective-before-signed",
    ),
    pytest.param(
        _payload(
            status="signed",
            signed_on="2018-05-02",
            effective_on="2018-06-01",
            expires_on="2018-05-20",
        ),
        "non_field_errors",
        "An agreement must expire after it takes effect.",
        id="expires-before-effective",
    ),
    pytest.param(
        _payload(status="signed", signed_on="2018-05-02", expires_on="2018-05-02"),
        "non_field_errors",
        "An agreement must expire after it is signed.",
        id="expires-on-signing-day",
    ),
    pytest.param(
        _payload(counterpart_country="JP"),
        "non_field_errors",
        "Japan cannot be the counterpart country.",
        id="counterpart-japan",
    ),
    pytest.param(
        _payload(counterpart_country="XX"),
        "counterpart_country",
        '"XX" is not a valid choice.',
        id="unknown-country",
    ),
    pytest.param(
        _payload(sectors=["space"]),
        "sectors",
        '"space" is not a valid choice.',
        id="unknown-sector",
    ),
]


@pytest.mark.parametrize(("payload", "field", "message"), RULES)
def test_every_rule_is_refused_with_the_models_message_and_nothing_is_saved(
    api, mlit, payload, field, message
):
    response = api.post(LIST, payload, format="json")
    assert response.status_code == 400, response.content
    assert message in response.json()[field], response.json()
    assert not Agreement.objects.exists()


def test_an_unsigned_agreement_cannot_be_superseded(api, mlit):
    earlier = AgreementFactory(status=AgreementStatus.NEGOTIATING, counterpart_country="VN")
    response = api.post(LIST, _payload(supersedes=earlier.pk), format="json")
    assert response.status_code == 400
    assert response.json()["supersedes"] == ["Only a signed agreement can be superseded."]
    assert Agreement.objects.count() == 1
    earlier.refresh_from_db()
    assert earlier.status == AgreementStatus.NEGOTIATING


def test_an_agreement_cannot_supersede_itself(api):
    agreement = signed(counterpart_country="VN")
    response = api.patch(detail(agreement), {"supersedes": agreement.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["An agreement cannot supersede itself."]
    agreement.refresh_from_db()
    assert (agreement.supersedes_id, agreement.status) == (None, AgreementStatus.SIGNED)


def test_an_agreement_supersedes_only_one_with_the_same_counterpart(api, mlit):
    earlier = signed(counterpart_country="GH")
    response = api.post(
        LIST,
        _payload(counterpart_country="KE", supersedes=earlier.pk),
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["supersedes"] == [
        "An agreement can only supersede one with the same counterpart country."
    ]


def test_a_rule_refused_in_japanese(data_entry_user, mlit):
    client = client_for(data_entry_user, language="ja")
    response = client.post(LIST, _payload(counterpart_country="JP"), format="json")
    assert response.status_code == 400
    with translation.override("ja"):
        expected = str(Agreement._meta.constraints[4].violation_error_message)
    assert response.json()["non_field_errors"] == [expected]
    assert expected != "Japan cannot be the counterpart country."


def test_superseding_through_the_api_marks_the_earlier_agreement(api, mlit):
    earlier = signed(
        counterpart_country="VN", status=AgreementStatus.IN_FORCE, japanese_signatory=mlit
    )
    response = api.post(
        LIST,
        _payload(status="signed", signed_on="2023-05-02", supersedes=earlier.pk),
        format="json",
    )
    assert response.status_code == 201, response.content
    later_id = response.json()["id"]
    assert response.json()["supersedes"]["id"] == earlier.pk

    earlier.refresh_from_db()
    assert earlier.status == AgreementStatus.SUPERSEDED
    body = api.get(detail(earlier)).json()
    assert body["status"] == "superseded"
    assert body["superseded_by"]["id"] == later_id

    # The earlier one stays superseded while the later one points at it.
    response = api.patch(detail(earlier), {"status": "in_force"}, format="json")
    assert response.status_code == 400
    assert response.json()["status"] == [
        "Another agreement supersedes this one, so its status must be “superseded”."
    ]

    # Nor can it supersede the later one in return: a 400, and nothing changes.
    response = api.patch(detail(earlier), {"supersedes": later_id}, format="json")
    assert response.status_code == 400
    assert "cannot each supersede the other" in response.json()["supersedes"][0]
    earlier.refresh_from_db()
    assert earlier.supersedes_id is None
    assert Agreement.objects.get(pk=later_id).status == AgreementStatus.SIGNED

    # Unlinking puts it back in force (agreement_save).
    later = Agreement.objects.get(pk=later_id)
    assert api.patch(detail(later), {"supersedes": None}, format="json").status_code == 200
    earlier.refresh_from_db()
    assert earlier.status == AgreementStatus.IN_FORCE


def test_a_stale_if_match_is_refused(api):
    agreement = AgreementFactory()
    etag = api.get(detail(agreement))["ETag"]
    assert api.patch(detail(agreement), {"scope": "a"}, format="json").status_code == 200
    response = api.patch(detail(agreement), {"scope": "b"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    agreement.refresh_from_db()
    assert agreement.scope == "a"


# -- documents -------------------------------------------------------------------------


def _upload(client, agreement, **values):
    return client.post(
        DOCUMENTS,
        {
            "agreement": getattr(agreement, "pk", agreement),
            "file": SimpleUploadedFile("moc-signed.pdf", MINIMAL_PDF, "application/pdf"),
            "language": "en",
            "description": "Signed English text",
            **values,
        },
        format="multipart",
    )


def test_document_upload_and_download_for_a_viewer(api, analyst_api, analyst_user):
    agreement = AgreementFactory()
    response = _upload(api, agreement)
    assert response.status_code == 201, response.content
    body = response.json()
    document = AgreementDocument.objects.get(pk=body["id"])
    download = reverse("agreements:document-download", args=[document.pk])
    assert body["download_url"] == f"http://testserver{download}"
    assert body["agreement"]["id"] == agreement.pk
    assert body["file_name"] == "moc-signed.pdf"
    assert (body["language"], body["language_label"]) == ("en", "English")
    assert "file" not in body
    assert settings.MEDIA_URL not in response.content.decode()
    assert document.file.name.startswith(f"agreements/{agreement.pk}/")

    # The agreement lists it, briefly.
    documents = analyst_api.get(detail(agreement)).json()["documents"]
    assert documents == [
        {
            "id": document.pk,
            "url": f"http://testserver{document_detail(document)}",
            "display": "Signed English text",
        }
    ]

    # An analyst (who may view agreements), signed in, downloads it.
    response = client_for(analyst_user, session=True).get(body["download_url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == MINIMAL_PDF


def test_a_document_is_not_reachable_without_login(api):
    document = AgreementDocumentFactory()
    anonymous = client_for()
    response = anonymous.get(reverse("agreements:document-download", args=[document.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))
    # Nor by the storage path: MEDIA_URL is not served.
    assert anonymous.get(f"{settings.MEDIA_URL}{document.file.name}").status_code == 404
    assert anonymous.get(document_detail(document)).status_code in (401, 403)
    # Signed in without a role: refused too.
    no_role = client_for(UserFactory(), session=True)
    assert (
        no_role.get(reverse("agreements:document-download", args=[document.pk])).status_code == 403
    )


def test_document_change_and_delete(api):
    document = AgreementDocumentFactory(description="Draft")
    response = api.patch(
        document_detail(document), {"description": "Final", "language": "ja"}, format="multipart"
    )
    assert response.status_code == 200, response.content
    document.refresh_from_db()
    assert (document.description, document.language) == ("Final", "ja")
    # A new file replaces the old one.
    response = api.patch(
        document_detail(document),
        {"file": SimpleUploadedFile("v2.pdf", MINIMAL_PDF)},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert response.json()["file_name"] == "v2.pdf"
    # Data entry may delete a document (only agreements themselves stay undeletable).
    assert api.delete(document_detail(document)).status_code == 204
    assert not AgreementDocument.objects.exists()


def test_documents_are_written_as_multipart_only(api):
    """One way to send a document, as the schema says: a generated client has no JSON or
    form variant to choose wrongly."""
    document = AgreementDocumentFactory(description="Draft")
    for body, content_type in (
        ('{"description": "Final"}', "application/json"),
        ("description=Final", "application/x-www-form-urlencoded"),
    ):
        response = api.generic("PATCH", document_detail(document), body, content_type=content_type)
        assert response.status_code == 415, response.content
    document.refresh_from_db()
    assert document.description == "Draft"
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for method, operation in schema["paths"]["/api/v1/agreement-documents/{id}/"].items():
        if "requestBody" in operation:
            assert list(operation["requestBody"]["content"]) == ["multipart/form-data"], method


def test_document_upload_needs_a_file_and_an_existing_agreement(api):
    agreement = AgreementFactory()
    response = api.post(DOCUMENTS, {"agreement": agreement.pk}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()
    response = _upload(api, agreement.pk + 1000)
    assert response.status_code == 400
    assert "agreement" in response.json()
    response = _upload(api, agreement, language="fr")
    assert response.status_code == 400
    assert "language" in response.json()
    assert not AgreementDocument.objects.exists()


def test_document_filters(analyst_api):
    first = AgreementDocumentFactory(language="en", description="Annex")
    second = AgreementDocumentFactory(language="ja", description="Signed")
    url = DOCUMENTS
    assert set(ids(analyst_api.get(url, {"agreement": first.agreement_id}))) == {first.pk}
    assert set(ids(analyst_api.get(url, {"language": "ja"}))) == {second.pk}
    assert set(ids(analyst_api.get(url, {"q": "annex"}))) == {first.pk}
    for param, value in [("agreement", "abc"), ("language", "fr"), ("q", "\x00")]:
        assert_bad_parameter(analyst_api, url, {param: value}, param)


def test_document_csv_and_xlsx_exports(analyst_user):
    document = AgreementDocumentFactory(language="ja", description="署名本文")
    AgreementDocumentFactory(language="en", description="Annex")
    file_name = document.file.name.rsplit("/", 1)[-1]
    rows = csv_rows(
        client_for(analyst_user, language="ja").get(DOCUMENTS, {"format": "csv", "language": "ja"})
    )
    with translation.override("ja"):
        agreement, language = str(document.agreement), document.get_language_display()
    assert rows[0] == ["協定・覚書", "言語", "説明", "ファイル", "作成日時"]
    assert len(rows) == 2  # the filter applies
    assert rows[1][:4] == [agreement, language, "署名本文", file_name]
    created = timezone.localtime(document.created_at)
    assert rows[1][4].startswith(f"{created:%Y-%m-%d %H:%M:%S}")

    sheet = xlsx_rows(client_for(analyst_user).get(DOCUMENTS, {"format": "xlsx", "ordering": "id"}))
    assert sheet[0] == ["agreement", "language", "description", "file", "created at"]
    assert [row[2] for row in sheet[1:]] == ["署名本文", "Annex"]
    assert sheet[1][3] == file_name
    # Japan's time, as Excel has no time zones (and keeps milliseconds).
    assert abs(sheet[1][4] - created.replace(tzinfo=None)) < datetime.timedelta(milliseconds=1)


def test_document_list_query_count_does_not_grow(analyst_user):
    def count(rows):
        AgreementDocumentFactory.create_batch(rows - AgreementDocument.objects.count())
        queries, body = count_list_queries(analyst_user, DOCUMENTS)
        assert body["count"] == rows
        return queries

    assert count(2) == count(50) == DOCUMENT_LIST_QUERIES


# -- filters ---------------------------------------------------------------------------


@pytest.fixture
def catalogue(mlit):
    """A few agreements that differ in every filtered field."""
    today = timezone.localdate()
    ministry = OrganizationFactory(name="Ministry of Transport of Viet Nam", country="VN")
    jica = OrganizationFactory(
        name="Japan International Cooperation Agency",
        kind=OrganizationKind.JAPANESE_PUBLIC_BODY,
        country="JP",
    )
    minister = PersonFactory()
    project = ProjectFactory()
    meeting = MeetingFactory(counterpart_country="VN")
    vietnam = signed(
        title="Railway MoC",
        title_ja="鉄道協力覚書",
        counterpart_country="VN",
        japanese_signatory=mlit,
        signed_by=minister,
        status=AgreementStatus.IN_FORCE,
        signed_on=datetime.date(2018, 5, 2),
        effective_on=datetime.date(2018, 6, 1),
        expires_on=today + datetime.timedelta(days=20),
        renewal=Renewal.AUTOMATIC,
        signed_at_meeting=meeting,
        counterpart_organizations=[ministry],
        sectors=[Sector.objects.get(code=SectorCode.RAILWAY)],
        projects=[project],
        scope="High-speed rail",
    )
    ghana = signed(
        title="Ports MoU",
        kind=AgreementKind.MOU,
        counterpart_country="GH",
        japanese_signatory=jica,
        signed_on=datetime.date(2019, 2, 1),  # FY2018
        effective_on=datetime.date(2019, 3, 1),
        expires_on=today + datetime.timedelta(days=400),
        sectors=[Sector.objects.get(code=SectorCode.PORT)],
    )
    united_states = AgreementFactory(
        title="Third-country cooperation",
        counterpart_country="US",
        target_countries=["VN", "IN"],
        status=AgreementStatus.NEGOTIATING,
    )
    timor_before = signed(
        title="Timor-Leste before ASEAN",
        counterpart_country="TL",
        signed_on=datetime.date(2024, 1, 5),
    )
    timor_after = signed(
        title="Timor-Leste in ASEAN", counterpart_country="TL", signed_on=datetime.date(2025, 11, 1)
    )
    return {
        "vietnam": vietnam,
        "ghana": ghana,
        "united_states": united_states,
        "timor_before": timor_before,
        "timor_after": timor_after,
        "ministry": ministry,
        "jica": jica,
        "minister": minister,
        "project": project,
        "mission": meeting.mission,
        "mlit": mlit,
    }


def test_filters(analyst_api, catalogue):
    c = {name: getattr(record, "pk", None) for name, record in catalogue.items()}

    def found(**params):
        return set(ids(analyst_api.get(LIST, params)))

    assert found(country="VN") == {c["vietnam"]}
    assert found(country=["VN", "GH"]) == {c["vietnam"], c["ghana"]}
    assert found(region="africa") == {c["ghana"]}
    assert found(region="north_america") == {c["united_states"]}
    # ASEAN membership on the signing day: Timor-Leste joined on 2025-10-26.
    assert found(asean="true") == {c["vietnam"], c["timor_after"]}
    assert c["timor_before"] in found(asean="false")
    assert found(target_country="IN") == {c["united_states"]}
    assert found(target_country=["TH", "VN"]) == {c["united_states"]}
    assert found(target_country="TH") == set()
    assert found(kind="mou") == {c["ghana"]}
    assert found(status="negotiating") == {c["united_states"]}
    assert found(status=["in_force", "negotiating"]) == {c["vietnam"], c["united_states"]}
    assert found(renewal="automatic") == {c["vietnam"]}
    assert found(sector="port") == {c["ghana"]}
    assert found(sector=["port", "railway"]) == {c["vietnam"], c["ghana"]}
    assert found(organization=c["ministry"]) == {c["vietnam"]}
    assert found(signatory=c["jica"]) == {c["ghana"]}
    assert found(signed_by=c["minister"]) == {c["vietnam"]}
    assert found(project=c["project"]) == {c["vietnam"]}
    assert found(mission=c["mission"]) == {c["vietnam"]}
    assert found(signed_on_after="2019-01-01", signed_on_before="2024-12-31") == {
        c["ghana"],
        c["timor_before"],
    }
    assert found(effective_on_after="2019-01-01") == {c["ghana"]}
    assert found(effective_on_before="2018-12-31") == {c["vietnam"]}
    today = timezone.localdate()
    assert found(expires_on_before=str(today + datetime.timedelta(days=30))) == {c["vietnam"]}
    assert found(expires_on_after=str(today + datetime.timedelta(days=30))) == {c["ghana"]}
    assert found(year=2019) == {c["ghana"]}
    assert found(fiscal_year=2018) == {c["vietnam"], c["ghana"]}
    assert found(q="railway") == {c["vietnam"]}
    assert found(q="鉄道") == {c["vietnam"]}
    assert found(q="high-speed") == {c["vietnam"]}
    assert found(q="ministry transport") == {c["vietnam"]}
    assert found(updated_since="2000-01-01T00:00:00Z") == set(
        Agreement.objects.values_list("pk", flat=True)
    )

    response = analyst_api.get(LIST, {"ordering": "signed_on", "country": ["VN", "GH"]})
    assert [row["id"] for row in response.json()["results"]] == [c["vietnam"], c["ghana"]]
    response = analyst_api.get(LIST, {"ordering": "-signed_on", "country": ["VN", "GH"]})
    assert [row["id"] for row in response.json()["results"]] == [c["ghana"], c["vietnam"]]


def test_expiring_within(analyst_api, catalogue):
    today = timezone.localdate()
    c = catalogue

    def found(days):
        return set(ids(analyst_api.get(LIST, {"expiring_within": days})))

    assert found(0) == set()
    assert found(20) == {c["vietnam"].pk}
    assert found(3650) == {c["vietnam"].pk, c["ghana"].pk}
    # Only agreements still signed or in force: one that expired or ended is not "expiring".
    Agreement.objects.filter(pk=c["vietnam"].pk).update(status=AgreementStatus.TERMINATED)
    assert found(20) == set()
    # Nor one whose end has passed.
    Agreement.objects.filter(pk=c["ghana"].pk).update(expires_on=today - datetime.timedelta(days=1))
    assert found(3650) == set()


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("country", "XX"),
        ("country", "\x00"),
        ("region", "mars"),
        ("asean", "maybe"),
        ("target_country", "XX"),
        ("kind", "treaty"),
        ("status", "lost"),
        ("renewal", "sometimes"),
        ("sector", "space"),
        ("organization", "abc"),
        ("organization", "999999"),
        ("signatory", "1.5"),
        ("signed_by", "\x00"),
        ("project", "abc"),
        ("mission", "abc"),
        ("signed_on_after", "2018-13-01"),
        ("signed_on_before", "yesterday"),
        ("effective_on_after", "\x00"),
        ("expires_on_before", "2018-02-30"),
        ("expiring_within", "-1"),
        ("expiring_within", "100000"),
        ("expiring_within", "3651"),
        ("expiring_within", "ten"),
        ("expiring_within", "\x00"),
        ("year", "abc"),
        ("fiscal_year", "99999"),
        ("q", "\x00"),
        ("q", "x" * 201),
        ("updated_since", "last week"),
        ("ordering", "scope"),
    ],
)
def test_an_invalid_filter_value_is_a_400_naming_the_parameter(analyst_api, param, value):
    response = analyst_api.get(LIST, {param: value})
    assert response.status_code == 400, response.content
    assert list(response.json()) == [param]


# -- exports ---------------------------------------------------------------------------


def test_csv_export_has_a_bom_japanese_headers_and_labels(data_entry_user, catalogue):
    client = client_for(data_entry_user, language="ja")
    response = client.get(LIST, {"format": "csv", "country": "VN"})
    assert "attachment" in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header[:5] == ["名称（英語）", "名称（日本語）", "種別", "状況", "相手国"]
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["名称（英語）"] == "Railway MoC"
    assert row["種別"] == "協力覚書"
    assert row["状況"] == "発効中"
    assert row["相手国"] == "ベトナム"
    assert row["署名日"] == "2018-05-02"
    with translation.override("ja"):
        assert row[str(Agreement._meta.get_field("sectors").verbose_name)] == str(
            SectorCode.RAILWAY.label
        )
        assert (
            row[str(Agreement._meta.get_field("japanese_signatory").verbose_name)] == "国土交通省"
        )


def test_xlsx_export_opens_in_openpyxl(analyst_api, catalogue):
    response = analyst_api.get(LIST, {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = xlsx_rows(response)
    assert rows[0][:4] == ["title (English)", "title (Japanese)", "kind", "status"]
    assert len(rows) == 1 + Agreement.objects.count()
    assert {row[2] for row in rows[1:]} >= {
        "Memorandum of Cooperation",
        "Memorandum of Understanding",
    }


def test_an_export_with_a_bad_filter_answers_in_json(analyst_api):
    assert_bad_parameter(
        analyst_api, LIST, {"format": "csv", "expiring_within": "-1"}, "expiring_within"
    )


# -- queries ---------------------------------------------------------------------------


def _full_agreement(signatory, organizations, project, meeting):
    agreement = signed(
        japanese_signatory=signatory,
        signed_by=PersonFactory(),
        signed_at_meeting=meeting,
        counterpart_organizations=organizations,
        sectors=list(Sector.objects.filter(code__in=["road", "port"])),
        projects=[project],
        target_countries=["LA"],
    )
    AgreementDocumentFactory(agreement=agreement)
    return agreement


def test_list_query_count_does_not_grow_with_rows(analyst_user, mlit):
    organizations = [OrganizationFactory(), OrganizationFactory()]
    project = ProjectFactory()
    meeting = MeetingFactory()

    earlier = None

    def count(rows):
        nonlocal earlier
        while Agreement.objects.count() < rows:
            agreement = _full_agreement(mlit, organizations, project, meeting)
            if earlier is not None:
                # The rows also have a supersedes and a superseded_by to show.
                Agreement.objects.filter(pk=agreement.pk).update(supersedes=earlier)
            earlier = agreement
        queries, body = count_list_queries(analyst_user, LIST)
        assert body["count"] == rows
        return queries

    assert count(2) == count(50) == AGREEMENT_LIST_QUERIES
