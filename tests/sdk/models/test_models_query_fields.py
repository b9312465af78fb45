"""Query fields are checked against the customer schema, and range operators against their values.

``Customer.base.fristName == 'x'`` used to build a query that silently matched nobody; now the
misspelt name raises as it is read, with the closest names. Range operators (``<``, ``<=``,
``>``, ``>=``, ``between_``) take dates, datetimes, numbers and ISO 8601 date strings only. The
last tests run the accepted forms against a live hub.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timezone
from typing import Any

import pytest

from contacthub import Node
from contacthub.models import Customer
from contacthub.models.query import between_, in_
from contacthub.models.query.entity_field import EntityField


@pytest.mark.parametrize(
    ("read", "message"),
    [
        (
            lambda: Customer.base.fristName,
            r"Customer\.base has no attribute 'fristName'; did you mean 'firstName'",
        ),
        (
            lambda: Customer.base.contacts.emial,
            r"Customer\.base\.contacts has no attribute 'emial'; did you mean 'email'\?",
        ),
        (
            lambda: Customer.base.address.geo.latitude,
            r"Customer\.base\.address\.geo has no attribute 'latitude'; its properties are lat, lon",
        ),
        (
            lambda: Customer.base.jobs.title,
            r"Customer\.base\.jobs has no attribute 'title'; did you mean 'jobTitle'\?",
        ),
        (
            lambda: Customer.consents.marketing.automatic.emial,
            r"Customer\.consents\.marketing\.automatic has no attribute 'emial'",
        ),
        (lambda: Customer.tags.manul, r"Customer\.tags has no attribute 'manul'; did you mean"),
        (lambda: Customer.regsteredAt, r"Customer has no attribute 'regsteredAt'; did you mean"),
    ],
    ids=["base", "contacts", "geo", "job-items", "consents", "tags", "top-level"],
)
def test_a_name_the_schema_does_not_have_is_refused_with_a_suggestion(
    read: Any, message: str
) -> None:
    with pytest.raises(AttributeError, match=message):
        read()


def test_without_a_close_name_the_error_lists_the_known_ones() -> None:
    with pytest.raises(AttributeError) as refused:
        _ = Customer.base.secondName
    text = str(refused.value)
    assert "Customer.base has no attribute 'secondName'" in text
    assert "lastName" in text
    assert "firstName" in text
    assert "contacts" in text


def test_a_value_has_no_properties() -> None:
    with pytest.raises(
        AttributeError, match=r"base\.firstName has no attribute 'x': it is a value"
    ):
        _ = Customer.base.firstName.x
    with pytest.raises(AttributeError, match=r"tags\.manual .*it is a list of values"):
        _ = Customer.tags.manual.x


@pytest.mark.parametrize(
    "read",
    [
        lambda: Customer.base.firstName,
        lambda: Customer.base.contacts.mobileDevices.notificationService,
        lambda: Customer.base.subscriptions.preferences.key,
        lambda: Customer.base.socialProfile.twitter,
        lambda: Customer.consents.softSpam.email.status,
        lambda: Customer.extended.anything.below.extended,
        lambda: Customer.externalId,
        lambda: Customer.updatedAt,
    ],
)
def test_every_schema_name_and_anything_below_extended_is_a_field(read: Any) -> None:
    assert isinstance(read(), EntityField)


def test_private_names_stay_ordinary_lookups() -> None:
    with pytest.raises(AttributeError, match="type object 'Customer' has no attribute '_x'"):
        _ = Customer._x
    assert not hasattr(Customer.base, "__wrapped__")


@pytest.mark.parametrize(
    "value",
    [date(1994, 6, 10), datetime(1994, 6, 10, 8, 0), 762307200000, 3.5, "1994-06-10",
     "1994-06-10T08:00:00Z", "2017-03-08T10:18:17.000+0000", "2017-03-08 10:18+01:00"],
)  # fmt: skip
def test_a_range_takes_dates_numbers_and_date_strings(value: Any) -> None:
    for criterion in (
        Customer.base.dob > value,
        Customer.base.dob >= value,
        Customer.base.dob < value,
        Customer.base.dob <= value,
        between_(Customer.base.dob, value, value),
    ):
        assert criterion.second_element is not None


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("Wayne", ValueError),
        ("1994-13-01", ValueError),
        ("1994-06-10T25:00:00Z", ValueError),
        ("10/06/1994", ValueError),
        (math.inf, ValueError),
        (True, TypeError),
        (None, TypeError),
        (["1994-06-10"], TypeError),
        ({"date": "1994-06-10"}, TypeError),
    ],
    ids=["word", "month-13", "hour-25", "not-iso", "infinity", "bool", "none", "list", "dict"],
)
def test_a_range_refuses_anything_else_saying_what_it_takes(value: Any, error: type) -> None:
    expected = r"compares with a date, a datetime, a number or an ISO 8601 date string"
    if value is math.inf:
        expected = "compares with a finite number"
    for build in (
        lambda: Customer.base.dob > value,
        lambda: Customer.base.dob >= value,
        lambda: Customer.base.dob < value,
        lambda: Customer.base.dob <= value,
        lambda: between_(Customer.base.dob, "1990-01-01", value),
        lambda: between_(Customer.base.dob, value, "1990-01-01"),
    ):
        with pytest.raises(error, match=expected):
            build()


def test_equality_and_membership_still_take_any_string() -> None:
    assert (Customer.base.lastName == "Wayne").second_element == "Wayne"
    assert in_("vip", Customer.tags.manual).second_element == "vip"


def stored(node: Node, first_name: str, dob: str, points: int) -> str:
    customer = node.add_customer(
        base={
            "firstName": first_name,
            "dob": dob,
            "contacts": {"email": f"{first_name}@q.example"},
        },
        extended={"points": points},
    )
    return str(customer.id)


def names(found: Any) -> set[str]:
    return {customer.base.firstName for customer in found}


def test_the_accepted_range_values_select_the_right_customers(node: Node) -> None:
    stored(node, "Thomas", "1940-01-01", 5)
    stored(node, "Bruce", "1972-02-19", 120)
    stored(node, "Dick", "1990-03-20", 30)
    query = node.query(Customer)
    assert names(query.filter(Customer.base.dob > "1960-01-01").all()) == {"Bruce", "Dick"}
    assert names(query.filter(Customer.base.dob <= date(1972, 2, 19)).all()) == {"Thomas", "Bruce"}
    after = datetime(1980, 1, 1, tzinfo=timezone.utc)
    assert names(query.filter(Customer.base.dob >= after).all()) == {"Dick"}
    assert names(query.filter(between_(Customer.base.dob, "1950-01-01", "1980-01-01")).all()) == {
        "Bruce"
    }
    assert names(query.filter(Customer.extended.points > 10).all()) == {"Bruce", "Dick"}
    assert names(query.filter(between_(Customer.extended.points, 1, 50)).all()) == {
        "Thomas",
        "Dick",
    }


def test_nested_schema_fields_query_the_hub(node: Node) -> None:
    node.add_customer(
        base={
            "firstName": "Lucius",
            "contacts": {"email": "lucius@q.example"},
            "jobs": [{"id": "j1", "companyName": "Wayne Enterprises", "jobTitle": "CEO"}],
        }
    )
    node.add_customer(base={"firstName": "Harvey", "contacts": {"email": "harvey@q.example"}})
    query = node.query(Customer)
    assert names(query.filter(Customer.base.contacts.email == "lucius@q.example").all()) == {
        "Lucius"
    }
    assert names(query.filter(Customer.base.jobs.jobTitle == "CEO").all()) == {"Lucius"}
