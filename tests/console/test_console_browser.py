"""The console's main paths in a real headless Chromium, with a screenshot of each page.

Log in, browse and sort customers, build a query (adding a condition with the page's script),
run it and read its JSON and SDK code, open a customer and its events, edit it, filter events,
delete the customer. Then the operator's pages: see a request in the log and open it, change a
workspace's faults and see them answered and logged, turn them off, reset the workspace.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import ADMIN_KEY, ConsoleHub


def _shot(browser: Any, folder: Path, name: str) -> None:
    path = folder / f"console-{name}.png"
    assert browser.save_screenshot(str(path)), f"no screenshot at {path}"


def _submit(browser: Any, element: Any, *, confirm: bool = False) -> None:
    """Click ``element`` and wait for the next page (accepting a confirm dialog first)."""
    page = browser.find_element(By.TAG_NAME, "html")
    element.click()
    if confirm:
        WebDriverWait(browser, 10).until(expected_conditions.alert_is_present())
        browser.switch_to.alert.accept()
    WebDriverWait(browser, 10).until(lambda _: _left(page))


def _left(page: Any) -> bool:
    """Whether the browser has left the page ``page`` (its root element) was found on."""
    try:
        page.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as exc:  # asked while the document is being replaced
        if "does not belong to the document" in str(exc):
            return True
        raise
    return False


def _seed(hub: ConsoleHub) -> dict[str, Any]:
    people = [
        ("Mario", "Rossi", "mario@example.com", "Rome"),
        ("Luigi", "Verdi", "luigi@example.com", "Milan"),
        ("Anna", "Bianchi", "anna@example.com", "Rome"),
    ]
    created = {}
    for first, last, email, city in people:
        created[first] = hub.customer(
            externalId=first.lower(),
            base={
                "firstName": first,
                "lastName": last,
                "contacts": {"email": email},
                "address": {"city": city},
            },
            tags={"manual": ["newsletter"], "auto": []},
        )
    for url in ("https://shop.example/", "https://shop.example/cart"):
        event = {
            "customerId": created["Mario"]["id"],
            "type": "viewedPage",
            "context": "WEB",
            "properties": {"url": url},
        }
        assert hub.api("POST", "/events", json=event).status_code == 202
    return created


def test_log_in_browse_query_open_edit_and_delete(
    browser: Any, sqlite_console_hub: ConsoleHub, screenshots: Path
) -> None:
    hub = sqlite_console_hub
    people = _seed(hub)
    browser.delete_all_cookies()

    browser.get(f"{hub.url}/")
    assert "/console/login" in browser.current_url
    browser.find_element(By.ID, "key").send_keys("wrong")
    browser.find_element(By.ID, "login").click()
    assert "not the admin key" in browser.find_element(By.CSS_SELECTOR, ".error").text
    browser.find_element(By.ID, "key").send_keys(ADMIN_KEY)
    _shot(browser, screenshots, "login")
    _submit(browser, browser.find_element(By.ID, "login"))
    card = browser.find_element(By.CSS_SELECTOR, f'[data-workspace="{hub.ws}"]')
    assert [td.text for td in card.find_elements(By.CSS_SELECTOR, "td.num")] == ["3", "2"]
    _shot(browser, screenshots, "home")

    _submit(browser, card.find_element(By.CSS_SELECTOR, "h2 a"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Customers"
    _submit(browser, browser.find_element(By.CSS_SELECTOR, 'a.sort[href*="sort=base.firstName"]'))
    first_names = [
        row.find_elements(By.TAG_NAME, "td")[2].text
        for row in browser.find_elements(By.CSS_SELECTOR, "#customers tbody tr")
    ]
    assert first_names == ["Anna", "Luigi", "Mario"]
    browser.find_element(By.NAME, "email").send_keys("luigi@example.com")
    _submit(browser, browser.find_element(By.ID, "search"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#customers tbody tr")
    assert len(rows) == 1
    assert "Luigi" in rows[0].text
    _shot(browser, screenshots, "customers")

    _submit(browser, browser.find_element(By.LINK_TEXT, "Query"))
    browser.find_element(By.NAME, "g0.r0.attr").send_keys("base.address.city")
    browser.find_element(By.NAME, "g0.r0.value").send_keys("Rome")
    browser.find_element(By.CSS_SELECTOR, "fieldset.group .add-row").click()
    browser.find_element(By.NAME, "g0.r1.attr").send_keys("base.firstName")
    Select(browser.find_element(By.NAME, "g0.r1.op")).select_by_visible_text("NOT_EQUALS")
    browser.find_element(By.NAME, "g0.r1.value").send_keys("Mario")
    _submit(browser, browser.find_element(By.ID, "run"))
    results = browser.find_elements(By.CSS_SELECTOR, "#customers tbody tr")
    assert [r.get_attribute("data-id") for r in results] == [people["Anna"]["id"]]
    assert '"operator": "NOT_EQUALS"' in browser.find_element(By.ID, "query-json").get_attribute(
        "value"
    )
    code = browser.find_element(By.ID, "sdk-code").text
    assert 'Customer.base.address.city == "Rome"' in code
    assert 'Customer.base.firstName != "Mario"' in code
    _shot(browser, screenshots, "query")

    _submit(browser, browser.find_element(By.LINK_TEXT, "Customers"))
    mario = people["Mario"]["id"]
    _submit(
        browser, browser.find_element(By.CSS_SELECTOR, f'tr[data-id="{mario}"] a.customer-link')
    )
    assert browser.find_element(By.ID, "customer-id").text == mario
    timeline = browser.find_elements(By.CSS_SELECTOR, "#timeline li.event")
    assert len(timeline) == 2
    assert "https://shop.example/cart" in browser.page_source
    _shot(browser, screenshots, "customer")

    document = browser.find_element(By.ID, "document")
    text = document.get_attribute("value").replace('"Rossi"', '"Rossini"')
    document.clear()
    document.send_keys(text)
    _submit(browser, browser.find_element(By.ID, "save"))
    assert browser.find_element(By.CSS_SELECTOR, ".notice").text == "Saved."
    assert hub.api("GET", f"/customers/{mario}").json()["base"]["lastName"] == "Rossini"

    _submit(browser, browser.find_element(By.LINK_TEXT, "Events"))
    Select(browser.find_element(By.NAME, "type")).select_by_visible_text("viewedPage")
    _submit(browser, browser.find_element(By.ID, "filter"))
    assert len(browser.find_elements(By.CSS_SELECTOR, "#events tbody tr[data-type]")) == 2
    _shot(browser, screenshots, "events")

    browser.back()
    browser.back()
    _submit(browser, browser.find_element(By.ID, "delete"), confirm=True)
    assert f"Deleted customer {mario}" in browser.find_element(By.CSS_SELECTOR, ".notice").text
    assert hub.api("GET", f"/customers/{mario}").status_code == 404


def _log_in(browser: Any, hub: ConsoleHub) -> None:
    browser.delete_all_cookies()
    browser.get(f"{hub.url}/console/login")
    browser.find_element(By.ID, "key").send_keys(ADMIN_KEY)
    _submit(browser, browser.find_element(By.ID, "login"))


def test_see_a_request_change_faults_and_reset(
    browser: Any, sqlite_console_hub: ConsoleHub, screenshots: Path
) -> None:
    hub = sqlite_console_hub
    node = hub.credentials.node_id
    ada = hub.customer(externalId="ada", base={"firstName": "Ada", "contacts": {"email": "a@x.io"}})
    hub.api("GET", "/customers/no-such-customer")
    _log_in(browser, hub)

    card = browser.find_element(By.CSS_SELECTOR, f'[data-workspace="{hub.ws}"]')
    _submit(browser, card.find_element(By.LINK_TEXT, "requests"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Requests"
    rows = browser.find_elements(By.CSS_SELECTOR, "#requests tbody tr[data-id]")
    assert [r.get_attribute("data-status") for r in rows] == ["404", "201"]
    assert "POST" in rows[1].text
    assert f"/hub/v1/workspaces/{hub.ws}/customers" in rows[1].text
    _shot(browser, screenshots, "requests")

    _submit(browser, rows[1].find_element(By.CSS_SELECTOR, "a.request-link"))
    assert browser.find_element(By.ID, "request-status").text == "201"
    assert '"externalId": "ada"' in browser.find_element(By.ID, "request-body").text
    assert ada["id"] in browser.find_element(By.ID, "response-body").text
    assert "Bearer ***" in browser.find_element(By.ID, "request-headers").text
    assert hub.credentials.token not in browser.page_source
    _shot(browser, screenshots, "request")

    _submit(browser, browser.find_element(By.LINK_TEXT, "Faults"))
    assert "follows the hub-wide settings" in browser.find_element(By.ID, "faults-state").text
    rate = browser.find_element(By.ID, "rate")
    rate.clear()
    rate.send_keys("1")
    latency = browser.find_element(By.ID, "latency")
    latency.clear()
    latency.send_keys("20")
    for box in browser.find_elements(By.CSS_SELECTOR, 'input[name="statuses"]'):
        if box.is_selected() != (box.get_attribute("value") == "503"):
            box.click()
    _submit(browser, browser.find_element(By.ID, "save-faults"))
    assert browser.find_element(By.CSS_SELECTOR, ".notice").text == "Saved."
    state = browser.find_element(By.ID, "faults-state").text
    assert "100.0%" in state
    assert "20 ms" in state
    _shot(browser, screenshots, "faults")
    refused = hub.api("GET", "/customers", params={"nodeId": node})
    assert refused.status_code == 503

    _submit(browser, browser.find_element(By.CSS_SELECTOR, "nav.workspace a[href*=requests]"))
    status = browser.find_element(By.NAME, "status")
    status.send_keys("503")
    _submit(browser, browser.find_element(By.ID, "filter"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#requests tbody tr[data-id]")
    assert [r.get_attribute("data-status") for r in rows] == ["503"]
    assert "503" in rows[0].find_element(By.CSS_SELECTOR, ".badge").text

    _submit(browser, browser.find_element(By.LINK_TEXT, "Faults"))
    _submit(browser, browser.find_element(By.ID, "faults-off"))
    assert browser.find_element(By.CSS_SELECTOR, ".notice").text == "Faults turned off."
    assert hub.api("GET", "/customers", params={"nodeId": node}).status_code == 200

    browser.get(f"{hub.url}/console/")
    card = browser.find_element(By.CSS_SELECTOR, f'[data-workspace="{hub.ws}"]')
    _submit(browser, card.find_element(By.CSS_SELECTOR, "button.reset"), confirm=True)
    notice = browser.find_element(By.ID, "reset-done").text
    assert f"Reset workspace {hub.ws}" in notice
    card = browser.find_element(By.CSS_SELECTOR, f'[data-workspace="{hub.ws}"]')
    assert [td.text for td in card.find_elements(By.CSS_SELECTOR, "td.num")] == ["0", "0"]
    _shot(browser, screenshots, "reset")
    assert hub.api("GET", "/customers", params={"nodeId": node}).json()["elements"] == []


def test_segments_a_segment_the_feed_and_the_dashboard(
    browser: Any, sqlite_console_hub: ConsoleHub, screenshots: Path
) -> None:
    hub = sqlite_console_hub
    people = _seed(hub)
    for first, gender in (("Mario", "male"), ("Luigi", "male"), ("Anna", "female")):
        patch = {"base": {"gender": gender, "address": {"country": "Italy"}}}
        assert hub.api("PATCH", f"/customers/{people[first]['id']}", json=patch).ok
    romans = {
        "type": "simple",
        "name": "query",
        "are": {
            "condition": {
                "type": "atomic",
                "attribute": "base.address.city",
                "operator": "EQUALS",
                "value": "Rome",
            }
        },
    }
    newsletter = {
        "type": "simple",
        "name": "query",
        "are": {
            "condition": {
                "type": "atomic",
                "attribute": "tags.manual",
                "operator": "IN",
                "value": ["newsletter"],
            }
        },
    }
    for name, query in (("Romans", romans), ("Newsletter", newsletter)):
        assert hub.api("POST", "/segments", json={"name": name, "query": query}).status_code == 201
    _log_in(browser, hub)
    browser.get(f"{hub.url}/console/w/{hub.ws}/customers")

    _submit(browser, browser.find_element(By.LINK_TEXT, "Segments"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Segments"
    names = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#segments a.segment-link")]
    assert names == ["Romans", "Newsletter"]
    _shot(browser, screenshots, "segments")

    _submit(browser, browser.find_element(By.LINK_TEXT, "Romans"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#customers tbody tr[data-id]")
    expected = {people["Mario"]["id"], people["Anna"]["id"]}
    assert {r.get_attribute("data-id") for r in rows} == expected
    assert '"value": "Rome"' in browser.find_element(By.ID, "segment-query").text
    assert 'Customer.base.address.city == "Rome"' in browser.find_element(By.ID, "sdk-code").text
    _shot(browser, screenshots, "segment")
    _submit(browser, browser.find_element(By.ID, "open-in-builder"))
    results = browser.find_elements(By.CSS_SELECTOR, "#customers tbody tr[data-id]")
    assert {r.get_attribute("data-id") for r in results} == expected

    _submit(browser, browser.find_element(By.LINK_TEXT, "Feed"))
    head = int(browser.find_element(By.ID, "feed-head").text)
    assert head == 3 + 2 + 3  # three customers, two events, three patches
    offsets = [
        int(r.get_attribute("data-offset"))
        for r in browser.find_elements(By.CSS_SELECTOR, "#feed tbody tr[data-offset]")
    ]
    assert offsets == list(range(head, 0, -1))
    Select(browser.find_element(By.NAME, "entity")).select_by_visible_text("EVENT")
    _submit(browser, browser.find_element(By.ID, "filter"))
    events = browser.find_elements(By.CSS_SELECTOR, "#feed tbody tr[data-offset]")
    assert [r.get_attribute("data-entity") for r in events] == ["EVENT", "EVENT"]
    events[0].find_element(By.TAG_NAME, "summary").click()
    assert "https://shop.example/cart" in events[0].find_element(By.TAG_NAME, "pre").text
    _shot(browser, screenshots, "feed")

    _submit(browser, browser.find_element(By.LINK_TEXT, "Dashboard"))
    assert browser.find_element(By.ID, "customer-count").text == "3"
    assert browser.find_element(By.ID, "event-count").text == "2"
    gender = browser.find_element(
        By.CSS_SELECTOR, '#chart-gender svg[data-chart="Customers by gender"]'
    )
    bars = {
        bar.get_attribute("data-label"): bar.get_attribute("data-value")
        for bar in gender.find_elements(By.CSS_SELECTOR, "rect.bar")
    }
    assert bars == {"male": "2", "female": "1"}
    assert gender.size["width"] > 300  # drawn, at a readable size
    browser.set_window_size(1366, 1240)  # the whole dashboard in one picture
    try:
        _shot(browser, screenshots, "dashboard")
    finally:
        browser.set_window_size(1366, 900)
