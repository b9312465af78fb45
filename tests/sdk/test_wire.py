"""contacthub._wire: every request shape the SDK sends, unit by unit, then over HTTP to the hub."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from contacthub import _wire
from contacthub._http import Transport
from contacthub.bulk import BulkItem, holds
from contacthub.errors import APIError
from contacthub.models import Customer
from contacthub.models.query import Query
from contacthub.node import Node

LocalZone = Callable[[str], None]

# ------------------------------------------------------------------------------ parse_instant


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017-03-08T10:18:17.000+0000", datetime(2017, 3, 8, 10, 18, 17, tzinfo=UTC)),
        ("2017-03-08T10:18:17Z", datetime(2017, 3, 8, 10, 18, 17, tzinfo=UTC)),
        ("2017-03-08T10:18:17.000Z", datetime(2017, 3, 8, 10, 18, 17, tzinfo=UTC)),
        ("2017-03-08T10:18:17+00:00", datetime(2017, 3, 8, 10, 18, 17, tzinfo=UTC)),
        ("2017-03-08T11:18:17+01", datetime(2017, 3, 8, 10, 18, 17, tzinfo=UTC)),
        ("2017-03-08T11:18:17+0100", datetime(2017, 3, 8, 10, 18, 17, tzinfo=UTC)),
        ("2017-03-08T05:48:17-04:30", datetime(2017, 3, 8, 10, 18, 17, tzinfo=UTC)),
        ("2017-03-08 11:18:17+01", datetime(2017, 3, 8, 10, 18, 17, tzinfo=UTC)),
        ("2017-03-08t10:18:17z", datetime(2017, 3, 8, 10, 18, 17, tzinfo=UTC)),
        ("2017-03-08T10:18:17.5Z", datetime(2017, 3, 8, 10, 18, 17, 500000, tzinfo=UTC)),
        ("2017-03-08T10:18:17,25Z", datetime(2017, 3, 8, 10, 18, 17, 250000, tzinfo=UTC)),
        ("2017-03-08T10:18:17.123456789Z", datetime(2017, 3, 8, 10, 18, 17, 123456, tzinfo=UTC)),
        ("2017-03-08T10:18Z", datetime(2017, 3, 8, 10, 18, tzinfo=UTC)),
        # No offset: UTC, as the API reads it; a bare date: midnight UTC.
        ("2017-03-08T10:18:17", datetime(2017, 3, 8, 10, 18, 17, tzinfo=UTC)),
        ("2017-03-08", datetime(2017, 3, 8, tzinfo=UTC)),
        ("  2017-03-08T10:18:17Z ", datetime(2017, 3, 8, 10, 18, 17, tzinfo=UTC)),
    ],
)
def test_parse_instant_reads_every_form_clients_write(text: str, expected: datetime) -> None:
    parsed = _wire.parse_instant(text)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)  # aware, in UTC


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yesterday",
        "20170308",  # basic form: not what the API writes
        "2017-W10-3",  # week date
        "2017-3-8",
        "2017-03-08X10:18:17Z",
        "2017-03-08T25:00:00Z",
        "2017-02-30T10:00:00Z",
        "2017-03-08T10:18:17+25:00",
        "0001-01-01T00:00:00+01:00",  # before year 1 once in UTC
    ],
)
def test_parse_instant_refuses_what_is_not_a_date_time(text: str) -> None:
    with pytest.raises(ValueError, match="invalid date-time"):
        _wire.parse_instant(text)


def test_parse_instant_refuses_what_is_not_text() -> None:
    with pytest.raises(ValueError, match="expected a date-time string"):
        _wire.parse_instant(1488968297000)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------- parse_day


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1980-05-10", date(1980, 5, 10)),
        # A date-time where a date is meant: its date as written, before any conversion to UTC.
        ("1980-05-10T00:00:00+02:00", date(1980, 5, 10)),
        ("1980-05-10 23:30:00-05", date(1980, 5, 10)),
        ("1980-05-10T00:00:00.000+0000", date(1980, 5, 10)),
    ],
)
def test_parse_day_reads_a_date_or_the_date_a_date_time_was_written_with(
    text: str, expected: date
) -> None:
    assert _wire.parse_day(text) == expected


@pytest.mark.parametrize("text", ["", "1980-5-10", "1980-02-30", "10/05/1980", "1980-05-10T99:00Z"])
def test_parse_day_refuses_what_is_not_a_date(text: str) -> None:
    with pytest.raises(ValueError, match="invalid date"):
        _wire.parse_day(text)


# ----------------------------------------------------------------------------- format_instant


def test_format_instant_writes_the_apis_form_in_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    moment = datetime(2017, 3, 8, 12, 18, 17, 999999, tzinfo=plus_two)
    # Milliseconds cut, never rounded up (the second stays the same).
    assert _wire.format_instant(moment) == "2017-03-08T10:18:17.999+0000"
    assert _wire.format_instant(datetime(5, 1, 2, tzinfo=UTC)) == "0005-01-02T00:00:00.000+0000"


def test_a_naive_datetime_is_local_time(local_time_zone: LocalZone) -> None:
    local_time_zone("Europe/Rome")
    assert _wire.format_instant(datetime(2024, 7, 1, 12, 0)) == "2024-07-01T10:00:00.000+0000"
    assert _wire.format_instant(datetime(2024, 1, 1, 12, 0)) == "2024-01-01T11:00:00.000+0000"
    local_time_zone("America/New_York")
    assert _wire.format_instant(datetime(2024, 1, 1, 12, 0)) == "2024-01-01T17:00:00.000+0000"
    local_time_zone("UTC")
    assert _wire.format_instant(datetime(2024, 1, 1, 12, 0)) == "2024-01-01T12:00:00.000+0000"


def test_datetime_now_is_written_as_now_wherever_the_machine_is(local_time_zone: LocalZone) -> None:
    local_time_zone("Asia/Kolkata")  # UTC+05:30
    before = datetime.now(UTC).replace(microsecond=0)
    written = _wire.format_instant(datetime.now())
    after = datetime.now(UTC)
    assert before <= _wire.parse_instant(written) <= after


def test_what_is_written_reads_back_as_the_same_instant() -> None:
    moment = datetime(2024, 2, 29, 23, 59, 59, 123000, tzinfo=timezone(timedelta(hours=-3)))
    assert _wire.parse_instant(_wire.format_instant(moment)) == moment


def test_format_instant_takes_only_datetimes() -> None:
    with pytest.raises(TypeError, match="expected a datetime"):
        _wire.format_instant(date(2024, 1, 1))  # type: ignore[arg-type]


def test_dates_are_written_as_calendar_dates() -> None:
    assert _wire.format_day(date(2012, 4, 3)) == "2012-04-03"
    assert _wire.format_day(date(5, 1, 2)) == "0005-01-02"
    assert _wire.format_day(datetime(2012, 4, 3, 23, 0)) == "2012-04-03"
    assert _wire.encode_date(date(2012, 4, 3)) == "2012-04-03"
    assert _wire.encode_date(datetime(2012, 4, 3, tzinfo=UTC)) == "2012-04-03T00:00:00.000+0000"


def test_date_filters(local_time_zone: LocalZone) -> None:
    local_time_zone("Europe/Rome")
    assert _wire.date_filter(datetime(2024, 7, 1, 12, 0)) == "2024-07-01T10:00:00.000+0000"
    assert _wire.date_filter(date(2024, 7, 1)) == "2024-07-01T00:00:00.000+0000"  # midnight UTC
    assert _wire.date_filter("2024-07-01T12:00:00+02") == "2024-07-01T12:00:00+02"  # as given
    with pytest.raises(TypeError, match="a date filter must be"):
        _wire.date_filter(1719835200)  # type: ignore[arg-type]


def test_instant_of_reads_text_and_datetimes_and_nothing_else(local_time_zone: LocalZone) -> None:
    local_time_zone("Europe/Rome")
    expected = datetime(2024, 7, 1, 10, 0, tzinfo=UTC)
    assert _wire.instant_of("2024-07-01 11:00+01") == expected
    assert _wire.instant_of(datetime(2024, 7, 1, 12, 0)) == expected  # naive: local
    assert _wire.instant_of("not a date") is None
    assert _wire.instant_of(1719828000000) is None


# --------------------------------------------------------------------------------- the query

INNER = {
    "type": "simple",
    "name": "query",
    "are": {
        "condition": {
            "type": "atomic",
            "attribute": "base.firstName",
            "operator": "EQUALS",
            "value": "Ada",
        }
    },
}


def test_the_query_document_of_a_built_query() -> None:
    query = Query(None, Customer).filter(Customer.base.firstName == "Ada")
    assert _wire.query_document(query) == {"name": "query", "query": INNER}
    assert _wire.query_document(Query(None, Customer)) is None  # no filter: no parameter
    assert _wire.query_document(None) is None


def test_a_bare_query_is_wrapped_and_a_document_kept() -> None:
    assert _wire.query_document(INNER) == {"name": "query", "query": INNER}
    document = {"name": "my segment", "query": INNER}
    assert _wire.query_document(document) == document
    with pytest.raises(TypeError, match="a query must be"):
        _wire.query_document([INNER])


def test_the_query_parameter_is_always_the_document_as_json() -> None:
    query = Query(None, Customer).filter(Customer.base.firstName == "Ada")
    for given in (query, INNER, {"name": "query", "query": INNER}, json.dumps(INNER)):
        text = _wire.query_param(given)
        assert text is not None
        assert json.loads(text) == {"name": "query", "query": INNER}
    wrapper_text = json.dumps({"name": "mine", "query": INNER})
    assert _wire.query_param(wrapper_text) == wrapper_text  # already the document: as given
    assert _wire.query_param("{not json") == "{not json"  # for the API to judge
    assert _wire.query_param(None) is None


def test_dates_inside_a_query_use_the_one_formatter(local_time_zone: LocalZone) -> None:
    local_time_zone("Europe/Rome")
    query = Query(None, Customer).filter(Customer.registeredAt >= datetime(2024, 7, 1, 12, 0))
    text = _wire.query_param(query)
    assert text is not None
    condition = json.loads(text)["query"]["are"]["condition"]
    assert condition["value"] == "2024-07-01T10:00:00.000+0000"
    raw = {"type": "simple", "are": {"condition": {"value": date(2024, 7, 1)}}}
    assert json.loads(_wire.query_param(raw) or "")["query"]["are"]["condition"]["value"] == (
        "2024-07-01"
    )


# -------------------------------------------------------------------------- sort, lists, ids


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (None, None),
        ("base.lastName", ["base.lastName"]),
        (" updatedAt,desc ", ["updatedAt,desc"]),
        (("updatedAt", "DESC"), ["updatedAt,desc"]),
        (["base.lastName", ("registeredAt", "asc")], ["base.lastName", "registeredAt,asc"]),
        ([], None),
    ],
)
def test_sort_parameters(sort: Any, expected: list[str] | None) -> None:
    assert _wire.sort_param(sort) == expected


@pytest.mark.parametrize("sort", [("updatedAt", "sideways"), "", [None], [("a", "asc", "x")]])
def test_a_sort_that_is_not_field_and_direction_is_refused(sort: Any) -> None:
    with pytest.raises(ValueError, match="sort"):
        _wire.sort_param(sort)


def test_lists_are_joined_with_commas() -> None:
    assert _wire.join(["viewedPage", "loggedIn"]) == "viewedPage,loggedIn"
    assert _wire.join("viewedPage") == "viewedPage"
    assert _wire.join(None) is None
    assert _wire.join([]) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("abc-123", "abc-123"), ("a/b?c#d", "a%2Fb%3Fc%23d"), (".", "%2E"), ("..", "%2E%2E")],
)
def test_an_id_is_exactly_one_path_segment(value: str, expected: str) -> None:
    assert _wire.segment(value) == expected == Transport.quote(value)


@pytest.mark.parametrize("value", ["", None, 12])
def test_an_id_must_be_a_non_empty_string(value: Any) -> None:
    with pytest.raises(ValueError, match="an id must be a non-empty string"):
        _wire.segment(value)


# ---------------------------------------------------------------------------------- conflicts


def test_the_existing_id_of_a_409() -> None:
    conflict = APIError("Conflict", status_code=409, data={"customer": {"id": "c-1", "href": "x"}})
    assert _wire.conflict_id(conflict) == "c-1"
    assert _wire.conflict_id(_wire.conflict_error("c-2")) == "c-2"
    assert _wire.conflict_error("c-2").status_code == 409
    assert _wire.conflict_id(APIError("x", status_code=400, data={"customer": {"id": "c"}})) is None
    assert _wire.conflict_id(APIError("x", status_code=409, data=None)) is None
    assert _wire.conflict_id(APIError("x", status_code=409, data={"customer": {"id": 7}})) is None
    assert _wire.conflict_id(APIError("x", status_code=409, data={"customer": {"id": ""}})) is None


# ----------------------------------------------------------------------------------- listings


def test_customers_parameters_hold_only_what_was_given() -> None:
    assert _wire.customers_params("n1") == {"nodeId": "n1"}
    params = _wire.customers_params(
        "n1",
        external_id="e1",
        query=INNER,
        fields=["base.firstName", "id"],
        sort=("updatedAt", "desc"),
        page=2,
        size=50,
    )
    assert json.loads(params.pop("query")) == {"name": "query", "query": INNER}
    assert params == {
        "nodeId": "n1",
        "externalId": "e1",
        "fields": "base.firstName,id",
        "sort": ["updatedAt,desc"],
        "page": 2,
        "size": 50,
    }


def test_events_parameters_name_one_customer_or_the_node(local_time_zone: LocalZone) -> None:
    local_time_zone("Europe/Rome")
    assert _wire.events_params("n1") == {"nodeId": "n1"}
    assert _wire.events_params(
        "n1",
        customer_id="c1",
        event_type=["viewedPage", "loggedIn"],
        context="WEB",
        mode="ACTIVE",
        date_from=datetime(2024, 7, 1, 12, 0),
        date_to=date(2024, 7, 2),
        page=1,
        size=10,
    ) == {
        "customerId": "c1",
        "type": "viewedPage,loggedIn",
        "context": "WEB",
        "mode": "ACTIVE",
        "dateFrom": "2024-07-01T10:00:00.000+0000",
        "dateTo": "2024-07-02T00:00:00.000+0000",
        "page": 1,
        "size": 10,
    }


# ---------------------------------------------------------------- re-checks with the parser


@pytest.mark.parametrize(
    ("stored", "sent"),
    [
        ("2018-05-25T13:05:00.000+0000", "2018-05-25 14:05:00+01"),
        ("2018-05-25T13:05:00.000+0000", "2018-05-25T14:05:00+0100"),
        ("2018-05-25T13:05:00.000+0000", "2018-05-25t13:05:00.000000z"),
        ("2018-05-25T00:00:00.000+0000", "2018-05-25"),
        # A date field sent a date-time keeps the date it was written with.
        ("1980-05-10", "1980-05-10T00:00:00+02:00"),
        ("1980-05-10", "1980-05-10 23:30:00-05"),
        ("1980-05-10", date(1980, 5, 10)),
        ("2018-05-25T13:05:00.000+0000", datetime(2018, 5, 25, 13, 5, tzinfo=UTC)),
        # An integer field given digits (the guide's startYear='1994').
        (1994, "1994"),
    ],
)
def test_a_stored_value_holds_what_was_sent_in_another_form(stored: Any, sent: Any) -> None:
    assert holds({"value": stored}, {"value": sent})


@pytest.mark.parametrize(
    ("stored", "sent"),
    [
        ("2018-05-25T13:05:00.000+0000", "2018-05-25 14:05:01+01"),
        ("1980-05-10", "1980-05-11T00:00:00+02:00"),
        ("1980-05-10", "not a date"),
        ("1980-05-10", "1980-05-09"),
        ("Ada", "ada"),
        (1994, "1995"),
        (True, "1"),
    ],
)
def test_a_stored_value_does_not_hold_a_different_one(stored: Any, sent: Any) -> None:
    assert not holds({"value": stored}, {"value": sent})


# ------------------------------------------------------------------------------ over HTTP


@pytest.fixture
def sent_urls(node: Node) -> Iterator[list[str]]:
    """The URL of every request the node's transport sends (a response hook of its session)."""
    urls: list[str] = []

    def record(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        urls.append(str(response.request.url))

    hooks = node.transport.session.hooks["response"]
    hooks.append(record)
    try:
        yield urls
    finally:
        hooks.remove(record)


def _query_parameters(urls: list[str], path: str) -> list[Any]:
    found = []
    for url in urls:
        parts = urlsplit(url)
        if parts.path.endswith(path):
            values = parse_qs(parts.query).get("query")
            if values:
                found.append(json.loads(values[0]))
    return found


def _people(node: Node) -> None:
    rows = [
        {"externalId": f"ada-{n}", "base": {"firstName": "Ada"}, "tags": {"manual": ["x"]}}
        for n in range(3)
    ]
    rows.append({"externalId": "bob", "base": {"firstName": "Bob"}})
    assert node.bulk_add_customers(rows).run().created == 4


def test_export_customers_with_a_built_query_sends_the_query_document(
    node: Node, sent_urls: list[str]
) -> None:
    _people(node)
    query = node.query(Customer).filter(Customer.base.firstName == "Ada")
    exported = node.export_customers(query)
    found = sorted(c["externalId"] for c in exported)
    assert found == ["ada-0", "ada-1", "ada-2"]
    assert exported.total == 3
    assert _query_parameters(sent_urls, "/customers") == [query.to_dict()]


def test_export_with_a_bare_query_sends_it_wrapped(node: Node, sent_urls: list[str]) -> None:
    _people(node)
    bare = {
        "type": "simple",
        "name": "query",
        "are": {
            "condition": {
                "type": "atomic",
                "attribute": "base.firstName",
                "operator": "EQUALS",
                "value": "Bob",
            }
        },
    }
    assert [c["externalId"] for c in node.export_customers(bare)] == ["bob"]
    (owner,) = (c["id"] for c in node.export_customers(bare))
    node.add_event(customerId=owner, type="loggedIn", context="WEB", properties={})
    events = list(node.export_events(query=Query(node, Customer, bare)))
    assert [e["customerId"] for e in events] == [owner]
    assert _query_parameters(sent_urls, "/customers") == [{"name": "query", "query": bare}] * 3


def test_the_guides_datetime_now_is_stored_as_now_on_a_machine_in_rome(
    node: Node, local_time_zone: LocalZone
) -> None:
    local_time_zone("Europe/Rome")
    customer = node.add_customer(externalId="rome")
    before = datetime.now(UTC).replace(microsecond=0)
    node.add_like(customer.id, id="01", name="n", category="c", createdTime=datetime.now())
    event = node.add_event(
        customerId=customer.id, type="loggedIn", context="WEB", date=datetime.now(), properties={}
    )
    after = datetime.now(UTC)
    like = node.get_like(customer.id, "01")
    stored = node.get_event(str(event.id))
    for text in (like.createdTime, stored.date):
        assert text.endswith("+0000")
        assert before <= _wire.parse_instant(text) <= after
    # Listing by a naive local window finds it; the same window an hour later does not.
    since = datetime.now() - timedelta(minutes=5)
    assert [e.id for e in node.get_events(customer.id, date_from=since)] == [event.id]
    later = datetime.now() + timedelta(minutes=30)
    assert list(node.get_events(customer.id, date_from=later)) == []


def test_a_rechecked_customer_with_dates_in_other_forms_counts_as_already_there(
    node: Node, sent_urls: list[str]
) -> None:
    rows = [
        {
            "externalId": "dates-1",
            "base": {
                "firstName": "Ada",
                "dob": "1980-05-10T00:00:00+02:00",  # a dob sent as a date-time
                "jobs": [{"id": "j1", "companyName": "ACME", "startDate": "2001-02-03 04:05+01"}],
            },
            "consents": {"disclaimer": {"date": "2018-05-25 14:05:00+01", "version": "v1"}},
        },
        {
            "externalId": "dates-2",
            "base": {"firstName": "Bob", "dob": "1990-01-02"},
            "consents": {"disclaimer": {"date": "2018-05-25T14:05:00.5+0100", "version": "v1"}},
        },
    ]
    assert node.bulk_add_customers(rows).run().created == 2
    stored = {c["externalId"]: c for c in node.export_customers()}
    assert stored["dates-1"]["base"]["dob"] == "1980-05-10"
    assert stored["dates-1"]["consents"]["disclaimer"]["date"] == "2018-05-25T13:05:00.000+0000"
    sent_urls.clear()

    # As a resumed import does for rows that were sent but whose outcome was not journaled.
    items = [BulkItem(row, key=row["externalId"], recheck=True) for row in rows]
    for force_update in (False, True):
        outcomes = {o.key: o for o in node.bulk_add_customers(items, force_update=force_update)}
        assert {k: (o.status, o.resolved) for k, o in outcomes.items()} == {
            "dates-1": ("present", True),
            "dates-2": ("present", True),
        }
    # Found present: never sent again, nor patched under force_update.
    assert all(urlsplit(url).path.endswith("/customers") for url in sent_urls)
    assert {c["externalId"]: c["updatedAt"] for c in node.export_customers()} == {
        key: customer["updatedAt"] for key, customer in stored.items()
    }


def test_a_rechecked_event_dated_with_a_space_and_an_hour_offset_is_not_resent(
    node: Node,
) -> None:
    owner = node.add_customer(externalId="owner").id
    events = [
        {
            "customerId": owner,
            "type": "viewedPage",
            "context": "WEB",
            "date": f"2024-02-03 05:05:{n:02d}.250+01",
            "properties": {"title": f"page {n}", "url": f"https://example.com/{n}"},
        }
        for n in range(4)
    ]
    assert node.bulk_add_events(events[:3]).run().created == 3
    items = [BulkItem(event, key=n, recheck=True) for n, event in enumerate(events)]
    outcomes = {o.key: o for o in node.bulk_add_events(items)}
    assert [outcomes[n].status for n in range(4)] == ["present"] * 3 + ["created"]
    titles = sorted(e["properties"]["title"] for e in node.export_events())
    assert titles == [f"page {n}" for n in range(4)]  # the fourth sent once, none twice
    assert {e["date"] for e in node.export_events()} == {
        f"2024-02-03T04:05:{n:02d}.250+0000" for n in range(4)
    }
