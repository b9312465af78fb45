"""The catch-all: an unexpected exception answers a 500 error envelope and is logged."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import requests

from contacthub_server.runner import HubServer
from contacthub_server.service import customers
from contacthub_server.settings import HubSettings


def test_unexpected_exception_is_a_logged_500_envelope(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated bug")

    # the transport-level fault a live hub cannot produce on purpose: a bug in a rule
    monkeypatch.setattr(customers, "get_customer", broken)
    with HubServer(HubSettings(database_url=f"{tmp_path}/hub.db")) as server:
        creds = server.provision()
        reply = requests.get(
            f"{server.base_url}/workspaces/{creds.workspace_id}/customers/any",
            headers={"Authorization": f"Bearer {creds.token}"},
            timeout=10,
        )
    assert reply.status_code == 500
    body = reply.json()
    assert set(body) == {"message", "logref", "data", "errors"}
    assert "simulated bug" not in reply.text  # no internals leak to clients
    logged = [
        r for r in caplog.records if r.name == "contacthub_server" and r.levelno == logging.ERROR
    ]
    assert len(logged) == 1
    assert body["logref"] in logged[0].getMessage()
    assert logged[0].exc_info is not None


def test_a_failing_statement_is_logged_without_its_sql_or_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from contacthub_server.store import Tx

    def refused(self: Tx, ws: str, customer_id: str) -> None:
        # what a database refusing a statement raises, with the customer's data bound in it
        from sqlalchemy import text

        self._conn.execute(
            text("SELECT no_such_column FROM customers WHERE id = :secret"),
            {"secret": "secret-customer-data"},
        )

    monkeypatch.setattr(Tx, "get_customer", refused)
    with HubServer(HubSettings(database_url=f"{tmp_path}/hub.db")) as server:
        creds = server.provision()
        reply = requests.get(
            f"{server.base_url}/workspaces/{creds.workspace_id}/customers/any",
            headers={"Authorization": f"Bearer {creds.token}"},
            timeout=10,
        )
    assert reply.status_code == 500
    logged = [r for r in caplog.records if r.name == "contacthub_server"]
    assert len(logged) == 1
    text = logged[0].getMessage() + (
        logging.Formatter().formatException(logged[0].exc_info) if logged[0].exc_info else ""
    )
    assert reply.json()["logref"] in text
    assert "OperationalError" in text
    assert "SELECT" not in text
    assert "secret-customer-data" not in text
