"""The audit log viewer: labels and values in the reader's language, filters, and a fixed query count per page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sarv.accounts import actions as account_actions
from sarv.core.choices import AuditAction
from sarv.core.models import AuditLogEntry
from sarv.testing import factories

pytestmark = pytest.mark.django_db


def edit_sara(admin_user, sara, department, **overrides):
    values = {"username": "sara", "first_name": "سارا", "last_name": "رضایی", "email": "sara@example.ir",
              "department": department, "language": "fa", "is_active": True, **overrides}
    return account_actions.update_user(actor=admin_user, user=sara, values=values,
                                       roles=overrides.pop("roles", ["requester"]), support_groups=[],
                                       view_department_incidents=False)


@pytest.mark.parametrize("who", ["agent", "requester", "incident_manager"])
def test_audit_log_refused(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("settings:audit_log")).status_code == 403


def test_audit_permission_alone_opens_only_the_log(client, agent):
    # given an agent granted core.view_audit_log directly (an auditor), but not core.manage_settings
    agent.user_permissions.add(Permission.objects.get(content_type__app_label="core", codename="view_audit_log"))
    client.force_login(agent)
    assert client.get(reverse("settings:audit_log")).status_code == 200
    assert client.get(reverse("settings:users")).status_code == 403


def test_change_row_labels_ip_and_time(client, admin_user, requester, department,
                                                           other_department):
    # given the administrator moved Sara to Human resources from 192.0.2.10
    client.force_login(admin_user)
    client.post(reverse("settings:user_edit", args=[requester.pk]), {
        "username": "sara", "first_name": "سارا", "last_name": "رضایی", "email": "sara@example.ir",
        "department": other_department.pk, "language": "fa", "is_active": "on", "roles": ["requester", "agent"],
    }, REMOTE_ADDR="192.0.2.10")
    entry = AuditLogEntry.objects.get(action=AuditAction.UPDATE, content_type__model="user")
    assert entry.ip_address == "192.0.2.10"
    # when the administrator, reading in Persian, opens the audit log
    response = client.get(reverse("settings:audit_log"))
    (row,) = [row for row in response.context["rows"] if row.entry == entry]
    lines = {line.label: (line.before, line.after) for line in row.lines}
    # then fields carry their labels, departments their names and roles their labels, in Persian
    from django.utils import translation
    from django.utils.translation import gettext

    from sarv.accounts.models import User
    from sarv.accounts.roles import ROLES

    with translation.override("fa"):
        department_label = str(User._meta.get_field("department").verbose_name)
        roles_label = gettext("Roles")
        requester_label, agent_label = str(ROLES["requester"].label), str(ROLES["agent"].label)
    assert lines[department_label] == ("امور مالی", "منابع انسانی")
    assert lines[roles_label] == (requester_label, f"{agent_label}، {requester_label}")
    html = response.content.decode()
    assert '<bdi dir="ltr">۱۹۲.۰.۲.۱۰</bdi>' in html
    with translation.override("fa"):
        from sarv.core import jalali

        assert jalali.format_datetime(entry.timestamp) in html


def test_english_reader_sees_english_labels(client, admin_user, requester, department, other_department):
    admin_user.language = "en"
    admin_user.save(update_fields=["language"])
    edit_sara(admin_user, requester, other_department)
    client.force_login(admin_user)
    response = client.get(reverse("settings:audit_log"), {"action": "update"})
    (row,) = response.context["rows"]
    assert [(line.label, line.before, line.after) for line in row.lines] == [
        ("department", "Finance", "Human resources"),
    ]
    assert row.object_type == "user"


def test_password_change_shown_without_password(client, admin_user, requester):
    account_actions.set_user_password(actor=admin_user, user=requester, password="Mv9#quiet-harbour")
    admin_user.language = "en"
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)
    response = client.get(reverse("settings:audit_log"), {"action": "update"})
    (row,) = response.context["rows"]
    assert [(line.label, line.after) for line in row.lines] == [
        ("Password", "changed (the password itself is never logged)"),
    ]
    assert "quiet-harbour" not in response.content.decode()


def test_filters(client, admin_user, agent, requester, department, other_department):
    # given a change by the administrator and a sign-in by Ali
    edit_sara(admin_user, requester, other_department)
    client.force_login(agent)
    client.force_login(admin_user)
    url = reverse("settings:audit_log")

    def actions_for(**params: str) -> list[str]:
        return [row.entry.action for row in client.get(url, params).context["rows"]]

    # by actor: a part of the name typed with an Arabic yeh finds Ali's sign-in
    assert actions_for(actor="علي") == [AuditAction.LOGIN]
    # by action and object type
    assert actions_for(action="update") == [AuditAction.UPDATE]
    from django.contrib.contenttypes.models import ContentType

    from sarv.accounts.models import User

    user_type = ContentType.objects.get_for_model(User)
    assert AuditAction.UPDATE in actions_for(object_type=str(user_type.pk))
    # by text in the object's name
    assert actions_for(q="سارا", action="update") == [AuditAction.UPDATE]
    # by Jalali date range: today matches, a range in the past does not
    today = timezone.localdate()
    from sarv.core import jalali

    assert actions_for(date_from=jalali.format_date(today), date_to=jalali.format_date(today)) == [
        AuditAction.LOGIN, AuditAction.LOGIN, AuditAction.UPDATE,
    ]
    past = today - dt.timedelta(days=30)
    assert actions_for(date_from=jalali.format_date(past), date_to=jalali.format_date(past)) == []


def test_reversed_dates_are_a_field_error(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("settings:audit_log"), {"date_from": "۱۴۰۵/۰۲/۰۱", "date_to": "۱۴۰۵/۰۱/۰۱"})
    assert "date_to" in response.context["form"].errors
    assert response.context["form"]["date_from"].value() == "۱۴۰۵/۰۲/۰۱"


def test_query_count_does_not_grow_with_rows(client, admin_user, department, other_department, service_desk):
    # given a few audited changes of several kinds
    account_actions.add_group_member(actor=admin_user, group=service_desk, user=admin_user)
    for i in range(3):
        person = factories.make_user(f"user{i}", "کاربر", f"شماره {i}", department=department)
        edit_sara(admin_user, person, other_department, username=person.username, first_name=person.first_name,
                  last_name=person.last_name, email=person.email)
    client.force_login(admin_user)
    url = reverse("settings:audit_log")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    # when many more rows of the same kinds are added
    for i in range(3, 20):
        person = factories.make_user(f"user{i}", "کاربر", f"شماره {i}", department=department)
        edit_sara(admin_user, person, other_department, username=person.username, first_name=person.first_name,
                  last_name=person.last_name, email=person.email)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    # then the page costs the same number of queries
    assert len(response.context["rows"]) > 20
    assert len(many.captured_queries) == len(few.captured_queries)
