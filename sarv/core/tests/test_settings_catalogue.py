"""Settings pages for categories and services."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from sarv.core.choices import AuditAction
from sarv.core.models import AuditLogEntry, Category
from sarv.services.models import Service
from sarv.testing.assertions import audit_rows, in_persian

pytestmark = pytest.mark.django_db




def category_post(**values: object) -> dict[str, object]:
    """Return a category form post; a value of None leaves the field out (an unticked checkbox)."""
    data = {"name_en": "", "code": "", "sort_order": "0", "is_active": "on", "parent": "", **values}
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize("who", ["agent", "requester"])
@pytest.mark.parametrize("name", ["settings:categories", "settings:category_create", "settings:services",
                                  "settings:service_create"])
def test_catalogue_pages_refused(client, request, who, name):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(name)).status_code == 403


def test_category_delete_refused_to_agent(client, agent, category_tree):
    _hardware, printer = category_tree
    client.force_login(agent)
    assert client.post(reverse("settings:category_delete", args=[printer.pk])).status_code == 403
    assert Category.objects.filter(pk=printer.pk).exists()


def test_category_tree_listed_in_order(client, admin_user, category_tree):
    hardware, printer = category_tree
    software = Category.objects.create(name_fa="نرم‌افزار", name_en="Software", code="software", sort_order=5)
    client.force_login(admin_user)
    response = client.get(reverse("settings:categories"))
    assert [(row.node, row.depth) for row in response.context["rows"]] == [(hardware, 0), (printer, 1),
                                                                          (software, 0)]


def test_create_subcategory_with_persian_digits_order(client, admin_user, category_tree):
    hardware, _printer = category_tree
    client.force_login(admin_user)
    # when a subcategory is typed with an Arabic kaf and a Persian-digit order
    response = client.post(reverse("settings:category_create"), category_post(
        parent=hardware.pk, name_fa="كيبورد", name_en="Keyboard", code="keyboard", sort_order="۳",
    ))
    # then it is stored normalised under Hardware, with its creation audited
    assert response.status_code == 302
    keyboard = Category.objects.get(code="keyboard")
    assert (keyboard.name_fa, keyboard.parent, keyboard.sort_order) == ("کیبورد", hardware, 3)
    (row,) = audit_rows(keyboard)
    assert row.changes["parent"] == [None, hardware.pk]
    assert row.changes["name_fa"] == [None, "کیبورد"]


def test_category_code_unique_within_parent(client, admin_user, category_tree):
    hardware, _printer = category_tree
    client.force_login(admin_user)
    # when a second "printer" is added under Hardware, then the code field explains the clash
    response = client.post(reverse("settings:category_create"), category_post(
        parent=hardware.pk, name_fa="چاپگر رنگی", code="printer"))
    assert response.status_code == 200
    expected = in_persian("The code %(code)s is already in use.", code="printer")
    assert response.context["form"].errors["code"] == [expected]
    assert response.context["form"]["name_fa"].value() == "چاپگر رنگی"
    # and the same code under another top-level category is accepted
    network = Category.objects.create(name_fa="شبکه", code="network")
    response = client.post(reverse("settings:category_create"), category_post(
        parent=network.pk, name_fa="چاپگر شبکه", code="printer"))
    assert response.status_code == 302


def test_top_level_code_unique(client, admin_user, category_tree):
    client.force_login(admin_user)
    response = client.post(reverse("settings:category_create"), category_post(name_fa="سخت افزار ۲", code="hardware"))
    assert "code" in response.context["form"].errors


def test_category_third_level_rejected(client, admin_user, category_tree):
    _hardware, printer = category_tree
    client.force_login(admin_user)
    # the parent select offers top-level categories only; the action enforces the same rule
    response = client.post(reverse("settings:category_create"), category_post(parent=printer.pk, name_fa="تونر"))
    assert "parent" in response.context["form"].errors
    assert not Category.objects.filter(name_fa="تونر").exists()


def test_category_cannot_be_own_parent(client, admin_user, category_tree):
    hardware, _printer = category_tree
    client.force_login(admin_user)
    response = client.post(reverse("settings:category_edit", args=[hardware.pk]),
                           category_post(parent=hardware.pk, name_fa="سخت‌افزار", code="hardware"))
    assert response.context["form"].errors["parent"] == [in_persian("A category cannot be placed under itself.")]


def test_category_with_children_stays_top_level(client, admin_user, category_tree):
    hardware, _printer = category_tree
    network = Category.objects.create(name_fa="شبکه", code="network")
    client.force_login(admin_user)
    response = client.post(reverse("settings:category_edit", args=[hardware.pk]),
                           category_post(parent=network.pk, name_fa="سخت‌افزار", code="hardware"))
    assert response.context["form"].errors["parent"] == [
        in_persian("This category has subcategories, so it must stay a top-level category.")
    ]


def test_used_category_is_deactivated_not_deleted(client, admin_user, requester, category_tree, make_incident):
    # given an incident classified under Hardware > Printer
    hardware, printer = category_tree
    make_incident(requester, category=hardware, subcategory=printer)
    client.force_login(admin_user)
    # when the administrator tries to delete Printer, then it is refused with the reason
    response = client.post(reverse("settings:category_delete", args=[printer.pk]), follow=True)
    assert Category.objects.filter(pk=printer.pk).exists()
    with translation.override("fa"):
        expected = gettext("%(count)s records use this category, so it cannot be deleted. Deactivate it instead.") \
            % {"count": 1}
    assert expected in [str(m) for m in response.context["messages"]]
    # when they deactivate it instead, then it is inactive and audited
    client.post(reverse("settings:category_edit", args=[printer.pk]), category_post(
        parent=hardware.pk, name_fa="چاپگر", name_en="Printer", code="printer", is_active=None))
    printer.refresh_from_db()
    assert printer.is_active is False
    assert audit_rows(printer)[-1].changes == {"is_active": [True, False]}


def test_unused_category_deleted(client, admin_user):
    spare = Category.objects.create(name_fa="موقت", code="tmp")
    client.force_login(admin_user)
    response = client.post(reverse("settings:category_delete", args=[spare.pk]))
    assert response.url == reverse("settings:categories")
    assert not Category.objects.filter(pk=spare.pk).exists()
    row = AuditLogEntry.objects.get(action=AuditAction.DELETE, content_type__model="category")
    assert row.changes["code"] == ["tmp", None]


def test_category_with_children_not_deleted(client, admin_user, category_tree):
    hardware, _printer = category_tree
    client.force_login(admin_user)
    client.post(reverse("settings:category_delete", args=[hardware.pk]))
    assert Category.objects.filter(pk=hardware.pk).exists()


# --- Services ---------------------------------------------------------------------------------------


def test_service_create_edit_and_list(client, admin_user, service_desk, network_group):
    client.force_login(admin_user)
    # when a service is created
    response = client.post(reverse("settings:service_create"), {
        "name_fa": "پست الکترونيك", "name_en": "E-mail", "code": "EMAIL", "description": "سامانه ایمیل سازمان",
        "owner_group": service_desk.pk, "is_active": "on",
    })
    assert response.status_code == 302
    service = Service.objects.get(code="EMAIL")
    assert service.name_fa == "پست الکترونیک"
    # when its owner changes, then the audit row has the group ids before and after
    client.post(reverse("settings:service_edit", args=[service.pk]), {
        "name_fa": service.name_fa, "name_en": "E-mail", "code": "EMAIL", "description": service.description,
        "owner_group": network_group.pk, "is_active": "on",
    })
    rows = audit_rows(service)
    assert [row.action for row in rows] == [AuditAction.CREATE, AuditAction.UPDATE]
    assert rows[1].changes == {"owner_group": [service_desk.pk, network_group.pk]}
    # and the list shows it
    response = client.get(reverse("settings:services"))
    assert list(response.context["page"].object_list) == [service]


def test_service_code_unique(client, admin_user):
    Service.objects.create(name_fa="اینترنت", code="NET")
    client.force_login(admin_user)
    response = client.post(reverse("settings:service_create"), {"name_fa": "شبکه داخلی", "code": "net",
                                                                 "is_active": "on"})
    assert response.context["form"].errors["code"] == [in_persian("The code %(code)s is already in use.", code="net")]


def test_service_needs_persian_name(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("settings:service_create"), {"name_fa": "", "name_en": "VPN", "code": "VPN"})
    assert "name_fa" in response.context["form"].errors
    assert response.context["form"]["name_en"].value() == "VPN"
