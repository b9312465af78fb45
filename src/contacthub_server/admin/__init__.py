"""The admin API under ``/_hub/`` and its Python seam, :class:`HubAdmin` (for the console).

Apart from the ContactHub API: its own routes (registered in ``app.py``), its own key (the admin
key, kept in the hub's database), never a workspace token.
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import select

from contacthub_server.admin import snapshot
from contacthub_server.service.registry import Registry
from contacthub_server.store import Store
from contacthub_server.store.tables import SCHEMA_VERSION, schema_version

ADMIN_KEY_SETTING = "admin_key"

__all__ = ["HubAdmin", "ensure_admin_key"]


def ensure_admin_key(store: Store, wanted: str | None = None) -> tuple[str, bool]:
    """The hub's admin key and whether it was just created (or set from ``wanted``)."""
    with store.write() as tx:
        stored = tx.hub_setting(ADMIN_KEY_SETTING)
        if wanted and wanted != stored:
            tx.set_hub_setting(ADMIN_KEY_SETTING, wanted)
            return wanted, True
        if stored:
            return stored, False
        key = "hubadmin-" + secrets.token_urlsafe(32)
        tx.set_hub_setting(ADMIN_KEY_SETTING, key)
        return key, True


class HubAdmin:
    """What the admin API (and the console) can do to one hub: health, reset, snapshots."""

    def __init__(self, store: Store, registry: Registry, admin_key: str) -> None:
        self.store = store
        self.registry = registry
        self.admin_key = admin_key

    def check_key(self, presented: str) -> bool:
        """Whether ``presented`` is the admin key (constant-time comparison)."""
        return bool(presented) and hmac.compare_digest(presented, self.admin_key)

    def health(self) -> dict[str, Any]:
        """Readiness: the database answers and its schema is this hub's version."""
        try:
            with self.store.tables_read() as conn:
                version = conn.execute(
                    select(schema_version.c.version).where(schema_version.c.id == 1)
                ).scalar()
        except Exception as exc:  # any failure means "not ready"
            return {"ready": False, "database": f"unreachable: {type(exc).__name__}"}
        ready = version == SCHEMA_VERSION
        return {
            "ready": ready,
            "database": "ok",
            "schemaVersion": version,
            "migrations": "done" if ready else f"expected {SCHEMA_VERSION}",
        }

    def reset(self, workspace_id: str | None = None) -> dict[str, int]:
        """Empty one workspace (None: every one) of its data; credentials are kept."""
        deleted = snapshot.reset(self.store, workspace_id)
        self.registry.forget_all()
        return deleted

    def export_snapshot(
        self, directory: str | Path, workspace_id: str | None = None
    ) -> dict[str, Any]:
        """Write a snapshot of the hub (or one workspace) to ``directory``; its manifest."""
        return snapshot.export_snapshot(self.store, directory, workspace_id)

    def import_snapshot(self, directory: str | Path) -> dict[str, int]:
        """Load a snapshot (into an empty hub, or replacing its one workspace); rows per table."""
        loaded = snapshot.import_snapshot(self.store, directory)
        self.registry.forget_all()
        return loaded
