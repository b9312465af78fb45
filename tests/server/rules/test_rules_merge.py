"""PATCH semantics: objects merge, arrays and scalars replace, null unsets, inputs untouched."""

from __future__ import annotations

import copy
from typing import Any

from contacthub_server.service.merge import merge_patch

STORED: dict[str, Any] = {
    "externalId": "01",
    "base": {
        "firstName": "Mario",
        "contacts": {"email": "mario@example.com", "phone": "123"},
        "likes": [{"id": "l1", "name": "pizza"}, {"id": "l2", "name": "pasta"}],
    },
    "consents": {"softSpam": {"email": {"status": True}}, "thirdPartyTransfer": {"profiling": {}}},
    "tags": {"auto": ["a"], "manual": ["vip", "new"]},
    "extended": {"prova": {"oggetto": "123"}},
}


def test_objects_merge_so_untouched_siblings_stay() -> None:
    merged = merge_patch(STORED, {"base": {"contacts": {"email": "new@example.com"}}})
    assert merged["base"]["firstName"] == "Mario"
    assert merged["base"]["contacts"] == {"email": "new@example.com", "phone": "123"}
    assert merged["tags"] == STORED["tags"]


def test_merging_one_consent_keeps_the_others() -> None:
    merged = merge_patch(STORED, {"consents": {"softSpam": {"email": {"status": False}}}})
    assert merged["consents"]["softSpam"]["email"] == {"status": False}
    assert merged["consents"]["thirdPartyTransfer"] == {"profiling": {}}


def test_arrays_are_replaced_whole_which_removes_a_tag() -> None:
    merged = merge_patch(STORED, {"tags": {"manual": ["vip"]}})
    assert merged["tags"] == {"auto": ["a"], "manual": ["vip"]}
    merged = merge_patch(STORED, {"base": {"likes": []}})
    assert merged["base"]["likes"] == []


def test_null_unsets_a_property_at_any_depth() -> None:
    merged = merge_patch(STORED, {"extended": {"prova": None}, "externalId": None})
    assert merged["extended"] == {"prova": None}
    assert merged["externalId"] is None
    assert merge_patch(STORED, {"base": None})["base"] is None


def test_scalars_replace_and_new_keys_are_added() -> None:
    merged = merge_patch(
        STORED, {"base": {"firstName": "Luigi", "lastName": "Rossi"}, "extra": "x"}
    )
    assert merged["base"]["firstName"] == "Luigi"
    assert merged["base"]["lastName"] == "Rossi"
    assert merged["extra"] == "x"


def test_an_object_replaces_a_non_object_and_vice_versa() -> None:
    stored = {"base": {"address": None}, "extended": {"a": {"b": 1}}}
    merged = merge_patch(stored, {"base": {"address": {"city": "Milano"}}, "extended": {"a": 5}})
    assert merged == {"base": {"address": {"city": "Milano"}}, "extended": {"a": 5}}


def test_an_empty_patch_changes_nothing() -> None:
    assert merge_patch(STORED, {}) == STORED


def test_inputs_are_not_modified_and_results_share_nothing_with_them() -> None:
    stored, patch = copy.deepcopy(STORED), {"base": {"contacts": {"otherContacts": [{"x": 1}]}}}
    before_patch = copy.deepcopy(patch)
    merged = merge_patch(stored, patch)
    assert stored == STORED
    assert patch == before_patch
    merged["base"]["likes"].append({"id": "l3"})
    merged["base"]["contacts"]["otherContacts"][0]["x"] = 2
    assert stored == STORED
    assert patch == before_patch
