"""The lists that both the SDK and the hub hold must not drift apart.

The SDK cannot import the hub (it ships without it), so each side keeps its own copy of the
contract's enumerations; this test fails as soon as one copy changes without the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints, is_typeddict

import pytest

from contacthub import Customer, Event
from contacthub import types as types
from contacthub.models import Properties
from contacthub.models._shapes import CUSTOMER_SHAPE, FREE, VALUE
from contacthub_server.schemas.customer import CUSTOMER_FIELDS
from contacthub_server.schemas.event import CONTEXT_INFO
from contacthub_server.schemas.event import PROPERTIES as EVENT_PROPERTIES
from contacthub_server.schemas.event_catalog import BRING_BACK_TYPES, CONTEXTS, EVENT_TYPES, MODES
from contacthub_server.schemas.normalise import BASE_KEYS, CUSTOMER_KEYS
from contacthub_server.schemas.spec import AnyObject, ListOf, Obj, Spec
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
    "2016-12-31T23:59:60Z", "1990-12-31T15:59:60-08:00", "2016-12-31T23:59:60.5+00:00",
    "2017-03-08T10:18:60Z", "2016-12-31T23:58:60Z",
]  # fmt: skip
EMAIL_TEXTS = [
    "a@b", "a@b.c", "a b@c.d", "@b.c", "a@", "a@@b", "a@b@c", "ü@ß.de", " a@b", "",
    '"a b"@c.d', '"a@b"@c.d', '"a"b"@c.d', '"a b"@', '"\\" x"@c.d',
]  # fmt: skip


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


def shape_of(spec: Spec) -> Any:
    """The hub's spec of a document written in the SDK's shape vocabulary (models/_shapes.py)."""
    if isinstance(spec, Obj):
        return {key: shape_of(child) for key, child in spec.fields.items()}
    if isinstance(spec, AnyObject):
        return FREE
    if isinstance(spec, ListOf):
        return (shape_of(spec.item),)
    return VALUE


def plain(shape: Any) -> Any:
    if shape is FREE:
        return FREE
    if isinstance(shape, Mapping):
        return {key: plain(child) for key, child in shape.items()}
    if isinstance(shape, tuple):
        return tuple(plain(child) for child in shape)
    return shape


def test_the_sdk_knows_the_customer_schema_the_hub_accepts() -> None:
    # The SDK's one copy of the customer schema (null sections read as empty, query fields are
    # checked against it) has every key the hub accepts and answers with, and no other.
    hub = shape_of(Obj(CUSTOMER_FIELDS))
    hub.update(dict.fromkeys(("id", "registeredAt", "updatedAt"), VALUE))
    hub["sourceInfo"] = {"registeredBy": VALUE, "updatedBy": VALUE}  # read-only: answers only
    assert plain(CUSTOMER_SHAPE) == hub
    assert set(CUSTOMER_SHAPE) == set(CUSTOMER_KEYS)
    assert list(CUSTOMER_SHAPE["base"]) == list(BASE_KEYS)


def typed_shape(hint: Any) -> Any:
    """A TypedDict (or a field's type) of contacthub.types in the same shape vocabulary."""
    if is_typeddict(hint):
        return {key: typed_shape(value) for key, value in get_type_hints(hint).items()}
    if get_origin(hint) is list:
        return (typed_shape(get_args(hint)[0]),)
    if get_origin(hint) is dict:
        return FREE
    if get_origin(hint) in (Union, UnionType):
        shapes = [typed_shape(arg) for arg in get_args(hint) if arg not in (type(None), Properties)]
        structured = [shape for shape in shapes if shape is not VALUE]
        return structured[0] if len(structured) == 1 else VALUE if not structured else shapes
    return VALUE


def test_the_typed_customer_document_has_the_schemas_keys() -> None:
    assert typed_shape(types.CustomerDocument) == plain(CUSTOMER_SHAPE)


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_the_typed_properties_of_each_event_type_are_the_hubs(event_type: str) -> None:
    typed = types.PROPERTIES_BY_TYPE[event_type]
    hub = EVENT_PROPERTIES[event_type]
    assert typed_shape(typed) == shape_of(hub)
    assert typed.__required_keys__ == frozenset(hub.required)  # type: ignore[attr-defined]


def test_the_typed_event_types_and_contexts_are_the_hubs() -> None:
    assert set(get_args(types.EventType)) == set(EVENT_TYPES)
    assert set(get_args(types.EventContext)) == set(CONTEXTS)
    assert set(types.PROPERTIES_BY_TYPE) == set(EVENT_TYPES)
    assert typed_shape(types.ContextInfo) == shape_of(
        Obj({key: spec for info in CONTEXT_INFO.values() for key, spec in info.fields.items()})
    )
