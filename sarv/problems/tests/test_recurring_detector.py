"""The recurring-incident detector: thresholds, windows, each shared trait and the proposal rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sarv.cmdb.models import CI, CIClass
from sarv.incidents.choices import IncidentStatus
from sarv.problems import actions, recurrence
from sarv.problems.choices import ClusterBasis, LinkSource, ProblemStatus, ProposalStatus
from sarv.problems.models import Problem, ProblemProposal, RecurrencePolicy
from sarv.problems.tests.recurring_helpers import incidents, problem_manager
from sarv.services.models import Service

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db):
    return problem_manager()


def detect(**kwargs):
    return actions.run_recurrence_detection(actor=None, **kwargs)


def set_policy(**values):
    policy = RecurrencePolicy.current()
    for name, value in values.items():
        setattr(policy, name, value)
    policy.save()


def proposal_for(basis):
    return ProblemProposal.objects.get(basis=basis)


def test_cluster_needs_minimum_count_in_window(requester, category_tree):
    # given 3 printer incidents this week, 1 more 40 days ago, and a policy of 4 within 30 days
    _hardware, printer = category_tree
    set_policy(min_incidents=4, window_days=30, bases=[ClusterBasis.CATEGORY])
    incidents(requester, 3, category=printer, days_ago=2)
    incidents(requester, 1, category=printer, days_ago=40)

    # when the detector runs, then nothing is proposed: only 3 fall inside the window
    assert detect().clusters == 0
    assert not ProblemProposal.objects.exists()

    # when a fourth printer incident comes in today
    incidents(requester, 1, category=printer, days_ago=0.1)
    result = detect()

    # then one open proposal contains exactly the 4 incidents inside the window
    assert result.created == 1
    proposal = proposal_for(ClusterBasis.CATEGORY)
    assert proposal.status == ProposalStatus.OPEN
    assert proposal.incident_count == 4 == proposal.incidents.count()
    assert proposal.key == str(printer.pk)
    assert proposal.first_incident_at < proposal.last_incident_at


def test_subcategory_wins_over_category(requester, category_tree):
    # given 3 incidents under Hardware › Printer and 2 under Hardware alone
    hardware, printer = category_tree
    set_policy(min_incidents=3, bases=[ClusterBasis.CATEGORY])
    incidents(requester, 3, category=hardware, subcategory=printer)
    incidents(requester, 2, category=hardware)

    # when the detector runs
    detect()

    # then the cluster is the printer subcategory, labelled with its parent, and Hardware alone is too small
    proposal = proposal_for(ClusterBasis.CATEGORY)
    assert proposal.key == str(printer.pk)
    assert proposal.incident_count == 3
    assert "›" in recurrence.trait_label(proposal)


def test_same_service_and_same_ci_make_clusters(requester):
    # given 3 incidents on the e-mail service and 3 on one server
    set_policy(min_incidents=3, bases=[ClusterBasis.SERVICE, ClusterBasis.CI])
    mail = Service.objects.create(name_fa="ایمیل", name_en="E-mail")
    server = CI.objects.create(name_fa="سرور ایمیل", name_en="Mail server", ci_class=CIClass.objects.get(code="server"))
    incidents(requester, 3, service=mail)
    incidents(requester, 3, affected_ci=server)

    # when the detector runs
    result = detect()

    # then each trait has its proposal, named after the service and the CI
    assert result.created == 2
    assert proposal_for(ClusterBasis.SERVICE).key == str(mail.pk)
    assert proposal_for(ClusterBasis.CI).key == str(server.pk)
    assert recurrence.trait_label(proposal_for(ClusterBasis.CI)) == str(server)


def test_symptoms_and_titles_match_after_persian_normalisation(requester):
    # given the same complaint typed with Arabic yeh/kaf, Persian digits, a joiner, spaces and punctuation
    set_policy(min_incidents=3, bases=[ClusterBasis.SYMPTOM])
    incidents(requester, 1, title="چاپگر ۳ کار نمی‌کند")
    incidents(requester, 1, title="چاپگر 3 كار نميكند!")
    incidents(requester, 1, title="  چاپگر ٣   کار نمی کند. ")
    incidents(requester, 2, title="چاپگر 4 کار نمی‌کند")
    # and an incident with a symptom, whose title does not count
    incidents(requester, 1, title="چاپگر ۳ کار نمی‌کند", symptom="Paper jam")

    # when the detector runs
    detect()

    # then the three spellings of printer 3 are one cluster; printer 4 and the symptom are apart
    proposal = proposal_for(ClusterBasis.SYMPTOM)
    assert proposal.incident_count == 3
    assert proposal.key == recurrence.symptom_key("چاپگر 3 کار نمیکند")
    assert ProblemProposal.objects.count() == 1


def test_open_proposal_grows(requester, category_tree):
    # given an open proposal of 3 printer incidents
    _hardware, printer = category_tree
    set_policy(min_incidents=3, bases=[ClusterBasis.CATEGORY])
    incidents(requester, 3, category=printer)
    detect()

    # when 2 more come in and the detector runs twice
    incidents(requester, 2, category=printer, days_ago=0.5)
    grown = detect()
    again = detect()

    # then the same proposal grew to 5 and the second run changed nothing
    assert (grown.grown, again.unchanged) == (1, 1)
    assert ProblemProposal.objects.get().incident_count == 5


def test_dismissed_cluster_returns_only_when_grown(requester, category_tree, manager):
    # given a proposal of 3 that a problem manager dismissed
    _hardware, printer = category_tree
    set_policy(min_incidents=3, bases=[ClusterBasis.CATEGORY])
    incidents(requester, 3, category=printer)
    detect()
    actions.dismiss_proposal(actor=manager, proposal=ProblemProposal.objects.get(), reason="کاغذ نامرغوب بود")

    # when the detector runs again with the same incidents
    kept = detect()

    # then it stays dismissed
    proposal = ProblemProposal.objects.get()
    assert kept.kept_dismissed == 1
    assert (proposal.status, proposal.dismissed_size) == (ProposalStatus.DISMISSED, 3)

    # when one more printer incident comes in
    incidents(requester, 1, category=printer, days_ago=0.2)
    reopened = detect()

    # then it is proposed again with all 4 incidents
    proposal.refresh_from_db()
    assert reopened.reopened == 1
    assert (proposal.status, proposal.incident_count) == (ProposalStatus.OPEN, 4)
    assert proposal.decided_at is None


def test_accepted_cluster_not_duplicated_while_open(requester, category_tree, manager):
    # given a proposal accepted as a problem, and 3 new printer incidents afterwards
    _hardware, printer = category_tree
    set_policy(min_incidents=3, bases=[ClusterBasis.CATEGORY])
    first = incidents(requester, 3, category=printer)
    detect()
    problem = actions.accept_proposal(actor=manager, proposal=ProblemProposal.objects.get())
    incidents(requester, 3, category=printer, days_ago=0.5)

    # when the detector runs
    result = detect()

    # then nothing new is proposed and the problem keeps its 3 incidents
    assert result.kept_accepted == 1
    assert ProblemProposal.objects.get().status == ProposalStatus.ACCEPTED
    assert set(problem.incidents.values_list("pk", flat=True)) == {incident.pk for incident in first}

    # when the problem is closed, the new incidents are proposed again, without the linked ones
    Problem.objects.filter(pk=problem.pk).update(status=ProblemStatus.CLOSED)
    again = detect()
    proposal = ProblemProposal.objects.get()
    assert again.reopened == 1
    assert (proposal.status, proposal.incident_count, proposal.problem) == (ProposalStatus.OPEN, 3, None)
    assert not proposal.incidents.filter(pk__in=[incident.pk for incident in first]).exists()


def test_linked_and_cancelled_incidents_do_not_count(requester, category_tree, manager):
    # given 4 printer incidents: one linked to a problem by hand, one cancelled
    _hardware, printer = category_tree
    set_policy(min_incidents=3, bases=[ClusterBasis.CATEGORY])
    made = incidents(requester, 4, category=printer)
    actions.open_problem(actor=manager, title="گیر کردن کاغذ", incidents=[made[0]], link_source=LinkSource.MANUAL)
    made[1].__class__.objects.filter(pk=made[1].pk).update(status=IncidentStatus.CANCELLED)

    # when the detector runs, then 2 are left: no cluster
    assert detect().clusters == 0


def test_incidents_linked_after_the_proposal_leave_it(requester, category_tree, manager):
    # given an open proposal of 4, one of which an agent then links to a problem by hand
    _hardware, printer = category_tree
    set_policy(min_incidents=3, bases=[ClusterBasis.CATEGORY])
    made = incidents(requester, 4, category=printer)
    detect()
    actions.open_problem(actor=manager, title="گیر کردن کاغذ", incidents=[made[0]])

    # when the detector runs
    detect()

    # then the proposal contains the other 3
    proposal = ProblemProposal.objects.get()
    assert proposal.incident_count == 3
    assert not proposal.incidents.filter(pk=made[0].pk).exists()


def test_detector_run_over_past_period(requester, category_tree):
    # given 3 printer incidents opened 400 days ago, outside the policy's window
    _hardware, printer = category_tree
    set_policy(min_incidents=3, window_days=30, bases=[ClusterBasis.CATEGORY])
    incidents(requester, 3, category=printer, days_ago=400)
    assert detect().clusters == 0

    # when the detector runs over that period
    now = timezone.now()
    result = detect(start=now - dt.timedelta(days=401), end=now - dt.timedelta(days=399))

    # then the cluster is proposed
    assert result.created == 1


def test_periodic_job_idle_when_switched_off(requester, category_tree):
    # given a cluster and the detector switched off
    _hardware, printer = category_tree
    set_policy(min_incidents=3, is_enabled=False)
    incidents(requester, 3, category=printer)

    # when the periodic task runs, then nothing is proposed
    from sarv.problems.tasks import detect_recurring_incidents

    detect_recurring_incidents.call()
    assert not ProblemProposal.objects.exists()

    # when it is switched on again, the task proposes the cluster
    set_policy(is_enabled=True)
    counts = detect_recurring_incidents.call()
    assert counts["created"] >= 1
    assert ProblemProposal.objects.filter(basis=ClusterBasis.CATEGORY).exists()


def test_job_registered_with_scheduler():
    from sarv.core import scheduler

    scheduler.autodiscover()
    jobs = {job.name: job for job in scheduler.registered_jobs()}
    assert jobs["problems.detect_recurring"].every == dt.timedelta(hours=1)


def test_detector_queries_bounded(requester, category_tree, django_assert_max_num_queries):
    # given 30 incidents in 3 clusters
    _hardware, printer = category_tree
    set_policy(min_incidents=3)
    for number in range(3):
        incidents(requester, 10, category=printer, title=f"مشکل شماره {number}")

    # when the clusters are found, then the query count does not depend on the incidents
    with django_assert_max_num_queries(8):
        clusters = recurrence.find_clusters(start=None, end=None, min_incidents=3, bases=ClusterBasis.values)
    assert sorted(cluster.count for cluster in clusters) == [10, 10, 10, 30]
