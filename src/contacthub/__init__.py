"""ContactHub Python SDK."""

from contacthub._version import __version__

__all__ = ["__version__"]
