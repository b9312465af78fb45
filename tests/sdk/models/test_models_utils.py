"""lib.utils: date encoding and the guide's dictionary helpers."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

import pytest

from contacthub.lib.utils import (
    DateEncoder,
    convert_properties_obj_in_prop,
    diff_documents,
    generate_mutation_tracker,
    get_dictionary_paths,
    remove_empty_attributes,
    resolve_mutation_tracker,
)
from contacthub.models import Customer, Event, Properties


def encode(value: object) -> object:
    return json.loads(json.dumps(value, cls=DateEncoder))


def test_datetimes_encode_in_the_apis_form_naive_ones_as_local_time(
    local_time_zone: Callable[[str], None],
) -> None:
    eastern = timezone(timedelta(hours=-5))
    assert encode(datetime(2011, 12, 11, 22, 0, tzinfo=eastern)) == "2011-12-12T03:00:00.000+0000"
    local_time_zone("UTC")
    assert encode(datetime(2011, 12, 11)) == "2011-12-11T00:00:00.000+0000"
    assert encode(datetime(2011, 12, 11, 1, 2, 3, 45999)) == "2011-12-11T01:02:03.045+0000"
    local_time_zone("Europe/Rome")  # UTC+1 in December
    assert encode(datetime(2011, 12, 11)) == "2011-12-10T23:00:00.000+0000"


def test_dates_encode_as_iso_dates() -> None:
    assert encode({"dob": date(1994, 6, 10)}) == {"dob": "1994-06-10"}


def test_models_encode_as_their_dictionaries(local_time_zone: Callable[[str], None]) -> None:
    local_time_zone("UTC")
    customer = Customer(node=None, default_attributes={"base": {"firstName": "A"}})
    event = Event(None, type="loggedIn", properties=Properties(when=datetime(2020, 1, 1)))
    assert encode([customer, event, Properties(a=1)]) == [
        {"base": {"firstName": "A"}},
        {"type": "loggedIn", "properties": {"when": "2020-01-01T00:00:00.000+0000"}},
        {"a": 1},
    ]


def test_unknown_objects_still_fail_as_json_does() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        json.dumps(object(), cls=DateEncoder)


def test_convert_properties_obj_in_prop_replaces_objects_in_place() -> None:
    data = {"a": Properties(b=Properties(c=1)), "l": [Properties(x=1), 2], "s": "s"}
    result = convert_properties_obj_in_prop(data, Properties)
    assert result is data
    assert data == {"a": {"b": {"c": 1}}, "l": [{"x": 1}, 2], "s": "s"}
    assert all(not isinstance(v, Properties) for v in data.values())


def test_generate_mutation_tracker_gives_the_whole_updated_document() -> None:
    old = {"a": {"b": 1, "c": 2}, "d": 3, "gone": 4}
    new = Properties(a=Properties(b=10, c=2), d=3, added=5)
    assert generate_mutation_tracker(old, new) == {
        "a": {"b": 10, "c": 2},
        "d": 3,
        "gone": None,
        "added": 5,
    }


def test_diff_documents_gives_only_the_changes() -> None:
    old = {"a": {"b": 1, "c": 2}, "l": [1, 2], "n": None, "gone": 1, "same": "s"}
    new = {"a": {"b": 1, "c": 3}, "l": [1, 2, 3], "n": None, "same": "s", "flag": True}
    assert diff_documents(old, new) == {"a": {"c": 3}, "l": [1, 2, 3], "gone": None, "flag": True}
    assert diff_documents(old, old) == {}
    # 1 and True are equal in Python but not the same JSON value.
    assert diff_documents({"x": 1}, {"x": True}) == {"x": True}


def test_get_dictionary_paths_lists_every_leaf_path() -> None:
    paths: list[list[str]] = []
    get_dictionary_paths({"a": {"b": {"c": 1, "d": 2}, "e": 3}}, paths)
    assert paths == [["a", "b", "c"], ["a", "b", "d"], ["a", "e"]]


def test_remove_empty_attributes_drops_nones_and_empty_containers() -> None:
    body = {
        "base": {"firstName": None, "contacts": {}, "educations": [], "zero": 0, "no": False},
        "tags": {"auto": [], "manual": []},
        "extra": "",
    }
    assert remove_empty_attributes(body) == {"base": {"zero": 0, "no": False}, "extra": ""}


def test_resolve_mutation_tracker_nests_dotted_keys() -> None:
    assert resolve_mutation_tracker({"a.b.c.d": "e", "a.x": 1, "top": None}) == {
        "a": {"b": {"c": {"d": "e"}}, "x": 1},
        "top": None,
    }
    with pytest.raises(ValueError, match="'a' is a value and a dictionary"):
        resolve_mutation_tracker({"a": 1, "a.b": 2})


def test_uuids_and_decimals_encode_as_json_values() -> None:
    from decimal import Decimal
    from uuid import UUID

    value = UUID("12345678-1234-4678-9234-567812345678")
    assert encode({"id": value, "price": Decimal("9.90"), "qty": Decimal("3")}) == {
        "id": "12345678-1234-4678-9234-567812345678",
        "price": 9.9,
        "qty": 3,
    }


def test_the_guides_module_aliases_import() -> None:
    from contacthub.model import Education as AliasEducation
    from contacthub.models import Education
    from contacthub.models.query import in_
    from contacthub.query import in_ as alias_in

    assert AliasEducation is Education
    assert alias_in is in_
