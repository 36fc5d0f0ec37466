"""Settings pages for users: list, search, create, edit, roles, passwords, deactivation, and who may open them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from sarv.accounts.models import User
from sarv.accounts.roles import user_roles
from sarv.core.choices import AuditAction
from sarv.testing import factories
from sarv.testing.assertions import audit_rows, in_persian

pytestmark = pytest.mark.django_db



def user_post(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "username": "parisa", "first_name": "پريسا", "last_name": "كاظمي", "email": "parisa@example.ir",
        "phone": "۰۲۱۸۸۸۸۱۲۳۴", "employee_number": "۱۲۳۴۵", "job_title": "کارشناس شبکه", "department": "",
        "location": "", "language": "fa", "time_zone": "", "is_active": "on", "roles": ["requester"],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize("who", ["agent", "requester"])
def test_users_pages_refused_to_non_admins(client, request, who):
    # given an agent or a requester
    user = request.getfixturevalue(who)
    client.force_login(user)
    # when they open the user pages
    for url in (reverse("settings:index"), reverse("settings:users"), reverse("settings:user_create"),
                reverse("settings:user_edit", args=[user.pk])):
        response = client.get(url)
        # then they get the Persian 403 page
        assert response.status_code == 403
        refusal = in_persian("You do not have permission to open this page. If you need it, ask your administrator.")
        assert escape(refusal) in response.content.decode()


def test_anonymous_sent_to_login(client):
    response = client.get(reverse("settings:users"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_user_list_search_filter_and_order(client, admin_user, requester, other_requester, agent, department):
    # given users with Persian names (سارا رضایی, رضا احمدی, علی کریمی) and the admin (مدیر سامانه)
    client.force_login(admin_user)

    # when the list is opened, then names sort by last name in Persian order: احمدی, رضایی, سامانه, کریمی
    response = client.get(reverse("settings:users"))
    names = [row["user"].username for row in response.context["rows"]]
    assert names == ["reza", "sara", "admin", "ali"]

    # when searching with an Arabic kaf ("كريمي"), then the normalised key finds Ali
    response = client.get(reverse("settings:users"), {"q": "كريمي"})
    assert [row["user"].username for row in response.context["rows"]] == ["ali"]

    # when filtering by role and department
    response = client.get(reverse("settings:users"), {"role": "agent"})
    assert [row["user"].username for row in response.context["rows"]] == ["ali"]
    response = client.get(reverse("settings:users"), {"department": department.pk})
    assert [row["user"].username for row in response.context["rows"]] == ["sara"]


def test_user_list_department_filter_includes_sub_departments(client, admin_user, department):
    # given a user in a sub-department of Finance
    payroll = factories.make_department("حقوق و دستمزد", "Payroll", parent=department)
    factories.make_user("nasrin", "نسرین", "مرادی", department=payroll)
    client.force_login(admin_user)
    # when filtering by Finance, then the sub-department's user is listed
    response = client.get(reverse("settings:users"), {"department": department.pk})
    assert [row["user"].username for row in response.context["rows"]] == ["nasrin"]


def test_user_list_filter_inactive(client, admin_user, requester):
    User.objects.filter(pk=requester.pk).update(is_active=False)
    client.force_login(admin_user)
    response = client.get(reverse("settings:users"), {"active": "0"})
    assert [row["user"].username for row in response.context["rows"]] == ["sara"]


def test_create_user_writes_audit_row(client, admin_user, department, service_desk):
    # given the administrator
    client.force_login(admin_user)
    # when they create an agent in the service desk group, with Arabic letters in the name and Persian digits
    response = client.post(reverse("settings:user_create"), user_post(
        department=department.pk, roles=["agent"], support_groups=[service_desk.pk],
        view_department_incidents="on", password="Kf7!rosewood-lamp", password_confirm="Kf7!rosewood-lamp",
    ))
    # then the user exists with normalised text, the roles, the group and the permission
    user = User.objects.get(username="parisa")
    assert response.status_code == 302
    assert response.url == reverse("settings:user_edit", args=[user.pk])
    assert (user.first_name, user.last_name) == ("پریسا", "کاظمی")
    assert (user.phone, user.employee_number) == ("02188881234", "12345")
    assert user_roles(user) == ["agent"]
    assert list(user.support_groups.all()) == [service_desk]
    assert user.has_perm("incidents.view_department_incidents")
    assert user.check_password("Kf7!rosewood-lamp")
    # and one audit row records the raw values, and never the password
    (row,) = audit_rows(user)
    assert row.action == AuditAction.CREATE
    assert row.actor == admin_user
    assert row.changes["username"] == [None, "parisa"]
    assert row.changes["department"] == [None, department.pk]
    assert row.changes["roles"] == [[], ["agent"]]
    assert row.changes["support_groups"] == [[], [service_desk.pk]]
    assert row.changes["view_department_incidents"] == [False, True]
    assert row.changes["password"] == [None, "set"]
    assert "rosewood" not in str(row.changes)


def test_create_user_duplicate_username_keeps_input(client, admin_user, requester):
    client.force_login(admin_user)
    # when the username differs only in case from Sara's
    response = client.post(reverse("settings:user_create"), user_post(username="SARA", job_title="حسابدار"))
    # then the field shows the error, nothing is saved and the typed values stay
    assert response.status_code == 200
    form = response.context["form"]
    with translation.override("fa"):
        expected = gettext("The username %(username)s is already taken.") % {"username": "SARA"}
    assert form.errors["username"] == [expected]
    assert form["job_title"].value() == "حسابدار"
    assert not User.objects.filter(username="SARA").exists()


def test_create_user_password_mismatch(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("settings:user_create"), user_post(password="Kf7!rosewood-lamp",
                                                                      password_confirm="other"))
    assert response.context["form"].errors["password_confirm"] == [
        in_persian("The two passwords differ. Type the same password twice.")
    ]
    assert not User.objects.filter(username="parisa").exists()


def test_edit_user_audits_before_and_after(client, admin_user, requester, department, other_department):
    # given Sara in Finance
    client.force_login(admin_user)
    # when the administrator moves her to Human resources and changes her title
    response = client.post(reverse("settings:user_edit", args=[requester.pk]), user_post(
        username="sara", first_name="سارا", last_name="رضایی", email="sara@example.ir", phone="",
        employee_number="", job_title="حسابرس", department=other_department.pk,
    ))
    assert response.status_code == 302
    # then one audit row carries exactly the changed fields with raw before/after values
    (row,) = audit_rows(requester)
    assert row.action == AuditAction.UPDATE
    assert row.changes == {"job_title": ["", "حسابرس"], "department": [department.pk, other_department.pk]}


def test_edit_user_without_changes_writes_nothing(client, admin_user, requester, department):
    client.force_login(admin_user)
    client.post(reverse("settings:user_edit", args=[requester.pk]), user_post(
        username="sara", first_name="سارا", last_name="رضایی", email="sara@example.ir", phone="",
        employee_number="", job_title="", department=department.pk,
    ))
    assert audit_rows(requester) == []


def test_role_change_takes_effect_on_next_request(client, admin_user, requester, department):
    # given Sara, a requester, who cannot open the agent workspace
    sara_client = client.__class__()
    sara_client.force_login(requester)
    assert sara_client.get(reverse("incidents:list")).status_code == 403
    # when the administrator gives her the agent role
    client.force_login(admin_user)
    client.post(reverse("settings:user_edit", args=[requester.pk]), user_post(
        username="sara", first_name="سارا", last_name="رضایی", email="sara@example.ir", phone="",
        employee_number="", job_title="", department=department.pk, roles=["requester", "agent"],
    ))
    # then her next request opens the workspace, and the audit row shows the roles before and after
    assert sara_client.get(reverse("incidents:list")).status_code == 200
    assert User.objects.get(pk=requester.pk).has_perm("core.access_workspace")
    (row,) = audit_rows(requester)
    assert row.changes == {"roles": [["requester"], ["agent", "requester"]]}


def test_department_permission_removed(client, admin_user, requester, department):
    perm_user = User.objects.get(pk=requester.pk)
    client.force_login(admin_user)
    common = user_post(username="sara", first_name="سارا", last_name="رضایی", email="sara@example.ir", phone="",
                       employee_number="", job_title="", department=department.pk)
    client.post(reverse("settings:user_edit", args=[requester.pk]), {**common, "view_department_incidents": "on"})
    assert User.objects.get(pk=perm_user.pk).has_perm("incidents.view_department_incidents")
    client.post(reverse("settings:user_edit", args=[requester.pk]), common)
    assert not User.objects.get(pk=perm_user.pk).has_perm("incidents.view_department_incidents")
    assert [row.changes for row in audit_rows(requester)] == [
        {"view_department_incidents": [False, True]}, {"view_department_incidents": [True, False]},
    ]


def test_set_password_is_audited_without_the_password(client, admin_user, requester):
    client.force_login(admin_user)
    response = client.post(reverse("settings:user_password", args=[requester.pk]),
                           {"password": "Mv9#quiet-harbour", "password_confirm": "Mv9#quiet-harbour"})
    assert response.status_code == 302
    requester.refresh_from_db()
    assert requester.check_password("Mv9#quiet-harbour")
    (row,) = audit_rows(requester)
    assert row.changes == {"password": ["", "set"]}


def test_set_password_rejects_weak_password(client, admin_user, requester):
    client.force_login(admin_user)
    response = client.post(reverse("settings:user_password", args=[requester.pk]),
                           {"password": "123", "password_confirm": "123"})
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert audit_rows(requester) == []


def test_deactivate_and_reactivate(client, admin_user, requester):
    client.force_login(admin_user)
    # when the administrator deactivates Sara
    client.post(reverse("settings:user_set_active", args=[requester.pk]), {"active": "0"})
    requester.refresh_from_db()
    # then she cannot sign in, and the row stays
    assert requester.is_active is False
    assert not client.__class__().login(username="sara", password=factories.TEST_PASSWORD)
    # when she is reactivated, then both changes are audited
    client.post(reverse("settings:user_set_active", args=[requester.pk]), {"active": "1"})
    requester.refresh_from_db()
    assert requester.is_active is True
    assert [row.changes for row in audit_rows(requester)] == [
        {"is_active": [True, False]}, {"is_active": [False, True]},
    ]


def test_admin_cannot_deactivate_self(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("settings:user_set_active", args=[admin_user.pk]), {"active": "0"}, follow=True)
    admin_user.refresh_from_db()
    assert admin_user.is_active is True
    assert in_persian("You cannot deactivate your own account.") in [str(m) for m in response.context["messages"]]


def test_last_administrator_keeps_role(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("settings:user_edit", args=[admin_user.pk]), user_post(
        username="admin", first_name="مدیر", last_name="سامانه", email="admin@example.ir", phone="",
        employee_number="", job_title="", roles=["agent"],
    ))
    with translation.override("fa"):
        expected = gettext("%(user)s is the only active administrator. Make someone else an administrator first.") \
            % {"user": "مدیر سامانه"}
    assert response.context["form"].errors["roles"] == [expected]
    assert "administrator" in user_roles(admin_user)


def test_removing_group_lead_from_group_rejected(client, admin_user, group_lead, service_desk):
    client.force_login(admin_user)
    response = client.post(reverse("settings:user_edit", args=[group_lead.pk]), user_post(
        username="hamid", first_name="حمید", last_name="نوری", email="hamid@example.ir", phone="",
        employee_number="", job_title="", roles=["group_lead"], support_groups=[],
    ))
    assert response.status_code == 200
    assert response.context["form"].errors["support_groups"]
    assert list(group_lead.support_groups.all()) == [service_desk]


def test_users_are_never_deleted_through_settings(admin_user):
    # Settings has no delete URL for users: people are deactivated.
    from sarv.core import settings_urls

    assert not [p for p in settings_urls.urlpatterns if "delete" in str(p.pattern) and "user" in str(p.pattern)]
    assert Group.objects.filter(name="administrator").exists()
