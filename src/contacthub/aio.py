"""The async client: :class:`AsyncWorkspace` and :class:`AsyncNode` (``pip install 'contacthub[async]'``).

The same client as :class:`~contacthub.Workspace` and :class:`~contacthub.Node`, for asyncio:
every node method is a coroutine, pages are walked with ``async for``, and the bulk operations
are async iterators. It is the same code, not a copy: each node operation is written once in
:mod:`contacthub._ops` as a generator of requests, which :class:`~contacthub.Node` runs over the
``requests`` transport and :class:`AsyncNode` over :class:`~contacthub._async_http.AsyncTransport`
(``httpx.AsyncClient``), with the one retry policy, the same errors, timeouts and logging::

    import asyncio
    from contacthub import AsyncWorkspace

    async def main() -> None:
        async with AsyncWorkspace.from_env() as workspace:
            node = workspace.get_node()
            customer = await node.add_customer(base={"firstName": "Ada"})
            async for each in node.iter_customers():
                print(each.base.firstName)

    asyncio.run(main())

The models it returns are the sync client's (``Customer``, ``Event``, ``Education`` ...), built
the same way. Their methods that send a request themselves (``customer.post()``, ``patch()``,
``get_events()``, ``event.post()``, an item's ``post()``, a segment's ``update()`` ...) are for
the sync client: on a model of an :class:`AsyncNode` they raise
:class:`~contacthub.errors.OperationNotPermitted` naming the coroutine to await instead (e.g.
``await node.update_customer(**customer.get_mutation_tracker())``). Reading and changing a
model (attributes, ``to_dict()``, the mutation tracker) works the same.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Callable,
    Iterable,
    Mapping,
    Sequence,
)
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from contacthub import _ops, _wire
from contacthub._async_http import AsyncTransport, arun
from contacthub._http import DEFAULT_BASE_URL, DEFAULT_POOL_SIZE, RetryPolicy, Timeouts
from contacthub._wire import SortSpec
from contacthub.bulk import async_bulk
from contacthub.bulk.export import EXPORT_PAGE_SIZE
from contacthub.bulk.run import DEFAULT_CONCURRENCY
from contacthub.lib.paginated_list import AsyncPaginatedList
from contacthub.workspace import env_credentials, ini_credentials, normalize_base_url, timeouts_of

if TYPE_CHECKING:
    from typing import Unpack

    import httpx

    from contacthub.bulk.async_bulk import AsyncBulkRun, AsyncPagedExport
    from contacthub.bulk.run import BulkItem
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

__all__ = ["AsyncNode", "AsyncWorkspace", "arun"]

T = TypeVar("T")


def _models() -> Any:
    import contacthub.models as models

    return models


class AsyncWorkspace:
    """A ContactHub workspace for asyncio: where :class:`AsyncNode` objects come from.

    The same arguments as :class:`~contacthub.Workspace`, except that connections are an
    ``httpx.AsyncClient`` (pooled, ``pool_size`` connections at most, never following
    redirects): pass ``client=`` to use your own, or ``transport=`` (e.g.
    ``httpx.MockTransport``) for the one it builds. Close it with ``await workspace.aclose()``
    or use it as ``async with``::

        async with AsyncWorkspace(workspace_id="ws", token="token") as workspace:
            node = workspace.get_node("node")
    """

    def __init__(
        self,
        workspace_id: str,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: Timeouts | float | tuple[float, float] | None = None,
        retry: RetryPolicy | None = None,
        pool_size: int = DEFAULT_POOL_SIZE,
        client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not isinstance(workspace_id, str) or not workspace_id.strip():
            raise ValueError(f"workspace_id must be a non-empty string, not {workspace_id!r}")
        if not isinstance(token, str) or not token.strip():
            raise ValueError("token must be a non-empty string")
        self.workspace_id = workspace_id.strip()
        self.base_url = normalize_base_url(base_url)
        self.default_node_id: str | None = None
        self._token = token.strip()
        #: The workspace's one :class:`~contacthub._async_http.AsyncTransport`.
        self.transport = AsyncTransport(
            f"{self.base_url}/workspaces/{_wire.segment(self.workspace_id)}",
            self._token,
            timeouts=timeouts_of(timeout),
            retry=retry,
            client=client,
            transport=transport,
            pool_size=pool_size,
        )

    @property
    def token(self) -> str:
        """The API token (never shown by ``repr``)."""
        return self._token

    @property
    def url(self) -> str:
        """The workspace's URL: ``base_url + "/workspaces/" + workspace_id``."""
        return self.transport.base_url

    def __repr__(self) -> str:
        return f"AsyncWorkspace(workspace_id={self.workspace_id!r}, base_url={self.base_url!r})"

    def get_node(self, node_id: str | None = None) -> AsyncNode:
        """The :class:`AsyncNode` with this id (or the configuration's node, as
        :meth:`Workspace.get_node <contacthub.Workspace.get_node>`)."""
        if node_id is None:
            if self.default_node_id is None:
                raise ValueError(
                    "get_node() needs a node_id (this workspace's configuration names no node)"
                )
            node_id = self.default_node_id
        return AsyncNode(self, node_id)

    async def me(self) -> dict[str, Any]:
        """Who the token is (as :meth:`Workspace.me <contacthub.Workspace.me>`)."""
        answer: dict[str, Any] = await arun(self.transport, _ops.me(self.base_url))
        return answer

    @classmethod
    def from_ini_file(cls, file_path: str | os.PathLike[str]) -> AsyncWorkspace:
        """A workspace from an INI file, as :meth:`Workspace.from_ini_file
        <contacthub.Workspace.from_ini_file>` reads it."""
        workspace_id, token, base_url, node_id = ini_credentials(file_path)
        workspace = cls(workspace_id, token, base_url)
        workspace.default_node_id = node_id
        return workspace

    from_INI_file = from_ini_file

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AsyncWorkspace:
        """A workspace from the ``CONTACTHUB_*`` variables, as :meth:`Workspace.from_env
        <contacthub.Workspace.from_env>` reads them."""
        workspace_id, token, base_url, node_id = env_credentials(environ)
        workspace = cls(workspace_id, token, base_url)
        workspace.default_node_id = node_id
        return workspace

    async def aclose(self) -> None:
        """Close the workspace's connections. Nodes of a closed workspace must not be used."""
        await self.transport.aclose()

    async def __aenter__(self) -> AsyncWorkspace:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class AsyncNode:
    """A ContactHub node for asyncio: :class:`~contacthub.Node`'s methods, as coroutines.

    Get one with ``workspace.get_node(node_id)`` from an :class:`AsyncWorkspace`. Every method
    takes the arguments of the :class:`~contacthub.Node` method of the same name, sends the
    same requests and returns the same objects (or raises the same errors); see those for the
    details. Lists are :class:`~contacthub.lib.paginated_list.AsyncPaginatedList` pages
    (``async for x in page.all_pages()``); :meth:`iter_customers` and :meth:`iter_events` walk
    every page; the bulk operations are async iterators of :class:`~contacthub.bulk.BulkOutcome`.
    """

    #: Models built by this node refuse their own sync I/O methods (see the module docstring).
    is_async = True

    def __init__(self, workspace: AsyncWorkspace, node_id: str) -> None:
        if not isinstance(node_id, str) or not node_id.strip():
            raise ValueError(f"node_id must be a non-empty string, not {node_id!r}")
        self.workspace = workspace
        self.node_id = node_id.strip()

    def __repr__(self) -> str:
        return f"AsyncNode(node_id={self.node_id!r}, workspace_id={self.workspace.workspace_id!r})"

    @property
    def transport(self) -> AsyncTransport:
        """The workspace's transport, through which every request of this node goes."""
        return self.workspace.transport

    async def _run(self, op: _ops.Op[T]) -> T:
        return await arun(self.workspace.transport, op)

    # ------------------------------------------------------------------ customers

    async def add_customer(
        self, force_update: bool = False, **attributes: Unpack[NewCustomer]
    ) -> Customer:
        """Add a customer (see :meth:`Node.add_customer <contacthub.Node.add_customer>`)."""
        return await self._run(_ops.add_customer(self, force_update, dict(attributes)))

    async def get_customer(self, id: str | None = None, external_id: str | None = None) -> Customer:
        """One customer, by its id or by its external id (give exactly one of them)."""
        return await self._run(_ops.get_customer(self, id, external_id))

    async def _customers_page(
        self,
        external_id: str | None = None,
        page: int | None = None,
        size: int | None = None,
        fields: str | Iterable[str] | None = None,
        query: Any = None,
        sort: SortSpec | None = None,
    ) -> Any:
        return await self._run(
            _ops.customers_page(self.node_id, external_id, page, size, fields, query, sort)
        )

    async def get_customers(
        self,
        external_id: str | None = None,
        page: int | None = None,
        size: int | None = None,
        fields: str | Iterable[str] | None = None,
        query: Any = None,
        sort: SortSpec | None = None,
    ) -> AsyncPaginatedList[Customer] | Customer:
        """A page of this node's customers (the one customer when exactly one has
        ``external_id``), as :meth:`Node.get_customers <contacthub.Node.get_customers>`."""
        customers: AsyncPaginatedList[Customer] = await AsyncPaginatedList.fetch(
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
        result: AsyncPaginatedList[Customer] | Customer = _ops.single_customer(
            customers, external_id
        )
        return result

    async def iter_customers(
        self,
        query: Any = None,
        sort: SortSpec | None = None,
        page_size: int = 50,
        fields: str | Iterable[str] | None = None,
        external_id: str | None = None,
    ) -> AsyncIterator[Customer]:
        """Every customer matching ``query`` (all by default), page by page::

        async for customer in node.iter_customers(sort="registeredAt"):
            ...
        """
        first: AsyncPaginatedList[Customer] = await AsyncPaginatedList.fetch(
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
        async for customer in first.all_pages():
            yield customer

    async def get_customer_by_email(self, email: str) -> Customer | None:
        """The customer whose ``base.contacts.email`` is ``email`` (the most recently updated
        when several), or ``None``."""
        return await self._run(_ops.get_customer_by_email(self, email))

    async def update_customer(
        self, id: str, full_update: bool = False, **attributes: Unpack[CustomerFields]
    ) -> Customer:
        """Update a customer (PATCH, or PUT with ``full_update``); the customer as stored."""
        return await self._run(_ops.update_customer(self, id, full_update, attributes))

    async def delete_customer(self, id: str, **attributes: Any) -> Customer:
        """Delete a customer (its events and sessions too); what was deleted."""
        return await self._run(_ops.delete_customer(self, id, attributes))

    # ------------------------------------------------------------------ tags

    async def add_tag(self, customer_id: str, tag: str) -> Customer:
        """Add ``tag`` to the customer's manual tags (read, then write the list back)."""
        return await self._run(_ops.add_tag(self, customer_id, tag))

    async def remove_tag(self, customer_id: str, tag: str) -> Customer:
        """Remove ``tag`` from the customer's manual tags (``ValueError`` when absent)."""
        return await self._run(_ops.remove_tag(self, customer_id, tag))

    # ------------------------------------------------------------------ sessions and sources

    @staticmethod
    def create_session_id() -> str:
        """A new random session id (a UUID version 4)."""
        return str(uuid.uuid4())

    async def add_customer_session(self, customer_id: str, session_id: str) -> Session:
        """Attach a session id to a customer; the new ``{"id", "value"}`` resource."""
        result: Session = await self._run(_ops.add_customer_session(customer_id, session_id))
        return result

    async def get_customer_sessions(self, customer_id: str) -> list[Session]:
        """The customer's sessions, each ``{"id", "value"}``."""
        result: list[Session] = await self._run(_ops.get_customer_sessions(customer_id))
        return result

    async def get_customer_session(self, customer_id: str, session_id: str) -> Session:
        """One session of the customer, by its resource id."""
        result: Session = await self._run(_ops.get_customer_session(customer_id, session_id))
        return result

    async def delete_customer_session(self, customer_id: str, session_id: str) -> None:
        """Remove one session of the customer, by its resource id."""
        await self._run(_ops.delete_customer_session(customer_id, session_id))

    async def get_customer_sources(self, customer_id: str) -> list[CustomerSource]:
        """The customer as each source of data recorded it."""
        result: list[CustomerSource] = await self._run(_ops.get_customer_sources(customer_id))
        return result

    async def get_customer_source(self, customer_id: str, source_id: str) -> CustomerSource:
        """One source of the customer, by its id."""
        result: CustomerSource = await self._run(_ops.get_customer_source(customer_id, source_id))
        return result

    # ------------------------------------------------------------------ events

    async def add_event(self, **attributes: Unpack[EventDocument]) -> Event:
        """Add an event (see :meth:`Node.add_event <contacthub.Node.add_event>`)."""
        return await self._run(_ops.add_event(self, attributes))

    async def get_event(self, id: str) -> Event:
        """One event, by its id."""
        return await self._run(_ops.get_event(self, id))

    async def update_event(self, id: str, **attributes: Unpack[EventFields]) -> Event:
        """Replace an event by these attributes; the event as stored."""
        return await self._run(_ops.update_event(self, id, attributes))

    async def delete_event(self, id: str) -> None:
        """Delete one event, by its id."""
        await self._run(_ops.delete_event(id))

    async def _events_page(
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
        return await self._run(
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

    async def get_events(
        self,
        customer_id: str | None,
        event_type: str | Iterable[str] | None = None,
        context: str | Iterable[str] | None = None,
        event_mode: str | None = None,
        date_from: datetime | date | str | None = None,
        date_to: datetime | date | str | None = None,
        page: int | None = None,
        size: int | None = None,
    ) -> AsyncPaginatedList[Event]:
        """A page of a customer's events (or the node's, with ``None``), newest first."""
        _ops.check_dates(date_from, date_to)
        return await AsyncPaginatedList.fetch(
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

    async def iter_events(
        self,
        customer_id: str | None,
        event_type: str | Iterable[str] | None = None,
        context: str | Iterable[str] | None = None,
        event_mode: str | None = None,
        date_from: datetime | date | str | None = None,
        date_to: datetime | date | str | None = None,
        page_size: int = 50,
    ) -> AsyncIterator[Event]:
        """Every event :meth:`get_events` lists, page by page (what ``customer.get_events()``
        gives with the sync client)."""
        first = await self.get_events(
            customer_id,
            event_type=event_type,
            context=context,
            event_mode=event_mode,
            date_from=date_from,
            date_to=date_to,
            page=0,
            size=page_size,
        )
        async for event in first.all_pages():
            yield event

    async def get_consent_logs(
        self,
        customer_id: str | None = None,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
        log_type: str | None = None,
        consent_property: str | None = None,
        descending: bool = False,
    ) -> list[dict[str, Any]]:
        """Every entry of the workspace's consent register matching the filters (all pages)."""
        return await self._run(
            _ops.get_consent_logs(
                customer_id, start_date, end_date, log_type, consent_property, descending
            )
        )

    # ------------------------------------------------------------------ queries

    def query(self, entity: type[Any]) -> Query:
        """A query on ``entity`` (``Customer``); ``await query.all()`` runs it on this node, or
        pass it on: ``await node.get_customers(query=query)``."""
        from contacthub.models.query.query import Query

        return Query(self, entity)

    # ------------------------------------------------------------------ customer items

    async def add_education(
        self, customer_id: str, **attributes: Unpack[EducationDocument]
    ) -> Education:
        """Add an education (with your own ``id``) to the customer's ``base.educations``."""
        result: Education = await self._run(
            _ops.add_item(self, _ops.EDUCATION, customer_id, attributes)
        )
        return result

    async def get_education(self, customer_id: str, education_id: str) -> Education:
        """One education of the customer, by its id."""
        result: Education = await self._run(
            _ops.get_item(self, _ops.EDUCATION, customer_id, education_id)
        )
        return result

    get_customer_education = get_education

    async def update_education(
        self, customer_id: str, id: str, **attributes: Unpack[EducationFields]
    ) -> Education:
        """Replace the customer's education ``id`` with ``attributes``."""
        result: Education = await self._run(
            _ops.update_item(self, _ops.EDUCATION, customer_id, id, attributes)
        )
        return result

    async def remove_education(self, customer_id: str, education_id: str) -> None:
        """Remove the customer's education ``education_id``."""
        await self._run(_ops.remove_item(_ops.EDUCATION, customer_id, education_id))

    async def add_job(self, customer_id: str, **attributes: Unpack[JobDocument]) -> Job:
        """Add a job (with your own ``id``) to the customer's ``base.jobs``."""
        result: Job = await self._run(_ops.add_item(self, _ops.JOB, customer_id, attributes))
        return result

    async def get_job(self, customer_id: str, job_id: str) -> Job:
        """One job of the customer, by its id."""
        result: Job = await self._run(_ops.get_item(self, _ops.JOB, customer_id, job_id))
        return result

    get_customer_job = get_job

    async def update_job(self, customer_id: str, id: str, **attributes: Unpack[JobFields]) -> Job:
        """Replace the customer's job ``id`` with ``attributes``."""
        result: Job = await self._run(_ops.update_item(self, _ops.JOB, customer_id, id, attributes))
        return result

    async def remove_job(self, customer_id: str, job_id: str) -> None:
        """Remove the customer's job ``job_id``."""
        await self._run(_ops.remove_item(_ops.JOB, customer_id, job_id))

    async def add_like(self, customer_id: str, **attributes: Unpack[LikeDocument]) -> Like:
        """Add a like (with your own ``id``) to the customer's ``base.likes``."""
        result: Like = await self._run(_ops.add_item(self, _ops.LIKE, customer_id, attributes))
        return result

    async def get_like(self, customer_id: str, like_id: str) -> Like:
        """One like of the customer, by its id."""
        result: Like = await self._run(_ops.get_item(self, _ops.LIKE, customer_id, like_id))
        return result

    get_customer_like = get_like

    async def update_like(
        self, customer_id: str, id: str, **attributes: Unpack[LikeFields]
    ) -> Like:
        """Replace the customer's like ``id`` with ``attributes``."""
        result: Like = await self._run(
            _ops.update_item(self, _ops.LIKE, customer_id, id, attributes)
        )
        return result

    async def remove_like(self, customer_id: str, like_id: str) -> None:
        """Remove the customer's like ``like_id``."""
        await self._run(_ops.remove_item(_ops.LIKE, customer_id, like_id))

    async def add_subscription(
        self, customer_id: str, **attributes: Unpack[SubscriptionDocument]
    ) -> Subscription:
        """Add a subscription (with your own ``id``) to the customer's ``base.subscriptions``."""
        result: Subscription = await self._run(
            _ops.add_item(self, _ops.SUBSCRIPTION, customer_id, attributes)
        )
        return result

    async def get_subscription(self, customer_id: str, subscription_id: str) -> Subscription:
        """One subscription of the customer, by its id."""
        result: Subscription = await self._run(
            _ops.get_item(self, _ops.SUBSCRIPTION, customer_id, subscription_id)
        )
        return result

    get_customer_subscription = get_subscription

    async def update_subscription(
        self, customer_id: str, id: str, **attributes: Unpack[SubscriptionFields]
    ) -> Subscription:
        """Replace the customer's subscription ``id`` with ``attributes``."""
        result: Subscription = await self._run(
            _ops.update_item(self, _ops.SUBSCRIPTION, customer_id, id, attributes)
        )
        return result

    async def remove_subscription(self, customer_id: str, subscription_id: str) -> None:
        """Remove the customer's subscription ``subscription_id``."""
        await self._run(_ops.remove_item(_ops.SUBSCRIPTION, customer_id, subscription_id))

    # ------------------------------------------------------------------ bulk

    def bulk_add_customers(
        self,
        customers: Iterable[Mapping[str, Any] | BulkItem]
        | AsyncIterable[Mapping[str, Any] | BulkItem],
        *,
        force_update: bool = False,
        concurrency: int | None = DEFAULT_CONCURRENCY,
        before_send: Callable[[list[Any]], Any] | None = None,
    ) -> AsyncBulkRun:
        """Add many customers concurrently: ``async for outcome in node.bulk_add_customers(rows)``.

        The arguments and outcomes of :meth:`Node.bulk_add_customers
        <contacthub.Node.bulk_add_customers>` (``customers`` may also be an async iterable, and
        ``before_send`` a coroutine function): the same rounds and re-checks after an unknown
        outcome, at most ``concurrency`` requests in flight (adaptive by default), as tasks of
        the running event loop rather than threads.
        """
        return async_bulk.bulk_add_customers(
            self.transport,
            self.node_id,
            customers,
            force_update=force_update,
            concurrency=concurrency,
            before_send=before_send,
        )

    def bulk_add_events(
        self,
        events: Iterable[Mapping[str, Any] | BulkItem]
        | AsyncIterable[Mapping[str, Any] | BulkItem],
        *,
        concurrency: int | None = DEFAULT_CONCURRENCY,
        before_send: Callable[[list[Any]], Any] | None = None,
    ) -> AsyncBulkRun:
        """Add many events concurrently: ``async for outcome in node.bulk_add_events(rows)``
        (as :meth:`Node.bulk_add_events <contacthub.Node.bulk_add_events>`)."""
        return async_bulk.bulk_add_events(
            self.transport,
            self.node_id,
            events,
            concurrency=concurrency,
            before_send=before_send,
        )

    def export_customers(
        self,
        query: Query | Mapping[str, Any] | str | None = None,
        *,
        external_id: str | None = None,
        sort: SortSpec | None = None,
        page_size: int = EXPORT_PAGE_SIZE,
    ) -> AsyncPagedExport:
        """Every customer matching ``query`` (or all), as API documents:
        ``async for document in node.export_customers()`` (pages fetched ahead)."""
        return async_bulk.export_customers(
            self.transport,
            self.node_id,
            query,
            external_id=external_id,
            sort=sort,
            page_size=page_size,
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
    ) -> AsyncPagedExport:
        """Events as API documents, page by page (as :meth:`Node.export_events
        <contacthub.Node.export_events>`): ``async for document in node.export_events()``."""
        return async_bulk.export_events(
            self.transport,
            self.node_id,
            customer_ids,
            query=query,
            event_type=event_type,
            context=context,
            date_from=date_from,
            date_to=date_to,
            page_size=page_size,
        )

    # ------------------------------------------------------------------ segments

    async def add_segment(self, name: str, query: Any, enabled: bool = True) -> Segment:
        """Save a segment; the new :class:`~contacthub.models.segment.Segment`."""
        return await self._run(_ops.add_segment(self, name, query, enabled))

    async def get_segment(self, id: str) -> Segment:
        """The segment with this id."""
        return await self._run(_ops.get_segment(self, id))

    async def _segments_page(
        self, name: str | None = None, page: int | None = None, size: int | None = None
    ) -> Any:
        return await self._run(_ops.segments_page(name, page, size))

    async def get_segments(
        self, name: str | None = None, page: int | None = None, size: int | None = None
    ) -> AsyncPaginatedList[Segment]:
        """A page of the workspace's segments (only those called ``name`` when given)."""
        from contacthub.models.segment import Segment

        return await AsyncPaginatedList.fetch(
            self, self._segments_page, Segment, name=name, page=page, size=size
        )

    async def update_segment(self, id: str, name: str, query: Any, enabled: bool = True) -> Segment:
        """Replace a segment's name, query and flag; the segment as stored."""
        return await self._run(_ops.update_segment(self, id, name, query, enabled))

    async def delete_segment(self, id: str) -> Segment:
        """Delete a segment; what it was."""
        return await self._run(_ops.delete_segment(self, id))

    async def _segment_customers_page(
        self,
        segment_id: str,
        page: int | None = None,
        size: int | None = None,
        fields: str | Iterable[str] | None = None,
        sort: SortSpec | None = None,
    ) -> Any:
        return await self._run(
            _ops.segment_customers_page(self.node_id, segment_id, page, size, fields, sort)
        )

    async def get_segment_customers(
        self,
        segment_id: str,
        page: int | None = None,
        size: int | None = None,
        fields: str | Iterable[str] | None = None,
        sort: SortSpec | None = None,
    ) -> AsyncPaginatedList[Customer]:
        """A page of this node's customers that the segment's query finds now."""
        return await AsyncPaginatedList.fetch(
            self,
            self._segment_customers_page,
            _models().Customer,
            segment_id=segment_id,
            page=page,
            size=size,
            fields=fields,
            sort=sort,
        )
