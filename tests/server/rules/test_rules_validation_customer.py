"""Customer and item validation: every kind of problem, reported with its JSON pointer."""

from __future__ import annotations

from typing import Any

import pytest

from contacthub_server.service.merge import merge_patch
from contacthub_server.service.validation import (
    FieldError,
    ValidationFailed,
    validate_customer,
    validate_item,
)


def problems(doc: Any, **kwargs: Any) -> dict[str, str]:
    """Every problem of ``doc``, by pointer (fails the test when the document is valid)."""
    with pytest.raises(ValidationFailed) as caught:
        validate_customer(doc, **kwargs)
    return {error.path: error.message for error in caught.value.errors}


def with_base(**base: Any) -> dict[str, Any]:
    return {"nodeId": "n", "base": base}


FULL: dict[str, Any] = {
    "nodeId": "node-1",
    "externalId": "01",
    "extra": "free text",
    "enabled": True,
    "base": {
        "pictureUrl": "https://example.com/me.png",
        "title": "Dr",
        "prefix": None,
        "firstName": "Mario",
        "lastName": "Rossi",
        "middleName": None,
        "gender": "male",
        "dob": "1980-05-10",
        "locale": "it_IT",
        "timezone": "Europe/Rome",
        "contacts": {
            "email": "mario@example.com",
            "fax": None,
            "mobilePhone": "3661107199",
            "phone": "3498761234",
            "otherContacts": [{"name": "work", "type": "EMAIL", "value": "m@work.example"}],
            "mobileDevices": [
                {"identifier": "X", "appId": "a", "name": "phone", "type": "IOS"},
                {"identifier": "Y", "notificationService": "GCM", "type": None},
            ],
        },
        "address": {
            "street": "Via Roma 1",
            "city": "Milano",
            "country": "Italy",
            "province": "MI",
            "region": "Lombardia",
            "zip": "20100",
            "geo": {"lat": 45.46, "lon": 9.19},
        },
        "credential": {"username": "mario", "password": "secret"},
        "educations": [{"id": "e1", "schoolType": "COLLEGE", "startYear": 1999, "endYear": 2003}],
        "likes": [{"id": "l1", "name": "pizza", "createdTime": "2017-03-08T10:18:17Z"}],
        "socialProfile": {"twitter": "@mario"},
        "jobs": [{"id": "j1", "startDate": "2010-01-01", "endDate": None, "isCurrent": True}],
        "subscriptions": [
            {
                "id": "s1",
                "kind": "DIGITAL_MESSAGE",
                "subscribed": True,
                "startDate": "2017-03-08T10:18:17+00:00",
                "preferences": [{"key": "k", "value": "v"}],
            }
        ],
    },
    "extended": {"anything": [1, {"goes": None}]},
    "consents": {
        "disclaimer": {"date": "2018-05-25T14:05:00.000Z", "version": "1"},
        "marketing": {
            "traditional": {"telephonic": {"status": True, "limitation": None, "objection": False}},
            "automatic": {"email": {"status": True}},
        },
        "softSpam": {"email": None},
    },
    "tags": {"auto": ["a"], "manual": ["vip"]},
}


def test_a_complete_customer_is_accepted_with_canonical_dates() -> None:
    result = validate_customer(FULL)
    assert result["base"]["likes"][0]["createdTime"] == "2017-03-08T10:18:17.000+0000"
    assert result["base"]["subscriptions"][0]["startDate"] == "2017-03-08T10:18:17.000+0000"
    assert result["consents"]["disclaimer"]["date"] == "2018-05-25T14:05:00.000+0000"
    assert result["base"]["educations"][0]["endYear"] == 2003
    assert result["base"]["firstName"] == "Mario"
    assert result["extended"] == FULL["extended"]
    assert result["tags"] == FULL["tags"]


def test_read_only_fields_are_dropped_not_refused() -> None:
    doc = {
        **FULL,
        "id": "c1",
        "registeredAt": "x",
        "updatedAt": None,
        "sourceInfo": {"registeredBy": "s"},
    }
    result = validate_customer(doc)
    for key in ("id", "registeredAt", "updatedAt", "sourceInfo"):
        assert key not in result


def test_a_date_time_for_a_date_is_reduced_to_its_date() -> None:
    assert validate_customer(with_base(dob="1980-05-10T00:00:00Z"))["base"]["dob"] == "1980-05-10"


def test_every_problem_is_reported_not_only_the_first() -> None:
    found = problems(
        {
            "nodeId": "n",
            "base": {
                "dob": "10/05/1980",
                "timezone": "Mars/Olympus",
                "locale": "italian",
                "contacts": {"email": "not-an-email", "otherContacts": [{"type": "PAGER"}]},
                "nickname": "Super",
            },
            "tags": {"manual": "vip"},
            "surprise": 1,
        }
    )
    assert set(found) == {
        "/base/dob",
        "/base/timezone",
        "/base/locale",
        "/base/contacts/email",
        "/base/contacts/otherContacts/0/type",
        "/base/nickname",
        "/tags/manual",
        "/surprise",
    }
    assert "YYYY-MM-DD" in found["/base/dob"]
    assert "time zone" in found["/base/timezone"]
    assert found["/base/nickname"] == "unknown property 'nickname'"
    assert "MOBILE, PHONE, EMAIL, FAX, OTHER" in found["/base/contacts/otherContacts/0/type"]
    assert found["/tags/manual"] == "must be an array, not string"


@pytest.mark.parametrize(
    ("base", "pointer", "fragment"),
    [
        ({"firstName": 5}, "/base/firstName", "must be a string, not number"),
        ({"firstName": True}, "/base/firstName", "not boolean"),
        ({"pictureUrl": "no scheme"}, "/base/pictureUrl", "not a valid uri"),
        ({"contacts": []}, "/base/contacts", "must be an object, not array"),
        ({"contacts": {"fax": 1}}, "/base/contacts/fax", "must be a string"),
        (
            {"contacts": {"mobileDevices": [{"type": "APN"}]}},
            "/base/contacts/mobileDevices/0/type",
            "IOS",
        ),
        (
            {"contacts": {"mobileDevices": [{"notificationService": "FCM"}]}},
            "/base/contacts/mobileDevices/0/notificationService",
            "APN",
        ),
        ({"address": {"geo": {"lat": "10", "lon": 1}}}, "/base/address/geo/lat", "a number"),
        ({"address": {"geo": {"lat": 1, "alt": 3}}}, "/base/address/geo/alt", "unknown property"),
        ({"educations": [{"schoolName": "x"}]}, "/base/educations/0/id", "is required"),
        (
            {"educations": [{"id": "e", "schoolType": "GYM"}]},
            "/base/educations/0/schoolType",
            "COLLEGE",
        ),
        (
            {"educations": [{"id": "e", "startYear": 1999.5}]},
            "/base/educations/0/startYear",
            "integer",
        ),
        (
            {"educations": [{"id": "e", "isCurrent": "yes"}]},
            "/base/educations/0/isCurrent",
            "boolean",
        ),
        (
            {"likes": [{"id": "l", "createdTime": "yesterday"}]},
            "/base/likes/0/createdTime",
            "date-time",
        ),
        ({"jobs": [{"id": "j", "startDate": "2010-13-01"}]}, "/base/jobs/0/startDate", "date"),
        ({"jobs": [{"id": "j", "salary": "a\x00"}]}, "/base/jobs/0/salary", "NUL"),
        (
            {"subscriptions": [{"id": "s", "kind": "EMAIL"}]},
            "/base/subscriptions/0/kind",
            "SERVICE",
        ),
        (
            {"subscriptions": [{"id": "s", "preferences": [{"key": 1}]}]},
            "/base/subscriptions/0/preferences/0/key",
            "string",
        ),
        ({"educations": {"id": "e"}}, "/base/educations", "an array"),
        ({"socialProfile": {"myspace": "x"}}, "/base/socialProfile/myspace", "unknown property"),
        ({"credential": {"token": "x"}}, "/base/credential/token", "unknown property"),
        ({"locale": "it-IT"}, "/base/locale", "pattern"),
    ],
)
def test_each_kind_of_base_problem_names_its_field(
    base: dict[str, Any], pointer: str, fragment: str
) -> None:
    found = problems(with_base(**base))
    assert pointer in found, found
    assert fragment in found[pointer]


@pytest.mark.parametrize(
    ("doc", "pointer", "fragment"),
    [
        ({"base": {}}, "/nodeId", "is required"),
        ({"nodeId": "", "base": {}}, "/nodeId", "must not be empty"),
        ({"nodeId": 3, "base": {}}, "/nodeId", "string"),
        ({"nodeId": "n"}, "", "at least one of externalId, base and extended"),
        ({"nodeId": "n", "externalId": None, "tags": {"auto": []}}, "", "at least one"),
        ({"nodeId": "n", "externalId": 1}, "/externalId", "string"),
        ({"nodeId": "n", "externalId": "1", "extra": {}}, "/extra", "string"),
        ({"nodeId": "n", "externalId": "1", "extended": []}, "/extended", "object"),
        ({"nodeId": "n", "externalId": "1", "enabled": "yes"}, "/enabled", "boolean"),
        ({"nodeId": "n", "externalId": "1", "tags": {"auto": [1]}}, "/tags/auto/0", "string"),
        ({"nodeId": "n", "externalId": "1", "tags": {"other": []}}, "/tags/other", "unknown"),
        (
            {
                "nodeId": "n",
                "externalId": "1",
                "consents": {"softSpam": {"email": {"status": "y"}}},
            },
            "/consents/softSpam/email/status",
            "boolean",
        ),
        (
            {"nodeId": "n", "externalId": "1", "consents": {"disclaimer": {"date": "soon"}}},
            "/consents/disclaimer/date",
            "date-time",
        ),
        (
            {"nodeId": "n", "externalId": "1", "consents": {"marketing": {"carrierPigeon": {}}}},
            "/consents/marketing/carrierPigeon",
            "unknown",
        ),
    ],
)
def test_each_kind_of_top_level_problem_names_its_field(
    doc: dict[str, Any], pointer: str, fragment: str
) -> None:
    found = problems(doc)
    assert pointer in found, found
    assert fragment in found[pointer]


@pytest.mark.parametrize("doc", ["a string", [1, 2], None, 42])
def test_a_non_object_customer_is_refused_at_the_root(doc: Any) -> None:
    assert list(problems(doc)) == [""]


def test_sections_over_64_kb_are_refused() -> None:
    big = "x" * (64 * 1024 + 1)
    found = problems(
        {"nodeId": "n", "extra": big, "base": {"firstName": big}, "extended": {"a": big}}
    )
    assert {"/extra", "/base", "/extended"} <= set(found)
    assert "64 KB" in found["/extended"]
    validate_customer({"nodeId": "n", "externalId": "e", "extra": "x" * (64 * 1024)})


def test_pointers_escape_slashes_and_tildes() -> None:
    found = problems(with_base(**{"a/b~c": 1}))
    assert "/base/a~1b~0c" in found


EXTENDED_SCHEMA = {
    "type": "object",
    "properties": {"loyalty": {"type": "integer", "minimum": 0}, "site": {"type": "string"}},
    "additionalProperties": False,
}


def test_extended_is_checked_against_the_node_schema() -> None:
    ok = {"nodeId": "n", "extended": {"loyalty": 3}}
    assert validate_customer(ok, extended_schema=EXTENDED_SCHEMA)["extended"] == {"loyalty": 3}
    found = problems(
        {"nodeId": "n", "extended": {"loyalty": -1, "color": "red"}},
        extended_schema=EXTENDED_SCHEMA,
    )
    assert "/extended/loyalty" in found
    assert "/extended" in found  # the unexpected 'color' is reported on the object
    assert "color" in found["/extended"]


def test_without_a_schema_extended_may_be_any_object() -> None:
    doc = {"nodeId": "n", "extended": {"loyalty": "gold", "nested": {"deep": [1]}}}
    assert validate_customer(doc)["extended"] == doc["extended"]


def test_validation_failed_carries_field_errors_and_a_summary() -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_customer({"nodeId": "n", "base": {"dob": 1, "gender": 2}})
    assert caught.value.errors[0] == FieldError(
        "/base/dob", "must be a date (YYYY-MM-DD), not number"
    )
    assert str(caught.value) == "/base/dob: must be a date (YYYY-MM-DD), not number (and 1 more)"


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("educations", {"id": "e1", "schoolType": "HIGH_SCHOOL", "schoolName": "Liceo"}),
        ("likes", {"id": "l1", "category": "food", "createdTime": "2017-03-08T10:18:17Z"}),
        ("jobs", {"id": "j1", "jobTitle": "dev", "startDate": "2010-01-01"}),
        ("subscriptions", {"id": "s1", "kind": "SERVICE", "subscribed": False}),
    ],
)
def test_each_item_kind_accepts_a_valid_item(kind: str, body: dict[str, Any]) -> None:
    result = validate_item(kind, body)
    assert result["id"] == body["id"]


def test_item_dates_are_canonical() -> None:
    assert (
        validate_item("likes", {"id": "l", "createdTime": "2017-03-08T12:18:17+02:00"})[
            "createdTime"
        ]
        == "2017-03-08T10:18:17.000+0000"
    )


@pytest.mark.parametrize(
    ("kind", "body", "pointer"),
    [
        ("educations", {"id": None}, "/id"),
        ("educations", {"id": ".."}, "/id"),
        ("likes", {"id": 5}, "/id"),
        ("jobs", {"id": "j", "endDate": "never"}, "/endDate"),
        ("subscriptions", {"id": "s", "kind": "EMAIL"}, "/kind"),
        ("educations", [], ""),
    ],
)
def test_invalid_items_name_the_field(kind: str, body: Any, pointer: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_item(kind, body)
    assert pointer in {error.path for error in caught.value.errors}


def test_what_the_vendors_schemas_allow_in_items_is_accepted() -> None:
    # The reference's item bodies require nothing, and the base schema leaves items open.
    assert validate_item("educations", {"schoolName": "x"}) == {"schoolName": "x"}
    assert validate_item("likes", {"id": ""}) == {"id": ""}
    assert validate_item("subscriptions", {"id": "s", "enable": True}) == {
        "id": "s",
        "enable": True,
    }
    doc = validate_customer(
        with_base(
            jobs=[{"id": "j", "salary": 1}, {"id": "j"}],
            address={"geo": {"lat": 91, "lon": None}},
        )
    )
    assert doc["base"]["jobs"] == [{"id": "j", "salary": 1}, {"id": "j"}]
    assert doc["base"]["address"]["geo"] == {"lat": 91, "lon": None}


def test_an_unknown_item_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown item kind 'pets'"):
        validate_item("pets", {"id": "p"})


def test_the_nul_character_is_refused_in_strings_and_keys() -> None:
    found = problems({"nodeId": "n", "base": {"firstName": "M\x00"}, "extended": {"a": ["\x00"]}})
    assert "NUL" in found["/base/firstName"]
    assert "NUL" in found["/extended/a/0"]
    assert "NUL" in problems({"nodeId": "n", "extended": {"\x00": 1}})["/extended/\x00"]
    with pytest.raises(ValidationFailed):
        validate_item("likes", {"id": "l\x00"})


def test_integers_beyond_64_bits_are_refused_anywhere() -> None:
    found = problems(
        {
            "nodeId": "n",
            "extended": {"big": 2**64},
            "base": {"educations": [{"id": "e", "startYear": -(2**63) - 1}]},
        }
    )
    assert "64 bits" in found["/extended/big"]
    assert "64 bits" in found["/base/educations/0/startYear"]
    assert validate_customer({"nodeId": "n", "extended": {"max": 2**63 - 1}})["extended"] == {
        "max": 2**63 - 1
    }


def test_integer_fields_refuse_floats_even_whole_ones() -> None:
    with pytest.raises(ValidationFailed, match=r"must be an integer, not 5\.3e"):
        validate_item("educations", {"id": "e", "endYear": 5.3e28})
    with pytest.raises(ValidationFailed, match=r"must be an integer, not 2003\.0"):
        validate_item("educations", {"id": "e", "endYear": 2003.0})
    assert validate_item("educations", {"id": "e", "endYear": 2003})["endYear"] == 2003


def deeply_nested(levels: int) -> list[Any]:
    """A list nested ``levels`` deep, built without recursion."""
    root: list[Any] = []
    current = root
    for _ in range(levels - 1):
        inner: list[Any] = []
        current.append(inner)
        current = inner
    return root


def test_documents_nested_too_deeply_are_refused_without_a_crash() -> None:
    found = problems({"nodeId": "n", "extended": {"a": deeply_nested(1000)}})
    assert len(found) == 1
    assert "nested too deeply" in next(iter(found.values()))
    assert validate_customer({"nodeId": "n", "extended": {"a": deeply_nested(60)}})


def test_merging_a_deeply_nested_patch_does_not_crash() -> None:
    merged = merge_patch({"nodeId": "n"}, {"extended": {"a": deeply_nested(1000)}})
    assert merged["nodeId"] == "n"
    with pytest.raises(ValidationFailed, match="nested too deeply"):
        validate_customer(merged)


def test_integer_fields_accept_a_string_of_digits_as_the_guide_sends() -> None:
    item = validate_item("educations", {"id": "01", "startYear": "1994", "endYear": "2000"})
    assert (item["startYear"], item["endYear"]) == (1994, 2000)
    for bad in ("1994.5", "nineteen", " 1994", "", "1" * 19):
        with pytest.raises(ValidationFailed, match="must be an integer"):
            validate_item("educations", {"id": "01", "startYear": bad})
