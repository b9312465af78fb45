"""Properties: attribute access over the nested JSON documents of customers, events and items.

How it works, and why: a Properties object *wraps* a dictionary instead of copying it, and builds
the wrapper of a nested dictionary or list only when it is read. Turning a page of customers
from the API into objects therefore costs almost nothing, and reading ``c.base.contacts.email``
walks three dictionaries.

Writes are copy-on-write. The dictionary an entity was built from is the state the server
confirmed; it is never changed. The first write below a node copies that node and each of its
ancestors (one shallow copy per level), so the current state shares every untouched subtree with
the confirmed one. The mutation tracker of a customer is then the diff of the two states, which
skips shared subtrees by identity (:func:`contacthub.lib.utils.diff_documents`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from contacthub.lib.read_only_list import ReadOnlyList
from contacthub.lib.utils import copy_plain

__all__ = ["AttributeHolder", "Properties", "update_tracking_with_new_prop"]

# A factory that wraps one element (a Properties over a list item) in a richer object, such as
# an Education for the items of ``base.educations``.
ItemFactory = Callable[["Properties"], Any]


class AttributeHolder:
    """The base of every entity (Customer, Event and the customer items).

    Public attribute reads, writes and deletions go to the entity's root :class:`Properties`,
    so ``customer.base.firstName`` reads the document. Names starting with ``_`` are the
    entity's own.
    """

    __slots__ = ("_props",)
    _props: Properties

    def __getattr__(self, name: str) -> Any:
        # Inlined Properties.__getattr__: reading attributes is the hot path of every page.
        if name[:1] == "_":
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        props = self._props
        try:
            value = props._data[name]
        except KeyError:
            raise AttributeError(f"{props._path()} has no attribute {name!r}") from None
        kind = type(value)
        if kind is dict:
            return props._child(name, value)
        if kind is list:
            return props._list(name, value)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            self._props.__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        if name.startswith("_"):
            object.__delattr__(self, name)
        else:
            self._props.__delattr__(name)

    def __getitem__(self, key: str) -> Any:
        return self._props[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._props[key] = value

    def __contains__(self, key: object) -> bool:
        return key in self._props

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self._props._data})

    def _item_factory(self, props: Properties, name: str) -> ItemFactory | None:
        """How to wrap the dictionaries of list ``name`` under ``props`` (None: as Properties)."""
        return None

    def to_dict(self) -> dict[str, Any]:
        """A new dictionary (a deep copy) with every attribute of this entity."""
        return copy_plain(self._props._data)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._props._data!r})"


class Properties:
    """A group of named properties, read and written as attributes.

    ``Properties(email='a@example.com', geo=Properties(lat=45.4, lon=9.2))`` builds one; values
    may be strings, numbers, booleans, dates, datetimes, other Properties and lists of them.
    Reading an attribute whose value is a dictionary gives a Properties object, and a list gives
    a :class:`~contacthub.lib.read_only_list.ReadOnlyList` (its dictionaries as Properties):
    change a list by assigning a new one, e.g. ``customer.tags.manual += ['vip']``. Reading an
    attribute that is not set raises :class:`AttributeError` naming the path, e.g.
    ``customer.base has no attribute 'fristName'``; ``name in props`` tells whether it is set.

    ``parent`` and ``parent_attr`` tie a Properties object to the object that holds it; the SDK
    sets them when the object is assigned, so there is no need to pass them.
    """

    __slots__ = ("_children", "_data", "_entity", "_index", "_owned", "_parent", "_parent_attr")

    _data: dict[str, Any]
    _parent: Properties | None
    _parent_attr: str | None
    _index: int | None
    _owned: bool
    _children: dict[str, Any] | None
    _entity: Any

    def __init__(
        self,
        parent: Properties | None = None,
        parent_attr: str | None = None,
        **attributes: Any,
    ) -> None:
        _init(
            self,
            {key: _to_plain(value) for key, value in attributes.items()},
            parent,
            parent_attr,
            None,
            True,
            parent._entity if parent is not None else None,
        )

    @classmethod
    def from_dict(
        cls,
        parent: Properties | None = None,
        parent_attr: str | None = None,
        attributes: dict[str, Any] | None = None,
    ) -> Properties:
        """Wrap a dictionary (not copied: the wrapper never changes it, writes copy first).

        Args:
            parent: the Properties object that holds the new one, if any.
            parent_attr: the name under which ``parent`` holds it.
            attributes: the dictionary to wrap; ``None`` for an empty one.
        """
        if attributes is None:
            return _make(cls, {}, parent, parent_attr, None, True, None)
        if not isinstance(attributes, dict):
            raise TypeError(
                f"Properties.from_dict expects a dictionary, got {type(attributes).__name__}"
            )
        return _make(cls, attributes, parent, parent_attr, None, False, None)

    def to_dict(self) -> dict[str, Any]:
        """A new dictionary (a deep copy) with every property, nested ones included."""
        return copy_plain(self._data)  # type: ignore[no-any-return]

    # -- reading ---------------------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup failed: internal names are never document keys.
        if name in _SLOTS:
            raise AttributeError(name)
        try:
            value = self._data[name]
        except KeyError:
            raise AttributeError(f"{self._path()} has no attribute {name!r}") from None
        kind = type(value)
        if kind is dict:
            return self._child(name, value)
        if kind is list:
            return self._list(name, value)
        return value

    def __getitem__(self, key: str) -> Any:
        # Item access reaches every key, also those that are not identifiers or that clash with
        # a method name (``props['to_dict']``).
        try:
            value = self._data[key]
        except KeyError:
            raise KeyError(f"{self._path()} has no attribute {key!r}") from None
        if type(value) is dict:
            return self._child(key, value)
        if type(value) is list:
            return self._list(key, value)
        return value

    def _child(self, name: str, value: dict[str, Any]) -> Properties:
        children = self._children
        if children is None:
            children = self._children = {}
        else:
            cached = children.get(name)
            if type(cached) is Properties and cached._data is value:
                return cached
        child = _make(Properties, value, self, name, None, False, self._entity)
        children[name] = child
        return child

    def _list(self, name: str, value: list[Any]) -> ReadOnlyList[Any]:
        children = self._children
        if children is None:
            children = self._children = {}
        else:
            cached = children.get(name)
            if type(cached) is _ListSlot and cached.source is value:
                return cached.items
        factory: ItemFactory | None = None
        if self._entity is not None:
            factory = self._entity._item_factory(self, name)
        items: list[Any] = []
        for index, element in enumerate(value):
            if type(element) is dict:
                wrapped: Any = _make(Properties, element, self, name, index, False, self._entity)
                if factory is not None:
                    wrapped = factory(wrapped)
                items.append(wrapped)
            elif type(element) is list:
                items.append(_read_only(element))
            else:
                items.append(element)
        slot = _ListSlot(value, ReadOnlyList(items))
        children[name] = slot
        return slot.items

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._data))

    def __len__(self) -> int:
        return len(self._data)

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self._data})

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Properties):
            return self._data == other._data
        if isinstance(other, dict):
            return self._data == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Properties({self._data!r})"

    # -- writing ---------------------------------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SLOTS:
            object.__setattr__(self, name, value)
            return
        self._assign(name, value)

    def __setitem__(self, key: str, value: Any) -> None:
        self._assign(key, value)

    def _assign(self, name: str, value: Any) -> None:
        data = self._own()
        children = self._children
        if children is not None:
            children.pop(name, None)
        if type(value) is Properties and value._parent is None and value._owned:
            # A standalone Properties object joins the tree as it is, so that changes made
            # through it later (``addr = Properties(...); c.base.address = addr; addr.zip = 1``)
            # land in the document.
            data[name] = value._data
            _set_parent(value, self, name, self._entity)
            if children is None:
                children = self._children = {}
            children[name] = value
            return
        data[name] = _to_plain(value)

    def __delattr__(self, name: str) -> None:
        if name in _SLOTS:
            raise AttributeError(f"cannot delete {name!r}")
        if name not in self._data:
            raise AttributeError(f"{self._path()} has no attribute {name!r}")
        data = self._own()
        del data[name]
        if self._children is not None:
            self._children.pop(name, None)

    def __delitem__(self, key: str) -> None:
        self.__delattr__(key)

    def _own(self) -> dict[str, Any]:
        """Make this node's dictionary private to the current state (copy-on-write)."""
        if self._owned:
            return self._data
        parent = self._parent
        new = dict(self._data)
        if parent is not None:
            attr = self._parent_attr
            assert attr is not None
            index = self._index
            if index is None:
                parent_data = parent._own()
                if parent_data.get(attr) is self._data:
                    parent_data[attr] = new
            else:
                slot = parent._children.get(attr) if parent._children is not None else None
                if type(slot) is _ListSlot and parent._data.get(attr) is slot.source:
                    parent_data = parent._own()
                    if not slot.owned:
                        slot.source = list(slot.source)
                        slot.owned = True
                        parent_data[attr] = slot.source
                    slot.source[index] = new
        _SET_DATA(self, new)
        _SET_OWNED(self, True)
        return new

    def _reset(self, data: dict[str, Any]) -> None:
        """Wrap a new confirmed document (after the server answered), dropping cached wrappers."""
        _SET_DATA(self, data)
        _SET_OWNED(self, False)
        _SET_CHILDREN(self, None)

    def _path(self) -> str:
        parts: list[str] = []
        node: Properties | None = self
        while node is not None and node._parent is not None:
            part = node._parent_attr or "?"
            if node._index is not None:
                part += f"[{node._index}]"
            parts.append(part)
            node = node._parent
        root = "Properties"
        if node is not None and node._entity is not None and node._entity._props is node:
            root = type(node._entity).__name__.lower()
        return ".".join([root, *reversed(parts)])


class _ListSlot:
    """The cached ReadOnlyList of a list attribute, with the list it was built from."""

    __slots__ = ("items", "owned", "source")

    def __init__(self, source: list[Any], items: ReadOnlyList[Any]) -> None:
        self.source = source
        self.items = items
        self.owned = False


_SLOTS = frozenset(Properties.__slots__)
_SLOT_DESCRIPTORS = Properties.__dict__
_Setter = Callable[[Properties, Any], None]
_SET_DATA: _Setter = _SLOT_DESCRIPTORS["_data"].__set__
_SET_OWNED: _Setter = _SLOT_DESCRIPTORS["_owned"].__set__
_SET_CHILDREN: _Setter = _SLOT_DESCRIPTORS["_children"].__set__
_SET_PARENT: _Setter = _SLOT_DESCRIPTORS["_parent"].__set__
_SET_PARENT_ATTR: _Setter = _SLOT_DESCRIPTORS["_parent_attr"].__set__
_SET_INDEX: _Setter = _SLOT_DESCRIPTORS["_index"].__set__
_SET_ENTITY: _Setter = _SLOT_DESCRIPTORS["_entity"].__set__


def _init(
    obj: Properties,
    data: dict[str, Any],
    parent: Properties | None,
    parent_attr: str | None,
    index: int | None,
    owned: bool,
    entity: Any,
) -> None:
    # Slots are set through their descriptors: Properties.__setattr__ writes document keys.
    _SET_DATA(obj, data)
    _SET_PARENT(obj, parent)
    _SET_PARENT_ATTR(obj, parent_attr)
    _SET_INDEX(obj, index)
    _SET_OWNED(obj, owned)
    _SET_CHILDREN(obj, None)
    _SET_ENTITY(obj, entity)


def _make(
    cls: type[Properties],
    data: dict[str, Any],
    parent: Properties | None,
    parent_attr: str | None,
    index: int | None,
    owned: bool,
    entity: Any,
) -> Properties:
    obj = cls.__new__(cls)
    _init(obj, data, parent, parent_attr, index, owned, entity)
    return obj


def _set_parent(obj: Properties, parent: Properties, name: str, entity: Any) -> None:
    _SET_PARENT(obj, parent)
    _SET_PARENT_ATTR(obj, name)
    _SET_INDEX(obj, None)
    _SET_ENTITY(obj, entity)


def _read_only(value: list[Any]) -> ReadOnlyList[Any]:
    # Lists nested directly in lists are rare (no API field has them): wrap them read-only,
    # without write-through.
    return ReadOnlyList(
        Properties.from_dict(attributes=item)
        if type(item) is dict
        else _read_only(item)
        if type(item) is list
        else item
        for item in value
    )


def _to_plain(value: Any) -> Any:
    """The value to store in a document: models become dictionaries, containers are copied."""
    kind = type(value)
    if kind in (str, int, float, bool) or value is None:
        return value
    return copy_plain(value)


def update_tracking_with_new_prop(mutations: dict[str, Any], new_properties: Any) -> dict[str, Any]:
    """Merge newly assigned properties into a mutation tracker dictionary.

    Every key of ``new_properties`` (a dictionary or a Properties object) is written into
    ``mutations``; where both hold a dictionary under the same key they are merged recursively,
    otherwise the new value replaces the old one. ``mutations`` is changed in place and returned.
    """
    source = new_properties._data if isinstance(new_properties, Properties) else new_properties
    if not isinstance(source, dict):
        raise TypeError(
            f"new_properties must be a dictionary or Properties, got {type(source).__name__}"
        )
    for key, value in source.items():
        current = mutations.get(key)
        plain = _to_plain(value)
        if isinstance(current, dict) and isinstance(plain, dict):
            update_tracking_with_new_prop(current, plain)
        else:
            mutations[key] = plain
    return mutations
