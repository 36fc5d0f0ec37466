"""Problem record actions: editing, assignment, statuses, root cause, five whys, workaround, resolve and close."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sarv.core.choices import AuditAction, Priority, TimelineKind
from sarv.core.errors import ConflictError, InvalidTransition, PermissionDenied, ValidationFailed
from sarv.core.models import Attachment, AuditLogEntry, Notification, TimelineEntry
from sarv.incidents import actions as incident_actions
from sarv.incidents.choices import IncidentStatus
from sarv.problems import actions
from sarv.problems.choices import ProblemStatus, RcaMethod
from sarv.problems.models import FiveWhyStep, Problem

pytestmark = pytest.mark.django_db


def _timeline(record, kind):
    return TimelineEntry.objects.filter(content_type=record.content_type(), object_id=record.pk, kind=kind)


def _fresh(problem):
    return Problem.objects.get(pk=problem.pk)


def test_update_recomputes_priority_and_replaces_services(agent, make_problem):
    from sarv.services.models import Service

    problem = make_problem(agent)
    mail = Service.objects.create(name_fa="ایمیل")
    problem = actions.update_problem(actor=agent, problem=problem, expected_version=problem.version,
                                     impact=1, urgency=1, services=[mail])
    assert problem.priority == Priority.CRITICAL
    assert list(problem.services.all()) == [mail]
    fields = [change["field"] for entry in _timeline(problem, TimelineKind.FIELD_CHANGED)
              for change in entry.data["changes"]]
    assert "priority" in fields
    assert "services" in fields


def test_update_with_stale_version_conflicts(agent, make_problem):
    problem = make_problem(agent)
    actions.update_problem(actor=agent, problem=problem, expected_version=1, title="عنوان تازه")
    with pytest.raises(ConflictError):
        actions.update_problem(actor=agent, problem=problem, expected_version=1, title="عنوان دیگر")
    assert _fresh(problem).title == "عنوان تازه"


def test_update_rejects_manager_without_role(agent, other_agent, make_problem):
    problem = make_problem(agent)
    with pytest.raises(ValidationFailed) as error:
        actions.update_problem(actor=agent, problem=problem, expected_version=1, problem_manager=other_agent)
    assert error.value.field == "problem_manager"


def test_requester_cannot_open_or_edit(requester, agent, make_problem):
    with pytest.raises(PermissionDenied):
        actions.open_problem(actor=requester, title="مسئله")
    problem = make_problem(agent)
    with pytest.raises(PermissionDenied):
        actions.update_problem(actor=requester, problem=problem, expected_version=1, title="x")


def test_assign_moves_new_problem_under_investigation(agent, other_agent, network_group, make_problem):
    problem = make_problem(agent)
    problem = actions.assign_problem(actor=agent, problem=problem, expected_version=1, group=network_group,
                                     assignee=other_agent)
    assert problem.status == ProblemStatus.UNDER_INVESTIGATION
    assert problem.assignee == other_agent
    assert Notification.objects.filter(recipient=other_agent, kind="assigned").exists()


def test_assign_rejects_agent_outside_group(agent, other_agent, service_desk, make_problem):
    problem = make_problem(agent)
    with pytest.raises(ValidationFailed) as error:
        actions.assign_problem(actor=agent, problem=problem, expected_version=1, group=service_desk,
                               assignee=other_agent)
    assert error.value.field == "assignee"


def test_known_error_status_needs_root_cause_and_workaround(agent, make_problem):
    problem = make_problem(agent)
    with pytest.raises(ValidationFailed):
        actions.change_status(actor=agent, problem=problem, expected_version=1, status=ProblemStatus.KNOWN_ERROR)
    problem = actions.save_root_cause(actor=agent, problem=problem, expected_version=1,
                                      rca_method=RcaMethod.FIVE_WHYS, root_cause="درایور قدیمی")
    with pytest.raises(ValidationFailed):
        actions.change_status(actor=agent, problem=problem, expected_version=problem.version,
                              status=ProblemStatus.KNOWN_ERROR)
    problem = actions.save_workaround(actor=agent, problem=problem, expected_version=problem.version,
                                      workaround="چاپگر را خاموش و روشن کنید")
    problem = actions.change_status(actor=agent, problem=problem, expected_version=problem.version,
                                    status=ProblemStatus.KNOWN_ERROR)
    assert problem.status == ProblemStatus.KNOWN_ERROR


def test_change_status_refuses_resolved_and_closed(agent, make_problem):
    problem = make_problem(agent)
    with pytest.raises(ValidationFailed):
        actions.change_status(actor=agent, problem=problem, expected_version=1, status=ProblemStatus.RESOLVED)


def test_first_root_cause_sets_status_and_time(agent, make_problem, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    problem = make_problem(agent)
    evidence = SimpleUploadedFile("trace.txt", b"spooler crash at 10:02", content_type="text/plain")
    problem = actions.save_root_cause(actor=agent, problem=problem, expected_version=1,
                                      rca_method=RcaMethod.ISHIKAWA, root_cause="سرویس چاپ از کار می‌افتد",
                                      contributing_factors="به‌روزرسانی خودکار", files=[evidence])
    assert problem.status == ProblemStatus.ROOT_CAUSE_KNOWN
    found_at = problem.root_cause_found_at
    assert found_at is not None
    evidence_file = Attachment.objects.get(original_name="trace.txt")
    assert evidence_file.is_internal is True
    assert evidence_file.object_id == problem.pk
    # a later edit keeps the time the cause was first found
    problem = actions.save_root_cause(actor=agent, problem=problem, expected_version=problem.version,
                                      rca_method=RcaMethod.ISHIKAWA, root_cause="سرویس چاپ حافظه کم می‌آورد")
    assert problem.root_cause_found_at == found_at


def test_root_cause_must_not_be_empty(agent, make_problem):
    problem = make_problem(agent)
    with pytest.raises(ValidationFailed) as error:
        actions.save_root_cause(actor=agent, problem=problem, expected_version=1, rca_method="", root_cause="  ")
    assert error.value.field == "root_cause"


def test_five_whys_add_edit_move_remove_keep_history(agent, make_problem):
    problem = make_problem(agent)
    first = actions.add_five_why(actor=agent, problem=problem, question="چرا چاپ متوقف شد؟", answer="صف پر شد")
    second = actions.add_five_why(actor=agent, problem=problem, question="چرا صف پر شد؟", answer="سرویس گیر کرد")
    third = actions.add_five_why(actor=agent, problem=problem, question="چرا سرویس گیر کرد؟")
    actions.update_five_why(actor=agent, step=third, question="چرا سرویس گیر کرد؟", answer="درایور قدیمی")
    actions.move_five_why(actor=agent, step=third, offset=-1)
    order = list(FiveWhyStep.objects.filter(problem=problem).values_list("pk", flat=True))
    assert order == [first.pk, third.pk, second.pk]
    actions.remove_five_why(actor=agent, step=first)
    steps = list(FiveWhyStep.objects.filter(problem=problem).values_list("position", "answer"))
    assert steps == [(1, "درایور قدیمی"), (2, "سرویس گیر کرد")]
    five_why_entries = [entry for entry in _timeline(problem, TimelineKind.FIELD_CHANGED)
                        if entry.data["changes"][0]["field"] == "five_whys"]
    assert len(five_why_entries) == 6
    assert AuditLogEntry.objects.filter(action=AuditAction.DELETE, object_id=str(first.pk)).exists()


def test_five_whys_step_needs_question(agent, make_problem):
    problem = make_problem(agent)
    with pytest.raises(ValidationFailed) as error:
        actions.add_five_why(actor=agent, problem=problem, question=" ", answer="پاسخ")
    assert error.value.field == "question"


def test_workaround_notifies_agents_of_open_linked_incidents(agent, other_agent, requester, network_group,
                                                             make_incident, make_problem):
    incident = make_incident(requester, assigned_group=network_group, assignee=other_agent, actor=agent)
    problem = make_problem(agent, incidents=[incident])
    problem = actions.save_workaround(actor=agent, problem=problem, expected_version=problem.version,
                                      workaround="از چاپگر طبقه دوم استفاده کنید")
    assert problem.workaround_updated_at is not None
    assert Notification.objects.filter(recipient=other_agent, kind="workaround_updated").exists()
    assert not Notification.objects.filter(recipient=requester, kind="workaround_updated").exists()


def test_only_managers_resolve(agent, problem_manager, make_problem):
    problem = make_problem(agent)
    with pytest.raises(PermissionDenied):
        actions.resolve_problem(actor=agent, problem=problem, expected_version=1, resolution_notes="درایور نو")
    problem = actions.resolve_problem(actor=problem_manager, problem=problem, expected_version=1,
                                      resolution_notes="درایور نو نصب شد", fix_change_reference="CHG-۱۴۰۵-۰۰۰۱۲")
    assert problem.status == ProblemStatus.RESOLVED
    assert problem.fix_change_reference == "CHG-1405-00012"
    assert problem.resolved_by == problem_manager
    assert problem.resolved_at is not None


def test_close_resolves_chosen_incidents_and_reports_each(agent, requester, problem_manager, resolution_code,
                                                          make_incident, make_problem):
    open_one = make_incident(requester, title="چاپگر یک")
    other = make_incident(requester, title="چاپگر دو")
    left_open = make_incident(requester, title="چاپگر سه")
    problem = make_problem(agent, incidents=[open_one, other, left_open])
    # the second incident is cancelled meanwhile, so it cannot be resolved any more
    incident_actions.cancel_incident(actor=requester, incident=other, expected_version=other.version,
                                     reason="تکراری")
    with pytest.raises(ValidationFailed):
        actions.close_problem(actor=problem_manager, problem=problem, expected_version=problem.version,
                              incidents=[open_one, other], resolution_code=resolution_code, message="حل شد")
    result = actions.close_problem(actor=problem_manager, problem=problem, expected_version=problem.version,
                                   incidents=[open_one], resolution_code=resolution_code,
                                   message="علت ریشه‌ای برطرف شد؛ لطفا دوباره امتحان کنید")
    assert result.problem.status == ProblemStatus.CLOSED
    assert [(outcome.number, outcome.ok) for outcome in result.incidents] == [(open_one.number, True)]
    open_one.refresh_from_db()
    left_open.refresh_from_db()
    assert open_one.status == IncidentStatus.RESOLVED
    assert open_one.resolution_notes == "علت ریشه‌ای برطرف شد؛ لطفا دوباره امتحان کنید"
    assert left_open.status == IncidentStatus.NEW
    assert Notification.objects.filter(recipient=requester, kind="resolved", object_id=open_one.pk).exists()


def test_close_reports_incident_that_cannot_resolve(agent, requester, problem_manager, resolution_code,
                                                   make_incident, make_problem, monkeypatch):
    incident = make_incident(requester)
    problem = make_problem(agent, incidents=[incident])

    def refuse(**kwargs):
        raise InvalidTransition(current="x", target="y")

    monkeypatch.setattr(actions.incident_actions, "resolve_incident", refuse)
    result = actions.close_problem(actor=problem_manager, problem=problem, expected_version=problem.version,
                                   incidents=[incident], resolution_code=resolution_code, message="حل شد")
    assert result.problem.status == ProblemStatus.CLOSED
    assert result.incidents[0].ok is False
    assert result.incidents[0].message


def test_close_needs_message_when_incidents_chosen(agent, requester, problem_manager, resolution_code,
                                                  make_incident, make_problem):
    incident = make_incident(requester)
    problem = make_problem(agent, incidents=[incident])
    with pytest.raises(ValidationFailed) as error:
        actions.close_problem(actor=problem_manager, problem=problem, expected_version=problem.version,
                              incidents=[incident], resolution_code=resolution_code, message="")
    assert error.value.field == "message"
    assert _fresh(problem).status == ProblemStatus.NEW


def test_reopen_needs_reason_and_clears_times(agent, problem_manager, make_problem):
    problem = make_problem(agent)
    problem = actions.resolve_problem(actor=problem_manager, problem=problem, expected_version=1,
                                      resolution_notes="وصله نصب شد")
    with pytest.raises(ValidationFailed):
        actions.reopen_problem(actor=agent, problem=problem, reason="")
    problem = actions.reopen_problem(actor=agent, problem=problem, reason="دوباره رخ داد")
    assert problem.status == ProblemStatus.UNDER_INVESTIGATION
    assert problem.resolved_at is None


def test_watcher_must_be_able_to_see_problems(agent, requester, other_agent, make_problem):
    problem = make_problem(agent)
    with pytest.raises(ValidationFailed):
        actions.add_watcher(actor=agent, problem=problem, user=requester)
    assert actions.add_watcher(actor=agent, problem=problem, user=other_agent) is not None
