import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_order_figures_are_filtered_by_year_and_shown_in_cho_en(data_entry_client):
    factories.OrderFigureFactory(year=2017, amount_jpy=23_000_000_000_000)
    factories.OrderFigureFactory(year=2010, amount_jpy=10_000_000_000_000)
    url = reverse("admin:projects_orderfigure_changelist")

    response = data_entry_client.get(url, {"year": "2017"})

    assert [figure.year for figure in response.context["cl"].result_list] == [2017]
    page = response.content.decode()
    assert "23兆円" in page
    assert "23,000,000,000,000" not in page
