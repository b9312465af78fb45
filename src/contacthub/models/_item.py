"""The shared behaviour of a customer's items: educations, jobs, likes and subscriptions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from contacthub.errors import OperationNotPermitted
from contacthub.lib.utils import copy_plain
from contacthub.models._shapes import ITEM_SHAPES
from contacthub.models._sync import sync_only
from contacthub.models.properties import AttributeHolder, Properties, _make, _to_plain

__all__ = ["CustomerItem"]

ItemT = TypeVar("ItemT", bound="CustomerItem")


class CustomerItem(AttributeHolder):
    """An item of one of a customer's ``base`` lists, with its own API endpoints.

    Subclasses name the list (``base.educations``) and the Node methods that store it.
    """

    __slots__ = ("_customer", "_parent_attr")
    _customer: Any
    _parent_attr: str | None

    _LIST: ClassVar[str]  # the list under ``base``, e.g. "educations"
    _NOUN: ClassVar[str]  # the Node methods' noun, e.g. "education"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._DEFAULT_PARENT_ATTR = f"base.{cls._LIST}"
        cls._SHAPE = ITEM_SHAPES.get(cls._LIST)

    _DEFAULT_PARENT_ATTR: ClassVar[str]

    def __init__(
        self,
        customer: Any,
        parent_attr: str | None = None,
        properties_class: type | None = None,
        **attributes: Any,
    ) -> None:
        data = {key: _to_plain(value, f"{self._NOUN}.{key}") for key, value in attributes.items()}
        self._customer = customer
        self._parent_attr = parent_attr or f"base.{self._LIST}"
        self._props = _make(Properties, data, None, None, None, True, self)

    @classmethod
    def from_dict(
        cls: type[ItemT],
        customer: Any,
        attributes: dict[str, Any] | None = None,
        parent_attr: str | None = None,
        properties_class: type | None = None,
    ) -> ItemT:
        """An object over ``attributes`` (wrapped, not copied) for ``customer``.

        Args:
            customer: the Customer the item belongs to (a Customer with just an ``id`` will do).
            attributes: the item's document; ``None`` for an empty one.
            parent_attr: where the item lives in the customer, by default ``base.<list>``.
            properties_class: accepted for compatibility with the original SDK; unused.
        """
        if attributes is None:
            attributes = {}
        elif not isinstance(attributes, dict):
            raise TypeError(
                f"{cls.__name__}.from_dict expects a dictionary, got {type(attributes).__name__}"
            )
        item = cls.__new__(cls)
        item._customer = customer
        item._parent_attr = parent_attr or f"base.{cls._LIST}"
        item._props = _make(Properties, attributes, None, None, None, False, item)
        return item

    @classmethod
    def _from_props(cls: type[ItemT], customer: Any, props: Properties) -> ItemT:
        # An item read from ``customer.base.<list>``: it shares the customer's document, so
        # changing it is a change of the customer too.
        item = cls.__new__(cls)
        _SET_CUSTOMER(item, customer)
        _SET_PARENT_ATTR(item, cls._DEFAULT_PARENT_ATTR)
        _SET_PROPS(item, props)
        return item

    @property
    def customer(self) -> Any:
        """The Customer this item belongs to."""
        return self._customer

    def _customer_id(self) -> str:
        customer_id = getattr(self._customer, "id", None) if self._customer is not None else None
        if not customer_id:
            raise OperationNotPermitted(
                f"this {self._NOUN} has no customer with an id: build it with a stored customer"
            )
        return str(customer_id)

    def _item_id(self) -> Any:
        item_id = self._props._data.get("id")
        if item_id is None or item_id == "":
            raise OperationNotPermitted(f"this {self._NOUN} has no id: set its id attribute")
        return item_id

    def _node(self) -> Any:
        node = getattr(self._customer, "node", None)
        if node is None:
            raise OperationNotPermitted(
                f"this {self._NOUN}'s customer has no node: use a customer from node.get_customer"
            )
        noun = self._NOUN
        sync_only(
            node,
            f"{noun}.post(), put() and delete()",
            f"await node.add_{noun}(customer_id, **{noun}.to_dict()), update_{noun} or "
            f"remove_{noun}",
        )
        return node

    def _adopt(self, answer: Any) -> None:
        if isinstance(answer, CustomerItem):
            data = answer._props._data
        elif isinstance(answer, dict):
            data = answer
        else:
            data = copy_plain(self._props._data)
        # From now on the item stands alone; the customer's copy is updated by _sync_item.
        self._props = _make(Properties, data, None, None, None, False, self)
        self._sync(data.get("id"), data)

    def _sync(self, item_id: Any, data: dict[str, Any] | None) -> None:
        sync = getattr(type(self._customer), "_sync_item", None)
        if sync is not None:
            sync(self._customer, self._LIST, item_id, data)

    def post(self: ItemT) -> ItemT:
        """Add this item to its customer; afterwards it holds what the server stored."""
        node = self._node()
        answer = getattr(node, f"add_{self._NOUN}")(
            customer_id=self._customer_id(), **self.to_dict()
        )
        self._adopt(answer)
        return self

    def put(self: ItemT) -> ItemT:
        """Replace the stored item having this item's id with this one."""
        self._item_id()
        customer_id = self._customer_id()
        update = getattr(self._node(), f"update_{self._NOUN}")
        answer = update(customer_id=customer_id, **self.to_dict())
        self._adopt(answer)
        return self

    def delete(self) -> Any:
        """Remove this item from its customer; returns the node's answer."""
        item_id = self._item_id()
        customer_id = self._customer_id()
        remove = getattr(self._node(), f"remove_{self._NOUN}")
        answer = remove(customer_id=customer_id, **{f"{self._NOUN}_id": item_id})
        self._sync(item_id, None)
        return answer


# Slots are set through their descriptors where objects are built in bulk (reading a customer's
# item lists): AttributeHolder.__setattr__ is for users' writes.
_Setter = Callable[[Any, Any], None]
_SET_CUSTOMER: _Setter = CustomerItem.__dict__["_customer"].__set__
_SET_PARENT_ATTR: _Setter = CustomerItem.__dict__["_parent_attr"].__set__
_SET_PROPS: _Setter = AttributeHolder.__dict__["_props"].__set__
