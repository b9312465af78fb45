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

Document keys are read through ``__getattribute__`` rather than ``__getattr__``: on CPython a
``__getattr__`` fallback first builds and discards an AttributeError for every read, which made
attribute reads the main cost of turning an API page into objects. Names starting with ``_``
and the names the class defines (methods, constants) take the ordinary path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, cast
from uuid import UUID

from contacthub.lib.read_only_list import ReadOnlyList
from contacthub.lib.utils import copy_plain
from contacthub.models._shapes import Shape

__all__ = ["AttributeHolder", "Properties", "update_tracking_with_new_prop"]

# A factory that wraps one element (a Properties over a list item) in a richer object, such as
# an Education for the items of ``base.educations``.
ItemFactory = Callable[["Properties"], Any]

_OBJECT_GETATTRIBUTE = object.__getattribute__
_NEW = object.__new__


def _class_names(cls: type) -> frozenset[str]:
    """Every attribute name a class and its bases define (they are not document keys)."""
    return frozenset(name for klass in cls.__mro__ for name in vars(klass))


class AttributeHolder:
    """The base of every entity (Customer, Event and the customer items).

    Public attribute reads, writes and deletions go to the entity's root :class:`Properties`,
    so ``customer.base.firstName`` reads the document. Names starting with ``_`` and the names
    the class defines (methods, constants such as ``Event.TYPES``) are the entity's own.
    """

    __slots__ = ("_props",)
    _props: Properties
    _CLASS_NAMES: ClassVar[frozenset[str]] = frozenset()
    # The schema of the entity's document (see contacthub.models._shapes); None: not known.
    _SHAPE: ClassVar[Shape] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._CLASS_NAMES = _class_names(cls)

    def __getattribute__(self, name: str) -> Any:
        if name[:1] == "_" or name in type(self)._CLASS_NAMES:
            return _OBJECT_GETATTRIBUTE(self, name)
        # The body of _read(), inlined: this is the hottest path of the SDK.
        props = _GET_PROPS(self)
        try:
            value = _GET_DATA(props)[name]
        except KeyError:
            return _missing(props, name)
        kind = type(value)
        if kind is dict or kind is list:
            children = _GET_CHILDREN(props)
            if children is not None:
                entry = children.get(name)
                if entry is not None and entry[0] is value:
                    return entry[1]
            if kind is dict:
                return _CHILD(props, name, value)
            return _LIST(props, name, value)
        if value is None:
            return _unset(props, name)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        if name[:1] == "_" or name in type(self)._CLASS_NAMES:
            object.__setattr__(self, name, value)
        else:
            _GET_PROPS(self)._assign(name, value)

    def __delattr__(self, name: str) -> None:
        if name[:1] == "_" or name in type(self)._CLASS_NAMES:
            object.__delattr__(self, name)
        else:
            _GET_PROPS(self).__delattr__(name)

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

    def __copy__(self) -> Any:
        return self.__deepcopy__({})

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        # A copy shares the node or customer (a connection pool is not data) and copies the
        # document; entities holding more state (Customer) extend this.
        clone = _NEW(type(self))
        for klass in type(self).__mro__:
            for slot in vars(klass).get("__slots__", ()):
                if slot != "_props" and hasattr(self, slot):
                    object.__setattr__(clone, slot, getattr(self, slot))
        object.__setattr__(
            clone,
            "_props",
            _make(Properties, copy_plain(self._props._data), None, None, None, True, clone),
        )
        return clone

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
    ``props['key']`` reaches any key, also one named like a method (``props['to_dict']``).

    ``parent`` and ``parent_attr`` tie a Properties object to the object that holds it; the SDK
    sets them when the object is assigned, so there is no need to pass them.
    """

    __slots__ = ("_children", "_data", "_entity", "_index", "_owned", "_parent", "_parent_attr")

    # Slots that nodes built while reading leave unset read as these defaults through the
    # helpers _owned(), _index_of() and _entity_of().
    _data: dict[str, Any]
    _parent: Properties | None
    _parent_attr: str | None
    _index: int | None
    _owned: bool
    # name -> (source dict, Properties) or [source list, ReadOnlyList, owned flag]
    _children: dict[str, Any] | None
    _entity: Any
    _CLASS_NAMES: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._CLASS_NAMES = _class_names(cls)

    def __init__(
        self,
        parent: Properties | None = None,
        parent_attr: str | None = None,
        **attributes: Any,
    ) -> None:
        _init(
            self,
            {key: _to_plain(value, f"Properties({key}=...)") for key, value in attributes.items()},
            parent,
            parent_attr,
            None,
            True,
            None,
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
        return copy_plain(_GET_DATA(self))  # type: ignore[no-any-return]

    # -- reading ---------------------------------------------------------------------------

    def __getattribute__(self, name: str) -> Any:
        if name[:1] == "_" or name in type(self)._CLASS_NAMES:
            return _OBJECT_GETATTRIBUTE(self, name)
        # The body of _read(), inlined: this is the hottest path of the SDK.
        props = self
        try:
            value = _GET_DATA(props)[name]
        except KeyError:
            return _missing(props, name)
        kind = type(value)
        if kind is dict or kind is list:
            children = _GET_CHILDREN(props)
            if children is not None:
                entry = children.get(name)
                if entry is not None and entry[0] is value:
                    return entry[1]
            if kind is dict:
                return _CHILD(props, name, value)
            return _LIST(props, name, value)
        if value is None:
            return _unset(props, name)
        return value

    def __getitem__(self, key: str) -> Any:
        if key not in _GET_DATA(self) and not _stands_for_null(self):
            raise KeyError(f"{self._path()} has no attribute {key!r}")
        try:
            return _read(self, key)
        except AttributeError as missing:
            raise KeyError(str(missing)) from None

    def _child(self, name: str, value: dict[str, Any]) -> Properties:
        """The (cached) wrapper of the dictionary ``value`` held under ``name``."""
        children = _GET_CHILDREN(self)
        if children is None:
            children = {}
            _SET_CHILDREN(self, children)
        child = _NEW(Properties)
        _SET_DATA(child, value)
        _SET_PARENT(child, self)
        _SET_PARENT_ATTR(child, name)
        _SET_CHILDREN(child, None)
        children[name] = (value, child)
        return child

    def _list(self, name: str, value: list[Any]) -> ReadOnlyList[Any]:
        """The (cached) read-only wrapper of the list ``value`` held under ``name``."""
        children = _GET_CHILDREN(self)
        if children is None:
            children = {}
            _SET_CHILDREN(self, children)
        items: list[Any]
        if _has_containers(value):
            entity = _entity_of(self)
            factory: ItemFactory | None = None
            if entity is not None:
                factory = entity._item_factory(self, name)
            items = []
            for index, element in enumerate(value):
                if type(element) is dict:
                    wrapped: Any = _NEW(Properties)
                    _SET_DATA(wrapped, element)
                    _SET_PARENT(wrapped, self)
                    _SET_PARENT_ATTR(wrapped, name)
                    _SET_INDEX(wrapped, index)
                    _SET_CHILDREN(wrapped, None)
                    if factory is not None:
                        wrapped = factory(wrapped)
                    items.append(wrapped)
                elif type(element) is list:
                    items.append(_read_only(element))
                else:
                    items.append(element)
        else:
            items = value
        wrapper: ReadOnlyList[Any] = ReadOnlyList(items)
        children[name] = [value, wrapper, False]
        return wrapper

    def __contains__(self, key: object) -> bool:
        return key in _GET_DATA(self)

    def __iter__(self) -> Iterator[str]:
        return iter(list(_GET_DATA(self)))

    def __len__(self) -> int:
        return len(_GET_DATA(self))

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *_GET_DATA(self)})

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Properties):
            return _GET_DATA(self) == _GET_DATA(other)
        if isinstance(other, dict):
            return _GET_DATA(self) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __copy__(self) -> Properties:
        return self.__deepcopy__({})

    def __deepcopy__(self, memo: dict[int, Any]) -> Properties:
        """A standalone copy of the properties (not tied to the original's parent)."""
        return _make(type(self), copy_plain(_GET_DATA(self)), None, None, None, True, None)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as the plain document; the copy is standalone.
        return (_unpickle_properties, (type(self), copy_plain(_GET_DATA(self))))

    def __repr__(self) -> str:
        return f"Properties({_GET_DATA(self)!r})"

    # -- writing ---------------------------------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        if name[:1] == "_" or name in type(self)._CLASS_NAMES:
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
        if type(value) is Properties and value._parent is None and _owned(value):
            # A standalone Properties object joins the tree as it is, so that changes made
            # through it later (``addr = Properties(...); c.base.address = addr; addr.zip = 1``)
            # land in the document.
            data[name] = value._data
            _set_parent(value, self, name)
            if children is None:
                children = {}
                _SET_CHILDREN(self, children)
            children[name] = (value._data, value)
            return
        data[name] = _to_plain(value, f"{self._path()}.{name}")

    def __delattr__(self, name: str) -> None:
        if name[:1] == "_" or name in type(self)._CLASS_NAMES:
            raise AttributeError(f"cannot delete {name!r}")
        if name not in self._data:
            raise AttributeError(f"{self._path()} has no attribute {name!r}")
        data = self._own()
        del data[name]
        if self._children is not None:
            self._children.pop(name, None)

    def __delitem__(self, key: str) -> None:
        if key not in self._data:
            raise KeyError(f"{self._path()} has no attribute {key!r}")
        data = self._own()
        del data[key]
        if self._children is not None:
            self._children.pop(key, None)

    def _own(self) -> dict[str, Any]:
        """Make this node's dictionary private to the current state (copy-on-write)."""
        if _owned(self):
            return self._data
        parent = self._parent
        new = dict(self._data)
        if parent is not None:
            attr = self._parent_attr
            assert attr is not None
            index = _index_of(self)
            if index is None:
                parent_data = parent._own()
                current = parent_data.get(attr)
                siblings = parent._children
                if current is self._data:
                    parent_data[attr] = new
                    # Keep the parent's cache pointing at this wrapper for the new dictionary.
                    if siblings is not None and siblings.get(attr, (None, None))[1] is self:
                        siblings[attr] = (new, self)
                elif current is None and siblings is not None and _stands_for_null(self):
                    # The first write into a section that was null creates it.
                    parent_data[attr] = new
                    siblings[attr] = (new, self)
            else:
                siblings = parent._children
                entry: Any = siblings.get(attr) if siblings is not None else None
                if type(entry) is list and parent._data.get(attr) is entry[0]:
                    parent_data = parent._own()
                    source = cast("list[Any]", entry[0])
                    if not entry[2]:
                        # The list is still the confirmed one: copy it once.
                        source = list(source)
                        entry[0] = source
                        entry[2] = True
                        parent_data[attr] = source
                    source[index] = new
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
            index = _index_of(node)
            if index is not None:
                part += f"[{index}]"
            parts.append(part)
            node = node._parent
        root = "Properties"
        entity = _entity_of(node) if node is not None else None
        if entity is not None and getattr(entity, "_props", None) is node:
            root = type(entity).__name__.lower()
        return ".".join([root, *reversed(parts)])


_SLOT_DESCRIPTORS = Properties.__dict__
_Setter = Callable[[Properties, Any], None]
_SET_DATA: _Setter = _SLOT_DESCRIPTORS["_data"].__set__
_SET_OWNED: _Setter = _SLOT_DESCRIPTORS["_owned"].__set__
_SET_CHILDREN: _Setter = _SLOT_DESCRIPTORS["_children"].__set__
_SET_PARENT: _Setter = _SLOT_DESCRIPTORS["_parent"].__set__
_SET_PARENT_ATTR: _Setter = _SLOT_DESCRIPTORS["_parent_attr"].__set__
_SET_INDEX: _Setter = _SLOT_DESCRIPTORS["_index"].__set__
_SET_ENTITY: _Setter = _SLOT_DESCRIPTORS["_entity"].__set__
_GET_DATA: Callable[[Properties], dict[str, Any]] = _SLOT_DESCRIPTORS["_data"].__get__
_GET_CHILDREN: Callable[[Properties], dict[str, Any] | None] = _SLOT_DESCRIPTORS[
    "_children"
].__get__
_GET_PARENT: Callable[[Properties], Properties | None] = _SLOT_DESCRIPTORS["_parent"].__get__
_GET_PARENT_ATTR: Callable[[Properties], str | None] = _SLOT_DESCRIPTORS["_parent_attr"].__get__
_GET_ENTITY: Callable[[Properties], Any] = _SLOT_DESCRIPTORS["_entity"].__get__
_GET_PROPS: Callable[[AttributeHolder], Properties] = AttributeHolder.__dict__["_props"].__get__
Properties._CLASS_NAMES = _class_names(Properties)
# Plain functions, called without an instance attribute lookup on the read path.
_CHILD = Properties._child
_LIST = Properties._list


def _read(props: Properties, name: str) -> Any:
    """The value of document key ``name``: dictionaries and lists come wrapped (and cached)."""
    try:
        value = _GET_DATA(props)[name]
    except KeyError:
        return _missing(props, name)
    kind = type(value)
    if kind is dict or kind is list:
        children = _GET_CHILDREN(props)
        if children is not None:
            entry = children.get(name)
            if entry is not None and entry[0] is value:
                return entry[1]
        if kind is dict:
            return _CHILD(props, name, value)
        return _LIST(props, name, value)
    if value is None:
        return _unset(props, name)
    return value


def _missing(props: Properties, name: str) -> Any:
    """Key ``name`` is not in the document: an AttributeError, unless ``props`` stands for a
    section that is null, where every key the schema knows reads as unset."""
    if _stands_for_null(props):
        shape = _shape_of(props)
        if isinstance(shape, Mapping) and name in shape:
            return _unset_in(props, name, shape)
    raise AttributeError(f"{props._path()} has no attribute {name!r}") from None


def _unset(props: Properties, name: str) -> Any:
    """What key ``name`` of ``props`` reads as when it is null."""
    return _unset_in(props, name, _shape_of(props))


def _unset_in(props: Properties, name: str, shape: Shape) -> Any:
    """What key ``name`` of ``props`` (of schema ``shape``) reads as when it is null or unset.

    A section the schema knows as an object reads as an empty :class:`Properties` that is not
    yet in the document: its first write creates the section (so ``customer.extended.points
    = 3`` works when ``extended`` is null). A list reads as an empty read-only list; anything
    else as ``None``.
    """
    if not isinstance(shape, Mapping):
        return None
    child = shape.get(name)
    if isinstance(child, Mapping):
        return _empty_section(props, name)
    if isinstance(child, tuple):
        return ReadOnlyList(())
    return None


def _empty_section(props: Properties, name: str) -> Properties:
    """The (cached) stand-in for the null section ``name`` of ``props``.

    It wraps a new empty dictionary that is not in the document, and is cached in ``props``'s
    children as ``(None, stand_in)``: :meth:`Properties._own` recognises that entry and puts the
    stand-in's dictionary into the document on its first write.
    """
    children = _GET_CHILDREN(props)
    if children is None:
        children = {}
        _SET_CHILDREN(props, children)
    else:
        entry = children.get(name)
        if type(entry) is tuple and entry[0] is None:
            return cast("Properties", entry[1])
    child = _NEW(Properties)
    _SET_DATA(child, {})
    _SET_PARENT(child, props)
    _SET_PARENT_ATTR(child, name)
    _SET_CHILDREN(child, None)
    children[name] = (None, child)
    return child


def _stands_for_null(props: Properties) -> bool:
    """Whether ``props`` is the stand-in of a null section (see :func:`_empty_section`)."""
    parent = _GET_PARENT(props)
    if parent is None:
        return False
    siblings = _GET_CHILDREN(parent)
    name = _GET_PARENT_ATTR(props)
    if siblings is None or name is None:
        return False
    entry = siblings.get(name)
    return type(entry) is tuple and entry[0] is None and entry[1] is props


def _shape_of(props: Properties) -> Shape:
    """The schema shape of the object ``props`` wraps (None when not known)."""
    path: list[tuple[str | None, bool]] = []
    node = props
    parent = _GET_PARENT(node)
    while parent is not None:
        path.append((_GET_PARENT_ATTR(node), _index_of(node) is not None))
        node = parent
        parent = _GET_PARENT(node)
    entity = _GET_ENTITY(node)
    if entity is None:
        return None
    shape: Shape = type(entity)._SHAPE
    for name, in_list in reversed(path):
        if not isinstance(shape, Mapping) or name is None:
            return None
        shape = shape.get(name)
        if in_list:
            shape = shape[0] if isinstance(shape, tuple) else None
    return shape


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
    obj: Properties = _NEW(cls)
    if parent is None and parent_attr is None and index is None:
        # The root of an entity's document (one per customer of a page): the slots left unset
        # read as their defaults through _owned() and _index_of().
        _SET_DATA(obj, data)
        _SET_PARENT(obj, None)
        _SET_CHILDREN(obj, None)
        _SET_ENTITY(obj, entity)
        if owned:
            _SET_OWNED(obj, True)
        return obj
    _init(obj, data, parent, parent_attr, index, owned, entity)
    return obj


def _unpickle_properties(cls: type[Properties], data: dict[str, Any]) -> Properties:
    return _make(cls, data, None, None, None, True, None)


def _set_parent(obj: Properties, parent: Properties, name: str) -> None:
    _SET_PARENT(obj, parent)
    _SET_PARENT_ATTR(obj, name)
    _SET_INDEX(obj, None)


def _owned(obj: Properties) -> bool:
    return getattr(obj, "_owned", False)


def _index_of(obj: Properties) -> int | None:
    return getattr(obj, "_index", None)


def _entity_of(obj: Properties) -> Any:
    """The entity (Customer, Event, item) whose document ``obj`` belongs to, if any."""
    parent = _GET_PARENT(obj)
    while parent is not None:
        obj = parent
        parent = _GET_PARENT(obj)
    # Every root sets _entity (None when the tree belongs to no entity).
    return _GET_ENTITY(obj)


def _has_containers(value: list[Any]) -> bool:
    # A plain loop: any() over a generator costs more on the short lists of a document.
    for element in value:  # noqa: SIM110
        if type(element) is dict or type(element) is list:
            return True
    return False


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


def _to_plain(value: Any, where: str = "value") -> Any:
    """The value to store in a document: models become dictionaries, containers are copied.

    Raises:
        TypeError: the value (or something inside it) cannot travel as JSON; the message says
            where it is, e.g. ``customer.base.tags[1]``.
    """
    kind = type(value)
    if kind in (str, int, float, bool) or value is None:
        return value
    plain = copy_plain(value)
    _check_plain(plain, where)
    return plain


# What a document may hold: JSON values, plus what DateEncoder writes as strings or numbers.
_LEAF_TYPES = (str, int, float, date, UUID, Decimal)


def _check_plain(value: Any, where: str) -> None:
    if value is None or isinstance(value, _LEAF_TYPES):
        return
    if type(value) is dict:
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where}: keys must be strings, got {key!r}")
            _check_plain(item, f"{where}.{key}")
        return
    if type(value) is list:
        for index, item in enumerate(value):
            _check_plain(item, f"{where}[{index}]")
        return
    raise TypeError(
        f"{where}: cannot store a {type(value).__name__}; use strings, numbers, booleans, None, "
        "dates, datetimes, Properties, dicts or lists of them"
    )


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
