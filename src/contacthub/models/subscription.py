"""Subscription: a customer's subscription to a service or list, stored in ``base.subscriptions``."""

from __future__ import annotations

from contacthub.models._item import CustomerItem

__all__ = ["Subscription"]


class Subscription(CustomerItem):
    """A subscription of a customer (``base.subscriptions``), with its own endpoints.

    ``Subscription(customer=c, id='02', name='...', kind=Subscription.KINDS.SERVICE,
    subscribed=True, preferences=[{'key': 'k', 'value': 'v'}]).post()`` adds one; ``put()``
    replaces the stored one with the same id, ``delete()`` removes it.

    Args:
        customer: the Customer it belongs to (a stored one: its id is used).
        parent_attr: where it lives in the customer (default ``base.subscriptions``).
        properties_class: accepted for compatibility with the original SDK; unused.
        attributes: the subscription's fields (``id``, ``name``, ``type``, ``kind``,
            ``subscribed``, ``subscriberId``, ``startDate``, ``endDate``, ``preferences``, ...).
    """

    __slots__ = ()
    _LIST = "subscriptions"
    _NOUN = "subscription"

    class KINDS:
        """Values of ``kind``."""

        DIGITAL_MESSAGE = "DIGITAL_MESSAGE"
        SERVICE = "SERVICE"
        OTHER = "OTHER"
