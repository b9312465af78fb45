"""Education: a school a customer attended, stored in ``base.educations``."""

from __future__ import annotations

from contacthub.models._item import CustomerItem

__all__ = ["Education"]


class Education(CustomerItem):
    """An education of a customer (``base.educations``), with its own endpoints.

    ``Education(customer=c, id='01', schoolType=Education.SCHOOL_TYPES.COLLEGE,
    schoolName='...', startYear=1994, endYear=2000, isCurrent=False).post()`` adds one;
    ``put()`` replaces the stored one with the same id, ``delete()`` removes it.

    Args:
        customer: the Customer it belongs to (a stored one: its id is used).
        parent_attr: where it lives in the customer (default ``base.educations``).
        properties_class: accepted for compatibility with the original SDK; unused.
        attributes: the education's fields (``id``, ``schoolType``, ``schoolName``,
            ``schoolConcentration``, ``startYear``, ``endYear``, ``isCurrent``).
    """

    __slots__ = ()
    _LIST = "educations"
    _NOUN = "education"

    class SCHOOL_TYPES:
        """Values of ``schoolType``."""

        PRIMARY_SCHOOL = "PRIMARY_SCHOOL"
        SECONDARY_SCHOOL = "SECONDARY_SCHOOL"
        HIGH_SCHOOL = "HIGH_SCHOOL"
        COLLEGE = "COLLEGE"
        OTHER = "OTHER"
