"""The dashboard's pure parts: per-day counts folded into a period's buckets, compositions, and
the SVG charts (no server needed)."""

from __future__ import annotations

import re
from datetime import date

from contacthub_server.console import charts
from contacthub_server.console.dashboard import composition, fold, period_start
from contacthub_server.console.feed import summarise


def _day(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def test_twelve_months_start_eleven_months_back_across_the_year() -> None:
    today = date(2026, 2, 14)
    assert period_start("12m", today) == date(2025, 3, 1)
    assert period_start("30d", today) == date(2026, 1, 16)
    assert period_start("all", today) is None
    days = {_day(date(2025, 3, 1)): 2, _day(date(2025, 12, 31)): 1, _day(date(2026, 2, 14)): 4}
    trend = fold("12m", {**days, _day(date(2025, 2, 28)): 9}, today)
    assert trend.labels[0] == "2025-03"
    assert trend.labels[-1] == "2026-02"
    assert dict(zip(trend.labels, trend.counts, strict=True)) == {
        **dict.fromkeys(trend.labels, 0),
        "2025-03": 2,
        "2025-12": 1,
        "2026-02": 4,
    }


def test_thirty_days_keep_empty_days_and_years_span_the_data_to_today() -> None:
    today = date(2026, 3, 1)
    trend = fold("30d", {_day(date(2026, 2, 28)): 3, _day(date(2026, 1, 30)): 1}, today)
    assert len(trend.counts) == 30
    assert (trend.labels[0], trend.counts[0]) == ("01-31", 0)
    assert (trend.labels[-2], trend.counts[-2]) == ("02-28", 3)
    assert sum(trend.counts) == 3  # 30 January is before the period
    years = fold("all", {_day(date(2019, 6, 1)): 5, _day(date(1960, 1, 1)): 1}, today)
    assert years.labels[0] == "1960"  # a day before 1970 too
    assert years.labels[-1] == "2026"
    assert years.counts[years.labels.index("2019")] == 5
    assert sum(years.counts) == 6


def test_a_composition_ranks_values_sums_the_rest_and_counts_the_missing() -> None:
    counts = {"Italy": 5, "France": 5, "Spain": 2, "Peru": 1}
    assert composition(counts, 20, top=2) == [
        ("France", 5),
        ("Italy", 5),
        ("2 others", 3),
        ("N/A", 7),
    ]
    assert composition({}, 0) == []
    assert composition({"male": 3}, 3) == [("male", 3)]


def test_charts_escape_labels_and_scale_to_a_round_top() -> None:
    svg = str(charts.bars([("<script>", 3), ("b&c", 1)], label="x"))
    assert "<script>" not in svg
    assert 'data-label="&lt;script&gt;" data-value="3"' in svg
    assert "75.0%" in svg
    columns = str(charts.columns([("a", 7), ("b", 0)], label="t"))
    assert re.findall(r'data-value="(\d+)"', columns) == ["7", "0"]
    assert ">10</text>" in columns  # the axis tops at 10 for a peak of 7
    assert str(charts.columns([], label="none")).endswith("</svg>")


def test_feed_summaries_say_who_or_what_changed() -> None:
    customer = {
        "id": "c1",
        "externalId": "x-1",
        "base": {"firstName": "Ada", "lastName": None, "contacts": {"email": "a@x.io"}},
    }
    assert summarise("CUSTOMER", customer) == "Ada · a@x.io · externalId x-1"
    anonymous = {"type": "viewedPage", "context": "WEB", "customerId": None}
    anonymous["bringBackProperties"] = {"type": "SESSION_ID", "value": "s-1"}
    assert summarise("EVENT", anonymous) == "viewedPage · WEB · anonymous (SESSION_ID s-1)"
    assert len(summarise("CUSTOMER", {"base": {"firstName": "A" * 500}})) == 120
