"""Event, session and node-settings validation."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from contacthub_server.schemas.dates import parse_datetime
from contacthub_server.schemas.event import CONTEXT_INFO, PROPERTIES
from contacthub_server.schemas.event_catalog import (
    BRING_BACK_TYPES,
    CONTEXTS,
    EVENT_TYPES,
    types_of_mode,
)
from contacthub_server.service.validation import (
    ValidationFailed,
    check_event,
    validate_customer,
    validate_event,
    validate_node_settings,
    validate_session,
)


def event(**fields: Any) -> dict[str, Any]:
    return {"customerId": "c1", "type": "viewedPage", "context": "WEB", "properties": {}, **fields}


def problems(validate: Any, body: Any) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        validate(body)
    return {error.path: error.message for error in caught.value.errors}


def test_the_catalog_has_47_types_9_contexts_and_a_schema_for_each() -> None:
    assert len(EVENT_TYPES) == 47
    assert set(EVENT_TYPES.values()) == {"ACTIVE", "PASSIVE"}
    assert len(CONTEXTS) == 9
    assert set(PROPERTIES) == set(EVENT_TYPES)
    assert set(CONTEXT_INFO) == set(CONTEXTS)
    assert BRING_BACK_TYPES == ("SESSION_ID", "EXTERNAL_ID")
    assert "campaignSent" in types_of_mode("PASSIVE")
    assert "viewedPage" in types_of_mode("ACTIVE")
    assert "addedWishlist" in EVENT_TYPES  # not the SDK's misspelt addedWishList
    assert "eventNoShow" in EVENT_TYPES  # not eventNotShow


def test_a_minimal_event_gets_defaults_and_a_current_date() -> None:
    result = validate_event(event())
    assert result["customerId"] == "c1"
    assert result["bringBackProperties"] is None
    assert result["tracking"] is None
    assert result["contextInfo"] == {}
    assert abs(parse_datetime(result["date"]) - datetime.now(timezone.utc)) < timedelta(seconds=5)
    assert "id" not in result


def test_dates_are_canonical_and_read_only_fields_dropped() -> None:
    result = validate_event(event(date="2017-04-03T15:47:23.093+02:00", id="x", registeredAt="y"))
    assert result["date"] == "2017-04-03T13:47:23.093+0000"
    assert "id" not in result
    assert "registeredAt" not in result


REQUIRED_PROPERTIES = {
    "addedReward": {"rewardAmount": 5, "rewardTypeId": "t"},
    "removedReward": {"rewardAmount": 0, "rewardTypeId": "t"},
    "grantedCoupon": {"startValidityDate": "2018-09-01T00:00:00Z", "totalAmount": 10},
}


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_every_type_accepts_extra_properties_and_refuses_unknown_keys(event_type: str) -> None:
    required = REQUIRED_PROPERTIES.get(event_type, {})
    properties = {**required, "extraProperties": {"a": "b"}, "extended": None}
    result = validate_event(event(type=event_type, properties=properties))
    assert result["properties"]["extraProperties"] == {"a": "b"}
    found = problems(validate_event, event(type=event_type, properties={**required, "new": [1]}))
    assert found == {"/properties/new": "unknown property 'new'"}


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_relaxed_rules_keep_unknown_keys_of_every_type(event_type: str) -> None:
    required = REQUIRED_PROPERTIES.get(event_type, {})
    properties = {**required, "extraProperties": {"a": "b"}, "somethingNew": [1]}
    result = validate_event(event(type=event_type, properties=properties), strict=False)
    assert result["properties"]["somethingNew"] == [1]
    assert result["properties"]["extraProperties"] == {"a": "b"}


def test_an_event_owned_by_a_session_is_accepted() -> None:
    bring_back = {"type": "SESSION_ID", "value": "3f0f", "nodeId": "n1"}
    body = {
        "type": "loggedIn",
        "context": "WEB",
        "properties": {},
        "bringBackProperties": bring_back,
    }
    assert validate_event(body)["bringBackProperties"] == bring_back


@pytest.mark.parametrize(
    ("body", "pointer", "fragment"),
    [
        ({"context": "WEB", "properties": {}, "customerId": "c"}, "/type", "is required"),
        ({"type": "viewedPage", "properties": {}, "customerId": "c"}, "/context", "is required"),
        ({"type": "viewedPage", "context": "WEB", "customerId": "c"}, "/properties", "is required"),
        (event(type="addedWishList"), "/type", "not a known event type"),
        (event(context="WEBSITE"), "/context", "WEB, MOBILE"),
        (event(date="tomorrow"), "/date", "date-time"),
        (event(properties=[]), "/properties", "object"),
        (event(customerId=None), "", "either customerId or bringBackProperties is required"),
        (
            event(bringBackProperties={"type": "SESSION_ID", "value": "s", "nodeId": "n"}),
            "",
            "not both",
        ),
        (
            event(
                customerId=None, bringBackProperties={"type": "COOKIE", "value": "s", "nodeId": "n"}
            ),
            "/bringBackProperties/type",
            "SESSION_ID, EXTERNAL_ID",
        ),
        (
            event(customerId=None, bringBackProperties={"type": "SESSION_ID", "value": "s"}),
            "/bringBackProperties/nodeId",
            "is required",
        ),
        (
            event(
                customerId=None,
                bringBackProperties={"type": "SESSION_ID", "value": "", "nodeId": "n"},
            ),
            "/bringBackProperties/value",
            "must not be empty",
        ),
        (event(mode="ACTIVE"), "/mode", "unknown property"),
        (event(properties={"url": 5}), "/properties/url", "string"),
        (event(properties={"pageTags": "a"}), "/properties/pageTags", "array"),
        (
            event(type="searched", properties={"resultCount": "three"}),
            "/properties/resultCount",
            "number",
        ),
        (
            event(type="orderShipped", properties={"packages": "3"}),
            "/properties/packages",
            "integer",
        ),
        (
            event(type="orderShipped", properties={"packages": 2.5}),
            "/properties/packages",
            "integer",
        ),
        (event(properties={"url": None}), "/properties/url", "not null"),
        (event(properties={"url": "no scheme"}), "/properties/url", "valid uri"),
        (event(properties={"extraProperties": None}), "/properties/extraProperties", "null"),
        (event(date="2017-04-03"), "/date", "a date, not a date-time"),
        (
            event(type="serviceSubscribed", properties={"startDate": "2017-04-03"}),
            "/properties/startDate",
            "a date, not a date-time",
        ),
        (
            event(type="eventInvited", properties={"eventLocation": {"type": None}}),
            "/properties/eventLocation/type",
            "not null",
        ),
        (
            event(
                type="eventInvited",
                properties={"eventLocation": {"address": {"geo": {"lat": 1}}}},
            ),
            "/properties/eventLocation/address/geo/lon",
            "required",
        ),
        (
            event(type="completedOrder", properties={"products": [{"colour": "red"}]}),
            "/properties/products/0/colour",
            "unknown property",
        ),
        (
            event(type="completedOrder", properties={"amount": {"local": {"rate": 1}}}),
            "/properties/amount/local/rate",
            "unknown property",
        ),
        (
            event(type="campaignOpened", properties={"userdbId": 1}),
            "/properties/userdbId",
            "unknown property",
        ),
        (event(contextInfo={"custom": {"x": 1}}), "/contextInfo/custom", "unknown property"),
        (
            event(contextInfo={"store": {"id": "s"}}),
            "/contextInfo/store",
            "unknown property",
        ),
        (event(contextInfo={"client": {"ip": "::1"}}), "/contextInfo/client/ip", "ipv4"),
        (event(contextInfo={"client": None}), "/contextInfo/client", "not null"),
        (
            event(contextInfo={"user": {"id": "u", "contacts": {"email": "nobody"}}}),
            "/contextInfo/user/contacts/email",
            "valid email",
        ),
        (
            event(context="RETAIL", contextInfo={"salesAssistant": {"id": "a", "age": 3}}),
            "/contextInfo/salesAssistant/age",
            "unknown property",
        ),
        (
            event(context="ECOMMERCE", contextInfo={"store": {"geo": {"lat": 1}}}),
            "/contextInfo/store/geo/lon",
            "required",
        ),
        (event(tracking={"fb": {}}), "/tracking/fb", "unknown property"),
        (event(tracking={"ga": {"utm_id": "x"}}), "/tracking/ga/utm_id", "unknown property"),
        (event(tracking={"ga": {"utm_source": None}}), "/tracking/ga/utm_source", "not null"),
        (
            event(type="completedOrder", properties={"paymentMethod": "bitcoin"}),
            "/properties/paymentMethod",
            "paypal",
        ),
        (
            event(type="completedOrder", properties={"products": [{"price": "9.90"}]}),
            "/properties/products/0/price",
            "number",
        ),
        (
            event(type="addedReward", properties={"rewardTypeId": "t"}),
            "/properties/rewardAmount",
            "required",
        ),
        (
            event(type="addedReward", properties={"rewardTypeId": "t", "rewardAmount": -1}),
            "/properties/rewardAmount",
            "at least 0",
        ),
        (
            event(type="grantedCoupon", properties={"totalAmount": 1}),
            "/properties/startValidityDate",
            "required",
        ),
        (
            event(type="eventParticipated", properties={"checkIn": "noon"}),
            "/properties/checkIn",
            "date-time",
        ),
        (
            event(type="campaignSent", properties={"contents": [{"name": "x"}]}),
            "/properties/contents/0/type",
            "required",
        ),
        (
            event(type="changedSetting", properties={"setting": "COLOR"}),
            "/properties/setting",
            "LANGUAGE",
        ),
        (event(properties={"extraProperties": "x"}), "/properties/extraProperties", "object"),
        (
            event(contextInfo={"client": {"ip": "999.1.1.1"}}),
            "/contextInfo/client/ip",
            "not a valid ipv4",
        ),
        (event(contextInfo={"user": {"firstName": "M"}}), "/contextInfo/user/id", "required"),
        (
            event(context="ECOMMERCE", contextInfo={"store": {"type": "KIOSK"}}),
            "/contextInfo/store/type",
            "AIRPORT",
        ),
        (
            event(context="RETAIL", contextInfo={"salesAssistant": {"firstName": "A"}}),
            "/contextInfo/salesAssistant/id",
            "required",
        ),
        (
            event(context="MOBILE", contextInfo={"device": {"model": 7}}),
            "/contextInfo/device/model",
            "string",
        ),
        (event(contextInfo="web"), "/contextInfo", "object"),
        (event(tracking={"ga": {"utm_source": 1}}), "/tracking/ga/utm_source", "string"),
    ],
)
def test_each_kind_of_event_problem_names_its_field(
    body: dict[str, Any], pointer: str, fragment: str
) -> None:
    found = problems(validate_event, body)
    assert pointer in found, found
    assert fragment in found[pointer]


def test_context_info_keeps_unknown_keys_where_the_vendor_leaves_objects_open() -> None:
    info = {
        "client": {"userAgent": "python-requests/2.13.0", "ip": "172.16.16.1", "extra": 1},
        "user": {"id": "u1", "contacts": {"email": "a@example.com", "fax": "1"}},
    }
    assert validate_event(event(contextInfo=info))["contextInfo"] == info


def test_relaxed_context_info_keeps_unknown_keys_and_checks_known_ones() -> None:
    info = {
        "client": {"userAgent": "python-requests/2.13.0", "ip": "172.16.16.1", "extra": 1},
        "user": {"id": "u1"},
        "custom": {"x": 1},
    }
    assert validate_event(event(contextInfo=info), strict=False)["contextInfo"] == info
    relaxed = validate_event(event(contextInfo={"client": {"ip": "::1"}}), strict=False)
    assert relaxed["contextInfo"]["client"]["ip"] == "::1"
    found = problems(
        lambda body: validate_event(body, strict=False),
        event(contextInfo={"client": {"ip": "999.1.1.1"}}, properties={"url": 5}),
    )
    assert set(found) == {"/contextInfo/client/ip", "/properties/url"}


def test_relaxed_tracking_keeps_unknown_keys() -> None:
    tracking = {"ga": {"utm_source": "news", "utm_id": "7"}, "fb": {"id": "x"}}
    assert validate_event(event(tracking=tracking), strict=False)["tracking"] == tracking
    assert validate_event(event(tracking=None))["tracking"] is None


def test_a_rules_independent_problem_is_reported_at_once_with_the_relaxed_findings() -> None:
    body = event(type="notAType", properties={"somethingNew": 1}, contextInfo={"custom": 1})
    with pytest.raises(ValidationFailed) as caught:
        check_event(body)
    assert [error.path for error in caught.value.errors] == ["/type"]


def test_an_event_checked_both_ways_answers_for_either_rules() -> None:
    checked = check_event(event(properties={"somethingNew": 1}))
    assert checked.needs_node
    assert checked.owner == {"customerId": "c1", "bringBackProperties": None}
    assert checked.for_node(strict=False)["properties"] == {"somethingNew": 1}
    with pytest.raises(ValidationFailed):
        checked.for_node(strict=True)
    valid = check_event(event(properties={"title": "t"}))
    assert not valid.needs_node
    assert valid.for_node(strict=True) == valid.for_node(strict=False)


def test_a_store_location_is_checked_in_ecommerce_context() -> None:
    info = {"store": {"id": "s", "type": "ECOMMERCE", "geo": {"lat": 1, "lon": 2}}}
    result = validate_event(event(context="ECOMMERCE", contextInfo=info))
    assert result["contextInfo"] == info


def test_nested_dates_in_properties_are_canonical() -> None:
    properties = {"eventDate": "2018-01-01T10:00:00+01:00"}
    result = validate_event(event(type="eventInvited", properties=properties))
    assert result["properties"]["eventDate"] == "2018-01-01T09:00:00.000+0000"


@pytest.mark.parametrize("body", [None, [], "x"])
def test_a_non_object_event_is_refused_at_the_root(body: Any) -> None:
    assert list(problems(validate_event, body)) == [""]


def test_a_session_value_is_returned() -> None:
    assert validate_session({"value": "3f0f-11"}) == "3f0f-11"
    assert validate_session({"value": "s", "id": "ignored"}) == "s"
    # The reference's Session: an open object, its value any string.
    assert validate_session({"value": ""}) == ""
    assert validate_session({"value": "x" * 100_000}) == "x" * 100_000
    assert validate_session({"value": "s", "other": 1}) == "s"


@pytest.mark.parametrize(
    ("body", "pointer", "fragment"),
    [
        ({}, "/value", "is required"),
        ({"value": 5}, "/value", "string"),
        ({"value": None}, "/value", "is required"),
        ({"value": "a\x00"}, "/value", "NUL"),
        ("s", "", "JSON object"),
    ],
)
def test_invalid_sessions_name_the_problem(body: Any, pointer: str, fragment: str) -> None:
    found = problems(validate_session, body)
    assert pointer in found, found
    assert fragment in found[pointer]


def test_node_settings_defaults() -> None:
    expected = {
        "matching": {
            "properties": ["base.contacts.email"],
            "caseSensitive": False,
            "policy": "BLOCK",
            "requireUniqueProperties": False,
        },
        "extendedSchema": None,
        "mandatoryProperties": [],
        "events": {"strictProperties": True},
    }
    assert validate_node_settings({}) == expected
    assert validate_node_settings(None) == expected
    assert validate_node_settings({"matching": {}}) == expected


def test_node_settings_are_kept_when_valid() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    settings = {
        "matching": {
            "properties": ["base.credential.username", "externalId"],
            "caseSensitive": True,
            "policy": "NO_CHECK",
            "requireUniqueProperties": True,
        },
        "extendedSchema": schema,
        "mandatoryProperties": ["base.firstName", "extended.loyalty-card", "externalId"],
        "events": {"strictProperties": False},
    }
    assert validate_node_settings(settings) == settings


@pytest.mark.parametrize(
    ("settings", "pointer", "fragment"),
    [
        ({"matching": {"policy": "IGNORE"}}, "/matching/policy", "BLOCK, MERGE, NO_CHECK"),
        ({"matching": {"properties": []}}, "/matching/properties", "at least one"),
        ({"matching": {"properties": "base.contacts.email"}}, "/matching/properties", "array"),
        ({"matching": {"properties": ["contacts.email"]}}, "/matching/properties/0", "pattern"),
        ({"matching": {"caseSensitive": "no"}}, "/matching/caseSensitive", "boolean"),
        (
            {"matching": {"requireUniqueProperties": 1}},
            "/matching/requireUniqueProperties",
            "boolean",
        ),
        ({"matching": {"unique": True}}, "/matching/unique", "unknown property"),
        ({"events": {"strictProperties": "no"}}, "/events/strictProperties", "boolean"),
        ({"events": {"strict": True}}, "/events/strict", "unknown property"),
        ({"events": True}, "/events", "object"),
        ({"policy": "BLOCK"}, "/policy", "unknown property"),
        ({"extendedSchema": "object"}, "/extendedSchema", "JSON schema object"),
        ({"extendedSchema": {"type": "banana"}}, "/extendedSchema/type", "not a valid JSON schema"),
        ({"mandatoryProperties": ["firstName"]}, "/mandatoryProperties/0", "pattern"),
        ({"mandatoryProperties": "base.firstName"}, "/mandatoryProperties", "array"),
        ([], "", "JSON object"),
    ],
)
def test_invalid_node_settings_name_the_bad_key(settings: Any, pointer: str, fragment: str) -> None:
    found = problems(validate_node_settings, settings)
    assert pointer in found, found
    assert fragment in found[pointer]


def test_the_nul_character_is_refused_wherever_it_hides() -> None:
    found = problems(
        validate_event,
        event(properties={"title": "a\x00b", "extraProperties": {"k\x00": 1}}),
    )
    assert "NUL" in found["/properties/title"]
    assert "/properties/extraProperties/k\x00" in found
    assert "NUL" in problems(validate_session, {"value": "\x00"})["/value"]


def test_an_extended_schema_may_only_reference_itself() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"$ref": "https://example.com/remote.json"},
            "b": {"$ref": "#/$defs/b"},
            "c": {"$ref": "#/$defs/missing"},
        },
        "$defs": {"b": {"type": "integer"}},
    }
    found = problems(validate_node_settings, {"extendedSchema": schema})
    assert "inside the schema" in found["/extendedSchema/properties/a/$ref"]
    assert "points at nothing" in found["/extendedSchema/properties/c/$ref"]
    assert "/extendedSchema/properties/b/$ref" not in found


def test_a_stored_schema_with_a_remote_reference_gives_a_400_not_a_crash() -> None:
    schema = {"type": "object", "properties": {"a": {"$ref": "https://example.com/x.json"}}}
    with pytest.raises(ValidationFailed) as caught:
        validate_customer({"nodeId": "n", "extended": {"a": 1}}, extended_schema=schema)
    assert caught.value.errors[0].path == "/extended"
    assert "cannot be checked" in caught.value.errors[0].message
