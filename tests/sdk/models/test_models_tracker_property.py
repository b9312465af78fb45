"""Property: applying the mutation tracker as the API applies a PATCH gives the edited customer."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from contacthub.lib.utils import diff_documents
from contacthub.models import Customer

keys = st.sampled_from(["a", "b", "c", "d"])
leaves = st.none() | st.booleans() | st.integers(-3, 3) | st.text("xy", max_size=2)
values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=12,
)
documents = st.dictionaries(keys, values, max_size=4)


def patch(document: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The API's PATCH: objects merge key by key, null removes, anything else replaces."""
    result = copy.deepcopy(document)
    for key, value in changes.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = patch(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def without_nulls(value: Any) -> Any:
    # A key set to null and a missing key read the same once patched.
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


@settings(max_examples=300, deadline=None)
@given(documents, documents)
def test_patching_with_the_diff_reaches_the_new_document(
    old: dict[str, Any], new: dict[str, Any]
) -> None:
    changes = diff_documents(old, new)
    assert without_nulls(patch(old, changes)) == without_nulls(new)


@settings(max_examples=200, deadline=None)
@given(documents, documents)
def test_editing_a_customer_attribute_by_attribute_tracks_the_same_diff(
    old: dict[str, Any], new: dict[str, Any]
) -> None:
    stored = copy.deepcopy(old)
    customer = Customer.from_dict(None, stored)
    for key in list(old):
        if key not in new:
            delattr(customer, key)
    for key, value in new.items():
        setattr(customer, key, value)
    tracker = customer.get_mutation_tracker()
    assert without_nulls(patch(old, tracker)) == without_nulls(new)
    assert stored == old  # the confirmed document is never changed
