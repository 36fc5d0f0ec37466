"""API of the service portfolio."""

from __future__ import annotations

import pytest

from sarv.core.api.testing import token_client
from sarv.services.models import Service


@pytest.mark.django_db
def test_services_lists_active_with_owner(requester, service_desk):
    email = Service.objects.create(name_fa="پست الکترونیک", name_en="E-mail", code="mail", owner_group=service_desk)
    Service.objects.create(name_fa="فکس", name_en="Fax", is_active=False)

    response = token_client(requester).get("/api/v1/services/")

    assert response.status_code == 200
    assert response.json()["results"] == [{
        "id": email.pk, "code": "mail", "name": "E-mail", "name_fa": "پست الکترونیک", "name_en": "E-mail",
        "description": "", "owner_group": {"id": service_desk.pk, "name": "IT service desk"},
    }]


@pytest.mark.django_db
def test_inactive_service_is_not_found(requester):
    fax = Service.objects.create(name_fa="فکس", is_active=False)

    response = token_client(requester).get(f"/api/v1/services/{fax.pk}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
