"""The node: every operation on the customers, events, items, sessions and tags of a node."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar, overload

from contacthub import _ops
from contacthub._http import Transport
from contacthub._wire import SortSpec
from contacthub.bulk.export import EXPORT_PAGE_SIZE
from contacthub.bulk.operations import BulkOperations
from contacthub.bulk.run import DEFAULT_CONCURRENCY
from contacthub.lib.paginated_list import PaginatedList

if TYPE_CHECKING:
    from typing import Unpack

    from contacthub.bulk.export import PagedExport
    from contacthub.bulk.run import BulkItem, BulkRun
    from contacthub.models.customer import Customer
    from contacthub.models.education import Education
    from contacthub.models.event import Event
    from contacthub.models.job import Job
    from contacthub.models.like import Like
    from contacthub.models.query.query import Query
    from contacthub.models.segment import Segment
    from contacthub.models.subscription import Subscription
    from contacthub.types import (
        CustomerFields,
        CustomerSource,
        EducationDocument,
        EducationFields,
        EventDocument,
        EventFields,
        JobDocument,
        JobFields,
        LikeDocument,
        LikeFields,
        NewCustomer,
        Session,
        SubscriptionDocument,
        SubscriptionFields,
    )
    from contacthub.workspace import Workspace

__all__ = ["Node"]

T = TypeVar("T")


def _models() -> Any:
    # The models import this module's names for typing; importing them on first use keeps the
    # two free of an import cycle.
    import contacthub.models as models

    return models


def _segment() -> Any:
    import contacthub.models.segment as segment

    return segment


class Node:
    """A ContactHub node: where customers and events are read and written.

    Get one from a workspace: ``node = workspace.get_node("node_id")``. Every method sends its
    request through the workspace's one transport (pooled connections, timeouts, retries) and
    raises :class:`~contacthub.errors.APIError` when the API answers with an error.

    Args:
        workspace: the workspace the node belongs to.
        node_id: the node's id.
    """

    def __init__(self, workspace: Workspace, node_id: str) -> None:
        if not isinstance(node_id, str) or not node_id.strip():
            raise ValueError(f"node_id must be a non-empty string, not {node_id!r}")
        self.workspace = workspace
        self.node_id = node_id.strip()
        # The bulk operations are a part of the node, not a base class: their helpers stay
        # theirs, and the node's namespace holds only the guide's methods and these four.
        self._bulk = BulkOperations(workspace, self.node_id)

    def __repr__(self) -> str:
        return f"Node(node_id={self.node_id!r}, workspace_id={self.workspace.workspace_id!r})"

    @property
    def transport(self) -> Transport:
        """The workspace's transport, through which every request of this node goes."""
        return self.workspace.transport

    def _run(self, op: _ops.Op[T]) -> T:
        """Run one of the operations of :mod:`contacthub._ops` over the workspace's transport."""
        return _ops.run(self.workspace.transport, op)

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        expect_body: bool | None = None,
    ) -> Any:
        # GET, POST, PUT and PATCH answer with a document (an empty 2xx body is an APIError),
        # unless the call says otherwise; DELETE answers with an empty body.
        call = _ops.Call(method, path, params=params, json=json, expect_body=expect_body)
        return self.workspace.transport.request(
            method, path, params=params, json=json, expect_body=call.expects_body
        )

    # ------------------------------------------------------------------ customers

    def add_customer(
        self, force_update: bool = False, **attributes: Unpack[NewCustomer]
    ) -> Customer:
        """Add a customer to this node and return it as the API stored it.

        Args:
            force_update: when a customer matching this one already exists (the API answers
                409), update it with these attributes (a partial update) instead of failing.
                ``forceUpdate=True`` works too.
            attributes: the customer's attributes: ``base``, ``extended``, ``consents``,
                ``externalId``, ``extra``, ``tags``, ``enabled`` (e.g. ``**customer.to_dict()``).

        Raises:
            APIError: 409 when the customer exists and ``force_update`` is false, 400 when the
                attributes are not valid.
        """
        return self._run(_ops.add_customer(self, force_update, dict(attributes)))

    def get_customer(self, id: str | None = None, external_id: str | None = None) -> Customer:
        """One customer, by its id or by its external id (give exactly one of them).

        Raises:
            ValueError: neither or both of ``id`` and ``external_id`` were given, or several
                customers of this node have that external id (use ``get_customers``).
            APIError: 404 when no such customer exists.
        """
        return self._run(_ops.get_customer(self, id, external_id))

    def _customers_page(
        self,
        external_id: str | None = None,
        page: int | None = None,
        size: int | None = None,
        fields: str | Iterable[str] | None = None,
        query: Any = None,
        sort: SortSpec | None = None,
    ) -> Any:
        return self._run(
            _ops.customers_page(self.node_id, external_id, page, size, fields, query, sort)
        )

    @overload
    def get_customers(
        self,
        external_id: None = None,
        page: int | None = None,
        size: int | None = None,
        fields: str | Iterable[str] | None = None,
        query: Any = None,
        sort: SortSpec | None = None,
    ) -> PaginatedList[Customer]: ...

    @overload
    def get_customers(
        self,
        external_id: str,
        page: int | None = None,
        size: int | None = None,
        fields: str | Iterable[str] | None = None,
        query: Any = None,
        sort: SortSpec | None = None,
    ) -> PaginatedList[Customer] | Customer: ...

    def get_customers(
        self,
        external_id: str | None = None,
        page: int | None = None,
        size: int | None = None,
        fields: str | Iterable[str] | None = None,
        query: Any = None,
        sort: SortSpec | None = None,
    ) -> PaginatedList[Customer] | Customer:
        """A page of this node's customers, as a :class:`PaginatedList` of Customer.

        Args:
            external_id: only the customers with this external id. When exactly one customer
                has it, that :class:`Customer` is returned instead of a list (as the guide says).
            page: the page to get, counted from 0 (default 0).
            size: customers per page (default 10, at most 50).
            fields: only these properties (dotted paths, e.g. ``['base.firstName']``).
            query: a query built with ``node.query(Customer).filter(...)``, a query document
                (``{"name": ..., "query": ...}``) or a bare simple or combined query (sent
                wrapped in the document); a JSON string of either works too.
            sort: ``'base.lastName'``, ``'updatedAt,desc'``, ``('updatedAt', 'desc')`` or a list
                of those.

        Walk every page with ``.all_pages()`` on the result, or use :meth:`iter_customers`.
        """
        customers: PaginatedList[Customer] = PaginatedList(
            self,
            self._customers_page,
            _models().Customer,
            external_id=external_id,
            page=page,
            size=size,
            fields=fields,
            query=query,
            sort=sort,
        )
        result: PaginatedList[Customer] | Customer = _ops.single_customer(customers, external_id)
        return result

    def iter_customers(
        self,
        query: Any = None,
        sort: SortSpec | None = None,
        page_size: int = 50,
        fields: str | Iterable[str] | None = None,
        external_id: str | None = None,
    ) -> Iterator[Customer]:
        """Every customer matching ``query`` (all of them by default), fetched page by page.

        Pages of ``page_size`` are requested only as the loop reaches them::

            for customer in node.iter_customers(sort="registeredAt"):
                ...
        """
        first: PaginatedList[Customer] = PaginatedList(
            self,
            self._customers_page,
            _models().Customer,
            external_id=external_id,
            page=0,
            size=page_size,
            fields=fields,
            query=query,
            sort=sort,
        )
        return first.all_pages()

    def get_customer_by_email(self, email: str) -> Customer | None:
        """The customer of this node whose ``base.contacts.email`` is ``email``, or ``None``.

        When several match, the most recently updated one is returned.
        """
        return self._run(_ops.get_customer_by_email(self, email))

    def update_customer(
        self, id: str, full_update: bool = False, **attributes: Unpack[CustomerFields]
    ) -> Customer:
        """Update a customer and return it as the API stored it.

        Args:
            id: the customer's id.
            full_update: replace the whole customer (PUT) with ``attributes``, which must then
                hold every property to keep (``**customer.to_dict()``); by default only the given
                attributes change (PATCH, e.g. ``**customer.get_mutation_tracker()``; ``None``
                removes a property, a list replaces the old one).
            attributes: the customer's new attributes.
        """
        return self._run(_ops.update_customer(self, id, full_update, attributes))

    def delete_customer(self, id: str, **attributes: Any) -> Customer:
        """Delete a customer (its events and sessions too) and return what was deleted.

        ``node.delete_customer(**customer.to_dict())`` works: only ``id`` is used to delete.
        When the API answers with no body, the returned customer holds the given attributes.
        """
        return self._run(_ops.delete_customer(self, id, attributes))

    # ------------------------------------------------------------------ tags

    def add_tag(self, customer_id: str, tag: str) -> Customer:
        """Add ``tag`` to the customer's manual tags (nothing changes if it is there already).

        The API has no tag endpoint: this reads the customer, then writes its whole list of
        manual tags back, so two programs changing one customer's tags at the same moment can
        overwrite each other's change.
        """
        return self._run(_ops.add_tag(self, customer_id, tag))

    def remove_tag(self, customer_id: str, tag: str) -> Customer:
        """Remove ``tag`` from the customer's manual tags.

        Raises:
            ValueError: the customer has no such manual tag.
        """
        return self._run(_ops.remove_tag(self, customer_id, tag))

    # ------------------------------------------------------------------ sessions

    @staticmethod
    def create_session_id() -> str:
        """A new random session id (a UUID version 4), for events of a customer not known yet."""
        return str(uuid.uuid4())

    def add_customer_session(self, customer_id: str, session_id: str) -> Session:
        """Attach a session id to a customer: the session's anonymous events become theirs.

        Returns the new session resource, ``{"id": <resource id>, "value": session_id}``.
        """
        result: Session = self._run(_ops.add_customer_session(customer_id, session_id))
        return result

    def get_customer_sessions(self, customer_id: str) -> list[Session]:
        """The customer's sessions, each ``{"id": <resource id>, "value": <session id>}``."""
        result: list[Session] = self._run(_ops.get_customer_sessions(customer_id))
        return result

    def get_customer_session(self, customer_id: str, session_id: str) -> Session:
        """One session of the customer, by its resource id (the ``id``, not the ``value``)."""
        result: Session = self._run(_ops.get_customer_session(customer_id, session_id))
        return result

    def delete_customer_session(self, customer_id: str, session_id: str) -> None:
        """Remove one session of the customer, by its resource id."""
        self._run(_ops.delete_customer_session(customer_id, session_id))

    # ------------------------------------------------------------------ sources

    def get_customer_sources(self, customer_id: str) -> list[CustomerSource]:
        """The customer as each source of data recorded it, as plain dicts (SourceCustomer).

        Each has ``id`` (the source's id), ``externalId``, ``nodeId``, ``base``, ``extended``,
        ``extra``, ``consents``, ``tags``, ``registeredAt`` and ``updatedAt``. The hub records
        one source per customer: the node it belongs to (so the source ``id`` is that node's id).
        """
        result: list[CustomerSource] = self._run(_ops.get_customer_sources(customer_id))
        return result

    def get_customer_source(self, customer_id: str, source_id: str) -> CustomerSource:
        """One source of the customer (see :meth:`get_customer_sources`), by its id."""
        result: CustomerSource = self._run(_ops.get_customer_source(customer_id, source_id))
        return result

    # ------------------------------------------------------------------ events

    def _event_body(self, attributes: Mapping[str, Any]) -> dict[str, Any]:
        """The JSON body of an event: bring-back properties spelt the API's way, with a node."""
        return _ops.event_body(self.node_id, attributes)

    def add_event(self, **attributes: Unpack[EventDocument]) -> Event:
        """Add an event and return it (with the ``id`` the API gave it, when it gives one).

        Give ``customerId`` for a known customer, or ``bringBackProperties`` of type
        ``SESSION_ID`` or ``EXTERNAL_ID`` for one known later (its ``nodeId`` is filled with
        this node's). The API stores events asynchronously: an event may take a moment to be
        listed.
        """
        event: Event = self._run(_ops.add_event(self, attributes))
        return event

    def get_event(self, id: str) -> Event:
        """One event, by its id."""
        event: Event = self._run(_ops.get_event(self, id))
        return event

    def update_event(self, id: str, **attributes: Unpack[EventFields]) -> Event:
        """Replace an event by these attributes and return it as stored.

        The attributes make a whole event, as for :meth:`add_event` (``type``, ``context``,
        ``properties`` and one owner: ``customerId`` or ``bringBackProperties``); whatever is
        left out is unset. The event keeps its ``id`` and ``registeredAt``; its ``updatedAt``
        moves on. Raises :class:`~contacthub.errors.APIError` (404) for an unknown event.
        """
        event: Event = self._run(_ops.update_event(self, id, attributes))
        return event

    def delete_event(self, id: str) -> None:
        """Delete one event, by its id."""
        self._run(_ops.delete_event(id))

    def _events_page(
        self,
        customer_id: str | None = None,
        event_type: str | Iterable[str] | None = None,
        context: str | Iterable[str] | None = None,
        event_mode: str | None = None,
        date_from: datetime | date | str | None = None,
        date_to: datetime | date | str | None = None,
        page: int | None = None,
        size: int | None = None,
    ) -> Any:
        return self._run(
            _ops.events_page(
                self.node_id,
                customer_id,
                event_type,
                context,
                event_mode,
                date_from,
                date_to,
                page,
                size,
            )
        )

    def get_consent_logs(
        self,
        customer_id: str | None = None,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
        log_type: str | None = None,
        consent_property: str | None = None,
        descending: bool = False,
    ) -> list[dict[str, Any]]:
        """Every entry of the workspace's consent register matching the filters (all pages).

        Each entry is ``{"id", "customerId", "date", "type", "property", "value", "sourceId",
        "userId"}``: one changed consent property (``consents.marketing.automatic.email.status``)
        and the value it was given, oldest first unless ``descending``. ``start_date`` and
        ``end_date`` are inclusive days; ``log_type`` is e.g. ``"CONSENT_CHANGED"``.
        """
        return self._run(
            _ops.get_consent_logs(
                customer_id, start_date, end_date, log_type, consent_property, descending
            )
        )

    def get_events(
        self,
        customer_id: str | None,
        event_type: str | Iterable[str] | None = None,
        context: str | Iterable[str] | None = None,
        event_mode: str | None = None,
        date_from: datetime | date | str | None = None,
        date_to: datetime | date | str | None = None,
        page: int | None = None,
        size: int | None = None,
    ) -> PaginatedList[Event]:
        """A page of a customer's events (newest first), as a :class:`PaginatedList` of Event.

        Args:
            customer_id: the customer whose events to list; ``None`` lists every event of
                this node.
            event_type: one of ``Event.TYPES`` (or a list of them).
            context: one of ``Event.CONTEXTS`` (or a list of them).
            event_mode: ``'ACTIVE'`` or ``'PASSIVE'``.
            date_from, date_to: only events in this range: datetimes (a naive one is local
                time, as ``datetime.astimezone()`` reads it), dates (midnight UTC) or strings.
            page: the page to get, counted from 0.
            size: events per page (default 10, at most 50).
        """
        _ops.check_dates(date_from, date_to)
        return PaginatedList(
            self,
            self._events_page,
            _models().Event,
            customer_id=customer_id,
            event_type=event_type,
            context=context,
            event_mode=event_mode,
            date_from=date_from,
            date_to=date_to,
            page=page,
            size=size,
        )

    # ------------------------------------------------------------------ queries

    def query(self, entity: type[Any]) -> Query:
        """A query on ``entity`` (``Customer``): ``node.query(Customer).filter(...).all()``."""
        from contacthub.models.query.query import Query

        return Query(self, entity)

    # ------------------------------------------------------------------ customer items

    def _add_item(self, item: _ops.Item, customer_id: str, attributes: Mapping[str, Any]) -> Any:
        return self._run(_ops.add_item(self, item, customer_id, attributes))

    def _get_item(self, item: _ops.Item, customer_id: str, item_id: str) -> Any:
        return self._run(_ops.get_item(self, item, customer_id, item_id))

    def _update_item(
        self, item: _ops.Item, customer_id: str, item_id: str, attributes: Mapping[str, Any]
    ) -> Any:
        return self._run(_ops.update_item(self, item, customer_id, item_id, attributes))

    def _remove_item(self, item: _ops.Item, customer_id: str, item_id: str) -> None:
        self._run(_ops.remove_item(item, customer_id, item_id))

    def add_education(self, customer_id: str, **attributes: Unpack[EducationDocument]) -> Education:
        """Add an education (with your own ``id``) to the customer's ``base.educations``."""
        result: Education = self._add_item(_ops.EDUCATION, customer_id, attributes)
        return result

    def get_education(self, customer_id: str, education_id: str) -> Education:
        """One education of the customer, by its id."""
        result: Education = self._get_item(_ops.EDUCATION, customer_id, education_id)
        return result

    get_customer_education = get_education

    def update_education(
        self, customer_id: str, id: str, **attributes: Unpack[EducationFields]
    ) -> Education:
        """Replace the customer's education ``id`` with ``attributes``."""
        result: Education = self._update_item(_ops.EDUCATION, customer_id, id, attributes)
        return result

    def remove_education(self, customer_id: str, education_id: str) -> None:
        """Remove the customer's education ``education_id``."""
        self._remove_item(_ops.EDUCATION, customer_id, education_id)

    def add_job(self, customer_id: str, **attributes: Unpack[JobDocument]) -> Job:
        """Add a job (with your own ``id``) to the customer's ``base.jobs``."""
        result: Job = self._add_item(_ops.JOB, customer_id, attributes)
        return result

    def get_job(self, customer_id: str, job_id: str) -> Job:
        """One job of the customer, by its id."""
        result: Job = self._get_item(_ops.JOB, customer_id, job_id)
        return result

    get_customer_job = get_job

    def update_job(self, customer_id: str, id: str, **attributes: Unpack[JobFields]) -> Job:
        """Replace the customer's job ``id`` with ``attributes``."""
        result: Job = self._update_item(_ops.JOB, customer_id, id, attributes)
        return result

    def remove_job(self, customer_id: str, job_id: str) -> None:
        """Remove the customer's job ``job_id``."""
        self._remove_item(_ops.JOB, customer_id, job_id)

    def add_like(self, customer_id: str, **attributes: Unpack[LikeDocument]) -> Like:
        """Add a like (with your own ``id``) to the customer's ``base.likes``."""
        result: Like = self._add_item(_ops.LIKE, customer_id, attributes)
        return result

    def get_like(self, customer_id: str, like_id: str) -> Like:
        """One like of the customer, by its id."""
        result: Like = self._get_item(_ops.LIKE, customer_id, like_id)
        return result

    get_customer_like = get_like

    def update_like(self, customer_id: str, id: str, **attributes: Unpack[LikeFields]) -> Like:
        """Replace the customer's like ``id`` with ``attributes``."""
        result: Like = self._update_item(_ops.LIKE, customer_id, id, attributes)
        return result

    def remove_like(self, customer_id: str, like_id: str) -> None:
        """Remove the customer's like ``like_id``."""
        self._remove_item(_ops.LIKE, customer_id, like_id)

    def add_subscription(
        self, customer_id: str, **attributes: Unpack[SubscriptionDocument]
    ) -> Subscription:
        """Add a subscription (with your own ``id``) to the customer's ``base.subscriptions``."""
        result: Subscription = self._add_item(_ops.SUBSCRIPTION, customer_id, attributes)
        return result

    def get_subscription(self, customer_id: str, subscription_id: str) -> Subscription:
        """One subscription of the customer, by its id."""
        result: Subscription = self._get_item(_ops.SUBSCRIPTION, customer_id, subscription_id)
        return result

    get_customer_subscription = get_subscription

    def update_subscription(
        self, customer_id: str, id: str, **attributes: Unpack[SubscriptionFields]
    ) -> Subscription:
        """Replace the customer's subscription ``id`` with ``attributes``."""
        result: Subscription = self._update_item(_ops.SUBSCRIPTION, customer_id, id, attributes)
        return result

    def remove_subscription(self, customer_id: str, subscription_id: str) -> None:
        """Remove the customer's subscription ``subscription_id``."""
        self._remove_item(_ops.SUBSCRIPTION, customer_id, subscription_id)

    # ----------------------------------------------------------------------------- bulk

    def bulk_add_customers(
        self,
        customers: Iterable[Mapping[str, Any] | BulkItem],
        *,
        force_update: bool = False,
        concurrency: int | None = DEFAULT_CONCURRENCY,
        before_send: Callable[[list[Any]], None] | None = None,
    ) -> BulkRun:
        """Add many customers concurrently; iterate the result for each one's outcome.

        Args:
            customers: customer documents (as for ``add_customer``; ``nodeId`` is this node's),
                or :class:`~contacthub.bulk.BulkItem` objects carrying a key of yours. Read
                lazily.
            force_update: when a customer conflicts with an existing one (409), patch the
                existing customer with the document: outcome ``updated``.
            concurrency: how many requests are in flight at once; None (the default) adapts
                it to the server's latency and load, up to the workspace's ``pool_size`` (32 by
                default). Above ``pool_size``, raise that too, or the extra connections are
                opened and closed for every request.
            before_send: called with the keys of each batch of items just before they are sent
                (e.g. to journal them durably).

        Returns:
            A :class:`~contacthub.bulk.BulkRun`: outcomes in completion order, and its
            ``summary``.
        """
        return self._bulk.bulk_add_customers(
            customers, force_update=force_update, concurrency=concurrency, before_send=before_send
        )

    def bulk_add_events(
        self,
        events: Iterable[Mapping[str, Any] | BulkItem],
        *,
        concurrency: int | None = DEFAULT_CONCURRENCY,
        before_send: Callable[[list[Any]], None] | None = None,
    ) -> BulkRun:
        """Add many events concurrently; iterate the result for each one's outcome.

        Args:
            events: event documents (as for ``add_event``; a ``bringBackProperties`` without
                ``nodeId`` gets this node's; an event without ``date`` gets the time it is first
                sent), or :class:`~contacthub.bulk.BulkItem` objects. Read lazily.
            concurrency: how many requests are in flight at once (None: adaptive).
            before_send: called with the keys of each batch just before it is sent.

        Returns:
            A :class:`~contacthub.bulk.BulkRun`: outcomes in completion order (``created`` or
            ``failed``).
        """
        return self._bulk.bulk_add_events(events, concurrency=concurrency, before_send=before_send)

    def export_customers(
        self,
        query: Query | Mapping[str, Any] | str | None = None,
        *,
        external_id: str | None = None,
        sort: SortSpec | None = None,
        page_size: int = EXPORT_PAGE_SIZE,
    ) -> PagedExport:
        """Every customer of this node matching ``query`` (or all), as API documents.

        Pages of ``page_size`` (at most 50) are fetched as iteration reaches them, so memory
        does not grow with the number of customers. ``query`` is a query built with
        ``node.query(Customer)``, the query document (``{"name": ..., "query": ...}``, as a dict
        or its JSON text) or a bare simple or combined query; it is always sent as the document.
        The returned object's ``total`` says how many matched, once the first page is read.
        """
        return self._bulk.export_customers(
            query, external_id=external_id, sort=sort, page_size=page_size
        )

    def export_events(
        self,
        customer_ids: Iterable[str] | None = None,
        *,
        query: Query | Mapping[str, Any] | str | None = None,
        event_type: str | Sequence[str] | None = None,
        context: str | Sequence[str] | None = None,
        date_from: datetime | date | str | None = None,
        date_to: datetime | date | str | None = None,
        page_size: int = EXPORT_PAGE_SIZE,
    ) -> PagedExport:
        """Events as API documents, page by page.

        With ``customer_ids`` (or a customer ``query``), the events of those customers, one
        customer after another; otherwise every event of this node. Filters: ``event_type`` and
        ``context`` (one or several), ``date_from``/``date_to``.
        """
        return self._bulk.export_events(
            customer_ids,
            query=query,
            event_type=event_type,
            context=context,
            date_from=date_from,
            date_to=date_to,
            page_size=page_size,
        )

    # ------------------------------------------------------------------ segments

    def add_segment(self, name: str, query: Any, enabled: bool = True) -> Segment:
        """Save a segment: ``query`` from the query builder (``node.query(Customer).filter(...)``),
        a query document, or a simple or combined query; the new :class:`Segment`."""
        result: Segment = self._run(_ops.add_segment(self, name, query, enabled))
        return result

    def get_segment(self, id: str) -> Segment:
        """The segment with this id."""
        result: Segment = self._run(_ops.get_segment(self, id))
        return result

    def _segments_page(
        self, name: str | None = None, page: int | None = None, size: int | None = None
    ) -> Any:
        return self._run(_ops.segments_page(name, page, size))

    def get_segments(
        self, name: str | None = None, page: int | None = None, size: int | None = None
    ) -> PaginatedList[Segment]:
        """A page of the workspace's segments (only those called ``name`` when given)."""
        return PaginatedList(
            self, self._segments_page, _segment().Segment, name=name, page=page, size=size
        )

    def update_segment(self, id: str, name: str, query: Any, enabled: bool = True) -> Segment:
        """Replace a segment's name, query and flag; the segment as stored."""
        result: Segment = self._run(_ops.update_segment(self, id, name, query, enabled))
        return result

    def delete_segment(self, id: str) -> Segment:
        """Delete a segment; what it was."""
        result: Segment = self._run(_ops.delete_segment(self, id))
        return result

    def _segment_customers_page(
        self,
        segment_id: str,
        page: int | None = None,
        size: int | None = None,
        fields: str | Iterable[str] | None = None,
        sort: SortSpec | None = None,
    ) -> Any:
        return self._run(
            _ops.segment_customers_page(self.node_id, segment_id, page, size, fields, sort)
        )

    def get_segment_customers(
        self,
        segment_id: str,
        page: int | None = None,
        size: int | None = None,
        fields: str | Iterable[str] | None = None,
        sort: SortSpec | None = None,
    ) -> PaginatedList[Customer]:
        """A page of this node's customers that the segment's query finds now (whole customers
        unless ``fields`` names the properties wanted)."""
        return PaginatedList(
            self,
            self._segment_customers_page,
            _models().Customer,
            segment_id=segment_id,
            page=page,
            size=size,
            fields=fields,
            sort=sort,
        )
