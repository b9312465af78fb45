"""Faults and latency of one workspace, set at run time: the rules and a cache over the store.

A workspace's settings (``PUT /_hub/workspaces/{ws}/faults``) replace the hub-wide ones given at
start (``--fault-rate``, ``--latency-ms``, ``--fault-seed``) for that workspace's ContactHub
requests. They are kept in the database (table ``workspace_faults``) so that every process of
``contacthub serve --workers N`` applies them; each process reads them again at most
:data:`REFRESH_SECONDS` after the last read, and the process that took the change applies it at
once.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from contacthub_server.service.errors import BadRequest
from contacthub_server.store import Store

#: What a fault can be: an answer refused with that status and ``Retry-After`` (the request not
#: processed), or the connection closed before the request is processed or after it committed.
FAULT_KINDS: tuple[int | str, ...] = (503, 429, "drop-before", "drop-after")
#: The longest latency a workspace may be given (five minutes).
MAX_LATENCY_MS = 300_000
#: How old (in seconds) a process's copy of the settings may grow before it reads them again.
REFRESH_SECONDS = 1.0
_KEYS = frozenset({"rate", "latencyMs", "seed", "statuses"})
_SEED_BOUND = 2**63


@dataclass(frozen=True)
class FaultSettings:
    """A fault rate (0..1), an added latency, a seed of the draw, and the faults to draw from."""

    rate: float = 0.0
    latency_ms: int = 0
    seed: int | None = None
    statuses: tuple[int | str, ...] = FAULT_KINDS

    def to_json(self) -> dict[str, Any]:
        """The settings as the admin API shows them."""
        return {
            "rate": self.rate,
            "latencyMs": self.latency_ms,
            "seed": self.seed,
            "statuses": list(self.statuses),
        }


def parse_fault_settings(body: Any) -> FaultSettings:
    """Check a ``PUT …/faults`` body; :class:`BadRequest` listing every problem.

    Every key is optional: ``rate`` (0 to 1, default 0), ``latencyMs`` (0 to 300000, default 0),
    ``seed`` (an integer or null), ``statuses`` (a non-empty list of 503, 429, "drop-before",
    "drop-after"; default all four). ``{}`` means "no faults here", whatever the hub-wide ones.
    """
    if not isinstance(body, Mapping):
        raise BadRequest("the body must be a JSON object")
    problems: list[dict[str, str]] = [
        {"path": f"/{key}", "message": "unknown key"} for key in sorted(set(body) - _KEYS)
    ]
    rate = body.get("rate", 0.0)
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0.0 <= rate <= 1.0:
        problems.append({"path": "/rate", "message": "must be a number from 0 to 1"})
    latency = body.get("latencyMs", 0)
    if isinstance(latency, float) and latency.is_integer():
        latency = int(latency)
    if (
        isinstance(latency, bool)
        or not isinstance(latency, int)
        or not 0 <= latency <= MAX_LATENCY_MS
    ):
        problems.append(
            {"path": "/latencyMs", "message": f"must be a whole number from 0 to {MAX_LATENCY_MS}"}
        )
    seed = body.get("seed")
    if seed is not None and (
        isinstance(seed, bool)
        or not isinstance(seed, int)
        or not -_SEED_BOUND <= seed < _SEED_BOUND
    ):
        problems.append({"path": "/seed", "message": "must be a 64-bit integer or null"})
    statuses = body.get("statuses", list(FAULT_KINDS))
    kinds: list[int | str] = []
    if not isinstance(statuses, list) or not statuses:
        problems.append({"path": "/statuses", "message": "must be a non-empty list"})
    else:
        for index, status in enumerate(statuses):
            kind = _kind(status)
            if kind is None:
                problems.append(
                    {
                        "path": f"/statuses/{index}",
                        "message": 'must be 503, 429, "drop-before" or "drop-after"',
                    }
                )
            elif kind not in kinds:
                kinds.append(kind)
    if problems:
        raise BadRequest("invalid fault settings", errors=problems)
    return FaultSettings(float(rate), int(latency), seed, tuple(kinds))


def _kind(value: Any) -> int | str | None:
    """A fault kind from its JSON form (``"503"`` is taken for ``503``), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return value if value in FAULT_KINDS else None


def settings_from_json(doc: Mapping[str, Any]) -> FaultSettings:
    """Settings as stored (already checked when they were put)."""
    seed = doc.get("seed")
    return FaultSettings(
        rate=float(doc.get("rate", 0.0)),
        latency_ms=int(doc.get("latencyMs", 0)),
        seed=int(seed) if seed is not None else None,
        statuses=tuple(k for k in (_kind(s) for s in doc.get("statuses", FAULT_KINDS)) if k),
    )


@dataclass
class FaultPlan:
    """Settings and their draw: one generator per setting, so a seed repeats exactly."""

    settings: FaultSettings
    set_at: int = 0
    _random: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.settings.seed)

    @property
    def latency(self) -> float:
        """The added latency, in seconds."""
        return self.settings.latency_ms / 1000.0

    def draw(self) -> int | str | None:
        """The fault for the next request, or None for a normal answer."""
        rate = self.settings.rate
        if rate <= 0.0 or self._random.random() >= rate:
            return None
        return self._random.choice(self.settings.statuses)


class RuntimeFaults:
    """The per-workspace settings of one hub process: written through to the store, cached.

    Reads come from the cache (the fault middleware asks on every request); :meth:`refresh`
    reloads it from the store, which every process does at most :data:`REFRESH_SECONDS` after
    its last read (:meth:`stale`), so a change made through another process applies within that.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._plans: dict[str, FaultPlan] = {}
        self._lock = threading.Lock()
        self._generation = 0
        self._next_refresh = 0.0
        self.refreshing = False

    def plan(self, ws: str) -> FaultPlan | None:
        """The fault plan of workspace ``ws``, or None when it has no settings of its own."""
        return self._plans.get(ws)

    def stale(self) -> bool:
        """Whether the cache should be read again from the store."""
        return time.monotonic() >= self._next_refresh

    def refresh(self) -> None:
        """Read every workspace's settings from the store (keeping the draws of unchanged ones)."""
        with self._lock:
            generation = self._generation
        with self.store.read() as tx:
            rows = tx.list_workspace_faults()
        with self._lock:
            if generation != self._generation:  # changed here meanwhile: that change is newer
                return
            plans: dict[str, FaultPlan] = {}
            for ws, (doc, set_at) in rows.items():
                current = self._plans.get(ws)
                settings = settings_from_json(doc)
                if current is not None and (current.settings, current.set_at) == (settings, set_at):
                    plans[ws] = current
                else:
                    plans[ws] = FaultPlan(settings, set_at)
            self._plans = plans
            self._next_refresh = time.monotonic() + REFRESH_SECONDS

    def get(self, ws: str) -> FaultSettings | None:
        """The settings of ``ws`` as stored (None: it follows the hub-wide settings)."""
        with self.store.read() as tx:
            doc = tx.list_workspace_faults().get(ws)
        return settings_from_json(doc[0]) if doc else None

    def set(self, ws: str, settings: FaultSettings) -> None:
        """Give ``ws`` these settings, in this process at once (its draw restarts)."""
        set_at = time.time_ns() // 1_000_000
        with self.store.write() as tx:
            tx.set_workspace_faults(ws, settings.to_json(), set_at)
        with self._lock:
            self._generation += 1
            self._plans = {**self._plans, ws: FaultPlan(settings, set_at)}

    def clear(self, ws: str) -> bool:
        """Take ``ws``'s own settings away (it follows the hub-wide ones); False if it had none."""
        with self.store.write() as tx:
            removed = tx.delete_workspace_faults(ws)
        with self._lock:
            self._generation += 1
            self._plans = {k: v for k, v in self._plans.items() if k != ws}
        return removed

    def all(self) -> dict[str, FaultSettings]:
        """Every workspace with settings of its own, as this process applies them now."""
        return {ws: plan.settings for ws, plan in self._plans.items()}
