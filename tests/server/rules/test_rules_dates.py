"""Dates: every form clients send is read, and the hub writes exactly one form."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from contacthub_server.schemas.dates import (
    canonical_date,
    canonical_datetime,
    format_date,
    format_datetime,
    now,
    parse_date,
    parse_datetime,
)

EXPECTED = datetime(2017, 3, 8, 10, 18, 17, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "text",
    [
        "2017-03-08T10:18:17Z",  # the original Python SDK
        "2017-03-08T10:18:17.000Z",  # Node, Java, .NET
        "2017-03-08T10:18:17+0000",  # Go
        "2017-03-08T10:18:17.000+0000",  # the hub's own form
        "2017-03-08T10:18:17+00:00",  # PHP date('c')
        "2017-03-08T10:18:17+00",
        "2017-03-08T12:18:17+02:00",
        "2017-03-08T12:18:17+0200",
        "2017-03-08T05:18:17-05:00",
        "2017-03-08T10:18:17",  # naive: UTC
        "2017-03-08 10:18:17",
        "2017-03-08t10:18:17z",
    ],
)
def test_every_accepted_datetime_form_reads_as_the_same_instant(text: str) -> None:
    assert parse_datetime(text) == EXPECTED
    assert canonical_datetime(text) == "2017-03-08T10:18:17.000+0000"


def test_fractions_of_any_length_are_kept_to_the_millisecond() -> None:
    assert canonical_datetime("2017-03-08T10:18:17.2Z") == "2017-03-08T10:18:17.200+0000"
    assert canonical_datetime("2017-03-08T10:18:17.215+0000") == "2017-03-08T10:18:17.215+0000"
    assert canonical_datetime("2017-03-08T10:18:17.999999999Z") == "2017-03-08T10:18:17.999+0000"
    assert parse_datetime("2017-03-08T10:18:17.123456Z").microsecond == 123456


def test_date_only_and_minutes_only_forms_read_as_utc() -> None:
    assert canonical_datetime("2017-03-08") == "2017-03-08T00:00:00.000+0000"
    assert canonical_datetime("2017-03-08T10:18Z") == "2017-03-08T10:18:00.000+0000"


def test_an_offset_can_move_the_date() -> None:
    assert canonical_datetime("2017-03-08T01:00:00+02:00") == "2017-03-07T23:00:00.000+0000"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yesterday",
        "2017-13-08T10:18:17Z",
        "2017-02-30T10:18:17Z",
        "2017-03-08T25:18:17Z",
        "2017-03-08T10:18:17+2500",
        "2017-03-08T10:18:17 UTC",
        "08/03/2017",
        "0001-01-01T00:00:00+01:00",  # before year 1 once in UTC
        "1488968297000",
    ],
)
def test_invalid_datetimes_raise_value_error_naming_the_input(text: str) -> None:
    with pytest.raises(ValueError, match="invalid date-time"):
        parse_datetime(text)


def test_a_non_string_is_not_a_datetime() -> None:
    with pytest.raises(ValueError, match="expected a date-time string"):
        parse_datetime(1488968297000)  # type: ignore[arg-type]


def test_format_datetime_writes_utc_with_milliseconds_and_no_colon() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert format_datetime(datetime(2017, 3, 8, 12, 18, 17, 999999, tzinfo=plus_two)) == (
        "2017-03-08T10:18:17.999+0000"
    )
    assert format_datetime(datetime(2017, 3, 8, 10, 18, 17)) == "2017-03-08T10:18:17.000+0000"
    assert format_datetime(datetime(5, 1, 2, tzinfo=timezone.utc)) == "0005-01-02T00:00:00.000+0000"


def test_dates_read_and_write_as_year_month_day() -> None:
    assert parse_date("2012-04-23") == date(2012, 4, 23)
    assert format_date(date(2012, 4, 23)) == "2012-04-23"
    assert format_date(datetime(2012, 4, 23, 22, 0)) == "2012-04-23"
    assert canonical_date(" 2012-04-23 ") == "2012-04-23"


def test_a_datetime_given_for_a_date_keeps_the_calendar_date_as_written() -> None:
    assert canonical_date("2012-04-23T00:00:00Z") == "2012-04-23"
    assert canonical_date("2012-04-23T00:30:00+02:00") == "2012-04-23"
    assert canonical_date("2012-04-23T23:30:00-05:00") == "2012-04-23"


@pytest.mark.parametrize("text", ["2012-02-30", "2012-4-23", "23/04/2012", "2012-04-23T99:00Z", ""])
def test_invalid_dates_raise_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="invalid date"):
        parse_date(text)


def test_now_is_canonical_and_current() -> None:
    stamp = now()
    assert canonical_datetime(stamp) == stamp
    assert abs(parse_datetime(stamp) - datetime.now(timezone.utc)) < timedelta(seconds=5)
