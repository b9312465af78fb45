"""The matching policy: which customers count as the same, and what a node's settings mean."""

from __future__ import annotations

from typing import Any

import pytest

from contacthub_server.service.matching import (
    DEFAULT_POLICY,
    MatchingPolicy,
    match_key,
    missing_unique_properties,
    policy_from_settings,
    property_pointer,
)
from contacthub_server.service.validation import validate_node_settings


def customer(email: str | None = None, username: str | None = None, **top: Any) -> dict[str, Any]:
    return {
        "nodeId": "n",
        "base": {"contacts": {"email": email}, "credential": {"username": username}},
        **top,
    }


def test_default_policy_blocks_on_email_case_insensitively() -> None:
    assert MatchingPolicy(("base.contacts.email",), False, "BLOCK", False) == DEFAULT_POLICY
    assert policy_from_settings(None) == DEFAULT_POLICY
    assert policy_from_settings({}) == DEFAULT_POLICY
    assert policy_from_settings(validate_node_settings({})) == DEFAULT_POLICY


def test_emails_differing_only_in_case_share_a_key_by_default() -> None:
    first = match_key(DEFAULT_POLICY, customer("Mario@Example.com"))
    assert first is not None
    assert first == match_key(DEFAULT_POLICY, customer("mario@example.COM"))
    assert first != match_key(DEFAULT_POLICY, customer("luigi@example.com"))


def test_case_sensitive_policy_tells_case_apart() -> None:
    policy = MatchingPolicy(case_sensitive=True)
    assert match_key(policy, customer("Mario@Example.com")) != match_key(
        policy, customer("mario@example.com")
    )


@pytest.mark.parametrize(
    "doc",
    [customer(None), customer(""), {"nodeId": "n"}, {"base": None}, {"base": {"contacts": None}}],
)
def test_a_customer_lacking_every_property_takes_no_part(doc: dict[str, Any]) -> None:
    assert match_key(DEFAULT_POLICY, doc) is None
    assert missing_unique_properties(DEFAULT_POLICY, doc) == ["base.contacts.email"]


def test_no_check_never_matches_and_never_requires() -> None:
    policy = MatchingPolicy(mode="NO_CHECK", require_unique=True)
    assert match_key(policy, customer("a@example.com")) is None
    assert missing_unique_properties(policy, customer(None)) == []


def test_several_properties_form_one_key_together() -> None:
    policy = MatchingPolicy(properties=("base.contacts.email", "base.credential.username"))
    both = match_key(policy, customer("a@example.com", "alice"))
    assert both == match_key(policy, customer("A@example.com", "ALICE"))
    assert both != match_key(policy, customer("a@example.com", "bob"))
    assert both != match_key(policy, customer("a@example.com"))
    assert match_key(policy, customer("a@example.com")) is not None
    assert missing_unique_properties(policy, customer("a@example.com")) == [
        "base.credential.username"
    ]


def test_external_id_can_be_the_matching_property() -> None:
    policy = MatchingPolicy(properties=("externalId",))
    assert match_key(policy, customer(externalId="01")) == match_key(policy, {"externalId": "01"})
    assert match_key(policy, customer(externalId="01")) != match_key(policy, {"externalId": "02"})


def test_very_long_values_give_a_short_stable_key() -> None:
    long_email = "x" * 5000 + "@example.com"
    key = match_key(DEFAULT_POLICY, customer(long_email))
    assert key is not None
    assert key.startswith("sha256:")
    assert len(key) < 100
    assert key == match_key(DEFAULT_POLICY, customer(long_email.upper()))


def test_settings_become_a_policy() -> None:
    settings = validate_node_settings(
        {
            "matching": {
                "properties": ["base.credential.username"],
                "caseSensitive": True,
                "policy": "MERGE",
                "requireUniqueProperties": True,
            }
        }
    )
    assert policy_from_settings(settings) == MatchingPolicy(
        ("base.credential.username",), True, "MERGE", True
    )


def test_property_pointer_is_the_json_pointer_of_a_dotted_path() -> None:
    assert property_pointer("base.contacts.email") == "/base/contacts/email"
    assert property_pointer("externalId") == "/externalId"
