"""Known error actions: publishing, updating, retiring, linking incidents and sending workarounds."""

from __future__ import annotations

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from sarv.core.choices import AuditAction, TimelineKind
from sarv.core.errors import ConflictError, PermissionDenied, ValidationFailed
from sarv.core.models import AuditLogEntry, Notification, TimelineEntry
from sarv.core.timeline import entries_for
from sarv.core.timeline_display import describe
from sarv.incidents import actions as incident_actions
from sarv.incidents.models import Incident
from sarv.problems import actions
from sarv.problems.choices import KnownErrorStatus, KnownErrorUseKind, LinkSource, ProblemStatus
from sarv.problems.known_errors import search_known_errors, suggest_known_errors
from sarv.problems.models import KnownError, KnownErrorUse, Problem, ProblemIncident
from sarv.problems.tests.kedb_fixtures import ROOT_CAUSE, WORKAROUND, analysed, make_problem, problem_manager
from sarv.services.models import Service
from sarv.testing import factories

pytestmark = pytest.mark.django_db
__all__ = ["problem_manager"]


def _entries(record, kind):
    return list(TimelineEntry.objects.filter(content_type=ContentType.objects.get_for_model(record),
                                             object_id=record.pk, kind=kind).order_by("pk"))


@pytest.fixture
def problem(problem_manager):
    service = Service.objects.create(name_fa="چاپ و اسکن")
    return make_problem(problem_manager, description="چاپگرها کار چاپ را در صف نگه می‌دارند", services=[service])


def test_publish_copies_problem(problem_manager, problem, category_tree):
    # given an analysed problem under investigation with a category and a service
    _hardware, printer = category_tree
    Problem.objects.filter(pk=problem.pk).update(category=printer, status=ProblemStatus.UNDER_INVESTIGATION)
    problem = Problem.objects.get(pk=problem.pk)

    # when the problem manager publishes it
    known_error = actions.publish_known_error(actor=problem_manager, problem=problem,
                                              expected_version=problem.version)

    # then the known error carries the problem's analysis under a KE number
    assert re.fullmatch(r"KE-\d{4}-000001", known_error.number)
    assert known_error.title == problem.title
    assert known_error.symptoms == problem.description
    assert known_error.root_cause == ROOT_CAUSE
    assert known_error.workaround == WORKAROUND
    assert known_error.category == printer
    assert list(known_error.services.all()) == list(problem.services.all())
    assert known_error.status == KnownErrorStatus.PUBLISHED
    assert known_error.published_by == problem_manager
    # and the problem moved to "known error", with the publication on its timeline
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.KNOWN_ERROR
    updates = _entries(problem, TimelineKind.UPDATED)
    assert updates[-1].data["known_error"] == {"number": known_error.number, "event": "published", "version": 1}
    with translation.override("fa"):
        assert describe(Problem, updates)[-1].extra == [f"خطای شناخته‌شده {known_error.number} منتشر شد"]
    # and the audit log has the new known error
    assert AuditLogEntry.objects.filter(action=AuditAction.CREATE, object_id=str(known_error.pk),
                                        object_repr__startswith=known_error.number).exists()


def test_publish_needs_problem_manager(agent, problem):
    with pytest.raises(PermissionDenied):
        actions.publish_known_error(actor=agent, problem=problem)

    assert not KnownError.objects.exists()


@pytest.mark.parametrize(("root_cause", "workaround", "field"), [("", WORKAROUND, "root_cause"),
                                                                 (ROOT_CAUSE, "  ", "workaround")])
def test_publish_needs_analysis(problem_manager, problem, root_cause, workaround, field):
    problem = analysed(problem, root_cause, workaround)

    with pytest.raises(ValidationFailed) as error:
        actions.publish_known_error(actor=problem_manager, problem=problem)

    assert error.value.field == field
    assert not KnownError.objects.exists()
    assert Problem.objects.get(pk=problem.pk).status == ProblemStatus.NEW


def test_publish_twice_rejected(problem_manager, problem):
    actions.publish_known_error(actor=problem_manager, problem=problem)

    with pytest.raises(ValidationFailed):
        actions.publish_known_error(actor=problem_manager, problem=problem)

    assert KnownError.objects.count() == 1


def test_publish_stale_problem_version(problem_manager, problem):
    with pytest.raises(ConflictError):
        actions.publish_known_error(actor=problem_manager, problem=problem, expected_version=problem.version + 1)

    assert not KnownError.objects.exists()


def test_update_copies_new_workaround(problem_manager, problem):
    # given a published known error whose problem got a better workaround
    known_error = actions.publish_known_error(actor=problem_manager, problem=problem)
    analysed(problem, ROOT_CAUSE, "درایور نسخه ۳.۲ را از پوشه اشتراکی نصب کنید")

    # when the problem manager updates the known error
    known_error = actions.update_known_error(actor=problem_manager, known_error=known_error,
                                             expected_version=known_error.version)

    # then it carries the new workaround under the next version, audited
    known_error.refresh_from_db()
    assert known_error.workaround == "درایور نسخه ۳.۲ را از پوشه اشتراکی نصب کنید"
    assert known_error.version == 2
    update = AuditLogEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(known_error.pk)).latest("pk")
    assert update.changes["workaround"] == [WORKAROUND, known_error.workaround]
    assert update.changes["version"] == [1, 2]
    assert _entries(problem, TimelineKind.UPDATED)[-1].data["known_error"]["event"] == "updated"


def test_update_without_changes_rejected(problem_manager, problem):
    known_error = actions.publish_known_error(actor=problem_manager, problem=problem)

    with pytest.raises(ValidationFailed):
        actions.update_known_error(actor=problem_manager, known_error=known_error)

    known_error.refresh_from_db()
    assert known_error.version == 1


def test_retire_needs_reason(problem_manager, problem):
    known_error = actions.publish_known_error(actor=problem_manager, problem=problem)

    with pytest.raises(ValidationFailed) as error:
        actions.retire_known_error(actor=problem_manager, known_error=known_error, reason="  ")

    assert error.value.field == "reason"
    known_error.refresh_from_db()
    assert known_error.status == KnownErrorStatus.PUBLISHED


def test_retire_and_publish_again(problem_manager, agent, problem):
    # given a published known error
    known_error = actions.publish_known_error(actor=problem_manager, problem=problem)

    # when an agent tries to retire it, then the problem manager does
    with pytest.raises(PermissionDenied):
        actions.retire_known_error(actor=agent, known_error=known_error, reason="وصله نصب شد")
    actions.retire_known_error(actor=problem_manager, known_error=known_error, reason="وصله روی همه نصب شد")

    # then it is retired with the reason, and retiring again is rejected
    known_error.refresh_from_db()
    assert known_error.status == KnownErrorStatus.RETIRED
    assert known_error.retired_by == problem_manager
    assert known_error.retire_reason == "وصله روی همه نصب شد"
    with pytest.raises(ValidationFailed):
        actions.retire_known_error(actor=problem_manager, known_error=known_error, reason="دوباره")

    # and updating it from the problem publishes it again
    actions.update_known_error(actor=problem_manager, known_error=known_error)
    known_error.refresh_from_db()
    assert known_error.status == KnownErrorStatus.PUBLISHED
    assert known_error.retire_reason == ""
    assert _entries(problem, TimelineKind.UPDATED)[-1].data["known_error"]["event"] == "republished"


def test_known_error_outlives_problem_closure(problem_manager, requester, problem):
    # given a published known error whose problem is then closed
    known_error = actions.publish_known_error(actor=problem_manager, problem=problem)
    Problem.objects.filter(pk=problem.pk).update(status=ProblemStatus.CLOSED)
    incident = factories.make_incident(requester, title="چاپگر طبقه سوم چاپ نمی‌کند")

    # when agents search and work a new incident
    found = search_known_errors(KnownError.objects.all(), "صف چاپ")
    suggested = [item.known_error for item in suggest_known_errors(incident)]

    # then the known error is still published, found and suggested
    known_error.refresh_from_db()
    assert known_error.status == KnownErrorStatus.PUBLISHED
    assert list(found) == [known_error]
    assert suggested == [known_error]


def test_publish_from_resolved_problem_keeps_status(problem_manager, problem):
    Problem.objects.filter(pk=problem.pk).update(status=ProblemStatus.RESOLVED)

    actions.publish_known_error(actor=problem_manager, problem=Problem.objects.get(pk=problem.pk))

    assert Problem.objects.get(pk=problem.pk).status == ProblemStatus.RESOLVED


def test_link_incident_to_known_error(problem_manager, agent, requester, problem):
    # given a published known error and a new incident
    known_error = actions.publish_known_error(actor=problem_manager, problem=problem)
    incident = factories.make_incident(requester)

    # when an agent links the incident to the known error
    use = actions.link_incident_to_known_error(actor=agent, incident=incident, known_error=known_error)

    # then the incident is linked to the problem through the known error, and the use is counted
    link = ProblemIncident.objects.get(problem=problem, incident=incident)
    assert link.source == LinkSource.KNOWN_ERROR
    assert link.linked_by == agent
    assert use.kind == KnownErrorUseKind.LINKED
    assert use.used_by == agent
    linked_entry = _entries(incident, TimelineKind.LINKED)[-1]
    assert linked_entry.data["number"] == problem.number
    assert linked_entry.is_internal
    # and the timeline shows the problem's number, not an import source
    assert describe(Incident, [linked_entry])[0].extra == [problem.number]

    # and linking again is rejected without a second use
    with pytest.raises(ValidationFailed):
        actions.link_incident_to_known_error(actor=agent, incident=incident, known_error=known_error)
    assert KnownErrorUse.objects.count() == 1


def test_link_rules(problem_manager, agent, requester, problem):
    known_error = actions.publish_known_error(actor=problem_manager, problem=problem)
    incident = factories.make_incident(requester)

    with pytest.raises(PermissionDenied):
        actions.link_incident_to_known_error(actor=requester, incident=incident, known_error=known_error)
    actions.retire_known_error(actor=problem_manager, known_error=known_error, reason="منسوخ")
    known_error.refresh_from_db()
    with pytest.raises(ValidationFailed):
        actions.link_incident_to_known_error(actor=agent, incident=incident, known_error=known_error)

    assert not ProblemIncident.objects.exists()
    assert not KnownErrorUse.objects.exists()


def test_link_incident_to_problem(agent, requester, problem):
    incident = factories.make_incident(requester)

    actions.link_incident_to_problem(actor=agent, incident=incident, problem=problem)

    assert ProblemIncident.objects.get(incident=incident).source == LinkSource.MANUAL
    with pytest.raises(ValidationFailed):
        actions.link_incident_to_problem(actor=agent, incident=incident, problem=problem)


def test_apply_published_workaround(problem_manager, agent, requester, problem, mailoutbox,
                                    django_capture_on_commit_callbacks):
    # given an English-speaking requester's incident linked to a problem with a published known error
    requester.language = "en"
    requester.save()
    known_error = actions.publish_known_error(actor=problem_manager, problem=problem)
    incident = factories.make_incident(requester)
    actions.link_incident_to_known_error(actor=agent, incident=incident, known_error=known_error)
    mailoutbox.clear()

    # when the agent applies the workaround (and the transaction commits)
    with django_capture_on_commit_callbacks(execute=True):
        entry = actions.apply_workaround(actor=agent, incident=incident, problem=problem)

    # then the requester sees a public reply in English with the workaround
    assert entry.kind == TimelineKind.PUBLIC_REPLY
    assert not entry.is_internal
    assert entry.body.startswith("This is a known issue")
    assert WORKAROUND in entry.body
    assert entry in list(entries_for(incident, requester))
    # and is notified, in the app and by e-mail
    assert Notification.objects.filter(recipient=requester, kind="public_reply", object_id=incident.pk).exists()
    assert [message.to for message in mailoutbox] == [[requester.email]]
    assert incident.number in mailoutbox[0].subject
    # and the use is counted, with an internal entry naming the known error
    assert KnownErrorUse.objects.filter(known_error=known_error, incident=incident,
                                        kind=KnownErrorUseKind.APPLIED_WORKAROUND, used_by=agent).exists()
    note = _entries(incident, TimelineKind.UPDATED)[-1]
    assert note.is_internal
    assert note.data["workaround_applied"] == {"problem": problem.number, "known_error": known_error.number,
                                               "reply": entry.pk}


def test_apply_problem_workaround_before_publishing(agent, requester, problem):
    # given a Persian-speaking requester's incident linked to a problem with no known error yet
    incident = factories.make_incident(requester)
    actions.link_incident_to_problem(actor=agent, incident=incident, problem=problem)

    # when the agent applies the problem's workaround
    entry = actions.apply_workaround(actor=agent, incident=incident, problem=problem)

    # then the reply is in Persian, no known error use is counted, and the timeline names the problem
    assert "راه‌حل موقت" in entry.body
    assert WORKAROUND in entry.body
    assert not KnownErrorUse.objects.exists()
    note = _entries(incident, TimelineKind.UPDATED)[-1]
    assert note.data["workaround_applied"]["known_error"] is None
    with translation.override("fa"):
        assert describe(Incident, [note])[0].extra == [f"راه‌حل موقت {problem.number} برای درخواست‌کننده فرستاده شد"]


def test_apply_workaround_rules(agent, requester, problem, problem_manager, resolution_code):
    incident = factories.make_incident(requester)

    # not linked
    with pytest.raises(ValidationFailed):
        actions.apply_workaround(actor=agent, incident=incident, problem=problem)
    # linked, but the problem has no workaround
    bare = actions.open_problem(actor=problem_manager, title="کندی شبکه")
    actions.link_incident_to_problem(actor=agent, incident=incident, problem=bare)
    with pytest.raises(ValidationFailed):
        actions.apply_workaround(actor=agent, incident=incident, problem=bare)
    # a requester may not send it
    actions.link_incident_to_problem(actor=agent, incident=incident, problem=problem)
    with pytest.raises(PermissionDenied):
        actions.apply_workaround(actor=requester, incident=incident, problem=problem)
    # a closed incident takes no more replies
    incident = incident_actions.resolve_incident(actor=agent, incident=incident, expected_version=incident.version,
                                                 resolution_code=resolution_code, resolution_notes="حل شد")
    incident = incident_actions.close_incident(actor=agent, incident=incident)
    with pytest.raises(ValidationFailed):
        actions.apply_workaround(actor=agent, incident=incident, problem=problem)

    assert not _entries(incident, TimelineKind.PUBLIC_REPLY)
