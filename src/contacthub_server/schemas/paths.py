"""Attribute paths: the dotted names by which queries, sorts and the value index reach a value.

A path is segments joined by dots; a segment is letters, digits, ``_`` or ``-``, which is every
key the documents use and nothing that could change a SQL or JSON-path expression.
"""

from __future__ import annotations

import re

SEGMENT = re.compile(r"[A-Za-z0-9_\-]+")
"""One segment of an attribute path."""

MAX_PATH_LENGTH = 255
"""Paths longer than this are not indexed (and a query path longer than this is refused)."""

MAX_PATH_SEGMENTS = 32
"""The most segments a query, sort or fields path may have (documents nest at most 64 levels,
but no property a person queries is that deep)."""
