"""The demo loader: what ``make run`` loads into an empty database, once."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from sarv.accounts.models import SupportGroup, User
from sarv.core.choices import TimelineKind
from sarv.core.models import Attachment, AuditLogEntry, ExternalReference, TimelineEntry
from sarv.demo import loader
from sarv.demo.organisation import DEMO_PASSWORD, PEOPLE
from sarv.demo.sample import CUTOFF
from sarv.demo.states import MINIMUM, STATES, state_counts
from sarv.incidents.models import Incident
from sarv.testing import factories

pytestmark = pytest.mark.django_db

TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")


def load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts() -> tuple[int, ...]:
    return (Incident.objects.count(), TimelineEntry.objects.count(), AuditLogEntry.objects.count(),
            User.objects.count(), Attachment.objects.count())


def test_load_demo_twice_changes_nothing():
    # given a demo loaded once
    first = load_demo()
    before = counts()

    # when the command runs again
    second = load_demo()

    # then nothing is written and only the login help is printed
    assert first.startswith("The demo was loaded.\n")
    assert second.startswith("The demo is already loaded; nothing changed.\n")
    assert counts() == before
    assert "Open http://127.0.0.1:8000 and sign in with the password sarv-demo-1405 as:" in second
    for username in ("ali.karimi", "sara.rezaei", "neda.salehi", "admin"):
        assert username in second


def test_demo_has_every_state():
    now = timezone.now()
    load_demo()

    found = state_counts(now)
    # every status, every on-hold reason, and resolved incidents recent enough not to be closed automatically
    assert {state: found[state] >= MINIMUM for state in STATES} == dict.fromkeys(STATES, True)


@pytest.mark.parametrize("minutes", range(0, 24 * 60, 15))
def test_time_shift_lands_on_tehran_noon(minutes):
    now = dt.datetime(2026, 12, 5, tzinfo=dt.UTC) + dt.timedelta(minutes=minutes)

    cut_off = (CUTOFF + loader.time_shift(now)).astimezone(TEHRAN)

    assert (cut_off.hour, cut_off.minute, cut_off.second) == (12, 0, 0)
    assert now - dt.timedelta(days=1, hours=1) < cut_off <= now - dt.timedelta(hours=1)


def test_demo_replays_the_uci_slice_up_to_now():
    before = timezone.now()
    load_demo()
    after = timezone.now()

    imported = ExternalReference.objects.filter(system="uci", kind="source")
    assert imported.count() == 300
    entries = TimelineEntry.objects.filter(source_key__startswith="uci:")
    latest = entries.order_by("-created_at").values_list("created_at", flat=True)[0]
    # the sample's last row before the cut-off is an hour before it, and the replay stops at the cut-off
    cut_offs = {CUTOFF + loader.time_shift(moment) for moment in (before, after)}
    assert any(cut_off - dt.timedelta(hours=2) <= latest <= cut_off for cut_off in cut_offs), (latest, cut_offs)
    requesters = {user.pk for user in User.objects.filter(groups__name="requester")}
    incidents = Incident.objects.filter(pk__in=imported.values("object_id"))
    assert set(incidents.values_list("requester", flat=True)) <= requesters
    demo_groups = set(SupportGroup.objects.values_list("pk", flat=True))
    assert set(incidents.exclude(assigned_group=None).values_list("assigned_group", flat=True)) <= demo_groups
    assert not incidents.filter(department=None).exists()


def test_story_timeline_is_a_conversation():
    load_demo()

    incident = Incident.objects.get(title="چاپگر طبقه سوم ساختمان مرکزی کاغذ را گیر می‌اندازد")
    entries = list(TimelineEntry.objects.filter(content_type=Incident.content_type(), object_id=incident.pk)
                   .order_by("created_at", "id"))
    kinds = [entry.kind for entry in entries]
    assert kinds.count(TimelineKind.PUBLIC_REPLY) == 3
    assert kinds.count(TimelineKind.WORK_NOTE) == 1
    assert incident.status == "resolved"
    reply = next(entry for entry in entries if entry.kind == TimelineKind.PUBLIC_REPLY)
    assert reply.actor.username == "mina.rostami"
    assert reply.created_at - incident.created_at == dt.timedelta(minutes=45)
    attachment = Attachment.objects.get(object_id=incident.pk, content_type=Incident.content_type())
    assert attachment.original_name == "عکس خطای چاپگر.png"
    uploaded = TimelineEntry.objects.select_related("actor").get(pk=attachment.timeline_entry_id)
    assert uploaded.actor is not None and uploaded.actor.username == "sara.rezaei"


def test_demo_people_sign_in_and_see_their_department():
    load_demo()

    client = Client()
    for person in PEOPLE:
        assert client.login(username=person.username, password=DEMO_PASSWORD), person.username
    head_of_accounting = User.objects.get(username="parisa.hashemi")
    sara = User.objects.get(username="sara.rezaei")
    visible = Incident.objects.visible_to(head_of_accounting)
    # the head of accounting may see the incidents of her department, which Sara reported
    assert visible.filter(requester=sara).exists()
    assert not Incident.objects.visible_to(sara).exclude(requester=sara).exclude(watchers__user=sara).exists()


def test_demo_skips_database_with_people():
    # given a database that already has a user
    factories.make_user("someone")

    output = load_demo()

    assert output == ("The database already contains people or incidents, so the demo was not loaded. "
                      "Use an empty database for the demo.\n")
    assert not Incident.objects.exists()
    assert not loader.is_loaded()


def test_story_attachment_has_the_reply_time():
    load_demo()

    attachment = Attachment.objects.select_related("timeline_entry").get(original_name="عکس خطای چاپگر.png")
    assert attachment.timeline_entry is not None
    assert attachment.uploaded_at == attachment.timeline_entry.created_at


def test_demo_open_incidents_have_clocks():
    # given the demo loaded, with its SLAs and OLAs
    load_demo()

    # then every incident being worked has an SLA state, and running clocks have a due time to sort by
    # (an imported incident whose first event is its resolution never started a clock)
    from sarv.sla.models import Clock

    open_incidents = Incident.objects.open().exclude(status="resolved")
    assert open_incidents.exists()
    assert not open_incidents.filter(sla_state="").exists()
    assert open_incidents.filter(sla_state="running", sla_due_at__isnull=False).exists()
    assert Clock.objects.filter(slot__startswith="ola:").exists()
def test_demo_cmdb_impact_reaches_services():
    from sarv.cmdb.impact import impact
    from sarv.cmdb.models import CI

    load_demo()

    switch = CI.objects.get(hostname="core-sw01")
    result = impact(switch, direction="down", max_depth=8, limit=500)
    reached = set(CI.objects.filter(pk__in=[node.ci_id for node in result.nodes]).values_list("name_en", flat=True))
    # the core switch takes down every application and the business services on top of them
    assert {"Payroll service", "Financial system service", "E-mail service", "Office automation service",
            "User account service"} <= reached
    # payroll and the financial system depend on each other: the walk reports the cycle and ends
    assert result.cycles
    # open incidents of the payroll system name the payroll application
    assert Incident.objects.filter(affected_ci__name_en="Payroll application").exists()
    # a requester's workstation is suggested on the incident form
    assert CI.objects.filter(holder__username="sara.rezaei").exists()


def test_demo_known_errors_reach_story_incidents():
    from sarv.problems.known_errors import suggest_known_errors
    from sarv.problems.models import KnownError, ProblemIncident

    load_demo()

    # both demo known errors are published, and the printer one is linked to the printer story
    assert KnownError.objects.filter(status="published").count() == 2
    printer = Incident.objects.get(title="چاپگر طبقه سوم ساختمان مرکزی کاغذ را گیر می‌اندازد")
    assert ProblemIncident.objects.filter(incident=printer, problem__known_error__isnull=False).exists()
    # the VPN story's incident gets the VPN known error as its first suggestion
    vpn = Incident.objects.get(title="اتصال VPN از منزل برقرار نمی‌شود")
    suggestions = suggest_known_errors(vpn)
    assert suggestions[0].known_error.title.startswith("قطع اتصال VPN")
