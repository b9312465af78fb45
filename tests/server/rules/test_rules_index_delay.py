"""The ``indexDelayMs`` node setting and the ``--index-delay-ms`` option: what they accept."""

from __future__ import annotations

from typing import Any

import pytest

from contacthub_server.service.validation import ValidationFailed, validate_node_settings
from contacthub_server.settings import MAX_INDEX_DELAY_MS


def test_a_node_delay_is_kept_and_absent_or_null_leaves_the_settings_as_they_were() -> None:
    assert validate_node_settings({"indexDelayMs": 300})["indexDelayMs"] == 300
    assert validate_node_settings({"indexDelayMs": 0})["indexDelayMs"] == 0
    assert validate_node_settings({"indexDelayMs": MAX_INDEX_DELAY_MS})["indexDelayMs"] == (
        MAX_INDEX_DELAY_MS
    )
    # Unset, the complete form has no such key: stored and declared settings keep their digest.
    assert "indexDelayMs" not in validate_node_settings({})
    assert validate_node_settings({"indexDelayMs": None}) == validate_node_settings({})
    # Checked settings go through again unchanged (the configuration API re-checks them).
    once = validate_node_settings({"indexDelayMs": 300, "mandatoryProperties": ["externalId"]})
    assert validate_node_settings(once) == once


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (-1, "at least 0"),
        (MAX_INDEX_DELAY_MS + 1, "at most"),
        (1.5, "integer"),
        (True, "integer"),
        ("soon", "integer"),
    ],
)
def test_a_bad_node_delay_is_refused_at_its_key(value: Any, fragment: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_node_settings({"indexDelayMs": value})
    assert [e.path for e in caught.value.errors] == ["/indexDelayMs"]
    assert fragment in caught.value.errors[0].message


@pytest.mark.parametrize("value", ["-1", "x", str(MAX_INDEX_DELAY_MS + 1)])
def test_a_bad_index_delay_option_is_a_usage_error(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from contacthub_server.serve import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--index-delay-ms", value])
    assert exit_info.value.code == 2
    assert "--index-delay-ms" in capsys.readouterr().err


def test_the_option_reaches_the_settings() -> None:
    from contacthub_server.serve import build_parser

    assert build_parser().parse_args([]).index_delay_ms == 0
    assert build_parser().parse_args(["--index-delay-ms", "250"]).index_delay_ms == 250
