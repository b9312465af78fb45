"""``GET /me``: who the token is, and what it may reach.

The hosted API answers the token's user with the groups it belongs to, each group's workspaces
and each workspace's nodes with a permission. A hub token belongs to one workspace and may read
and write every node of it, so the hub answers one user per token (its id derived from the
token, never the token itself), in one group, with that workspace and all its nodes at ``RW``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from contacthub_server.service.registry import Registry

#: The permission a hub token has on every node of its workspace.
PERMISSION = "RW"


def me(registry: Registry, token: str, ws: str) -> dict[str, Any]:
    """The UserInfo of ``token``, which belongs to workspace ``ws``."""
    with registry.store.read() as tx:
        nodes = tx.list_nodes(ws)
    user = "user-" + hashlib.sha256(token.encode()).hexdigest()[:16]
    return {
        "id": user,
        "name": "contacthub",
        "surname": "hub",
        "groups": [
            {
                "id": f"{user}-group",
                "name": "hub",
                "workspaces": [
                    {
                        "id": ws,
                        "name": ws,
                        "nodes": [{"id": node, "permission": PERMISSION} for node in nodes],
                    }
                ],
            }
        ],
    }
