"""A list that refuses in-place changes."""

from __future__ import annotations

from typing import Any, NoReturn, SupportsIndex, TypeVar

T = TypeVar("T")


class ReadOnlyList(list[T]):
    """A list whose contents cannot be changed in place.

    Reading, iterating, slicing and ``+`` work as on a list; ``append``, ``extend``, ``insert``,
    ``pop``, ``remove``, ``reverse``, ``sort``, ``clear``, item assignment and deletion raise
    :class:`ValueError`. Build a new list instead (``attr = attr + [item]`` or ``attr += [item]``
    on an entity attribute, which assigns a new list).
    """

    @staticmethod
    def not_implemented(*args: Any, **kwargs: Any) -> NoReturn:
        """Raise :class:`ValueError`: the operation would change a read-only list."""
        raise ValueError("this list is read-only: assign a new list instead of changing it")

    append = not_implemented
    extend = not_implemented
    insert = not_implemented
    pop = not_implemented
    remove = not_implemented
    reverse = not_implemented
    sort = not_implemented
    clear = not_implemented

    def __setitem__(self, index: SupportsIndex | slice, value: Any) -> NoReturn:
        self.not_implemented()

    def __delitem__(self, index: SupportsIndex | slice) -> NoReturn:
        self.not_implemented()

    # `entity.attr += [item]` must work: return a new list, which Python then assigns back to
    # the attribute, instead of changing this one in place.
    def __iadd__(self, other: Any) -> ReadOnlyList[T]:  # type: ignore[misc,override]
        return ReadOnlyList([*self, *other])

    def __imul__(self, count: SupportsIndex) -> ReadOnlyList[T]:
        return ReadOnlyList(list(self) * count)

    # copy, deepcopy and pickle rebuild a list by appending to an empty one, which this class
    # refuses: rebuild it from its items instead (subclasses with other constructors come back
    # as a plain ReadOnlyList of the same items).
    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        return (ReadOnlyList, (list(self),))
