"""Job: a customer's job, stored in ``base.jobs``."""

from __future__ import annotations

from contacthub.models._item import CustomerItem

__all__ = ["Job"]


class Job(CustomerItem):
    """A job of a customer (``base.jobs``), with its own endpoints.

    ``Job(customer=c, id='01', jobTitle='...', companyName='...', isCurrent=True,
    startDate='2010-10-06').post()`` adds one; ``put()`` replaces the stored one with the same
    id, ``delete()`` removes it.

    Args:
        customer: the Customer it belongs to (a stored one: its id is used).
        parent_attr: where it lives in the customer (default ``base.jobs``).
        properties_class: accepted for compatibility with the original SDK; unused.
        attributes: the job's fields (``id``, ``jobTitle``, ``companyName``,
            ``companyIndustry``, ``startDate``, ``endDate``, ``isCurrent``).
    """

    __slots__ = ()
    _LIST = "jobs"
    _NOUN = "job"
