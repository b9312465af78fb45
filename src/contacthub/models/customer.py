"""Customer: a customer document of a node, read and changed through attributes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from contacthub.errors import OperationNotPermitted
from contacthub.lib.read_only_list import ReadOnlyList
from contacthub.lib.utils import copy_plain, diff_documents
from contacthub.models._shapes import CUSTOMER_SHAPE
from contacthub.models._sync import sync_only
from contacthub.models._timezones import TIMEZONES as _TIMEZONES
from contacthub.models.properties import (
    _GET_PARENT,
    _GET_PARENT_ATTR,
    _GET_PROPS,
    AttributeHolder,
    ItemFactory,
    Properties,
    _make,
    _to_plain,
)
from contacthub.models.query.entity_meta import EntityMeta

if TYPE_CHECKING:
    from contacthub.models.event import Event
    from contacthub.node import Node

__all__ = ["Customer"]

# The template of a new customer, as the guide documents it.
_DEFAULT_ATTRIBUTES: dict[str, Any] = {
    "base": {"contacts": {}},
    "extended": {},
    "consents": {},
    "tags": {"manual": [], "auto": []},
}


class _SubscriptionKinds:
    """Kinds of ``base.subscriptions[].kind``."""

    DIGITAL_MESSAGE = "DIGITAL_MESSAGE"
    SERVICE = "SERVICE"
    OTHER = "OTHER"


class Customer(AttributeHolder, metaclass=EntityMeta):
    """A customer of a node.

    Attributes read and write the customer's document: ``customer.base.firstName``,
    ``customer.base.contacts.email = 'a@example.com'``, ``customer.tags.manual += ['vip']``,
    ``customer.extended.points = 10``. Dictionaries read as :class:`Properties`, lists as
    read-only lists (assign a new list to change one); the items of ``base.educations``,
    ``base.jobs``, ``base.likes`` and ``base.subscriptions`` read as Education, Job, Like and
    Subscription objects.

    A new customer starts from the template ``{'base': {'contacts': {}}, 'extended': {},
    'consents': {}, 'tags': {'manual': [], 'auto': []}}``; ``default_attributes`` replaces it
    and keyword arguments set top-level attributes. On the class, attributes are query fields:
    ``Customer.base.firstName == 'Bruce'`` is a criterion for ``node.query(Customer).filter``.

    The object remembers the last state the server confirmed (from ``node.get_customer``, or
    after :meth:`post`, :meth:`put`, :meth:`patch`); :meth:`get_mutation_tracker` is the
    difference to it, and :meth:`patch` sends just that.

    Args:
        node: the Node the customer belongs to.
        default_attributes: the starting document instead of the template.
        attributes: top-level attributes (``base``, ``extended``, ``externalId``, ...).
    """

    __slots__ = ("_confirmed", "_node")
    _node: Node | None
    _confirmed: dict[str, Any]
    _SHAPE = CUSTOMER_SHAPE

    class MOBILE_DEVICE_TYPES:
        """Values of ``base.contacts.mobileDevices[].type``.

        The API's device types are IOS, ANDROID, WINDOWS_PHONE and FIREOS; APN, GCM and WP
        are kept for code written for the original SDK.
        """

        IOS = "IOS"
        ANDROID = "ANDROID"
        WINDOWS_PHONE = "WINDOWS_PHONE"
        FIREOS = "FIREOS"
        APN = "APN"
        GCM = "GCM"
        WP = "WP"

    class NOTIFICATION_SERVICES:
        """Values of ``base.contacts.mobileDevices[].notificationService``."""

        ADM = "ADM"
        APN = "APN"
        GCM = "GCM"
        SNS = "SNS"
        WNS = "WNS"

    class OTHER_CONTACT_TYPES:
        """Values of ``base.contacts.otherContacts[].type``."""

        EMAIL = "EMAIL"
        FAX = "FAX"
        MOBILE = "MOBILE"
        OTHER = "OTHER"
        PHONE = "PHONE"

    TIMEZONES = _TIMEZONES
    SUBSCRIPTION_KINDS = _SubscriptionKinds
    # The guide's spelling, kept so that its examples run.
    SUBSCRPTION_KINDS = _SubscriptionKinds

    def __init__(
        self,
        node: Node | None,
        default_attributes: dict[str, Any] | None = None,
        **attributes: Any,
    ) -> None:
        template = _DEFAULT_ATTRIBUTES if default_attributes is None else default_attributes
        if not isinstance(template, dict):
            raise TypeError(
                f"default_attributes must be a dictionary, got {type(template).__name__}"
            )
        data: dict[str, Any] = _to_plain(template, "default_attributes")
        for key, value in attributes.items():
            data[key] = _to_plain(value, f"customer.{key}")
        self._node = node
        self._confirmed = {}
        self._props = _make(Properties, data, None, None, None, True, self)

    @classmethod
    def from_dict(cls, node: Node | None, attributes: dict[str, Any] | None = None) -> Customer:
        """A Customer over ``attributes``, taken as the state the server confirmed.

        The dictionary is wrapped, not copied, and never changed by the object (changes are
        made on copies), so building customers from an API page is cheap.

        Args:
            node: the Node of the customer.
            attributes: the customer's document, e.g. from the API; ``None`` for an empty one.
        """
        if attributes is None:
            attributes = {}
        elif not isinstance(attributes, dict):
            raise TypeError(
                f"Customer.from_dict expects a dictionary, got {type(attributes).__name__}"
            )
        customer = cls.__new__(cls)
        _SET_NODE(customer, node)
        _SET_CONFIRMED(customer, attributes)
        _SET_PROPS(customer, _make(Properties, attributes, None, None, None, False, customer))
        return customer

    def __deepcopy__(self, memo: dict[int, Any]) -> Customer:
        """A copy with the same node, the same pending changes and its own documents."""
        clone = Customer.from_dict(self._node, copy_plain(self._confirmed))
        _SET_PROPS(clone, _make(Properties, self.to_dict(), None, None, None, True, clone))
        return clone

    @property
    def node(self) -> Node | None:
        """The Node this customer belongs to."""
        return self._node

    def _require_id(self, action: str) -> str:
        customer_id = self._props._data.get("id")
        if not customer_id:
            raise OperationNotPermitted(
                f"cannot {action} a customer without an id: post() it first or get it from the node"
            )
        return str(customer_id)

    def _require_node(self, action: str) -> Node:
        if self._node is None:
            raise OperationNotPermitted(
                f"cannot {action} a customer without a node: build it with Customer(node=node)"
            )
        sync_only(self._node, _METHOD.get(action, action), _ASYNC_INSTEAD.get(action, action))
        return self._node

    def _adopt(self, answer: Any) -> None:
        """Take the server's answer as the new confirmed (and current) state."""
        if isinstance(answer, Customer):
            data = answer._props._data
        elif isinstance(answer, dict):
            data = answer
        else:
            # No body (some servers answer writes with nothing): what we sent is the state.
            data = self._props._data
        self._confirmed = data
        self._props._reset(data)

    # -- writes ----------------------------------------------------------------------------

    def post(self, force_update: bool = False, *, forceUpdate: bool | None = None) -> Customer:
        """Add this customer to its node; afterwards the object holds the stored customer.

        Args:
            force_update: when the node already has a customer matching this one (a 409
                conflict), update that customer with this one's data instead of failing.
            forceUpdate: the same flag under the guide's other spelling.

        Returns:
            this customer.
        """
        force = bool(force_update or forceUpdate)
        answer = self._require_node("post").add_customer(force_update=force, **self.to_dict())
        self._adopt(answer)
        return self

    def put(self) -> Customer:
        """Replace the stored customer with this one (full update); then hold the answer."""
        self._require_id("put")
        node = self._require_node("put")
        answer = node.update_customer(full_update=True, **self.to_dict())
        self._adopt(answer)
        return self

    def patch(self) -> Customer:
        """Send the changes made since the last confirmed state (partial update).

        Nothing is sent when nothing changed. Afterwards the object holds the server's answer
        and the mutation tracker is empty again.
        """
        customer_id = self._require_id("patch")
        changes = diff_documents(self._confirmed, self._props._data)
        changes.pop("id", None)
        if not changes:
            return self
        answer = self._require_node("patch").update_customer(id=customer_id, **changes)
        self._adopt(answer)
        return self

    def delete(self) -> Any:
        """Delete this customer (and its events) from the node; returns the node's answer."""
        customer_id = self._require_id("delete")
        return self._require_node("delete").delete_customer(id=customer_id)

    # -- reads -----------------------------------------------------------------------------

    def get_mutation_tracker(self) -> dict[str, Any]:
        """The changes since the last confirmed state, as a PATCH body with the customer's id.

        Changed and new properties carry their value, removed ones ``None``, nested objects only
        their changed keys, and a changed list is given whole. So
        ``node.update_customer(**customer.get_mutation_tracker())`` applies the changes.
        """
        changes = diff_documents(self._confirmed, self._props._data)
        customer_id = self._props._data.get("id")
        if customer_id is None:
            return changes
        changes.pop("id", None)
        return {"id": customer_id, **changes}

    def get_events(self) -> ReadOnlyList[Event]:
        """Every event of this customer, newest first, as a read-only list of Event objects."""
        customer_id = self._require_id("list the events of")
        # Walk every page (50 events each, the API's maximum), not only the first.
        first_page = self._require_node("list the events of").get_events(
            customer_id=customer_id, size=50
        )
        return ReadOnlyList(first_page.all_pages())

    # -- items (educations, jobs, likes, subscriptions) ------------------------------------

    def _item_factory(self, props: Properties, name: str) -> ItemFactory | None:
        # Only the lists of base (base.educations, ...) hold items; slots are read through
        # their descriptors because this runs for every list read.
        if _GET_PARENT(props) is _GET_PROPS(self) and _GET_PARENT_ATTR(props) == "base":
            item_class = _item_classes().get(name)
            if item_class is not None:
                return lambda element: item_class._from_props(self, element)
        return None

    def _sync_item(self, list_name: str, item_id: Any, item: dict[str, Any] | None) -> None:
        """Reflect a stored item change (post/put/delete of an item) in both states.

        The server changed ``base.<list_name>``; doing the same here keeps ``customer.base``
        current without a new GET and keeps the change out of the mutation tracker.
        """
        confirmed_base = self._confirmed.get("base")
        if isinstance(confirmed_base, dict) and isinstance(confirmed_base.get(list_name), list):
            new_list = _replace_item(confirmed_base[list_name], item_id, item)
            self._confirmed = {**self._confirmed, "base": {**confirmed_base, list_name: new_list}}
        current_base = self._props._data.get("base")
        if isinstance(current_base, dict) and isinstance(current_base.get(list_name), list):
            self._props["base"][list_name] = _replace_item(current_base[list_name], item_id, item)


# What to await instead of each of the methods above, with the async client.
_METHOD = {
    "post": "customer.post()",
    "put": "customer.put()",
    "patch": "customer.patch()",
    "delete": "customer.delete()",
    "list the events of": "customer.get_events()",
}
_ASYNC_INSTEAD = {
    "post": "await node.add_customer(**customer.to_dict())",
    "put": "await node.update_customer(full_update=True, **customer.to_dict())",
    "patch": "await node.update_customer(**customer.get_mutation_tracker())",
    "delete": "await node.delete_customer(customer.id)",
    "list the events of": "async for event in node.iter_events(customer.id)",
}


# Slots are set through their descriptors in from_dict, which builds customers in bulk:
# AttributeHolder.__setattr__ is for users' writes.
_Setter = Callable[[Any, Any], None]
_SET_NODE: _Setter = Customer.__dict__["_node"].__set__
_SET_CONFIRMED: _Setter = Customer.__dict__["_confirmed"].__set__
_SET_PROPS: _Setter = AttributeHolder.__dict__["_props"].__set__


def _replace_item(items: list[Any], item_id: Any, item: dict[str, Any] | None) -> list[Any]:
    result = [element for element in items if not _has_id(element, item_id)]
    if item is not None:
        for index, element in enumerate(items):
            if _has_id(element, item_id):
                result.insert(index, item)
                break
        else:
            result.append(item)
    return result


def _has_id(element: Any, item_id: Any) -> bool:
    return isinstance(element, dict) and element.get("id") == item_id


@functools.cache
def _item_classes() -> dict[str, Any]:
    from contacthub.models.education import Education
    from contacthub.models.job import Job
    from contacthub.models.like import Like
    from contacthub.models.subscription import Subscription

    return {
        "educations": Education,
        "jobs": Job,
        "likes": Like,
        "subscriptions": Subscription,
    }
