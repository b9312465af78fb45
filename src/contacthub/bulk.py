"""Concurrent bulk import and export over the workspace's one transport.

`Node` inherits :class:`BulkOperations`, so the bulk methods are called on a node.
"""

from __future__ import annotations


class BulkOperations:
    """Bulk methods mixed into :class:`contacthub.node.Node`."""
