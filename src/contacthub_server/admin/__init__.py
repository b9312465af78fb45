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
from contacthub_server.admin.request_log import RequestLog
from contacthub_server.service.errors import NotFound
from contacthub_server.service.faults import FaultSettings, RuntimeFaults, parse_fault_settings
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
    """What the admin API (and the console) can do to one hub: health, reset, snapshots,
    faults per workspace, the request log."""

    def __init__(
        self,
        store: Store,
        registry: Registry,
        admin_key: str,
        *,
        faults: RuntimeFaults | None = None,
        request_log: RequestLog | None = None,
        default_faults: FaultSettings | None = None,
    ) -> None:
        self.store = store
        self.registry = registry
        self.admin_key = admin_key
        #: Faults and latency set per workspace at run time.
        self.faults = faults if faults is not None else RuntimeFaults(store)
        #: The last requests of the ContactHub API answered by this process.
        self.request_log = request_log if request_log is not None else RequestLog(0)
        #: The hub-wide faults given at start (``--fault-rate``, ``--latency-ms``).
        self.default_faults = default_faults or FaultSettings()

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

    # -- faults per workspace -----------------------------------------------------------------
    def _known_workspace(self, workspace_id: str) -> None:
        with self.store.read() as tx:
            if not tx.workspace_exists(workspace_id):
                raise NotFound(f"no workspace {workspace_id}")

    def workspace_faults(self, workspace_id: str) -> dict[str, Any]:
        """The faults applied to the workspace: its own (``"scope": "workspace"``), or the
        hub-wide ones given at start (``"scope": "hub"``). :class:`NotFound` if unknown."""
        self._known_workspace(workspace_id)
        own = self.faults.get(workspace_id)
        settings = own if own is not None else self.default_faults
        return {
            "workspaceId": workspace_id,
            "scope": "workspace" if own is not None else "hub",
            **settings.to_json(),
        }

    def set_workspace_faults(self, workspace_id: str, body: Any) -> dict[str, Any]:
        """Give the workspace faults of its own (a ``PUT …/faults`` body, checked)."""
        settings = parse_fault_settings(body)
        self._known_workspace(workspace_id)
        self.faults.set(workspace_id, settings)
        return self.workspace_faults(workspace_id)

    def clear_workspace_faults(self, workspace_id: str) -> dict[str, Any]:
        """Take the workspace's own faults away: it follows the hub-wide ones again."""
        self._known_workspace(workspace_id)
        self.faults.clear(workspace_id)
        return self.workspace_faults(workspace_id)
