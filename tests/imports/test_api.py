"""POST /api/v1/imports/ and GET /api/v1/imports/<id>/: a file in, every row checked,
nothing saved unless every row is right, each error named by its spreadsheet row."""

import datetime

import pytest

from contacts.models import Organization, Person, Post
from projects.models import Project, ProjectParticipant
from tests import factories
from tests.api import client_for
from tests.imports.helpers import IMPORTS, csv_file, imported, post_import, xlsx_file

pytestmark = pytest.mark.django_db

ORGANIZATION_HEADERS = ["name", "name_ja", "kind", "country"]


def test_organisations_are_created_then_left_unchanged(api):
    rows = [
        ORGANIZATION_HEADERS,
        ["Ministry of Roads and Highways", "道路・幹線道路省", "外国政府機関", "ガーナ"],
        ["Japan International Cooperation Agency", "国際協力機構", "japanese_public_body", "JP"],
        ["Ministry of Transport", "", "Foreign government agency", "Tunisia"],
    ]
    job = imported(api, "organizations", csv_file(rows))
    assert job["status"] == "succeeded", job["errors"]
    assert job["totals"] == {"new": 3, "updated": 0, "unchanged": 0, "errors": 0}
    assert job["errors"] == []
    ghana = Organization.objects.get(name="Ministry of Roads and Highways")
    assert (ghana.country.code, ghana.kind) == ("GH", "foreign_government")
    assert Organization.objects.get(name="Ministry of Transport").country.code == "TN"

    again = imported(api, "organizations", csv_file(rows))
    assert again["totals"] == {"new": 0, "updated": 0, "unchanged": 3, "errors": 0}
    assert Organization.objects.count() == 3


def test_a_row_matches_its_record_by_folded_name_and_country(api):
    ministry = factories.OrganizationFactory(name="Ministry of Transport", country="TN")
    rows = [
        ORGANIZATION_HEADERS,
        ["ＭＩＮＩＳＴＲＹ  OF TRANSPORT ", "運輸省", "外国政府機関", "TN"],
    ]
    job = imported(api, "organizations", csv_file(rows))
    assert job["totals"]["updated"] == 1
    ministry.refresh_from_db()
    assert ministry.name_ja == "運輸省"
    assert Organization.objects.count() == 1


def test_one_bad_row_in_the_middle_imports_nothing_and_is_named(api):
    rows = [ORGANIZATION_HEADERS]
    rows += [[f"Ministry {n}", "", "外国政府機関", "GH"] for n in range(5)]
    rows.insert(4, ["Ministry of Nowhere", "", "外国政府機関", "Atlantis"])
    rows.insert(5, ["Ministry of\x1bEscape", "", "nonsense", "GH"])
    job = imported(api, "organizations", csv_file(rows))
    assert job["status"] == "failed"
    assert Organization.objects.count() == 0
    assert job["totals"]["errors"] == 2
    by_row = {(e["row"], e["field"]): e for e in job["errors"]}
    assert by_row[(5, "country")]["value"] == "Atlantis"
    assert "Atlantis" in by_row[(5, "country")]["message"]
    assert by_row[(6, "kind")]["value"] == "nonsense"
    # The control character is refused by the text rule of every field (core.validators).
    assert "U+001B" in by_row[(6, "name")]["message"]


@pytest.mark.api_language("ja")
def test_errors_are_in_the_readers_language(api):
    rows = [ORGANIZATION_HEADERS, ["Ministry", "", "外国政府機関", "Atlantis"]]
    job = imported(api, "organizations", csv_file(rows))
    assert job["errors"][0]["row"] == 2
    assert "国" in job["errors"][0]["message"] or "ISO" in job["errors"][0]["message"]
    assert (
        job["errors"][0]["message"]
        != "“Atlantis” is not a country: give its ISO code (GH) or its name (Ghana, ガーナ)."
    )


def test_one_jobs_errors_read_in_each_readers_language(data_entry_user, administrator_user):
    """The errors and warnings are stored in every language, not frozen in the
    importer's: a Japanese reader and an English reader of one job each read theirs."""
    rows = [
        [*ORGANIZATION_HEADERS, "colour"],
        ["Ministry", "", "外国政府機関", "Atlantis", "red"],
        ["Ministry 2", "", "nonsense", "GH", "blue"],
    ]
    japanese = client_for(data_entry_user, "ja")
    job = imported(japanese, "organizations", csv_file(rows), dry_run=True)
    assert job["status"] == "failed"
    english = client_for(data_entry_user, "en").get(f"{IMPORTS}{job['id']}/").json()
    assert [e["row"] for e in english["errors"]] == [e["row"] for e in job["errors"]] == [2, 3]
    assert english["errors"][0]["message"] == (
        "“Atlantis” is not a country: give its ISO code (GH) or its name (Ghana, ガーナ)."
    )
    assert english["errors"][0]["message"] != job["errors"][0]["message"]
    assert "国" in job["errors"][0]["message"]
    assert "is not one of" in english["errors"][1]["message"]
    assert "is not one of" not in job["errors"][1]["message"]
    assert "colour" in english["warnings"][0] and "ignored" in english["warnings"][0]
    assert "colour" in job["warnings"][0] and "ignored" not in job["warnings"][0]

    # The admin's page of the job, read by an administrator who chose English.
    from django.test import Client
    from django.urls import reverse

    administrator_user.language = "en"
    administrator_user.save(update_fields=["language"])
    browser = Client()
    browser.force_login(administrator_user)
    page = browser.get(reverse("admin:imports_importjob_change", args=[job["id"]]))
    assert page.status_code == 200
    assert "is not a country" in page.content.decode()


def test_a_file_refused_as_a_whole_reads_in_each_readers_language(data_entry_user):
    job = imported(
        client_for(data_entry_user, "en"),
        "organizations",
        csv_file([["name", "kind"], ["Ministry", "外国政府機関"]]),
    )
    assert "is missing" in job["errors"][0]["message"]
    japanese = client_for(data_entry_user, "ja").get(f"{IMPORTS}{job['id']}/").json()
    assert japanese["errors"][0]["row"] is None
    assert "is missing" not in japanese["errors"][0]["message"]


def test_a_duplicate_key_inside_one_file_is_an_error(api):
    rows = [
        ORGANIZATION_HEADERS,
        ["Ministry of Transport", "", "外国政府機関", "TN"],
        ["MINISTRY OF TRANSPORT", "", "外国政府機関", "Tunisia"],
    ]
    job = imported(api, "organizations", csv_file(rows))
    assert job["status"] == "failed"
    assert [e["row"] for e in job["errors"]] == [3]
    assert "row 2" in job["errors"][0]["message"]
    assert Organization.objects.count() == 0


def test_a_dry_run_saves_nothing_and_reports_what_would_happen(api):
    rows = [ORGANIZATION_HEADERS, ["Ministry of Transport", "", "外国政府機関", "TN"]]
    job = imported(api, "organizations", csv_file(rows), dry_run=True)
    assert job["status"] == "succeeded" and job["dry_run"] is True
    assert job["totals"]["new"] == 1
    assert not Organization.objects.exists()


def test_history_names_the_file_and_the_user(api, data_entry_user):
    rows = [ORGANIZATION_HEADERS, ["Ministry of Transport", "", "外国政府機関", "TN"]]
    imported(api, "organizations", csv_file(rows, name="bureau-2019.csv"))
    version = Organization.objects.get().history.get()
    assert version.history_change_reason == "Import: bureau-2019.csv"
    assert version.history_user == data_entry_user


def test_cp932_csv_with_japanese_names(api):
    rows = [
        ["名称（英語）", "名称（日本語）", "種別", "国"],
        ["Ministry of Roads and Highways", "道路・幹線道路省", "外国政府機関", "ガーナ"],
    ]
    job = imported(api, "organizations", csv_file(rows, encoding="cp932"))
    assert job["status"] == "succeeded", job["errors"]
    assert Organization.objects.get().name_ja == "道路・幹線道路省"


def test_utf8_without_bom(api):
    rows = [ORGANIZATION_HEADERS, ["Ministry", "運輸省", "外国政府機関", "TN"]]
    job = imported(api, "organizations", csv_file(rows, encoding="utf-8"))
    assert job["status"] == "succeeded", job["errors"]
    assert Organization.objects.get().name_ja == "運輸省"


def test_formula_looking_cells_are_text(api):
    rows = [
        [*ORGANIZATION_HEADERS, "notes"],
        ["Ministry", "", "外国政府機関", "TN", '=HYPERLINK("http://x")'],
        ["Ministry 2", "", "外国政府機関", "TN", "'+81 3 1234"],
        ["Ministry 3", "", "外国政府機関", "TN", "-"],
    ]
    job = imported(api, "organizations", xlsx_file(rows))
    assert job["status"] == "succeeded", job["errors"]
    notes = dict(Organization.objects.values_list("name", "notes"))
    assert notes == {
        "Ministry": '=HYPERLINK("http://x")',
        "Ministry 2": "+81 3 1234",
        "Ministry 3": "-",
    }


def test_unknown_columns_are_a_warning_and_a_missing_required_one_refuses_the_file(api):
    job = imported(
        api,
        "organizations",
        csv_file(
            [[*ORGANIZATION_HEADERS, "colour"], ["Ministry", "", "外国政府機関", "TN", "red"]]
        ),
    )
    assert job["status"] == "succeeded"
    assert any("colour" in warning for warning in job["warnings"])

    job = imported(api, "organizations", csv_file([["name", "kind"], ["Ministry", "外国政府機関"]]))
    assert job["status"] == "failed"
    assert job["errors"][0]["row"] is None
    assert "country" in job["errors"][0]["message"]
    assert Organization.objects.count() == 1  # the first file's


def test_xlsx_takes_the_sheet_named_for_the_kind_and_finds_the_header_below_a_title(api):
    rows = [
        ["令和元年度 組織一覧", None, None, None],  # a title, merged across in the file
        [],
        [
            "名称（英語） / name (English)",
            "名称（日本語） / name (Japanese)",
            "種別 / kind",
            "国 / country",
        ],
        ["  Ministry of Transport  ", None, "外国政府機関", "TN"],
        [None, None, None, None],
        ["Ministry of Roads", None, "外国政府機関", "GH"],
    ]
    upload = xlsx_file([["notes"], ["nothing here"]], extra_sheets=[("organizations", rows)])
    job = imported(api, "organizations", upload)
    assert job["status"] == "succeeded", job["errors"]
    assert sorted(Organization.objects.values_list("name", flat=True)) == [
        "Ministry of Roads",
        "Ministry of Transport",
    ]


def test_permissions(analyst_user):
    rows = [ORGANIZATION_HEADERS, ["Ministry", "", "外国政府機関", "TN"]]
    assert post_import(client_for(None), "organizations", csv_file(rows)).status_code == 401
    response = post_import(client_for(analyst_user), "organizations", csv_file(rows))
    assert response.status_code == 403
    assert not Organization.objects.exists()


def test_a_job_is_seen_by_its_owner_only(api, administrator_user):
    job = imported(
        api, "organizations", csv_file([ORGANIZATION_HEADERS, ["M", "", "外国政府機関", "TN"]])
    )
    other = client_for(administrator_user)
    assert other.get(f"{IMPORTS}{job['id']}/").status_code == 404


def test_an_unknown_resource_and_a_file_too_large_are_400(api, settings):
    rows = [ORGANIZATION_HEADERS, ["Ministry", "", "外国政府機関", "TN"]]
    response = post_import(api, "spaceships", csv_file(rows))
    assert response.status_code == 400
    assert "resource" in response.json()
    settings.IMPORT_MAX_BYTES = 10
    response = post_import(api, "organizations", csv_file(rows))
    assert response.status_code == 400
    assert "file" in response.json()


def test_too_many_rows_refuse_the_file(api, settings):
    settings.IMPORT_MAX_ROWS = 3
    rows = [ORGANIZATION_HEADERS] + [[f"M{n}", "", "外国政府機関", "TN"] for n in range(4)]
    job = imported(api, "organizations", csv_file(rows))
    assert job["status"] == "failed"
    assert "3" in job["errors"][0]["message"]
    assert not Organization.objects.exists()


def test_people_with_their_posts(api):
    ministry = factories.OrganizationFactory(name="Ministry of Roads and Highways", country="GH")
    rows = [
        ["name", "name_ja", "post_organization", "post_title", "post_start_date"],
        ["Kwasi Amoako-Attah", "クワシ", "Ministry of Roads and Highways", "Minister", "2017/1/10"],
        [
            "Kwasi Amoako-Attah",
            "クワシ",
            "Ministry of Roads and Highways",
            "Deputy Minister",
            "平成27年4月1日",
        ],
        ["Jane Doe", "", "", "", ""],
    ]
    job = imported(api, "people", csv_file(rows))
    assert job["status"] == "succeeded", job["errors"]
    assert Person.objects.count() == 2
    kwasi = Person.objects.get(name="Kwasi Amoako-Attah")
    assert sorted(kwasi.posts.values_list("title", "start_date")) == [
        ("Deputy Minister", datetime.date(2015, 4, 1)),
        ("Minister", datetime.date(2017, 1, 10)),
    ]
    assert {post.organization for post in Post.objects.all()} == {ministry}
    again = imported(api, "people", csv_file(rows))
    assert again["totals"] == {"new": 0, "updated": 0, "unchanged": 3, "errors": 0}, again


def test_projects_with_participants(api):
    factories.OrganizationFactory(name="Ministry of Roads and Highways", country="GH")
    factories.JapaneseCompanyFactory(name="Sumitomo Mitsui Construction, Ltd.")
    factories.OrganizationFactory(
        name="Japan International Cooperation Agency (JICA)",
        country="JP",
        kind="japanese_public_body",
    )
    rows = [
        ["name", "country", "sector", "stage", "estimated_cost_jpy", "owner", "participants"],
        [
            "Tema Motorway Interchange",
            "Ghana",
            "道路",
            "施工",
            "１２３億円",
            "Ministry of Roads and Highways",
            "Sumitomo Mitsui Construction, Ltd. (Contractor), Japan International Cooperation Agency (JICA) (融資者)",
        ],
    ]
    job = imported(api, "projects", csv_file(rows))
    assert job["status"] == "succeeded", job["errors"]
    project = Project.objects.get()
    assert project.estimated_cost_jpy == 12_300_000_000
    assert project.sector == "road" and project.stage == "construction"
    assert sorted(ProjectParticipant.objects.values_list("organization__name", "role")) == [
        ("Japan International Cooperation Agency (JICA)", "lender"),
        ("Sumitomo Mitsui Construction, Ltd.", "contractor"),
    ]
    again = imported(api, "projects", csv_file(rows))
    assert again["totals"]["unchanged"] == 1, again


def test_a_rule_of_the_model_is_a_row_error(api):
    rows = [
        ["name", "country", "sector", "stage", "status"],
        ["Line 1", "VN", "railway", "construction", "won_japanese"],
    ]
    job = imported(api, "projects", csv_file(rows))
    assert job["status"] == "failed"
    assert job["errors"][0]["row"] == 2
    assert not Project.objects.exists()


def test_an_import_never_finds_nor_overwrites_a_record_its_importer_may_not_read(api):
    """Need-to-know: a level-3 project of the same name and country stays as it was; for
    the importer (not on its list) it does not exist, and its row is a new project."""
    hidden = factories.ProjectFactory(
        name="Tema Port Expansion", country="GH", description="Under negotiation"
    )
    hidden.classification = 3
    hidden.save()
    hidden.access_users.set([factories.UserFactory()])
    rows = [
        ["name", "country", "sector", "stage", "description"],
        ["Tema Port Expansion", "GH", "港湾", "施工", "Published description"],
    ]
    job = imported(api, "projects", csv_file(rows))
    assert job["status"] == "succeeded", job["errors"]
    assert job["totals"]["new"] == 1 and job["totals"]["updated"] == 0
    hidden.refresh_from_db()
    assert hidden.description == "Under negotiation"
    assert Project.objects.filter(name="Tema Port Expansion").count() == 2
