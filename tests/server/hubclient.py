"""Helpers for the hub's raw-HTTP tests: a workspace client and an error-envelope check."""

from __future__ import annotations

from typing import Any

import requests

from contacthub.testing import Hub


class Api:
    """A thin ``requests`` client of one workspace of the hub, for raw-HTTP tests."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.session = requests.Session()
        self.session.headers.update(hub.headers)
        self.url = hub.workspace_url

    def __call__(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send ``method`` to the workspace URL + ``path``."""
        return self.session.request(method, self.url + path, timeout=30, **kwargs)

    def customer(self, **fields: Any) -> dict[str, Any]:
        """Create a customer in the hub's node (201 expected) and return it."""
        body = {"nodeId": self.hub.node_id, **fields}
        reply = self("POST", "/customers", json=body)
        assert reply.status_code == 201, reply.text
        created: dict[str, Any] = reply.json()
        return created


def assert_error(
    reply: requests.Response, status: int, message: str | None = None
) -> dict[str, Any]:
    """Check an error answer: its status, the four envelope keys and (optionally) the message."""
    assert reply.status_code == status, reply.text
    body: dict[str, Any] = reply.json()
    assert set(body) == {"message", "logref", "data", "errors"}, body
    assert isinstance(body["logref"], str)
    assert len(body["logref"]) == 36
    if message is not None:
        assert body["message"] == message
    return body
