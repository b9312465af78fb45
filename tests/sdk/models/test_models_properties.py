"""Properties: attribute access over nested documents, read-only lists, copy-on-write."""

from __future__ import annotations

import copy
from datetime import date, datetime

import pytest

from contacthub.lib.read_only_list import ReadOnlyList
from contacthub.models import Properties
from contacthub.models.properties import update_tracking_with_new_prop


def test_keyword_attributes_are_readable_and_nested_properties_become_dicts() -> None:
    address = Properties(city="Milan", geo=Properties(lat=45.46, lon=9.19))
    assert address.city == "Milan"
    assert address.geo.lat == 45.46
    assert address.to_dict() == {"city": "Milan", "geo": {"lat": 45.46, "lon": 9.19}}


def test_lists_of_properties_read_back_as_properties() -> None:
    contacts = Properties(
        email="bruce@example.com",
        otherContacts=[Properties(name="home", type="PHONE", value="123")],
    )
    other = contacts.otherContacts
    assert isinstance(other, ReadOnlyList)
    assert isinstance(other[0], Properties)
    assert other[0].value == "123"
    assert contacts.to_dict()["otherContacts"] == [
        {"name": "home", "type": "PHONE", "value": "123"}
    ]


def test_reading_an_unset_attribute_names_the_path() -> None:
    props = Properties.from_dict(attributes={"base": {"firstName": "Bruce"}})
    with pytest.raises(AttributeError, match=r"Properties\.base has no attribute 'fristName'"):
        _ = props.base.fristName
    assert "firstName" in props.base
    assert "lastName" not in props.base


def test_from_dict_never_changes_the_wrapped_dictionary() -> None:
    source = {"a": {"b": {"c": 1}, "items": [{"x": 1}, {"x": 2}]}, "tags": ["t"]}
    snapshot = copy.deepcopy(source)
    props = Properties.from_dict(attributes=source)
    props.a.b.c = 2
    props.a.items[1].x = 20
    props.a.new = "n"
    props.tags = [*props.tags, "u"]
    del props.a.b
    assert source == snapshot
    assert props.to_dict() == {
        "a": {"items": [{"x": 1}, {"x": 20}], "new": "n"},
        "tags": ["t", "u"],
    }


def test_a_wrapper_held_by_the_user_stays_live_after_writes_elsewhere() -> None:
    props = Properties.from_dict(attributes={"base": {"contacts": {"email": "a@x.it"}}})
    contacts = props.base.contacts
    props.base.firstName = "Ada"  # copies base, then keeps the same contacts wrapper
    contacts.email = "b@x.it"
    assert props.base.contacts is contacts
    assert props.to_dict() == {"base": {"contacts": {"email": "b@x.it"}, "firstName": "Ada"}}


def test_lists_refuse_in_place_changes() -> None:
    props = Properties(tags=["a"])
    tags = props.tags
    for change in (
        lambda: tags.append("b"),
        lambda: tags.extend(["b"]),
        lambda: tags.insert(0, "b"),
        lambda: tags.pop(),
        lambda: tags.remove("a"),
        lambda: tags.reverse(),
        lambda: tags.sort(),
        lambda: tags.clear(),
    ):
        with pytest.raises(ValueError, match="read-only"):
            change()
    with pytest.raises(ValueError, match="read-only"):
        tags[0] = "b"
    with pytest.raises(ValueError, match="read-only"):
        del tags[0]
    assert props.tags == ["a"]


def test_plus_equals_on_a_list_attribute_assigns_a_new_list() -> None:
    props = Properties(tags=["a"])
    before = props.tags
    props.tags += ["b"]
    assert props.tags == ["a", "b"]
    assert before == ["a"]
    assert props.to_dict() == {"tags": ["a", "b"]}


def test_a_standalone_properties_object_joins_the_document_and_stays_live() -> None:
    parent = Properties(base=Properties())
    address = Properties(city="Rome")
    parent.base.address = address
    address.zip = "00100"
    assert parent.to_dict() == {"base": {"address": {"city": "Rome", "zip": "00100"}}}
    assert parent.base.address is address


def test_properties_from_another_document_are_copied_not_shared() -> None:
    first = Properties.from_dict(attributes={"address": {"city": "Rome"}})
    second = Properties()
    second.address = first.address
    second.address.city = "Turin"
    assert first.address.city == "Rome"
    assert second.address.city == "Turin"


def test_datetimes_and_dates_are_kept_until_encoding() -> None:
    when = datetime(2020, 5, 17, 10, 30)
    props = Properties(createdTime=when, dob=date(1990, 1, 2))
    assert props.createdTime == when
    assert props.to_dict() == {"createdTime": when, "dob": date(1990, 1, 2)}


def test_item_access_reaches_keys_that_are_not_identifiers() -> None:
    props = Properties.from_dict(attributes={"to_dict": 1, "a-b": {"c": 2}})
    assert props["to_dict"] == 1
    assert props["a-b"].c == 2
    props["a-b"] = 3
    assert props.to_dict() == {"to_dict": 1, "a-b": 3}
    with pytest.raises(KeyError, match="no attribute 'zzz'"):
        props["zzz"]


def test_deleting_an_unset_attribute_is_a_clear_error() -> None:
    props = Properties(a=1)
    with pytest.raises(AttributeError, match="has no attribute 'b'"):
        del props.b


def test_equality_compares_contents() -> None:
    assert Properties(a=1, b=Properties(c=2)) == {"a": 1, "b": {"c": 2}}
    assert Properties(a=1) == Properties(a=1)
    assert Properties(a=1) != Properties(a=2)


def test_from_dict_rejects_a_non_dictionary() -> None:
    with pytest.raises(TypeError, match="expects a dictionary, got list"):
        Properties.from_dict(attributes=[1, 2])  # type: ignore[arg-type]


def test_update_tracking_with_new_prop_merges_nested_properties() -> None:
    mutations = {"base": {"firstName": "A", "contacts": {"email": "a@x.it"}}}
    result = update_tracking_with_new_prop(
        mutations, Properties(base=Properties(contacts=Properties(phone="1")), extra="e")
    )
    assert result is mutations
    assert mutations == {
        "base": {"firstName": "A", "contacts": {"email": "a@x.it", "phone": "1"}},
        "extra": "e",
    }


def test_several_list_items_can_be_changed_through_their_wrappers() -> None:
    source = {"items": [{"n": 1}, {"n": 2}, {"n": 3}]}
    props = Properties.from_dict(attributes=source)
    first, second = props.items[0], props.items[1]
    first.n = 10
    second.n = 20
    props.items[2].n = 30
    first.n = 11
    assert props.items[0] is first
    assert props.to_dict() == {"items": [{"n": 11}, {"n": 20}, {"n": 30}]}
    assert source == {"items": [{"n": 1}, {"n": 2}, {"n": 3}]}


def test_lists_of_scalars_and_nested_lists_read_as_read_only_lists() -> None:
    props = Properties.from_dict(attributes={"matrix": [[1, 2], [3]], "empty": []})
    assert props.matrix == [[1, 2], [3]]
    assert isinstance(props.matrix[0], ReadOnlyList)
    assert props.empty == []
    assert isinstance(props.empty, ReadOnlyList)


def test_values_that_cannot_travel_as_json_are_refused_where_they_are_set() -> None:
    customer_like = Properties.from_dict(attributes={"base": {"tags": []}})
    with pytest.raises(TypeError, match=r"Properties\.base\.tags\[1\]: cannot store a set"):
        customer_like.base.tags = ["ok", {1, 2}]
    with pytest.raises(TypeError, match=r"Properties\(geo=\.\.\.\)\.lat: cannot store a object"):
        Properties(geo={"lat": object()})
    with pytest.raises(TypeError, match="keys must be strings"):
        customer_like.base.extra = {1: "one"}
    assert customer_like.to_dict() == {"base": {"tags": []}}
