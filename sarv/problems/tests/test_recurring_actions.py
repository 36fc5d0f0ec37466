"""Accepting and dismissing proposals, and the detector settings: rules, permissions, audit."""

from __future__ import annotations

from typing import Any

import pytest

from sarv.core.errors import PermissionDenied, ValidationFailed
from sarv.core.models import AuditLogEntry, TimelineEntry
from sarv.problems import actions
from sarv.problems.choices import ClusterBasis, LinkSource, ProblemStatus, ProposalStatus
from sarv.problems.models import ProblemIncident, ProblemProposal, RecurrencePolicy
from sarv.problems.tests.recurring_helpers import incidents, problem_manager
from sarv.services.models import Service

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db):
    return problem_manager()


@pytest.fixture
def proposal(requester):
    mail = Service.objects.create(name_fa="ایمیل", name_en="E-mail")
    RecurrencePolicy.objects.update_or_create(pk=1, defaults={"min_incidents": 3, "bases": [ClusterBasis.SERVICE]})
    incidents(requester, 4, service=mail)
    actions.run_recurrence_detection(actor=None)
    return ProblemProposal.objects.get()


def test_accepting_raises_a_problem_with_the_incidents_linked(proposal, manager):
    # when a problem manager accepts the proposal
    problem = actions.accept_proposal(actor=manager, proposal=proposal)

    # then a new problem has the four incidents, linked through the proposal, and the service set
    links = ProblemIncident.objects.filter(problem=problem)
    assert problem.number.startswith("PRB-")
    assert problem.status == ProblemStatus.NEW
    assert links.count() == 4
    assert set(links.values_list("source", flat=True)) == {LinkSource.PROPOSAL}
    assert list(problem.services.values_list("name_en", flat=True)) == ["E-mail"]
    assert problem.problem_manager == manager
    # the title and description are in the manager's language (Persian) and name the incidents
    assert problem.title.startswith("حادثه‌های تکراری")
    assert "ایمیل" in problem.title
    first = proposal.incidents.order_by("created_at").first()
    assert first.number in problem.description
    # and the proposal is accepted, with an audit row; each incident's timeline shows the link
    proposal.refresh_from_db()
    assert (proposal.status, proposal.problem, proposal.decided_by) == (ProposalStatus.ACCEPTED, problem, manager)
    assert AuditLogEntry.objects.filter(object_id=str(proposal.pk), changes__has_key="problem").exists()
    assert TimelineEntry.objects.filter(object_id=first.pk, kind="linked").exists()


def test_accept_title_in_english(proposal):
    english = problem_manager(language="en")
    problem = actions.accept_proposal(actor=english, proposal=proposal, title="")
    assert problem.title == "Recurring incidents: Same service: E-mail"


def test_accept_given_title_wins(proposal, manager):
    problem = actions.accept_proposal(actor=manager, proposal=proposal, title="خرابی صندوق ایمیل")
    assert problem.title == "خرابی صندوق ایمیل"


def test_agents_may_not_decide_on_proposals(proposal, agent):
    # when an agent without the problem manager role accepts or dismisses, then it is refused and nothing changes
    with pytest.raises(PermissionDenied):
        actions.accept_proposal(actor=agent, proposal=proposal)
    with pytest.raises(PermissionDenied):
        actions.dismiss_proposal(actor=agent, proposal=proposal, reason="تکراری نیست")
    with pytest.raises(PermissionDenied):
        actions.run_recurrence_detection(actor=agent)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN


def test_decided_proposal_is_final(proposal, manager):
    actions.dismiss_proposal(actor=manager, proposal=proposal, reason="قطعی برق بود")
    with pytest.raises(ValidationFailed) as error:
        actions.accept_proposal(actor=manager, proposal=proposal)
    assert error.value.field == "status"


def test_dismissing_needs_a_reason_and_remembers_the_size(proposal, manager):
    with pytest.raises(ValidationFailed) as error:
        actions.dismiss_proposal(actor=manager, proposal=proposal, reason="   ")
    assert error.value.field == "reason"

    dismissed = actions.dismiss_proposal(actor=manager, proposal=proposal, reason="قطعی برق بود")
    assert (dismissed.status, dismissed.dismissed_size, dismissed.dismiss_reason) == (
        ProposalStatus.DISMISSED, 4, "قطعی برق بود")


def test_accepting_when_every_incident_is_linked_elsewhere(proposal, manager):
    actions.open_problem(actor=manager, title="مشکل ایمیل", incidents=list(proposal.incidents.all()))
    with pytest.raises(ValidationFailed) as error:
        actions.accept_proposal(actor=manager, proposal=proposal)
    assert error.value.field == "incidents"


def test_policy_validated_and_audited(manager, admin_user, agent):
    # when a problem manager saves the settings
    policy = actions.update_recurrence_policy(actor=manager, is_enabled=True, min_incidents=8, window_days=14,
                                              bases=[ClusterBasis.CI, ClusterBasis.SYMPTOM])
    assert (policy.min_incidents, policy.window_days, policy.bases) == (8, 14, ["ci", "symptom"])
    assert AuditLogEntry.objects.filter(changes__has_key="min_incidents").exists()

    # every trait chosen is stored as "all"
    policy = actions.update_recurrence_policy(actor=admin_user, is_enabled=False, min_incidents=8, window_days=14,
                                              bases=list(ClusterBasis.values))
    assert policy.bases == []
    assert policy.enabled_bases() == list(ClusterBasis.values)

    # out-of-range numbers, no trait, an unknown trait and an agent are refused
    for values, field in (({"min_incidents": 1}, "min_incidents"), ({"window_days": 0}, "window_days"),
                          ({"bases": []}, "bases"), ({"bases": ["colour"]}, "bases")):
        arguments: dict[str, Any] = {"is_enabled": True, "min_incidents": 5, "window_days": 30, "bases": ["ci"],
                                     **values}
        with pytest.raises(ValidationFailed) as error:
            actions.update_recurrence_policy(actor=manager, **arguments)
        assert error.value.field == field
    with pytest.raises(PermissionDenied):
        actions.update_recurrence_policy(actor=agent, is_enabled=True, min_incidents=5, window_days=30,
                                         bases=["ci"])
