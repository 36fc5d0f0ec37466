"""Every Settings page renders for the administrator, in Persian and in English, and lists its sections."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sarv.core.settings_views.sections import SECTIONS

pytestmark = pytest.mark.django_db

PAGES = [
    "settings:index", "settings:users", "settings:user_create", "settings:groups", "settings:group_create",
    "settings:departments", "settings:department_create", "settings:locations", "settings:location_create",
    "settings:categories", "settings:category_create", "settings:services", "settings:service_create",
    "settings:priority_matrix", "settings:modules", "settings:incident_process", "settings:resolution_code_create",
    "settings:audit_log",
]


@pytest.mark.parametrize("language", ["fa", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_page_renders(client, admin_user, agent, category_tree, name, language):
    admin_user.language = language
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert f'<html lang="{language}" dir="{"rtl" if language == "fa" else "ltr"}">' in response.content.decode()


def test_index_lists_every_section(client, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("settings:index")).content.decode()
    for section in SECTIONS:
        assert f'href="{reverse(section.url_name)}"' in html


def test_edit_pages_render(client, admin_user, requester, service_desk, department, category_tree):
    from sarv.accounts.models import Location
    from sarv.incidents.models import ResolutionCode
    from sarv.services.models import Service

    hardware, _printer = category_tree
    site = Location.objects.create(name_fa="ساختمان مرکزی")
    service = Service.objects.create(name_fa="ایمیل")
    client.force_login(admin_user)
    for name, pk in [("settings:user_edit", requester.pk), ("settings:user_password", requester.pk),
                     ("settings:group_edit", service_desk.pk), ("settings:group_members", service_desk.pk),
                     ("settings:department_edit", department.pk), ("settings:location_edit", site.pk),
                     ("settings:category_edit", hardware.pk), ("settings:service_edit", service.pk),
                     ("settings:resolution_code_edit", ResolutionCode.objects.get(code="duplicate").pk)]:
        assert client.get(reverse(name, args=[pk])).status_code == 200, name


def test_navbar_links_settings_for_admin_only(client, admin_user, agent):
    client.force_login(admin_user)
    assert f'href="{reverse("settings:index")}"' in client.get(reverse("settings:index")).content.decode()
    client.force_login(agent)
    assert f'href="{reverse("settings:index")}"' not in client.get(reverse("incidents:list")).content.decode()
