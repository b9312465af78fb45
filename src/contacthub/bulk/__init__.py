"""Concurrent bulk import and export over the workspace's one transport.

`Node` composes :class:`BulkOperations` (one per node), so the bulk methods are called on a
node::

    run = node.bulk_add_customers(rows, force_update=True, concurrency=16)
    for outcome in run:                 # as each customer is done, in completion order
        if not outcome.ok:
            print(outcome.index, outcome.status_code, outcome.message)
    print(run.summary)                  # counts, elapsed time, rate

    for customer in node.export_customers(query=my_query):   # page by page (50 a page)
        ...

Import streams: at most a few times ``concurrency`` items are read ahead of the ones done, so
memory stays flat whatever the input's size. Every item read gets exactly one outcome:
``created``, ``updated`` or ``failed`` (with the :class:`~contacthub.errors.APIError`); none is
dropped. When items in a row get no answer at all (the API is unreachable), the run stops
reading its input and says why in ``run.abandoned``.

Each request is retried by the transport (connection failures, 429, 503 ...); an item whose
request still failed on such a transient error gets a few more rounds here. A ``POST`` the
transport could not safely resend (the connection broke after the request was sent:
:class:`~contacthub.errors.OutcomeUnknownError`) is resolved here, without creating duplicates:

- customers: the hub is asked whether the customer exists, by its ``externalId`` and then by its
  ``base.contacts.email``. If a customer there holds every value that was sent, the first attempt
  landed: the outcome is ``created``. If one exists with other values, it is a conflict (with
  ``force_update``: patched, ``updated``). If none exists, the customer is sent again. A customer
  with neither an external id nor an email cannot be looked up: it fails with the unknown outcome
  rather than risk a duplicate.
- events have no natural key. An event without a ``date`` gets the time it is first sent, so that
  every attempt carries the same date; after an unknown outcome the hub's events of that owner,
  type and date are searched for one with the same context and properties. Found: ``created``;
  not found: sent again. So an event is stored once, except that two *identical* input events
  (same owner, type, date, context and properties) are indistinguishable: when the first is in
  the hub, an ambiguous attempt of the second counts as done. (The hosted ContactHub indexes
  events with a delay of seconds; there, an event checked too soon after it landed is sent
  again, so the guarantee is at least once.)
"""

from contacthub._wire import format_instant
from contacthub.bulk.export import EXPORT_PAGE_SIZE, EXPORT_PREFETCH, PagedExport
from contacthub.bulk.operations import BulkOperations
from contacthub.bulk.recheck import holds
from contacthub.bulk.rounds import MAX_ROUNDS
from contacthub.bulk.run import (
    DEFAULT_CONCURRENCY,
    BulkItem,
    BulkOutcome,
    BulkRun,
    BulkSummary,
    OutcomeStatus,
)

__all__ = [
    "DEFAULT_CONCURRENCY",
    "EXPORT_PAGE_SIZE",
    "EXPORT_PREFETCH",
    "MAX_ROUNDS",
    "BulkItem",
    "BulkOperations",
    "BulkOutcome",
    "BulkRun",
    "BulkSummary",
    "OutcomeStatus",
    "PagedExport",
    "format_instant",
    "holds",
]
