"""The body of ``POST …/customers/{id}/sessions`` (contract §2.3): ``{"value": "<session id>"}``.

The reference's Session is an open object whose ``value`` is any string: no length limit, not
even a minimum (clients send UUIDs). An ``id`` (what the hub answers) may be echoed back and is
ignored, as are unknown keys. The value must be given: a session is its value.
"""

from __future__ import annotations

from contacthub_server.schemas.spec import Obj, Spec, Str

SESSION = Obj(
    {"value": Str(nullable=False), "id": Spec()},
    required=("value",),
    closed=False,
    nullable=False,
)
"""A posted session: its value, required; anything else is accepted and ignored."""
