"""A small vocabulary for describing JSON documents, and the checker that walks them.

Each ``Spec`` checks one value and returns its canonical copy (dates rewritten in the hub's form),
adding a :class:`FieldError` with a JSON pointer for every problem it
finds rather than stopping at the first, so that one 400 tells the client everything to fix.
Values are nullable unless a spec says otherwise: the API's documents show ``null`` for every unset
property.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from contacthub_server.schemas.dates import canonical_date, canonical_datetime


@dataclass(frozen=True)
class FieldError:
    """One problem in a document: where (a JSON pointer such as ``/base/contacts/email``) and what."""

    path: str
    message: str


def copy_json(value: Any) -> Any:
    """A deep copy of a JSON value (dicts, lists, scalars): several times faster than
    ``copy.deepcopy``, which handles every Python object and pays for it on each request.

    It walks with its own stack rather than by recursion, so that a document nested a thousand
    levels deep (the JSON parser allows that) is copied, not a RecursionError: PATCH merges the
    body into the stored customer before the merged result is validated.
    """
    if not isinstance(value, dict | list):
        return value
    root: Any = {} if isinstance(value, dict) else []
    stack: list[tuple[Any, Any]] = [(value, root)]
    while stack:
        source, target = stack.pop()
        pairs = source.items() if isinstance(source, dict) else enumerate(source)
        for key, item in pairs:
            if isinstance(item, dict | list):
                copied: Any = {} if isinstance(item, dict) else []
                stack.append((item, copied))
                item = copied
            if isinstance(target, dict):
                target[key] = item
            else:
                target.append(item)
    return root


def pointer(parent: str, key: str | int) -> str:
    """The JSON pointer of ``key`` under ``parent`` (``~`` and ``/`` escaped per RFC 6901)."""
    return f"{parent}/{str(key).replace('~', '~0').replace('/', '~1')}"


def json_type(value: Any) -> str:
    """The JSON name of the type of ``value``, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


class Spec:
    """The rules for one value. Subclasses implement :meth:`check_value` for non-null values."""

    nullable: bool = True
    expected: str = "a value"

    def check(self, value: Any, path: str, errors: list[FieldError]) -> Any:
        """Check ``value`` found at ``path``; record problems in ``errors``; return its canonical copy."""
        if value is None:
            if not self.nullable:
                errors.append(FieldError(path, f"must be {self.expected}, not null"))
            return None
        return self.check_value(value, path, errors)

    def check_value(self, value: Any, path: str, errors: list[FieldError]) -> Any:
        """Check a non-null value (see :meth:`check`)."""
        return copy_json(value)

    def _wrong_type(self, value: Any, path: str, errors: list[FieldError]) -> None:
        errors.append(FieldError(path, f"must be {self.expected}, not {json_type(value)}"))

    def json_schema(self, *, response: bool = False) -> dict[str, Any]:
        """This spec as an OpenAPI 3.0 schema object.

        ``response=True`` describes what the hub answers rather than what it accepts: objects are
        open (the answer may carry more keys in later versions), dates are described by the one
        form the hub writes, and lenient string formats are left out.
        """
        return self._nullable({}) if self.nullable else {}

    def _nullable(self, schema: dict[str, Any]) -> dict[str, Any]:
        if self.nullable:
            schema["nullable"] = True
            if "enum" in schema:
                schema["enum"] = [*schema["enum"], None]
        return schema


DATE_TIME_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}\+0000$"
"""The one form of the date-times the hub writes, as a JSON schema pattern."""
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
"""The one form of the dates the hub writes, as a JSON schema pattern."""

# A whole number written as a string, small enough for 64 bits.
_DIGITS = re.compile(r"-?[0-9]{1,18}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
# RFC 5322's quoted local part ("mario rossi"@example.com), which may hold spaces and @.
_QUOTED_EMAIL = re.compile(r'"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*"@[^@\s"]+')
# RFC 3986: a scheme and a colon; the rest may be empty ("about:").
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S*")
_DATE_ONLY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


#: Ids that travel as one segment of a URL path (item ids): a ``/`` would split the segment, and
#: ``.`` or ``..`` would be collapsed by HTTP clients into another resource's URL.
SEGMENT_PATTERN = r"^(?!\.{1,2}$)[^/]*$"
NOT_A_SEGMENT = "cannot be an id: an id is one segment of a URL, so not '.' or '..' and without '/'"


def unstorable_text(text: str) -> str | None:
    """What makes ``text`` impossible to store or compare, or None: the NUL character
    (PostgreSQL refuses it in text) or a lone surrogate (not Unicode: it has no UTF-8 form)."""
    if "\x00" in text:
        return "must not contain the NUL character (U+0000)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (
            f"must not contain a lone surrogate (U+{ord(text[exc.start]):04X}): it is not Unicode"
        )
    return None


def is_path_segment(value: str) -> bool:
    """Whether ``value`` can be an id in a URL path: not ``.`` or ``..``, without ``/``."""
    return value not in (".", "..") and "/" not in value


@dataclass(frozen=True)
class Str(Spec):
    """A string, optionally from an ``enum``, matching a ``pattern`` or a ``fmt``
    (``email``, ``uri``, ``ip`` (v4 or v6), ``ipv4``, or ``segment``: an id that is one URL path
    segment), and of at least ``min_length`` characters. ``noun`` names what a long enum lists,
    for error messages."""

    nullable: bool = True
    enum: tuple[str, ...] | frozenset[str] | None = None
    pattern: str | None = None
    fmt: str | None = None
    min_length: int = 0
    max_length: int | None = None
    expected: str = "a string"
    noun: str = "accepted value"

    def check_value(self, value: Any, path: str, errors: list[FieldError]) -> Any:
        if not isinstance(value, str):
            self._wrong_type(value, path, errors)
            return value
        if self.enum is not None and value not in self.enum:
            if len(self.enum) <= 12:
                allowed = ", ".join(self.enum)
                errors.append(FieldError(path, f"must be one of {allowed}; got {value!r}"))
            else:
                errors.append(FieldError(path, f"{value!r} is not a known {self.noun}"))
        elif len(value) < self.min_length:
            message = "must not be empty" if self.min_length == 1 else "is too short"
            errors.append(FieldError(path, message))
        elif self.max_length is not None and len(value) > self.max_length:
            errors.append(FieldError(path, f"must be at most {self.max_length} characters long"))
        elif self.pattern is not None and re.fullmatch(self.pattern, value) is None:
            errors.append(FieldError(path, f"{value!r} does not match the pattern {self.pattern}"))
        elif self.fmt == "segment" and not is_path_segment(value):
            errors.append(FieldError(path, f"{value!r} {NOT_A_SEGMENT}"))
        elif self.fmt is not None and self.fmt != "segment" and not _has_format(self.fmt, value):
            errors.append(FieldError(path, f"{value!r} is not a valid {self.fmt}"))
        return value

    def json_schema(self, *, response: bool = False) -> dict[str, Any]:
        """See :meth:`Spec.json_schema`."""
        return _str_schema(self, response)


def _str_schema(spec: Str, response: bool) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if spec.enum is not None:
        schema["enum"] = sorted(spec.enum) if isinstance(spec.enum, frozenset) else list(spec.enum)
    if spec.min_length:
        schema["minLength"] = spec.min_length
    if spec.max_length is not None:
        schema["maxLength"] = spec.max_length
    if spec.pattern is not None:
        schema["pattern"] = f"^{spec.pattern}$"
    if spec.fmt == "segment":
        schema["pattern"] = SEGMENT_PATTERN
    elif spec.fmt is not None and not response:
        schema["format"] = {"ip": "ip-address"}.get(spec.fmt, spec.fmt)
    return spec._nullable(schema)


def _has_format(fmt: str, value: str) -> bool:
    if fmt == "email":
        return _EMAIL.fullmatch(value) is not None or _QUOTED_EMAIL.fullmatch(value) is not None
    if fmt == "uri":
        return _URI.fullmatch(value) is not None
    if fmt == "ip":
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return False
        return True
    if fmt == "ipv4":
        try:
            ipaddress.IPv4Address(value)
        except ValueError:
            return False
        return True
    raise ValueError(f"unknown string format {fmt!r}")


@dataclass(frozen=True)
class Bool(Spec):
    """``true`` or ``false``."""

    nullable: bool = True
    expected: str = "a boolean"

    def check_value(self, value: Any, path: str, errors: list[FieldError]) -> Any:
        if not isinstance(value, bool):
            self._wrong_type(value, path, errors)
        return value

    def json_schema(self, *, response: bool = False) -> dict[str, Any]:
        """See :meth:`Spec.json_schema`."""
        return self._nullable({"type": "boolean"})


@dataclass(frozen=True)
class Num(Spec):
    """A number (never a boolean), optionally within ``[minimum, maximum]``; ``integer`` demands a
    JSON integer (``3``, not ``3.0``) or, unless ``accept_digits`` is false, a string of decimal
    digits (``"1994"``, which the SDK guide's own examples send for a start year), answered as
    the integer."""

    nullable: bool = True
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    expected: str = "a number"
    accept_digits: bool = True

    def check_value(self, value: Any, path: str, errors: list[FieldError]) -> Any:
        digits = self.integer and self.accept_digits
        if digits and isinstance(value, str) and _DIGITS.fullmatch(value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self._wrong_type(value, path, errors)
            return value
        if self.integer and isinstance(value, float):
            # 3.0 is refused too: the document says "integer", and so does JSON Schema.
            errors.append(FieldError(path, f"must be an integer, not {value!r}"))
            return value
        if self.minimum is not None and value < self.minimum:
            errors.append(FieldError(path, f"must be at least {self.minimum:g}; got {value}"))
        elif self.maximum is not None and value > self.maximum:
            errors.append(FieldError(path, f"must be at most {self.maximum:g}; got {value}"))
        return value

    def json_schema(self, *, response: bool = False) -> dict[str, Any]:
        """See :meth:`Spec.json_schema`."""
        schema: dict[str, Any] = {"type": "integer" if self.integer else "number"}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        elif self.integer:
            schema["minimum"] = -(2**63)  # the hub stores 64-bit integers
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        elif self.integer:
            schema["maximum"] = 2**63 - 1
        if self.integer and self.accept_digits and not response:
            digits = {"type": "string", "pattern": f"^{_DIGITS.pattern}$"}
            return self._nullable({"anyOf": [schema, digits]})
        return self._nullable(schema)


def Int(nullable: bool = True, minimum: float | None = None) -> Num:
    """A whole number (named like the spec classes because it reads as one)."""
    return Num(nullable=nullable, minimum=minimum, integer=True, expected="an integer")


@dataclass(frozen=True)
class Date(Spec):
    """A date, rewritten as ``YYYY-MM-DD``."""

    nullable: bool = True
    expected: str = "a date (YYYY-MM-DD)"

    def check_value(self, value: Any, path: str, errors: list[FieldError]) -> Any:
        if not isinstance(value, str):
            self._wrong_type(value, path, errors)
            return value
        try:
            return canonical_date(value)
        except ValueError:
            errors.append(FieldError(path, f"{value!r} is not a valid date (YYYY-MM-DD)"))
            return value

    def json_schema(self, *, response: bool = False) -> dict[str, Any]:
        """See :meth:`Spec.json_schema`."""
        if response:
            return self._nullable({"type": "string", "pattern": DATE_PATTERN})
        return self._nullable({"type": "string", "format": "date"})


@dataclass(frozen=True)
class DateTime(Spec):
    """A date-time, rewritten in the hub's form ``2017-03-08T10:18:17.000+0000``. With
    ``time_required`` a date alone (``2017-03-08``) is refused, as JSON Schema's ``date-time``
    format refuses it, rather than read as midnight UTC."""

    nullable: bool = True
    expected: str = "a date-time string"
    time_required: bool = False

    def check_value(self, value: Any, path: str, errors: list[FieldError]) -> Any:
        if not isinstance(value, str):
            self._wrong_type(value, path, errors)
            return value
        if self.time_required and _DATE_ONLY.fullmatch(value.strip()):
            errors.append(
                FieldError(
                    path,
                    f"{value!r} is a date, not a date-time: give the time of day too "
                    "(e.g. 2017-03-08T10:18:17.000+0000)",
                )
            )
            return value
        try:
            return canonical_datetime(value)
        except ValueError:
            errors.append(
                FieldError(
                    path,
                    f"{value!r} is not a valid date-time (e.g. 2017-03-08T10:18:17.000+0000)",
                )
            )
            return value

    def json_schema(self, *, response: bool = False) -> dict[str, Any]:
        """See :meth:`Spec.json_schema`."""
        if response:
            return self._nullable({"type": "string", "pattern": DATE_TIME_PATTERN})
        alone = "a date alone is refused" if self.time_required else "a date alone is midnight UTC"
        return self._nullable(
            {
                "type": "string",
                "format": "date-time",
                "description": f"Any offset (Z, +0000, +00:00) or none (UTC); {alone}. "
                "Answered as 2017-03-08T10:18:17.000+0000.",
            }
        )


@dataclass(frozen=True)
class AnyObject(Spec):
    """Any JSON object, kept as it is."""

    nullable: bool = True
    expected: str = "an object"

    def check_value(self, value: Any, path: str, errors: list[FieldError]) -> Any:
        if not isinstance(value, Mapping):
            self._wrong_type(value, path, errors)
            return value
        return copy_json(dict(value))

    def json_schema(self, *, response: bool = False) -> dict[str, Any]:
        """See :meth:`Spec.json_schema`."""
        return self._nullable({"type": "object", "additionalProperties": True})


@dataclass(frozen=True)
class Obj(Spec):
    """An object with known ``fields``. ``closed`` objects refuse unknown keys; open ones keep them
    unchanged. ``required`` keys must be present and not null."""

    fields: Mapping[str, Spec] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    closed: bool = True
    nullable: bool = True
    expected: str = "an object"

    def check_value(self, value: Any, path: str, errors: list[FieldError]) -> Any:
        if not isinstance(value, Mapping):
            self._wrong_type(value, path, errors)
            return value
        result: dict[str, Any] = {}
        for key in self.required:
            if value.get(key) is None:
                errors.append(FieldError(pointer(path, key), "is required"))
        for key, item in value.items():
            spec = self.fields.get(key)
            if spec is not None:
                if item is None and key in self.required:
                    result[key] = None  # already reported as required
                else:
                    result[key] = spec.check(item, pointer(path, key), errors)
            elif self.closed:
                errors.append(FieldError(pointer(path, key), f"unknown property {key!r}"))
            else:
                result[key] = copy_json(item)
        return result

    def json_schema(self, *, response: bool = False) -> dict[str, Any]:
        """See :meth:`Spec.json_schema`."""
        properties = {key: spec.json_schema(response=response) for key, spec in self.fields.items()}
        for key in self.required:  # a required key must also be non-null
            required = properties.get(key, {})
            if required.pop("nullable", False) and "enum" in required:
                required["enum"] = [value for value in required["enum"] if value is not None]
        schema: dict[str, Any] = {"type": "object", "properties": properties}
        if self.required:
            schema["required"] = list(self.required)
        schema["additionalProperties"] = response or not self.closed
        return self._nullable(schema)


@dataclass(frozen=True)
class ListOf(Spec):
    """An array whose every element satisfies ``item``. With ``unique_ids`` its elements are
    objects whose ``id`` must not repeat."""

    item: Spec = field(default_factory=Spec)
    nullable: bool = True
    unique_ids: bool = False
    expected: str = "an array"

    def check_value(self, value: Any, path: str, errors: list[FieldError]) -> Any:
        if not isinstance(value, list):
            self._wrong_type(value, path, errors)
            return value
        result = [
            self.item.check(element, pointer(path, i), errors) for i, element in enumerate(value)
        ]
        if self.unique_ids:
            seen: set[Any] = set()
            for i, element in enumerate(value):
                if isinstance(element, Mapping) and isinstance(element.get("id"), str):
                    if element["id"] in seen:
                        errors.append(
                            FieldError(
                                pointer(pointer(path, i), "id"), f"duplicate id {element['id']!r}"
                            )
                        )
                    seen.add(element["id"])
        return result

    def json_schema(self, *, response: bool = False) -> dict[str, Any]:
        """See :meth:`Spec.json_schema`."""
        return self._nullable({"type": "array", "items": self.item.json_schema(response=response)})
