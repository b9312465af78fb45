"""Fixtures of the console tests: a hub with a known admin key, seeded data, a real browser.

The browser is Debian's headless Chromium driven by Selenium through Debian's chromedriver
(`./dev` installs both). Without them the browser tests skip, saying why, except under
``CI=true``, where they fail. Screenshots go to ``$CONTACTHUB_SCREENSHOTS`` (``./dev test`` names
``build/screenshots``), or to the test's temporary directory.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from contacthub_server.runner import HubServer
from contacthub_server.settings import Credentials, HubSettings

ADMIN_KEY = "console-test-admin-key"


@dataclass
class ConsoleHub:
    """A served hub, its admin key, and one provisioned workspace to look at."""

    server: HubServer
    credentials: Credentials

    @property
    def url(self) -> str:
        """The hub's root URL."""
        return self.server.url

    @property
    def ws(self) -> str:
        """The provisioned workspace's id."""
        return self.credentials.workspace_id

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A ContactHub API call in the provisioned workspace."""
        headers = {"Authorization": f"Bearer {self.credentials.token}"}
        url = f"{self.server.base_url}/workspaces/{self.ws}{path}"
        return requests.request(method, url, headers=headers, timeout=10, **kwargs)

    def customer(self, **doc: Any) -> dict[str, Any]:
        """Create a customer in the provisioned node; its stored document."""
        response = self.api("POST", "/customers", json={"nodeId": self.credentials.node_id, **doc})
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def signed_in(self) -> requests.Session:
        """An HTTP session holding the console's cookie."""
        session = requests.Session()
        response = session.post(f"{self.url}/console/login", data={"key": ADMIN_KEY})
        assert response.status_code == 200, response.text
        assert response.url.endswith("/console/"), response.url
        return session


@pytest.fixture
def console_hub(database_url: str) -> Iterator[ConsoleHub]:
    """A hub on each backend with a fresh workspace (the hub itself is per test: cheap)."""
    with HubServer(HubSettings(database_url=database_url, admin_key=ADMIN_KEY)) as server:
        yield ConsoleHub(server, server.provision())


@pytest.fixture
def sqlite_console_hub(tmp_path: Path) -> Iterator[ConsoleHub]:
    """A hub on SQLite with a fresh workspace, for the browser tests."""
    settings = HubSettings(database_url=str(tmp_path / "hub.db"), admin_key=ADMIN_KEY)
    with HubServer(settings) as server:
        yield ConsoleHub(server, server.provision())


def _browser_missing() -> str | None:
    for program in ("chromium", "chromedriver"):
        if shutil.which(program) is None:
            return (
                f"{program} is not installed (./dev installs Debian's chromium and chromium-driver)"
            )
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (the dev extra has it)"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium at a laptop's window size."""
    missing = _browser_missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing} (CI=true requires the browser)")
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1366,900",
        "--disable-gpu",
    ):
        options.add_argument(argument)
    service = Service(executable_path=shutil.which("chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.implicitly_wait(3)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """The folder screenshots go to (named by ``CONTACTHUB_SCREENSHOTS``)."""
    folder = Path(os.environ.get("CONTACTHUB_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
