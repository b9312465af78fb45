"""The query helpers under the guide's short module name: ``from contacthub.query import in_``."""

from contacthub.models.query import Query, between_, in_, not_in_

__all__ = ["Query", "between_", "in_", "not_in_"]
