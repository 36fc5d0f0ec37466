"""Settings pages for support groups, departments and locations."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from sarv.accounts.models import Department, Location, SupportGroup
from sarv.core.choices import AuditAction
from sarv.testing import factories
from sarv.testing.assertions import audit_rows, in_persian

pytestmark = pytest.mark.django_db




PAGES: list[tuple[str, list[int]]] = [
    ("settings:groups", []), ("settings:group_create", []), ("settings:departments", []),
    ("settings:department_create", []), ("settings:locations", []), ("settings:location_create", []),
]


@pytest.mark.parametrize("who", ["agent", "requester"])
@pytest.mark.parametrize(("name", "args"), PAGES)
def test_organisation_pages_refused(client, request, who, name, args):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(name, args=args)).status_code == 403


def test_group_member_pages_refused_to_agent(client, agent, service_desk):
    client.force_login(agent)
    assert client.get(reverse("settings:group_members", args=[service_desk.pk])).status_code == 403
    response = client.post(reverse("settings:group_member_remove", args=[service_desk.pk, agent.pk]))
    assert response.status_code == 403
    assert service_desk.members.filter(pk=agent.pk).exists()


# --- Support groups ---------------------------------------------------------------------------------


def test_group_list_shows_groups(client, admin_user, service_desk, agent):
    client.force_login(admin_user)
    response = client.get(reverse("settings:groups"))
    assert response.status_code == 200
    (group,) = response.context["page"].object_list
    assert (group, group.member_count) == (service_desk, 1)


def test_create_group_adds_lead_as_member(client, admin_user, agent):
    # given Ali, an agent who belongs to the service desk
    client.force_login(admin_user)
    # when the administrator creates a group with Ali as its lead, with an Arabic yeh in the name
    response = client.post(reverse("settings:group_create"), {
        "name_fa": "پشتيباني نرم‌افزار", "name_en": "Software support", "code": "SW", "email": "sw@example.ir",
        "description": "", "lead": agent.pk, "is_active": "on",
    })
    # then the group exists, Ali is a member, and the creation row lists the lead joining
    group = SupportGroup.objects.get(code="SW")
    assert response.url == reverse("settings:group_members", args=[group.pk])
    assert group.name_fa == "پشتیبانی نرم‌افزار"
    assert list(group.members.all()) == [agent]
    (row,) = audit_rows(group)
    assert row.action == AuditAction.CREATE
    assert row.changes["lead"] == [None, agent.pk]
    assert row.changes["members"] == [None, agent.pk]


def test_edit_group_new_lead_joins(client, admin_user, service_desk, other_agent):
    client.force_login(admin_user)
    response = client.post(reverse("settings:group_edit", args=[service_desk.pk]), {
        "name_fa": service_desk.name_fa, "name_en": service_desk.name_en, "code": "", "email": "",
        "description": "", "lead": other_agent.pk, "is_active": "on",
    })
    assert response.status_code == 302
    assert service_desk.members.filter(pk=other_agent.pk).exists()
    (row,) = audit_rows(service_desk)
    assert row.changes == {"lead": [None, other_agent.pk], "members": [None, other_agent.pk]}


def test_group_lead_must_be_agent(client, admin_user, requester):
    client.force_login(admin_user)
    response = client.post(reverse("settings:group_create"), {"name_fa": "گروه آزمایشی", "lead": requester.pk,
                                                               "is_active": "on"})
    # the lead select offers agents only, so Django rejects the requester as an invalid choice
    assert "lead" in response.context["form"].errors
    assert not SupportGroup.objects.filter(name_fa="گروه آزمایشی").exists()


def test_group_duplicate_name_is_field_error(client, admin_user, service_desk):
    client.force_login(admin_user)
    # «میز خدمت فاوا» typed with an Arabic yeh is the same name
    response = client.post(reverse("settings:group_create"), {"name_fa": "ميز خدمت فاوا", "is_active": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["name_fa"] == [in_persian("The name %(name)s is already in use.",
                                                             name="میز خدمت فاوا")]


def test_add_and_remove_member(client, admin_user, service_desk, other_agent):
    client.force_login(admin_user)
    url = reverse("settings:group_members", args=[service_desk.pk])
    # when Maryam is added, then she is a member and the group's audit row names her
    assert client.post(url, {"user": other_agent.pk}).status_code == 302
    assert service_desk.members.filter(pk=other_agent.pk).exists()
    # when she is removed, then she is gone and the removal is audited too
    client.post(reverse("settings:group_member_remove", args=[service_desk.pk, other_agent.pk]))
    assert not service_desk.members.filter(pk=other_agent.pk).exists()
    assert [row.changes for row in audit_rows(service_desk)] == [
        {"members": [None, other_agent.pk]}, {"members": [other_agent.pk, None]},
    ]


def test_requester_cannot_join_group(client, admin_user, service_desk, requester):
    client.force_login(admin_user)
    response = client.post(reverse("settings:group_members", args=[service_desk.pk]), {"user": requester.pk})
    assert response.status_code == 200
    assert "user" in response.context["form"].errors
    assert not service_desk.members.filter(pk=requester.pk).exists()


def test_lead_cannot_be_removed(client, admin_user, service_desk, group_lead):
    client.force_login(admin_user)
    response = client.post(reverse("settings:group_member_remove", args=[service_desk.pk, group_lead.pk]),
                           follow=True)
    assert service_desk.members.filter(pk=group_lead.pk).exists()
    expected = in_persian("%(user)s leads this group. Choose another lead before removing them.", user="حمید نوری")
    assert expected in [str(m) for m in response.context["messages"]]


# --- Departments ------------------------------------------------------------------------------------


def test_department_tree_is_indented(client, admin_user, department):
    payroll = factories.make_department("حقوق و دستمزد", "Payroll", parent=department)
    client.force_login(admin_user)
    response = client.get(reverse("settings:departments"))
    rows = [(row.node.name_fa, row.depth) for row in response.context["rows"]]
    assert rows == [("امور مالی", 0), ("حقوق و دستمزد", 1)]
    assert f'tree-depth-1"><span class="tree-mark" aria-hidden="true">└</span><a href="' \
           f'{reverse("settings:department_edit", args=[payroll.pk])}' in response.content.decode()


def test_create_department_under_parent(client, admin_user, department):
    client.force_login(admin_user)
    response = client.post(reverse("settings:department_create"), {
        "name_fa": "خزانه", "name_en": "Treasury", "code": "TR", "parent": department.pk, "is_active": "on",
    })
    assert response.status_code == 302
    treasury = Department.objects.get(code="TR")
    assert treasury.parent == department
    (row,) = audit_rows(treasury)
    assert row.changes["parent"] == [None, department.pk]


def test_department_cycle_rejected(client, admin_user, department):
    # given Finance > Payroll > Salaries
    payroll = factories.make_department("حقوق و دستمزد", parent=department)
    salaries = factories.make_department("فیش حقوقی", parent=payroll)
    client.force_login(admin_user)
    # when Finance is placed under Salaries
    response = client.post(reverse("settings:department_edit", args=[department.pk]), {
        "name_fa": "امور مالی", "name_en": "Finance", "code": "", "parent": salaries.pk, "is_active": "on",
    })
    # then the parent field explains the refusal, and nothing changes
    assert response.status_code == 200
    assert response.context["form"].errors["parent"] == [
        in_persian("A department cannot be placed under itself or under one of its own sub-departments.")
    ]
    department.refresh_from_db()
    assert department.parent is None
    assert audit_rows(department) == []


def test_department_cannot_be_its_own_parent(client, admin_user, department):
    client.force_login(admin_user)
    response = client.post(reverse("settings:department_edit", args=[department.pk]), {
        "name_fa": "امور مالی", "parent": department.pk, "is_active": "on",
    })
    assert "parent" in response.context["form"].errors


def test_department_code_unique(client, admin_user, department, other_department):
    Department.objects.filter(pk=department.pk).update(code="FIN")
    client.force_login(admin_user)
    response = client.post(reverse("settings:department_edit", args=[other_department.pk]), {
        "name_fa": "منابع انسانی", "code": "fin", "is_active": "on",
    })
    assert response.context["form"].errors["code"] == [in_persian("The code %(code)s is already in use.", code="fin")]


# --- Locations --------------------------------------------------------------------------------------


def location_post(**values: object) -> dict[str, object]:
    return {"kind": "site", "name_en": "", "code": "", "address": "", "is_active": "on", **values}


def test_location_tree_and_kinds(client, admin_user):
    client.force_login(admin_user)
    client.post(reverse("settings:location_create"), location_post(kind="province", name_fa="تهران"))
    tehran = Location.objects.get(name_fa="تهران")
    client.post(reverse("settings:location_create"), location_post(kind="city", name_fa="تهران", parent=tehran.pk))
    city = Location.objects.get(name_fa="تهران", kind="city")
    client.post(reverse("settings:location_create"), location_post(name_fa="ساختمان مرکزی", parent=city.pk))
    site = Location.objects.get(name_fa="ساختمان مرکزی")
    assert site.province == tehran
    response = client.get(reverse("settings:locations"))
    assert [(row.node.pk, row.depth) for row in response.context["rows"]] == [(tehran.pk, 0), (city.pk, 1),
                                                                              (site.pk, 2)]


def test_site_must_lie_in_city(client, admin_user):
    province = Location.objects.create(kind="province", name_fa="اصفهان")
    client.force_login(admin_user)
    response = client.post(reverse("settings:location_create"), location_post(name_fa="انبار", parent=province.pk))
    with translation.override("fa"):
        from sarv.accounts.models import LocationKind

        expected = gettext("A %(kind)s must lie in a %(parent_kind)s.") % {
            "kind": LocationKind.SITE.label, "parent_kind": LocationKind.CITY.label}
    assert response.context["form"].errors["parent"] == [expected]
    assert not Location.objects.filter(name_fa="انبار").exists()


def test_location_cycle_rejected(client, admin_user):
    province = Location.objects.create(kind="province", name_fa="فارس")
    city = Location.objects.create(kind="city", name_fa="شیراز", parent=province)
    client.force_login(admin_user)
    response = client.post(reverse("settings:location_edit", args=[province.pk]),
                           location_post(kind="province", name_fa="فارس", parent=city.pk))
    assert response.context["form"].errors["parent"] == [
        in_persian("A location cannot be placed under itself or under a place inside it.")
    ]


def test_city_with_sites_cannot_become_site(client, admin_user):
    province = Location.objects.create(kind="province", name_fa="گیلان")
    city = Location.objects.create(kind="city", name_fa="رشت", parent=province)
    Location.objects.create(kind="site", name_fa="شعبه رشت", parent=city)
    client.force_login(admin_user)
    response = client.post(reverse("settings:location_edit", args=[city.pk]),
                           location_post(kind="site", name_fa="رشت"))
    assert "kind" in response.context["form"].errors
    city.refresh_from_db()
    assert city.kind == "city"
