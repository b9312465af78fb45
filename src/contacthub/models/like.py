"""Like: something a customer likes, stored in ``base.likes``."""

from __future__ import annotations

from contacthub.models._item import CustomerItem

__all__ = ["Like"]


class Like(CustomerItem):
    """A like of a customer (``base.likes``), with its own endpoints.

    ``Like(customer=c, id='01', name='...', category='...', createdTime=datetime.now()).post()``
    adds one; ``put()`` replaces the stored one with the same id, ``delete()`` removes it.

    Args:
        customer: the Customer it belongs to (a stored one: its id is used).
        parent_attr: where it lives in the customer (default ``base.likes``).
        properties_class: accepted for compatibility with the original SDK; unused.
        attributes: the like's fields (``id``, ``name``, ``category``, ``createdTime``).
    """

    __slots__ = ()
    _LIST = "likes"
    _NOUN = "like"
