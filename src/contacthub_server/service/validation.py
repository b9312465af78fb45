"""Validation of everything a client sends the hub: customers, items, events, sessions, and the
node settings of a ``--config`` file.

Each ``validate_*`` function returns a canonical copy of its input (dates rewritten in the hub's
form, read-only fields dropped) or raises :class:`ValidationFailed` listing every problem found,
each with the JSON pointer of the offending value, so that a 400 tells the client all it must fix.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema
import jsonschema.exceptions
import jsonschema.validators
import referencing.exceptions

from contacthub_server.schemas import customer as customer_schema
from contacthub_server.schemas import event as event_schema
from contacthub_server.schemas import session as session_schema
from contacthub_server.schemas.configuration import MANDATORY_PATH
from contacthub_server.schemas.dates import now
from contacthub_server.schemas.spec import (
    Bool,
    FieldError,
    ListOf,
    Num,
    Obj,
    Spec,
    Str,
    json_type,
    pointer,
    unstorable_text,
)
from contacthub_server.service.matching import BLOCK, DEFAULT_PROPERTIES, MODES
from contacthub_server.settings import MAX_INDEX_DELAY_MS

__all__ = [
    "CheckedEvent",
    "FieldError",
    "ValidationFailed",
    "check_event",
    "validate_customer",
    "validate_event",
    "validate_item",
    "validate_node_settings",
    "validate_session",
]

ITEM_KINDS: tuple[str, ...] = tuple(customer_schema.ITEMS)
"""The kinds of customer item with their own endpoints: educations, likes, jobs, subscriptions."""


class ValidationFailed(ValueError):
    """A document broke the rules; ``errors`` lists every problem, each with its JSON pointer."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = list(errors)
        first = self.errors[0] if self.errors else FieldError("", "invalid document")
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        super().__init__(f"{first.path or '/'}: {first.message}{more}")


MAX_DEPTH = 64
"""The deepest nesting of objects and arrays accepted in a document."""


def _root_object(doc: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(doc, Mapping):
        raise ValidationFailed(
            [FieldError("", f"{what} must be a JSON object, not {json_type(doc)}")]
        )
    _check_depth(doc)
    return doc


# Where a walk is, as a chain (parent trail, key): cheap to extend at every node, turned into a
# JSON pointer only when there is something to report.
_Trail = tuple[Any, str | int] | None


def _pointer_of(trail: _Trail) -> str:
    keys: list[str | int] = []
    while trail is not None:
        trail, key = trail
        keys.append(key)
    path = ""
    for key in reversed(keys):
        path = pointer(path, key)
    return path


def _check_depth(doc: Any) -> None:
    """Refuse documents nested deeper than MAX_DEPTH, before any recursive walk: the JSON parser
    accepts about a thousand levels, more than Python's recursion lets the rules walk."""
    stack: list[tuple[Any, int, _Trail]] = [(doc, 0, None)]
    while stack:
        value, depth, trail = stack.pop()
        if depth > MAX_DEPTH:
            message = f"is nested too deeply (more than {MAX_DEPTH} levels of objects and arrays)"
            raise ValidationFailed([FieldError(_pointer_of(trail), message)])
        items = value.items() if isinstance(value, Mapping) else enumerate(value)
        for key, item in items:
            if isinstance(item, Mapping | list):
                stack.append((item, depth + 1, (trail, key)))


_INTEGER_RANGE = (-(2**63), 2**63 - 1)


def _check_storable(value: Any, path: str, errors: list[FieldError]) -> None:
    """Report what JSON allows but the hub cannot store: the NUL character (U+0000) in a string
    or key (PostgreSQL refuses it, and no client means it), a lone surrogate (no Unicode text:
    it has no UTF-8 form) and integers beyond 64 bits."""
    low, high = _INTEGER_RANGE
    stack: list[tuple[Any, _Trail]] = [(value, None)]
    while stack:
        current, trail = stack.pop()
        if isinstance(current, str):
            problem = unstorable_text(current)
            if problem is not None:
                errors.append(FieldError(path + _pointer_of(trail), problem))
        elif isinstance(current, int) and not isinstance(current, bool):
            if not low <= current <= high:
                where = path + _pointer_of(trail)
                errors.append(FieldError(where, "is too large: integers must fit in 64 bits"))
        elif isinstance(current, Mapping):
            for key, item in current.items():
                problem = unstorable_text(key) if isinstance(key, str) else None
                if problem is not None:
                    where = path + _pointer_of((trail, key))
                    errors.append(FieldError(where, f"the key {problem}"))
                stack.append((item, (trail, key)))
        elif isinstance(current, list):
            stack.extend((item, (trail, index)) for index, item in enumerate(current))


def storable_errors(value: Any, path: str = "") -> list[FieldError]:
    """What in ``value`` (found at ``path``) the hub could not store: NUL characters in strings
    or keys, integers beyond 64 bits. Empty when it can be stored."""
    errors: list[FieldError] = []
    _check_storable(value, path, errors)
    return errors


def _json_size(value: Any) -> int:
    # "surrogatepass": a lone surrogate is reported by _check_storable, not a crash here.
    if isinstance(value, str):
        return len(value.encode("utf-8", "surrogatepass"))
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return len(text.encode("utf-8", "surrogatepass"))


def _check_extended(extended: Any, schema: Mapping[str, Any], errors: list[FieldError]) -> None:
    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    try:
        found = sorted(validator.iter_errors(extended), key=lambda e: list(e.absolute_path))
    except referencing.exceptions.Unresolvable as exc:
        # Settings are checked for this (see _reference_errors); a schema stored before that
        # check must still not turn a request into a 500.
        errors.append(FieldError("/extended", f"cannot be checked: the node's schema has {exc}"))
        return
    for error in found:
        steps = "".join(
            "/" + str(step).replace("~", "~0").replace("/", "~1") for step in error.absolute_path
        )
        errors.append(FieldError("/extended" + steps, error.message))


def validate_customer(
    doc: Any, *, extended_schema: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Check a whole writable customer document and return its canonical copy.

    The document must carry ``nodeId`` and at least one of ``externalId``, ``base`` and
    ``extended``. ``base``, ``consents`` and ``tags`` are checked property by property (types,
    enums, formats, dates, item ids); ``base``, ``extended``, ``extra``, ``tags`` and ``consents`` may not exceed 64 KB;
    ``extended`` must satisfy ``extended_schema`` when the node configures one (any object
    otherwise). Read-only properties (``id``, ``registeredAt``, ``updatedAt``, ``sourceInfo``)
    are dropped; any other unknown property is an error, and so is the NUL character in any
    string or key. Raises :class:`ValidationFailed`.
    """
    source = _root_object(doc, "a customer")
    writable = {
        key: value for key, value in source.items() if key not in customer_schema.READ_ONLY_FIELDS
    }
    errors: list[FieldError] = []
    result: dict[str, Any] = customer_schema.CUSTOMER.check(writable, "", errors)
    if all(source.get(key) is None for key in ("externalId", "base", "extended")):
        errors.append(FieldError("", "at least one of externalId, base and extended is required"))
    for key in ("base", "extended", "extra", "tags", "consents"):
        value = source.get(key)
        if value is not None and _json_size(value) > customer_schema.MAX_SECTION_BYTES:
            errors.append(
                FieldError(f"/{key}", f"is larger than 64 KB ({_json_size(value)} bytes)")
            )
    extended = source.get("extended")
    if extended_schema is not None and isinstance(extended, Mapping):
        _check_extended(extended, extended_schema, errors)
    _check_storable(result, "", errors)
    if errors:
        raise ValidationFailed(errors)
    return result


def validate_item(kind: str, body: Any) -> dict[str, Any]:
    """Check one customer item as posted to its endpoint and return its canonical copy.

    ``kind`` is ``educations``, ``likes``, ``jobs`` or ``subscriptions`` (``ValueError``
    otherwise). The ``id`` may be absent (the caller gives the item one); unknown properties
    are kept, as the vendor's schemas leave items open. Raises :class:`ValidationFailed`.
    """
    spec = customer_schema.ITEM_BODIES.get(kind)
    if spec is None:
        raise ValueError(f"unknown item kind {kind!r}; expected one of {', '.join(ITEM_KINDS)}")
    source = _root_object(body, "an item")
    errors: list[FieldError] = []
    result: dict[str, Any] = spec.check(source, "", errors)
    _check_storable(result, "", errors)
    if errors:
        raise ValidationFailed(errors)
    return result


def validate_event(body: Any, *, strict: bool = True) -> dict[str, Any]:
    """Check a posted event and return its canonical document (without ``id``).

    ``type``, ``context`` and ``properties`` are required; the event has exactly one owner: a
    ``customerId`` or ``bringBackProperties`` (``value``, ``nodeId`` and a ``type``, SESSION_ID
    or EXTERNAL_ID, SESSION_ID when left out, the reference's default). ``date`` (a date-time: a date alone is refused) defaults to now.
    ``strict`` (a node's ``events.strictProperties``, true by default) checks ``properties``
    against the vendor's schema of its type, ``contextInfo`` against its context's and
    ``tracking`` against the tracking schema: closed objects refuse unknown keys, and types,
    nullability, required keys, enums, bounds and formats are the schemas'. Not strict, listed
    keys must have the right types and required ones must be present, unlisted keys are kept.
    The canonical document always has ``customerId``, ``bringBackProperties``, ``date``,
    ``contextInfo`` and ``tracking`` (null or ``{}`` when not given). Raises
    :class:`ValidationFailed`.
    """
    return check_event(body).for_node(strict=strict)


@dataclass(frozen=True)
class CheckedEvent:
    """A posted event checked both ways, before its node (whose settings choose) is known.

    ``owner`` holds the checked ``customerId`` and ``bringBackProperties``, the same whichever
    rules apply. :meth:`for_node` gives the canonical document under the node's rules or raises
    their :class:`ValidationFailed`.
    """

    owner: dict[str, Any]
    strict: dict[str, Any] | ValidationFailed
    relaxed: dict[str, Any] | ValidationFailed | None = None  # None: the strict document

    @property
    def needs_node(self) -> bool:
        """Whether the outcome depends on the node's rules (the strict check failed)."""
        return isinstance(self.strict, ValidationFailed)

    def for_node(self, *, strict: bool) -> dict[str, Any]:
        """The canonical event under strict or relaxed rules; ValidationFailed otherwise."""
        outcome = self.strict if strict or self.relaxed is None else self.relaxed
        if isinstance(outcome, ValidationFailed):
            raise outcome
        return dict(outcome)


def check_event(body: Any) -> CheckedEvent:
    """Check a posted event under both rules (see :func:`validate_event`).

    Problems that do not depend on the rules (the root, ``type``, ``context``, ``date``, the
    owner, unknown top-level keys, sizes, unstorable values) raise :class:`ValidationFailed` at
    once, together with what the relaxed rules find in the sections. An event valid under the
    strict rules is valid under both; otherwise the relaxed outcome is computed too.
    """
    source = _root_object(body, "an event")
    errors: list[FieldError] = []
    envelope: dict[str, Any] = {}
    for key, value in source.items():
        if key in event_schema.READ_ONLY_FIELDS:
            continue
        spec = event_schema.EVENT_FIELDS.get(key)
        if spec is not None:
            envelope[key] = spec.check(value, f"/{key}", errors)
        elif key not in _SECTIONS:
            errors.append(FieldError(pointer("", key), f"unknown property {key!r}"))
    for key in ("type", "context", "properties"):
        if source.get(key) is None:
            errors.append(FieldError(f"/{key}", "is required"))
    for key in ("properties", "contextInfo"):
        value = source.get(key)
        if value is not None and _json_size(value) > customer_schema.MAX_SECTION_BYTES:
            errors.append(FieldError(f"/{key}", "is larger than 64 KB"))
    has_customer = source.get("customerId") is not None
    has_bring_back = source.get("bringBackProperties") is not None
    if has_customer and has_bring_back:
        errors.append(FieldError("", "give either customerId or bringBackProperties, not both"))
    elif not has_customer and not has_bring_back:
        errors.append(FieldError("", "either customerId or bringBackProperties is required"))
    _check_storable(
        {key: value for key, value in source.items() if key not in event_schema.READ_ONLY_FIELDS},
        "",
        errors,
    )
    if errors:
        _event_sections(source, envelope, errors, strict=False)
        raise ValidationFailed(errors)

    bring_back = envelope.get("bringBackProperties")
    if isinstance(bring_back, dict) and "type" not in bring_back:
        envelope["bringBackProperties"] = {
            "type": event_schema.BRING_BACK_DEFAULT_TYPE,
            **bring_back,
        }
    owner = {key: envelope.get(key) for key in ("customerId", "bringBackProperties")}
    strict_errors: list[FieldError] = []
    strict = _event_document(source, envelope, strict_errors, strict=True)
    if not strict_errors:
        return CheckedEvent(owner, strict)
    relaxed_errors: list[FieldError] = []
    relaxed = _event_document(source, envelope, relaxed_errors, strict=False)
    return CheckedEvent(
        owner,
        ValidationFailed(strict_errors),
        ValidationFailed(relaxed_errors) if relaxed_errors else relaxed,
    )


_SECTIONS = ("contextInfo", "properties", "tracking")


def _event_sections(
    source: Mapping[str, Any], result: dict[str, Any], errors: list[FieldError], *, strict: bool
) -> None:
    """Check ``properties``, ``contextInfo`` and ``tracking`` into ``result`` (see
    :func:`validate_event` for what ``strict`` means)."""
    event_type, context = source.get("type"), source.get("context")
    properties_rules = event_schema.PROPERTIES if strict else event_schema.RELAXED_PROPERTIES
    context_rules = event_schema.CONTEXT_INFO if strict else event_schema.RELAXED_CONTEXT_INFO
    properties = source.get("properties")
    if properties is not None:
        spec_of_type = properties_rules.get(event_type) if isinstance(event_type, str) else None
        if spec_of_type is None:  # unknown type, reported above: still check it is an object
            spec_of_type = _ANY_PROPERTIES
        result["properties"] = spec_of_type.check(properties, "/properties", errors)
    spec_of_context = (
        context_rules.get(context) if isinstance(context, str) else None
    ) or _ANY_CONTEXT_INFO
    # A null contextInfo (or none) is an empty one: clients re-post fetched events, which carry
    # every top-level key.
    context_info = source.get("contextInfo")
    result["contextInfo"] = (
        {} if context_info is None else spec_of_context.check(context_info, "/contextInfo", errors)
    )
    if "tracking" in source:
        tracking = event_schema.TRACKING if strict else event_schema.RELAXED_TRACKING
        result["tracking"] = tracking.check(source["tracking"], "/tracking", errors)


_ANY_PROPERTIES = Obj(closed=False, nullable=False)
_ANY_CONTEXT_INFO = Obj(closed=False)
_EVENT_ORDER = ("customerId", "bringBackProperties", "type", "context", "date", "properties")


def _event_document(
    source: Mapping[str, Any],
    envelope: Mapping[str, Any],
    errors: list[FieldError],
    *,
    strict: bool,
) -> dict[str, Any]:
    """The canonical event: the checked envelope with the sections checked by one rule set."""
    result = dict(envelope)
    _event_sections(source, result, errors, strict=strict)
    result.setdefault("customerId", None)
    result.setdefault("bringBackProperties", None)
    result.setdefault("tracking", None)
    if result.get("date") is None:
        result["date"] = now()
    return {key: result[key] for key in (*_EVENT_ORDER, *result) if key in result}


def validate_session(body: Any) -> str:
    """Check the body of ``POST …/sessions`` (``{"value": "<session id>"}``) and return the value.

    The value must be a string, of any length (the reference sets no limit); ``id`` and any other
    key are accepted and ignored. Raises :class:`ValidationFailed`.
    """
    source = _root_object(body, "a session")
    errors: list[FieldError] = []
    session_schema.SESSION.check(source, "", errors)
    _check_storable(source.get("value"), "/value", errors)
    if errors:
        raise ValidationFailed(errors)
    return str(source["value"])


def _reference_errors(schema: Any, root: Mapping[str, Any], path: str) -> list[FieldError]:
    """Every ``$ref`` of a node's extended schema that the hub could not follow: the hub never
    fetches schemas from the network, so only references inside the schema itself (``#/...``)
    are allowed, and they must point at something."""
    errors: list[FieldError] = []
    if isinstance(schema, Mapping):
        ref = schema.get("$ref")
        if isinstance(ref, str):
            if not ref.startswith("#"):
                errors.append(
                    FieldError(
                        pointer(path, "$ref"),
                        f"only references inside the schema (#/...) are allowed, not {ref!r}",
                    )
                )
            elif ref.startswith("#/") and not _resolves(root, ref[2:]):
                errors.append(FieldError(pointer(path, "$ref"), f"{ref!r} points at nothing"))
        for key, value in schema.items():
            errors.extend(_reference_errors(value, root, pointer(path, key)))
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            errors.extend(_reference_errors(value, root, pointer(path, index)))
    return errors


def _resolves(root: Any, pointer_text: str) -> bool:
    target = root
    for raw in pointer_text.split("/"):
        step = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(target, Mapping) and step in target:
            target = target[step]
        elif isinstance(target, list) and step.isdigit() and int(step) < len(target):
            target = target[int(step)]
        else:
            return False
    return True


_PROPERTY_PATH = r"(base\.[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*|externalId)"

_NODE_SETTINGS = Obj(
    {
        "matching": Obj(
            {
                "properties": ListOf(Str(nullable=False, pattern=_PROPERTY_PATH)),
                "caseSensitive": Bool(),
                "policy": Str(enum=MODES),
                "requireUniqueProperties": Bool(),
            }
        ),
        "extendedSchema": Spec(),  # checked as a JSON schema below
        "mandatoryProperties": ListOf(Str(nullable=False, pattern=MANDATORY_PATH)),
        "events": Obj({"strictProperties": Bool()}),
        # null (or absent) = the hub's ``--index-delay-ms``
        "indexDelayMs": Num(
            minimum=0, maximum=MAX_INDEX_DELAY_MS, integer=True, expected="an integer"
        ),
    },
    nullable=False,
)


def validate_node_settings(obj: Any) -> dict[str, Any]:
    """Check a node's settings and return them complete, defaults filled in.

    Shape (every key optional)::

        {"matching": {"properties": ["base.contacts.email"],  # dotted paths, or "externalId"
                      "caseSensitive": false,
                      "policy": "BLOCK",                       # BLOCK | MERGE | NO_CHECK
                      "requireUniqueProperties": false},
         "extendedSchema": {...},                              # a JSON schema, or null
         "mandatoryProperties": ["base.firstName"],            # what every customer needs
         "events": {"strictProperties": true},                 # false: lenient event sections

    ``events.strictProperties`` (true by default) makes the node's events follow the vendor's
    per-type and per-context schemas (see :func:`validate_event`); false keeps the lenient
    checks, for workspaces whose events carry properties of their own.
         "indexDelayMs": 300}                                  # optional, see below

    ``indexDelayMs`` (milliseconds, 0 to ``MAX_INDEX_DELAY_MS``) is the node's indexing delay:
    its writes reach listings and searches that much later (readable by id at once); absent or
    null means the hub's ``--index-delay-ms``. It appears in the result only when set, so that
    settings without it stay what they were.

    Raises :class:`ValidationFailed` naming each bad key (an unknown key, a wrong type, a
    property list that is empty, an ``extendedSchema`` that is not a valid JSON schema).
    """
    source = _root_object({} if obj is None else obj, "node settings")
    errors: list[FieldError] = []
    checked: dict[str, Any] = _NODE_SETTINGS.check(source, "", errors)
    matching = checked.get("matching") if isinstance(checked, dict) else None
    matching = matching if isinstance(matching, dict) else {}
    properties = matching.get("properties")
    if properties is not None and isinstance(properties, list) and not properties:
        errors.append(FieldError("/matching/properties", "must name at least one property"))
    schema = source.get("extendedSchema")
    if schema is not None:
        if not isinstance(schema, Mapping):
            errors.append(
                FieldError(
                    "/extendedSchema", f"must be a JSON schema object, not {json_type(schema)}"
                )
            )
        else:
            try:
                jsonschema.validators.validator_for(schema).check_schema(schema)
            except jsonschema.exceptions.SchemaError as exc:
                where = "".join(f"/{step}" for step in exc.absolute_path)
                errors.append(
                    FieldError(f"/extendedSchema{where}", f"not a valid JSON schema: {exc.message}")
                )
            else:
                errors.extend(_reference_errors(schema, schema, "/extendedSchema"))
    if errors:
        raise ValidationFailed(errors)
    complete: dict[str, Any] = {
        "matching": {
            "properties": list(properties or DEFAULT_PROPERTIES),
            "caseSensitive": bool(matching.get("caseSensitive") or False),
            "policy": matching.get("policy") or BLOCK,
            "requireUniqueProperties": bool(matching.get("requireUniqueProperties") or False),
        },
        "extendedSchema": dict(schema) if isinstance(schema, Mapping) else None,
        "mandatoryProperties": list(checked.get("mandatoryProperties") or []),
        "events": {"strictProperties": strict_events(checked)},
    }
    if checked.get("indexDelayMs") is not None:
        complete["indexDelayMs"] = int(checked["indexDelayMs"])
    return complete


def strict_events(settings: Mapping[str, Any] | None) -> bool:
    """Whether a node's settings ask for strict event sections (the default: settings stored
    before the key existed, or without it, are strict)."""
    events = settings.get("events") if isinstance(settings, Mapping) else None
    strict = events.get("strictProperties") if isinstance(events, Mapping) else None
    return strict is not False
