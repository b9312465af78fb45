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
