"""Two people editing one record: the second save never silently undoes the first."""

import threading

import pytest
from django.conf import settings
from django.db import connections
from django.urls import reverse
from rest_framework.test import APIClient

from tests import factories

postgres_only = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="needs PostgreSQL: SQLite's shared in-memory test database locks whole tables "
    "between threads (CI runs this on PostgreSQL)",
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_ten_clients_patching_with_one_etag_exactly_one_wins(data_entry_user):
    mission = factories.MissionFactory(title="Original")
    url = f"/api/v1/missions/{mission.pk}/"
    reader = APIClient()
    reader.force_authenticate(data_entry_user)
    etag = reader.get(url)["ETag"]
    barrier = threading.Barrier(10)
    results = {}

    def patch(number):
        client = APIClient()
        client.force_authenticate(data_entry_user)
        barrier.wait()
        try:
            response = client.patch(
                url, {"title": f"Edit {number}"}, format="json", HTTP_IF_MATCH=etag
            )
            results[number] = response.status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=patch, args=(number,)) for number in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results.values()) == [200] + [412] * 9
    [winner] = [number for number, status in results.items() if status == 200]
    mission.refresh_from_db()
    assert mission.title == f"Edit {winner}"


@pytest.mark.django_db
def test_second_admin_save_over_a_stale_form_is_refused(client, data_entry_user):
    mission = factories.MissionFactory(title="Original")
    url = reverse("admin:missions_mission_change", args=[mission.pk])
    client.force_login(data_entry_user)
    opened = client.get(url).context["adminform"].form
    form_data = {
        name: value
        for name, value in opened.initial.items()
        if value is not None and not isinstance(value, list)
    }

    def post(title, version):
        data = {
            **form_data,
            "title": title,
            "version": version,
            "leader": mission.leader_id,
            "meetings-TOTAL_FORMS": "0",
            "meetings-INITIAL_FORMS": "0",
            "meetings-MIN_NUM_FORMS": "0",
            "meetings-MAX_NUM_FORMS": "1000",
        }
        return client.post(url, data)

    version = opened["version"].value()
    assert version == mission.version
    first = post("First user's title", version)
    assert first.status_code == 302
    second = post("Second user's title", version)
    assert second.status_code == 200
    [error] = second.context["adminform"].form.non_field_errors().as_data()
    assert error.code == "stale"
    mission.refresh_from_db()
    assert mission.title == "First user's title"
