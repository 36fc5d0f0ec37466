"""The demo's problems and their SLA: what ``make run`` shows an agent on the problem pages."""

import io

import pytest
from django.core.management import call_command

from sarv.incidents.models import Incident
from sarv.problems.choices import ProblemStatus
from sarv.problems.models import Problem
from sarv.sla.models import Agreement
from sarv.sla.recompute import clocks_for

pytestmark = pytest.mark.django_db


def test_demo_problems_have_states_analysis_and_their_own_sla():
    call_command("load_demo", stdout=io.StringIO())

    problems = {problem.title: problem for problem in Problem.objects.all()}
    statuses = {problem.status for problem in problems.values()}
    assert {ProblemStatus.KNOWN_ERROR, ProblemStatus.UNDER_INVESTIGATION, ProblemStatus.RESOLVED,
            ProblemStatus.NEW} <= statuses
    printer = problems["گیر کردن مکرر کاغذ در چاپگرهای طبقه سوم"]
    assert printer.five_whys.count() == 4
    assert printer.workaround
    assert printer.incidents.exists()

    problem_sla = Agreement.objects.get(name_en="Problem resolution")
    assert problem_sla.record_types == ["problems.problem"]
    assert all(agreement.record_types == ["incidents.incident"]
               for agreement in Agreement.objects.exclude(pk=problem_sla.pk))

    vpn = problems["قطع مکرر اتصال VPN کاربران دورکار"]
    assert {clock.agreement_id for clock in clocks_for(vpn)} == {problem_sla.pk}
    incident = Incident.objects.exclude(status__in=("resolved", "closed", "cancelled")).order_by("pk")[0]
    assert problem_sla.pk not in {clock.agreement_id for clock in clocks_for(incident)}
    # the known error pauses the problem's clock
    assert {clock.state for clock in clocks_for(printer)} == {"paused"}


def test_sla_settings_offer_problems_as_record_type():
    from sarv.sla.forms import record_type_choices

    assert "problems.problem" in {value for value, _label in record_type_choices()}
