"""Record numbers: prefix, Jalali year, yearly sequence, no duplicates under concurrency."""

import datetime as dt
import threading

import pytest
from django.db import connection

from sarv.core.numbering import allocate_number, allocate_numbers, format_number
from sarv.incidents.models import Incident


def test_format_pads_sequence():
    assert format_number("INC", 1405, 123) == "INC-1405-000123"
    assert format_number("INC", 1405, 1234567) == "INC-1405-1234567"


@pytest.mark.django_db
def test_sequence_restarts_each_jalali_year():
    # given the last minute of 1404 and the first minute of 1405 in Tehran
    last_of_1404 = dt.datetime(2026, 3, 20, 20, 29, tzinfo=dt.UTC)
    first_of_1405 = dt.datetime(2026, 3, 20, 20, 30, tzinfo=dt.UTC)
    # when numbers are allocated around Nowruz
    numbers = [allocate_number("INC", last_of_1404), allocate_number("INC", last_of_1404),
               allocate_number("INC", first_of_1405)]
    # then 1405 starts again at 1
    assert numbers == ["INC-1404-000001", "INC-1404-000002", "INC-1405-000001"]


@pytest.mark.django_db
def test_block_allocation_is_consecutive_and_never_reused():
    first = allocate_numbers("PRB", 1405, 3)
    second = allocate_numbers("PRB", 1405, 2)
    assert first == ["PRB-1405-000001", "PRB-1405-000002", "PRB-1405-000003"]
    assert second == ["PRB-1405-000004", "PRB-1405-000005"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_creates_get_distinct_numbers(requester):
    # given 50 clients that start creating incidents at the same moment
    from sarv.incidents import actions

    start = threading.Barrier(50)
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def create(index: int) -> None:
        try:
            start.wait()
            incident = actions.create_incident(actor=requester, title=f"حادثه همزمان {index}")
            with lock:
                numbers.append(incident.number)
        except BaseException as error:  # collected and asserted below
            with lock:
                errors.append(error)
        finally:
            connection.close()

    # when they all run
    threads = [threading.Thread(target=create, args=(i,)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then every create succeeded with its own number
    assert errors == []
    assert len(numbers) == 50
    assert len(set(numbers)) == 50
    assert Incident.objects.count() == 50
    assert Incident.objects.values("number").distinct().count() == 50
