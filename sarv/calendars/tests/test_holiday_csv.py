"""Reading holiday CSV: Jalali dates with Persian or Latin digits, leap years, one message per bad row."""

import datetime as dt

import pytest
from django.utils import translation

from sarv.calendars import holiday_csv
from sarv.calendars.shipped import read_holidays_csv


def test_leap_year_esfand_30():
    assert holiday_csv.parse_jalali("1403/12/30") == dt.date(2025, 3, 20)
    assert holiday_csv.parse_jalali("۱۴۰۸/۱۲/۳۰") == dt.date(2030, 3, 20)
    with translation.override("en"), pytest.raises(holiday_csv.JalaliDateError) as error:
        holiday_csv.parse_jalali("1404/12/30")
    assert "1404 is not a leap year" in str(error.value)
    with translation.override("fa"), pytest.raises(holiday_csv.JalaliDateError) as error:
        holiday_csv.parse_jalali("۱۴۰۴/۱۲/۳۰")
    assert "کبیسه" in str(error.value)


@pytest.mark.parametrize("text", ["1404/13/01", "1404/07/31", "hello", "1404-02"])
def test_bad_dates(text):
    with pytest.raises(holiday_csv.JalaliDateError):
        holiday_csv.parse_jalali(text)


def test_parse_collects_every_error_and_keeps_good_rows_out():
    text = ("\ufeffjalali_date,name_fa,name_en,kind,estimated\n"
            "۱۴۰۳/۱۲/۳۰,آخرین روز سال,Last day of year,خورشیدی,خیر\n"
            "1404/12/30,روز بد,Bad,solar,no\n"
            "1404/01/01,,Nowruz,solar,no\n"
            "1404/01/02,عید,Eid,lunar,perhaps\n"
            "1403/12/30,آخرین روز سال,dup,solar,no\n"
            ",,,,\n")
    with translation.override("en"):
        result = holiday_csv.parse(text)
    assert not result.ok
    assert [line for line, _message in result.errors] == [3, 4, 5, 6]
    assert "leap year" in result.errors[0][1]
    assert "same holiday is already on line 2" in result.errors[3][1]
    assert result.rows[0].date == dt.date(2025, 3, 20) and result.rows[0].kind == "solar"


def test_missing_columns_are_named():
    with translation.override("en"):
        result = holiday_csv.parse("date,name\n1404/01/01,x\n")
    assert result.errors == [(1, "The header row lacks the columns: jalali_date, name_fa, kind.")]


def test_shipped_file_round_trips():
    rows = read_holidays_csv()
    text = "jalali_date,name_fa,name_en,kind,estimated,note\n" + "".join(
        f'{r["jalali_date"]},"{r["name_fa"]}","{r["name_en"]}",{r["kind"]},{r["estimated"]},"{r["note"]}"\n'
        for r in rows)
    result = holiday_csv.parse(text)
    assert result.ok, result.errors
    assert len(result.rows) == len(rows)
    for row, parsed in zip(rows, result.rows, strict=True):
        assert parsed.date.isoformat() == row["gregorian_date"]


def test_shipped_file_contents():
    rows = read_holidays_csv()
    years = {r["jalali_date"][:4] for r in rows}
    assert years == {"1404", "1405", "1406"}
    by_date: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_date.setdefault(r["jalali_date"], []).append(r)
    assert [r["kind"] for r in by_date["1404-12-10"]] == ["special"]
    assert len([d for d in by_date if "1404-12-10" <= d <= "1404-12-16"]) == 7
    assert by_date["1405-01-25"][0]["estimated"] == "yes" and "نامعلوم" in by_date["1405-01-25"][0]["note"]
    assert by_date["1405-12-09"][0]["estimated"] == "yes" and "ناهمسان" in by_date["1405-12-09"][0]["note"]
    # Solar holidays are never estimated; 1406's lunar dates all are.
    assert all(r["estimated"] == "no" for r in rows if r["kind"] == "solar")
    assert all(r["estimated"] == "yes" for r in rows if r["kind"] == "lunar" and r["jalali_date"] >= "1406")
    # No 30 Esfand in 1404-1406 (none is a leap year).
    assert not any(r["jalali_date"].endswith("-12-30") for r in rows)
    assert len([r for r in rows if r["jalali_date"].startswith("1406") and r["kind"] == "solar"]) == 10
