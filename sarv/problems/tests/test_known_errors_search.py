"""Known error search with Persian normalisation, and the ranking of suggestions for an incident.

Run on SQLite (word-prefix overlap) and on PostgreSQL (pg_trgm word similarity): the tests are the
same, because both backends follow the same ranking rules.
"""

from __future__ import annotations

import pytest

from sarv.core.text import to_persian_digits
from sarv.incidents import actions as incident_actions
from sarv.problems import actions
from sarv.problems.known_errors import query_words, search_known_errors, suggest_known_errors, word_overlap
from sarv.problems.models import KnownError
from sarv.problems.tests.kedb_fixtures import make_ci, make_problem, problem_manager
from sarv.services.models import Service
from sarv.testing import factories

pytestmark = pytest.mark.django_db
__all__ = ["problem_manager"]


def _publish(manager, title, **kwargs):
    # A neutral analysis, so that only the title and description tell the known errors apart.
    kwargs.setdefault("root_cause", "پیکربندی نادرست")
    kwargs.setdefault("workaround", "راه‌اندازی دوباره")
    problem = make_problem(manager, title=title, **kwargs)
    return actions.publish_known_error(actor=manager, problem=problem)


def _numbers(queryset):
    return sorted(known_error.number for known_error in queryset)


@pytest.fixture
def catalogue(problem_manager):
    """Three published known errors with Persian text typed in different ways."""
    return {
        "computer": _publish(problem_manager, "کامپیوتر پس از به‌روزرسانی روشن نمی‌شود",
                             description="صفحه آبی با کد خطای ۰x۷B"),
        "vpn": _publish(problem_manager, "اتصال VPN قطع می‌شود", description="خطای 809 هنگام اتصال از منزل",
                        workaround="از پروفایل SSTP استفاده کنید"),
        "printer": _publish(problem_manager, "چاپگر طبقه سوم کاغذ گیر می‌کند",
                            description="چاپگر HP مدل ۴۰۴ بعد از ده برگ متوقف می‌شود"),
    }


@pytest.mark.parametrize(("query", "expected"), [
    ("كامپيوتر", "computer"),            # Arabic yeh and kaf
    ("کامپیوتر", "computer"),
    ("نمی‌شود روشن", "computer"),        # with a ZWNJ, words in any order
    ("نمیشود روشن", "computer"),          # without the joiner
    ("نمی شود روشن", "computer"),         # with a space after the prefix
    ("خطای ۸۰۹", "vpn"),                  # Persian digits find Latin ones
    ("404", "printer"),                   # Latin digits find Persian ones
    ("sstp", "vpn"),                      # Latin words, any case
])
def test_search_normalises_persian(catalogue, query, expected):
    found = search_known_errors(KnownError.objects.all(), query)

    assert _numbers(found) == [catalogue[expected].number]


def test_search_by_number_with_persian_digits(catalogue):
    number = catalogue["vpn"].number
    typed = number.lower().translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))

    assert _numbers(search_known_errors(KnownError.objects.all(), typed)) == [number]


def test_search_by_problem_number(catalogue):
    problem_number = catalogue["printer"].problem.number

    found = search_known_errors(KnownError.objects.all(), to_persian_digits(problem_number))

    assert _numbers(found) == [catalogue["printer"].number]


def test_search_needs_every_word(catalogue):
    assert _numbers(search_known_errors(KnownError.objects.all(), "کامپیوتر VPN")) == []


def test_word_overlap_matches_word_starts():
    words = query_words(type("Row", (), {"title": "چاپگر کاغذ را گیر می‌دهد", "symptom": ""})())

    assert words == ["چاپگر", "کاغذ", "گیر", "میدهد"]
    assert word_overlap(words, "چاپگرهای طبقه سوم کاغذ") == pytest.approx(2 / 4)
    assert word_overlap(words, "اسکنر") == 0
    assert word_overlap([], "چاپگر") == 0


@pytest.fixture
def traits(problem_manager, admin_user, category_tree):
    """Known errors that each share one trait with the incident built in the tests, and one that shares none."""
    hardware, printer = category_tree
    server = make_ci(admin_user, "سرور چاپ مرکزی")
    service = Service.objects.create(name_fa="چاپ و اسکن")
    return {
        "server": server,
        "service": service,
        "hardware": hardware,
        "printer": printer,
        "by_ci": _publish(problem_manager, "صف چاپ روی سرور پر می‌شود", cis=[server]),
        "by_service": _publish(problem_manager, "پورتال اسکن کند است", services=[service]),
        "by_category": _publish(problem_manager, "تونر تقلبی", category=printer),
        "by_text": _publish(problem_manager, "کاغذ در سینی دوم چاپگر گیر می‌کند"),
        "unrelated": _publish(problem_manager, "رمز عبور ایمیل منقضی شده است"),
    }


def test_suggestions_rank_shared_traits(traits, requester, agent):
    # given an incident on the print server, in the printing service and category, whose text matches nothing
    incident = factories.make_incident(requester, title="مشکل ناشناخته", category=traits["hardware"],
                                       subcategory=traits["printer"], service=traits["service"], actor=agent,
                                       affected_ci=traits["server"])

    # when Sarv suggests known errors
    suggestions = suggest_known_errors(incident)

    # then the CI match comes first, then the service and category matches; the others are left out
    numbers = [item.known_error.number for item in suggestions]
    assert numbers[0] == traits["by_ci"].number
    assert set(numbers[1:]) == {traits["by_service"].number, traits["by_category"].number}
    # and each says why
    assert suggestions[0].same_ci
    assert {(item.same_service, item.same_category) for item in suggestions[1:]} == {(True, False), (False, True)}


def test_suggestions_by_text_alone(traits, requester):
    # given an incident that shares no trait with any known error but describes the paper jam
    incident = factories.make_incident(requester, title="کاغذ در سینی چاپگر گیر می‌کند")

    # when Sarv suggests known errors
    suggestions = suggest_known_errors(incident)

    # then only the known error with similar text is suggested
    assert [item.known_error.number for item in suggestions] == [traits["by_text"].number]
    assert suggestions[0].similarity > 0.3


def test_further_affected_ci_counts(traits, requester, agent, admin_user):
    incident = factories.make_incident(requester, title="کار نمی‌کند", actor=agent)
    incident_actions.set_further_affected_cis(actor=agent, incident=incident, cis=[traits["server"]])

    suggestions = suggest_known_errors(incident)

    assert [item.known_error.number for item in suggestions] == [traits["by_ci"].number]


def test_text_similarity_breaks_ties(problem_manager, requester, category_tree):
    # given two known errors in the incident's category, one of which describes the same fault
    hardware, printer = category_tree
    jam = _publish(problem_manager, "گیر کردن کاغذ در چاپگر", category=printer)
    toner = _publish(problem_manager, "کم‌رنگ شدن چاپ به‌خاطر تونر", category=printer)

    # when Sarv suggests known errors for an incident about a paper jam in that category
    incident = factories.make_incident(requester, title="کاغذ در چاپگر گیر کرده", category=hardware,
                                       subcategory=printer)
    suggestions = suggest_known_errors(incident)

    # then the one with similar text ranks first
    assert [item.known_error.number for item in suggestions] == [jam.number, toner.number]
    assert suggestions[0].similarity > suggestions[1].similarity


def test_suggestions_skip_linked_and_retired(traits, requester, agent, problem_manager):
    incident = factories.make_incident(requester, title="چاپگر کاغذ را گیر می‌دهد", category=traits["hardware"],
                                       subcategory=traits["printer"], service=traits["service"], actor=agent,
                                       affected_ci=traits["server"])
    actions.link_incident_to_known_error(actor=agent, incident=incident, known_error=traits["by_ci"])
    actions.retire_known_error(actor=problem_manager, known_error=traits["by_service"], reason="منسوخ")

    numbers = [item.known_error.number for item in suggest_known_errors(incident)]

    assert traits["by_ci"].number not in numbers
    assert traits["by_service"].number not in numbers
    assert traits["by_category"].number in numbers


def test_suggestions_query_count(traits, requester, agent, django_assert_max_num_queries):
    incident = factories.make_incident(requester, title="چاپگر کاغذ را گیر می‌دهد", actor=agent,
                                       affected_ci=traits["server"])

    with django_assert_max_num_queries(2):
        suggest_known_errors(incident)
