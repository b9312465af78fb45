"""The lists that both the SDK and the hub hold must not drift apart.

The SDK cannot import the hub (it ships without it), so each side keeps its own copy of the
contract's enumerations; this test fails as soon as one copy changes without the other.
"""

from __future__ import annotations

from typing import Any

import pytest

from contacthub import Customer, Event
from contacthub_server.schemas.event_catalog import BRING_BACK_TYPES, CONTEXTS, EVENT_TYPES, MODES
from contacthub_server.schemas.timezones import TIMEZONES


def constants(holder: type) -> set[Any]:
    """The values of a constants class's public upper-case attributes."""
    return {value for name, value in vars(holder).items() if name.isupper()}


def test_the_sdk_and_the_hub_accept_the_same_342_time_zones() -> None:
    assert constants(Customer.TIMEZONES) == set(TIMEZONES)
    assert len(TIMEZONES) == 342


def test_the_sdk_names_every_event_type_the_hub_accepts_and_no_other() -> None:
    assert constants(Event.TYPES) == set(EVENT_TYPES)
    assert len(EVENT_TYPES) == 47


@pytest.mark.parametrize(
    ("sdk", "hub"),
    [
        (Event.CONTEXTS, CONTEXTS),
        (Event.MODES, MODES),
        (Event.BRING_BACK_PROPERTIES_TYPES, BRING_BACK_TYPES),
    ],
    ids=["contexts", "modes", "bring-back-types"],
)
def test_the_sdk_and_the_hub_hold_the_same_enumeration(sdk: type, hub: Any) -> None:
    assert constants(sdk) == set(hub)


# `contacthub customers import --check` restates the hub's email and date rules.
DATE_TEXTS = [
    "2020-01-02", "2020-01-02T10:00", "2020-01-02T10:00:00", "2020-01-02 10:00:00",
    "2020-01-02T10:00:00Z", "2020-01-02t10:00:00z", "2020-01-02T10:00:00.1234567+0100",
    "2020-01-02T10:00:00,5-03:30", "2020-01-02T10:00:00+01", "2020-01-02T10:00:00+2400",
    "2020-01-02T10:00:00+23:59", "2020-02-30", "2020-13-01T00:00:00", "2020-01-02T24:00:00",
    "2020-01-02T10:60:00", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00",
    "20200102", "2020-1-2", "2020-01-02T10", "2020-01-02T10:00:00+1", "yesterday", "",
    " 2020-01-02 ", "2020-01-02T10:00:00.Z", "2020-01-02T10:00:00.0000000001Z",
]  # fmt: skip
EMAIL_TEXTS = ["a@b", "a@b.c", "a b@c.d", "@b.c", "a@", "a@@b", "a@b@c", "ü@ß.de", " a@b", ""]


def _hub_accepts(parse: Any, text: str) -> bool:
    try:
        parse(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("text", DATE_TEXTS)
def test_import_check_reads_dates_as_the_hub_does(text: str) -> None:
    from contacthub.cli import checks
    from contacthub_server.schemas.dates import parse_date, parse_datetime

    assert checks.is_datetime(text) == _hub_accepts(parse_datetime, text)
    assert checks.is_date(text) == _hub_accepts(parse_date, text)


@pytest.mark.parametrize("text", EMAIL_TEXTS)
def test_import_check_reads_emails_as_the_hub_does(text: str) -> None:
    from contacthub.cli import checks
    from contacthub_server.schemas.customer import CONTACTS
    from contacthub_server.schemas.spec import FieldError

    errors: list[FieldError] = []
    CONTACTS.fields["email"].check_value(text, "/email", errors)
    assert checks.is_email(text) == (not errors)


def test_import_check_knows_every_date_field_of_the_hubs_customer() -> None:
    from contacthub.cli.checks import CUSTOMER_RULES
    from contacthub_server.schemas.customer import CUSTOMER
    from contacthub_server.schemas.spec import Date, DateTime, ListOf, Obj

    found: dict[str, str] = {}

    def walk(spec: Any, path: str) -> None:
        if isinstance(spec, Obj):
            for name, inner in spec.fields.items():
                walk(inner, f"{path}.{name}" if path else name)
        elif isinstance(spec, ListOf):
            walk(spec.item, path + "[]")
        elif isinstance(spec, DateTime):
            found[path] = "datetime"
        elif isinstance(spec, Date):
            found[path] = "date"

    walk(CUSTOMER, "")
    dates = {path: rule for path, rule in CUSTOMER_RULES.items() if rule != "email"}
    assert dates == found
