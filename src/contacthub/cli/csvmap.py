"""Mapping between flat rows (CSV columns) and the nested documents of the API.

A CSV column names a field by its dotted path (``base.contacts.email``). Cells are text, so each
known field has a kind saying how its text becomes a JSON value: a string, a number, a boolean, a
list of strings joined by a separator (``tags.manual``), or a JSON document (lists of objects such
as ``base.educations``). A header may force a kind with a suffix, ``extended.age:int``, which is
how fields of a workspace's own schema (``extended.*``, event ``properties.*``) get typed values.

The same kinds drive the reverse, :func:`flatten`, used by CSV export, so an exported file can be
imported back.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["str", "int", "number", "bool", "list", "json", "any"]

#: The kinds a header may force with a ``:kind`` suffix, and their aliases.
KIND_SUFFIXES: dict[str, Kind] = {
    "str": "str",
    "string": "str",
    "int": "int",
    "integer": "int",
    "float": "number",
    "number": "number",
    "bool": "bool",
    "boolean": "bool",
    "list": "list",
    "json": "json",
}

#: Columns written by a rejects file; an import ignores them so that a fixed rejects file can be
#: imported again as it is.
REJECT_COLUMNS = ("_line", "_status", "_field", "_error")

#: Read-only fields of an exported customer or event: an import ignores them, so that an export can
#: be imported into another node as it is.
READ_ONLY_CUSTOMER = frozenset({"id", "nodeId", "registeredAt", "updatedAt"})
READ_ONLY_EVENT = frozenset({"id", "registeredAt", "updatedAt"})


def _consents() -> dict[str, Any]:
    leaf = {"status": "bool", "limitation": "bool", "objection": "bool"}
    return {
        "disclaimer": {"date": "str", "version": "str"},
        "marketing": {
            "traditional": dict.fromkeys(("telephonic", "papery"), leaf),
            "automatic": dict.fromkeys(("sms", "email", "push", "im", "telephonic"), leaf),
        },
        "profiling": dict.fromkeys(("classic", "online"), leaf),
        "softSpam": dict.fromkeys(("email", "papery"), leaf),
        "thirdPartyTransfer": dict.fromkeys(("profiling", "marketing"), leaf),
    }


# The customer document of the API (contract §6): a nested dict whose leaves are kinds. A field
# whose value is an object that is not described here ("extended") maps to "any": every dotted
# column below it is accepted, as a string unless its header says otherwise.
CUSTOMER_SCHEMA: dict[str, Any] = {
    "externalId": "str",
    "extra": "str",
    "enabled": "bool",
    "base": {
        **dict.fromkeys(
            (
                "pictureUrl",
                "title",
                "prefix",
                "firstName",
                "lastName",
                "middleName",
                "gender",
                "dob",
                "locale",
                "timezone",
            ),
            "str",
        ),
        "contacts": {
            "email": "str",
            "fax": "str",
            "mobilePhone": "str",
            "phone": "str",
            "otherContacts": "json",
            "mobileDevices": "json",
        },
        "address": {
            **dict.fromkeys(("street", "city", "country", "province", "region", "zip"), "str"),
            "geo": {"lat": "number", "lon": "number"},
        },
        "credential": {"username": "str", "password": "str"},
        "educations": "json",
        "likes": "json",
        "jobs": "json",
        "subscriptions": "json",
        "socialProfile": dict.fromkeys(
            ("facebook", "google", "instagram", "linkedin", "qzone", "twitter"), "str"
        ),
    },
    "extended": "any",
    "consents": _consents(),
    "tags": {"auto": "list", "manual": "list"},
}

# Event `properties` differ per type (contract §7.4); rather than one schema per type, the names
# that are numeric or lists of strings wherever they appear are typed here.
_EVENT_NUMBERS = frozenset(
    {
        "price",
        "quantity",
        "subtotal",
        "discount",
        "tax",
        "weight",
        "itemQuantity",
        "rewardAmount",
        "total",
        "revenue",
        "shipping",
        "exchangeRate",
        "lat",
        "lon",
    }
)
_EVENT_INTS = frozenset(
    {
        "resultCount",
        "orderLineId",
        "packages",
        "userdbId",
        "isWirelessDevice",
        "isMobile",
        "isTablet",
    }
)
_EVENT_LISTS = frozenset({"pageCategories", "pageTags", "linkTags", "campaignTags", "category"})
_EVENT_JSON = frozenset({"products", "classifications", "contents", "extraProperties"})

EVENT_SCHEMA: dict[str, Any] = {
    "type": "str",
    "context": "str",
    "date": "str",
    "customerId": "str",
    # Shorthands of the command line: the owner by external id or by session id.
    "externalId": "str",
    "sessionId": "str",
    "bringBackProperties": {"type": "str", "value": "str", "nodeId": "str"},
    "properties": "any",
    "contextInfo": "any",
    "tracking": {
        "ga": dict.fromkeys(
            ("utm_source", "utm_medium", "utm_term", "utm_content", "utm_campaign"), "str"
        )
    },
}


class MappingError(ValueError):
    """A cell or a column that cannot be mapped; says which field and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Column:
    """One CSV column: where its value goes and how its text is read."""

    header: str
    path: tuple[str, ...]
    kind: Kind
    ignored: bool = False

    @property
    def field(self) -> str:
        """The dotted path, without any ``:kind`` suffix."""
        return ".".join(self.path)


def _known_paths(schema: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    for key, value in schema.items():
        path = f"{prefix}{key}"
        yield path
        if isinstance(value, Mapping):
            yield from _known_paths(value, path + ".")


def _lookup_kind(schema: Mapping[str, Any], path: tuple[str, ...]) -> Kind | None:
    """The kind of ``path`` in ``schema``; None when the schema has no such field."""
    node: Any = schema
    for depth, part in enumerate(path):
        if node == "any":
            return "any"
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
        if node == "any" and depth < len(path) - 1:
            return "any"
    if isinstance(node, Mapping):
        # A whole object in one cell (`base.address`): a JSON document.
        return "json"
    return node  # type: ignore[no-any-return]


def _event_kind(path: tuple[str, ...]) -> Kind:
    leaf = path[-1]
    if leaf in _EVENT_NUMBERS:
        return "number"
    if leaf in _EVENT_INTS:
        return "int"
    if leaf in _EVENT_LISTS:
        return "list"
    if leaf in _EVENT_JSON:
        return "json"
    return "str"


def apply_map(header: list[str], mapping: Mapping[str, str]) -> list[str]:
    """The header with each ``--map COLUMN=PATH`` column renamed to its path.

    Raises :class:`MappingError` for a mapped column the header does not have.
    """
    names = [name.strip() for name in header]
    for column in mapping:
        if column not in names:
            close = difflib.get_close_matches(column, names, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise MappingError(column, f"--map names a column the header does not have{hint}")
    return [mapping.get(name, name) for name in names]


def parse_header(header: list[str], entity: Literal["customers", "events"]) -> list[Column]:
    """Turn a CSV header into columns, refusing unknown, empty or repeated field names.

    Raises :class:`MappingError` naming the first bad column (with a suggestion when a known name
    is close).
    """
    schema = CUSTOMER_SCHEMA if entity == "customers" else EVENT_SCHEMA
    read_only = READ_ONLY_CUSTOMER if entity == "customers" else READ_ONLY_EVENT
    columns: list[Column] = []
    seen: set[str] = set()
    for number, raw in enumerate(header, start=1):
        name = raw.strip()
        if not name:
            raise MappingError(f"column {number}", "the header names no field")
        if name in REJECT_COLUMNS:
            columns.append(Column(name, (name,), "str", ignored=True))
            continue
        field, _, suffix = name.partition(":")
        path = tuple(field.split("."))
        if any(not part for part in path):
            raise MappingError(name, "a field path has an empty part")
        if field in seen:
            raise MappingError(name, "the column appears twice")
        seen.add(field)
        if field in read_only or field.startswith("sourceInfo."):
            columns.append(Column(name, path, "str", ignored=True))
            continue
        kind = _lookup_kind(schema, path)
        if kind is None:
            known = list(_known_paths(schema))
            close = difflib.get_close_matches(field, known, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise MappingError(name, f"unknown field{hint}")
        if kind == "any":
            # A whole free-form object in one cell (`extended`, `properties`) is JSON.
            kind = "json" if len(path) == 1 else _event_kind(path) if entity == "events" else "str"
        if suffix:
            forced = KIND_SUFFIXES.get(suffix.strip().lower())
            if forced is None:
                raise MappingError(
                    name, f"unknown type {suffix!r} (use one of {', '.join(KIND_SUFFIXES)})"
                )
            kind = forced
        columns.append(Column(name, path, kind))
    return columns


_TRUE = frozenset({"true", "t", "yes", "y", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})


def parse_cell(text: str, kind: Kind, separator: str) -> Any:
    """Read the text of one cell as a value of ``kind``; raise ValueError saying why not."""
    if kind in ("str", "any"):
        return text
    stripped = text.strip()
    if kind == "int":
        try:
            return int(stripped)
        except ValueError:
            raise ValueError(f"{text!r} is not a whole number") from None
    if kind == "number":
        try:
            number = float(stripped)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        if not math.isfinite(number):
            raise ValueError(f"{text!r} is not a finite number")
        return (
            int(number)
            if number.is_integer() and "." not in stripped and "e" not in stripped.lower()
            else number
        )
    if kind == "bool":
        lowered = stripped.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(f"{text!r} is not a boolean (use true or false)")
    if kind == "list":
        # An exported list whose items contain the separator is written as a JSON array.
        if stripped.startswith("["):
            try:
                value = json.loads(stripped)
            except json.JSONDecodeError:
                value = None
            if isinstance(value, list):
                return value
        return [item.strip() for item in text.split(separator) if item.strip()]
    try:
        return json.loads(stripped)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON ({exc.msg} at character {exc.pos + 1})") from None


def build_document(columns: list[Column], cells: list[str], separator: str) -> dict[str, Any]:
    """Build the nested document of one CSV row; an empty cell leaves its field out.

    Raises :class:`MappingError` naming the field of the first bad cell.
    """
    document: dict[str, Any] = {}
    for column, text in zip(columns, cells, strict=False):
        if column.ignored or text == "":
            continue
        try:
            value = parse_cell(text, column.kind, separator)
        except ValueError as exc:
            raise MappingError(column.field, str(exc)) from None
        target = document
        for part in column.path[:-1]:
            child = target.setdefault(part, {})
            if not isinstance(child, dict):
                raise MappingError(column.field, f"{part} is already set to a non-object value")
            target = child
        leaf = column.path[-1]
        if isinstance(target.get(leaf), dict) and isinstance(value, dict):
            target[leaf].update(value)
        else:
            target[leaf] = value
    return document


def event_shorthands(document: dict[str, Any], node_id: str) -> dict[str, Any]:
    """Turn the ``externalId``/``sessionId`` shorthands of an event into bringBackProperties.

    Also fills ``bringBackProperties.nodeId`` with the importing node when it is missing.
    Raises :class:`MappingError` when the owner is given twice in conflicting ways.
    """
    external_id = document.pop("externalId", None)
    session_id = document.pop("sessionId", None)
    if external_id is not None or session_id is not None:
        if "bringBackProperties" in document:
            field = "externalId" if external_id is not None else "sessionId"
            raise MappingError(field, "give either this shorthand or bringBackProperties, not both")
        if external_id is not None:
            document["bringBackProperties"] = {"type": "EXTERNAL_ID", "value": str(external_id)}
        else:
            document["bringBackProperties"] = {"type": "SESSION_ID", "value": str(session_id)}
    bring_back = document.get("bringBackProperties")
    if isinstance(bring_back, dict) and not bring_back.get("nodeId"):
        bring_back["nodeId"] = node_id
    return document


def strip_read_only(
    document: dict[str, Any], entity: Literal["customers", "events"]
) -> dict[str, Any]:
    """Drop the read-only fields of an export and the columns of a rejects file."""
    read_only = READ_ONLY_CUSTOMER if entity == "customers" else READ_ONLY_EVENT
    for key in (*read_only, *REJECT_COLUMNS, "sourceInfo", "_raw"):
        document.pop(key, None)
    return document


def _scalar_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def flatten(document: Mapping[str, Any], separator: str, prefix: str = "") -> dict[str, str]:
    """Flatten a document into dotted columns and cell texts, the reverse of :func:`build_document`.

    Objects become dotted columns; a list of scalars is joined with ``separator`` (or written as a
    JSON array when an item contains the separator); any other list is written as JSON. An
    empty object gives no column (a null one gives an empty cell under its own name).
    """
    row: dict[str, str] = {}
    for key, value in document.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            # A null or empty object has no column of its own: its fields' columns stay empty.
            row.update(flatten(value, separator, name + "."))
        elif isinstance(value, list):
            scalars = all(
                isinstance(item, (str, int, float)) and not isinstance(item, bool) for item in value
            )
            if scalars and not any(separator in str(item) for item in value):
                row[name] = separator.join(str(item) for item in value)
            else:
                row[name] = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        else:
            row[name] = _scalar_text(value)
    return row


#: The columns an export writes around the schema's: read-only fields, first and last.
_LEADING = {"customers": ("id", "nodeId"), "events": ("id",)}
_TRAILING = {
    "customers": ("sourceInfo.registeredBy", "sourceInfo.updatedBy", "registeredAt", "updatedAt"),
    "events": ("registeredAt", "updatedAt"),
}
#: Names an import reads that are not fields of a stored document (event owner shorthands).
_NOT_STORED = {"customers": frozenset(), "events": frozenset({"externalId", "sessionId"})}


def export_columns(entity: Literal["customers", "events"], seen: Iterable[str]) -> list[str]:
    """The columns of a CSV export: the same layout for any data, derived from the schema.

    Every field of the schema has its column, in the schema's order (read-only ones first and
    last), whether or not any document has a value; the fields of free-form objects
    (``extended.*``, ``properties.*``, ``contextInfo.*``) that documents have come where that
    object stands, sorted; anything else a document had comes last, sorted.
    """
    schema = CUSTOMER_SCHEMA if entity == "customers" else EVENT_SCHEMA
    present = set(seen)
    columns: list[str] = list(_LEADING[entity])

    def walk(node: Mapping[str, Any], prefix: str) -> None:
        for key, value in node.items():
            name = f"{prefix}{key}"
            if name in _NOT_STORED[entity]:
                continue
            if isinstance(value, Mapping):
                present.discard(name)  # a null object: its fields' columns say it all
                walk(value, name + ".")
            elif value == "any":
                inner = sorted(c for c in present if c == name or c.startswith(name + "."))
                columns.extend(inner)
            else:
                columns.append(name)

    walk(schema, "")
    columns.extend(_TRAILING[entity])
    placed = set(columns)
    columns.extend(sorted(present - placed))
    return columns


def _value_kind(value: Any) -> Kind | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        scalars = all(
            isinstance(item, (str, int, float)) and not isinstance(item, bool) for item in value
        )
        return "list" if scalars else "json"
    if isinstance(value, Mapping):
        return "json"
    return "str"


class HeaderTypes:
    """The kinds of the values an export wrote per column, to type the CSV header.

    Import reads the fields the schema knows with the right kind already; a field it does not
    know (``extended.*``, most event ``properties.*``) is read as text unless its header has a
    ``:kind`` suffix. An export adds that suffix wherever its values were all of one non-text
    kind, so that exporting and importing again gives back the same values.
    """

    def __init__(self, entity: Literal["customers", "events"]) -> None:
        self._entity = entity
        self._kinds: dict[str, set[Kind]] = {}

    def observe(self, document: Mapping[str, Any], prefix: str = "") -> None:
        """Note the kinds of the values of one document (the columns of :func:`flatten`)."""
        for key, value in document.items():
            name = f"{prefix}{key}"
            if isinstance(value, Mapping) and value:
                self.observe(value, name + ".")
                continue
            kind = _value_kind(value)
            if kind is not None:
                self._kinds.setdefault(name, set()).add(kind)

    def header(self, column: str) -> str:
        """The header for ``column``: the column, with a ``:kind`` suffix when import needs it."""
        kinds = self._kinds.get(column, set())
        if kinds == {"int", "number"}:
            kinds = {"number"}
        if len(kinds) != 1:
            return column
        (kind,) = kinds
        try:
            (parsed,) = parse_header([column], self._entity)
        except MappingError:
            return column
        if parsed.ignored or parsed.kind == kind or (parsed.kind == "number" and kind == "int"):
            return column
        if kind == "str" or parsed.kind == "json":
            return column
        return f"{column}:{kind}"
