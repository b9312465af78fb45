"""Errors the store raises to the service."""

from __future__ import annotations


class MatchKeyConflict(Exception):
    """A customer with the same match key already exists in the node.

    Raised by `Tx.insert_customer` and `Tx.replace_customer`; `existing_id` is the id of the
    customer that holds the key, for the 409 answer (`data.customer`).
    """

    def __init__(self, existing_id: str) -> None:
        super().__init__(f"match key already used by customer {existing_id}")
        self.existing_id = existing_id


class SessionTaken(Exception):
    """Another customer of the node already holds the session value (`Tx.add_session`).

    `owner_id` is that customer's id ("" when it was deleted meanwhile).
    """

    def __init__(self, owner_id: str) -> None:
        super().__init__(f"session value already held by customer {owner_id}")
        self.owner_id = owner_id
