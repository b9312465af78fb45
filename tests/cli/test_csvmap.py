"""CSV columns to nested documents and back: the mapping the import and export rely on."""

from __future__ import annotations

import pytest

from contacthub.cli.csvmap import (
    HeaderTypes,
    MappingError,
    build_document,
    event_shorthands,
    flatten,
    parse_cell,
    parse_header,
)


def _row(header: list[str], cells: list[str], entity: str = "customers") -> dict[str, object]:
    return build_document(parse_header(header, entity), cells, "|")  # type: ignore[arg-type]


def test_dotted_columns_build_nested_fields() -> None:
    document = _row(
        ["externalId", "base.firstName", "base.contacts.email", "base.address.city"],
        ["x1", "Mario", "mario@example.com", "Milano"],
    )
    assert document == {
        "externalId": "x1",
        "base": {
            "firstName": "Mario",
            "contacts": {"email": "mario@example.com"},
            "address": {"city": "Milano"},
        },
    }


def test_empty_cells_leave_fields_out() -> None:
    assert _row(["base.firstName", "base.lastName"], ["Mario", ""]) == {
        "base": {"firstName": "Mario"}
    }


def test_list_columns_split_on_the_separator() -> None:
    columns = parse_header(["tags.manual"], "customers")
    assert build_document(columns, ["vip| new |"], "|") == {"tags": {"manual": ["vip", "new"]}}
    assert build_document(columns, ["a;b"], ";") == {"tags": {"manual": ["a", "b"]}}


def test_typed_values_follow_the_schema() -> None:
    document = _row(
        [
            "enabled",
            "base.address.geo.lat",
            "base.address.geo.lon",
            "consents.softSpam.email.status",
        ],
        ["false", "45.46", "9", "yes"],
    )
    assert document == {
        "enabled": False,
        "base": {"address": {"geo": {"lat": 45.46, "lon": 9}}},
        "consents": {"softSpam": {"email": {"status": True}}},
    }


def test_list_of_objects_columns_take_json() -> None:
    document = _row(["base.jobs"], ['[{"id": "j1", "companyName": "ACME"}]'])
    assert document == {"base": {"jobs": [{"id": "j1", "companyName": "ACME"}]}}


def test_a_header_suffix_forces_the_type_of_extended_fields() -> None:
    document = _row(
        ["extended.age:int", "extended.vip:bool", "extended.score:number", "extended.note"],
        ["42", "true", "2.5", "007"],
    )
    assert document == {"extended": {"age": 42, "vip": True, "score": 2.5, "note": "007"}}


def test_a_whole_object_column_takes_json() -> None:
    assert _row(["extended", "base.address"], ['{"a": 1}', '{"city": "Roma"}']) == {
        "extended": {"a": 1},
        "base": {"address": {"city": "Roma"}},
    }
    assert _row(["type", "properties"], ["searched", '{"keyword": "x"}'], "events") == {
        "type": "searched",
        "properties": {"keyword": "x"},
    }


@pytest.mark.parametrize(
    ("header", "cell", "message"),
    [
        ("base.address.geo.lat", "north", "'north' is not a number"),
        ("enabled", "maybe", "'maybe' is not a boolean"),
        ("extended.age:int", "4.5", "'4.5' is not a whole number"),
        ("base.educations", "[{", "invalid JSON"),
    ],
)
def test_bad_cells_name_the_field_and_why(header: str, cell: str, message: str) -> None:
    with pytest.raises(MappingError) as caught:
        _row([header], [cell])
    assert caught.value.field == header.partition(":")[0]
    assert message in caught.value.message


def test_unknown_columns_are_refused_with_a_suggestion() -> None:
    with pytest.raises(MappingError) as caught:
        parse_header(["base.fristName"], "customers")
    assert caught.value.field == "base.fristName"
    assert "unknown field" in caught.value.message
    assert "base.firstName" in caught.value.message


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (["email", "email"], "unknown field"),
        (["base.firstName", "base.firstName"], "appears twice"),
        (["base..firstName"], "empty part"),
        ([""], "names no field"),
        (["extended.age:integr"], "unknown type"),
    ],
)
def test_bad_headers_are_refused(header: list[str], message: str) -> None:
    with pytest.raises(MappingError, match=message):
        parse_header(header, "customers")


def test_read_only_and_reject_columns_are_ignored() -> None:
    document = _row(
        ["_line", "_error", "id", "registeredAt", "base.firstName"],
        ["3", "boom", "c1", "2020-01-01T00:00:00.000+0000", "Ada"],
    )
    assert document == {"base": {"firstName": "Ada"}}


def test_event_columns_type_properties_by_name_and_event_type() -> None:
    header = ["type", "context", "properties.price", "properties.category", "properties.sku"]
    document = _row(header, ["viewedProduct", "WEB", "9.90", "shoes|sale", "123"], "events")
    assert document["properties"] == {"price": 9.9, "category": ["shoes", "sale"], "sku": "123"}


def test_event_shorthands_become_bring_back_properties() -> None:
    event = event_shorthands({"type": "viewedPage", "externalId": "x1"}, "node-1")
    assert event["bringBackProperties"] == {
        "type": "EXTERNAL_ID",
        "value": "x1",
        "nodeId": "node-1",
    }
    event = event_shorthands({"type": "viewedPage", "sessionId": "s1"}, "node-1")
    assert event["bringBackProperties"]["type"] == "SESSION_ID"
    with pytest.raises(MappingError, match="not both"):
        event_shorthands({"externalId": "x", "bringBackProperties": {"type": "SESSION_ID"}}, "n")


def test_flatten_is_the_reverse_of_build_document() -> None:
    customer = {
        "externalId": "x1",
        "enabled": True,
        "base": {
            "firstName": "Ada",
            "contacts": {"email": "ada@example.com", "otherContacts": []},
            "address": {"geo": {"lat": 45.5, "lon": 9.25}},
            "jobs": [{"id": "j1", "companyName": "ACME"}],
        },
        "tags": {"manual": ["vip", "new"], "auto": []},
    }
    row = flatten(customer, "|")
    assert row["tags.manual"] == "vip|new"
    assert row["enabled"] == "true"
    header = list(row)
    assert build_document(parse_header(header, "customers"), list(row.values()), "|") == {
        "externalId": "x1",
        "enabled": True,
        "base": {
            "firstName": "Ada",
            "contacts": {"email": "ada@example.com"},
            "address": {"geo": {"lat": 45.5, "lon": 9.25}},
            "jobs": [{"id": "j1", "companyName": "ACME"}],
        },
        "tags": {"manual": ["vip", "new"]},
    }


def test_list_items_holding_the_separator_survive_as_json() -> None:
    row = flatten({"tags": {"manual": ["a|b", "c"]}}, "|")
    assert parse_cell(row["tags.manual"], "list", "|") == ["a|b", "c"]


def test_export_headers_carry_the_types_import_cannot_infer() -> None:
    types = HeaderTypes("customers")
    types.observe({"extended": {"age": 36, "score": 1.5, "vip": True, "note": "x", "mix": 1}})
    types.observe({"extended": {"age": 40, "score": 2, "mix": "y"}, "enabled": True})
    types.observe({"base": {"address": {"geo": {"lat": 45.0}}}, "tags": {"manual": ["a"]}})
    assert types.header("extended.age") == "extended.age:int"
    assert types.header("extended.score") == "extended.score:number"
    assert types.header("extended.vip") == "extended.vip:bool"
    assert types.header("extended.note") == "extended.note"
    assert types.header("extended.mix") == "extended.mix"  # mixed kinds: left as text
    # Fields the schema types already need no suffix.
    assert types.header("enabled") == "enabled"
    assert types.header("base.address.geo.lat") == "base.address.geo.lat"
    assert types.header("tags.manual") == "tags.manual"
    assert types.header("id") == "id"
