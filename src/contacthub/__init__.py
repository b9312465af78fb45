"""ContactHub Python SDK: customers, events and their items on Contactlab's ContactHub.

Start from a :class:`Workspace`, get a :class:`Node` from it, and work on customers and events::

    from contacthub import Workspace

    with Workspace(workspace_id="...", token="...") as workspace:
        node = workspace.get_node("...")
        for customer in node.get_customers():
            print(customer.base.contacts.email)

The model classes (``Customer``, ``Event``, ``Properties``, ``Education``, ``Job``, ``Like``,
``Subscription``) are importable from here and from :mod:`contacthub.models`; the async client
(``AsyncWorkspace``, ``AsyncNode``: :mod:`contacthub.aio`, ``pip install 'contacthub[async]'``)
too; the typed documents
(``TypedDict``s of customers, items, events and sessions) are in :mod:`contacthub.types`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contacthub._http import NO_RETRY, RetryPolicy, Timeouts
from contacthub._version import __version__
from contacthub.errors import (
    APIConnectionError,
    APIError,
    OperationNotPermitted,
    OutcomeUnknownError,
)
from contacthub.lib.paginated_list import PaginatedList
from contacthub.node import Node
from contacthub.workspace import Workspace

if TYPE_CHECKING:
    from contacthub.aio import AsyncNode, AsyncWorkspace
    from contacthub.lib.paginated_list import AsyncPaginatedList
    from contacthub.models import Customer, Education, Event, Job, Like, Properties, Subscription

__all__ = [
    "NO_RETRY",
    "APIConnectionError",
    "APIError",
    "AsyncNode",
    "AsyncPaginatedList",
    "AsyncWorkspace",
    "Customer",
    "Education",
    "Event",
    "Job",
    "Like",
    "Node",
    "OperationNotPermitted",
    "OutcomeUnknownError",
    "PaginatedList",
    "Properties",
    "RetryPolicy",
    "Subscription",
    "Timeouts",
    "Workspace",
    "__version__",
]

_ASYNC = frozenset({"AsyncNode", "AsyncPaginatedList", "AsyncWorkspace"})
_MODELS = frozenset({"Customer", "Education", "Event", "Job", "Like", "Properties", "Subscription"})


def __getattr__(name: str) -> Any:
    # The models are imported on first use: they refer back to Node, and `import contacthub`
    # stays light for code that only needs the workspace and the errors.
    if name in _MODELS:
        import contacthub.models

        value = getattr(contacthub.models, name)
        globals()[name] = value
        return value
    if name in _ASYNC:
        # The async client needs httpx (the `async` extra): imported only when asked for.
        import contacthub.aio
        import contacthub.lib.paginated_list

        value = getattr(contacthub.aio, name, None) or getattr(contacthub.lib.paginated_list, name)
        globals()[name] = value
        return value
    if name == "types":
        import contacthub.types

        return contacthub.types
    raise AttributeError(f"module 'contacthub' has no attribute {name!r}")
