"""The console over HTTP, on both backends: access, pages, edits, and bad input (never a 500)."""

from __future__ import annotations

import re

import requests

from conftest import ADMIN_KEY, ConsoleHub


def test_every_page_sends_a_browser_without_a_session_to_the_login_page(
    console_hub: ConsoleHub,
) -> None:
    page = requests.get(f"{console_hub.url}/console/w/{console_hub.ws}/customers", timeout=10)
    assert page.url.startswith(f"{console_hub.url}/console/login?next=")
    assert 'name="key"' in page.text
    assert requests.get(f"{console_hub.url}/", timeout=10).url.startswith(
        f"{console_hub.url}/console/login"
    )


def test_a_wrong_key_is_refused_and_a_workspace_token_does_not_open_the_console(
    console_hub: ConsoleHub,
) -> None:
    wrong = requests.post(f"{console_hub.url}/console/login", data={"key": "guess"}, timeout=10)
    assert wrong.status_code == 401
    assert "not the admin key" in wrong.text
    assert "contacthub_console" not in wrong.cookies
    token = {"Authorization": f"Bearer {console_hub.credentials.token}"}
    page = requests.get(f"{console_hub.url}/console/", headers=token, timeout=10)
    assert page.url.startswith(f"{console_hub.url}/console/login")
    as_key = requests.post(
        f"{console_hub.url}/console/login", data={"key": console_hub.credentials.token}, timeout=10
    )
    assert as_key.status_code == 401


def test_the_session_cookie_is_http_only_and_strict_and_logout_forgets_it(
    console_hub: ConsoleHub,
) -> None:
    login = requests.post(
        f"{console_hub.url}/console/login",
        data={"key": ADMIN_KEY},
        allow_redirects=False,
        timeout=10,
    )
    assert login.status_code == 303
    cookie = login.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert ADMIN_KEY not in cookie
    session = console_hub.signed_in()
    session.post(f"{console_hub.url}/console/logout")
    assert session.get(f"{console_hub.url}/console/").url.startswith(
        f"{console_hub.url}/console/login"
    )


def test_login_never_redirects_to_another_site(console_hub: ConsoleHub) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/console//evil.example"):
        login = requests.post(
            f"{console_hub.url}/console/login",
            data={"key": ADMIN_KEY, "next": target},
            allow_redirects=False,
            timeout=10,
        )
        assert login.headers["location"] == "/console/"


def test_the_home_page_counts_customers_and_events_per_node(console_hub: ConsoleHub) -> None:
    mario = console_hub.customer(base={"firstName": "Mario"})
    console_hub.customer(base={"firstName": "Luigi"})
    event = {"customerId": mario["id"], "type": "viewedPage", "context": "WEB", "properties": {}}
    assert console_hub.api("POST", "/events", json=event).status_code == 202
    home = console_hub.signed_in().get(f"{console_hub.url}/console/")
    card = home.text.split(f'data-workspace="{console_hub.ws}"')[1].split("</section>")[0]
    numbers = re.findall(r'<td class="num">(\d+)</td>', card)
    assert numbers == ["2", "1"]


def test_customers_are_listed_sorted_and_found_by_email_or_external_id(
    console_hub: ConsoleHub,
) -> None:
    for name, email in (("Carla", "c@example.com"), ("Anna", "a@example.com"), ("Bruno", None)):
        contacts = {"contacts": {"email": email}} if email else {}
        console_hub.customer(externalId=f"ext-{name}", base={"firstName": name, **contacts})
    session = console_hub.signed_in()
    listing = f"{console_hub.url}/console/w/{console_hub.ws}/customers"
    ascending = session.get(listing, params={"sort": "base.firstName", "dir": "asc"}).text
    assert _names(ascending) == ["Anna", "Bruno", "Carla"]
    descending = session.get(listing, params={"sort": "base.firstName", "dir": "desc"}).text
    assert _names(descending) == ["Carla", "Bruno", "Anna"]
    assert _names(session.get(listing, params={"email": "A@EXAMPLE.COM"}).text) == []
    assert _names(session.get(listing, params={"email": "a@example.com"}).text) == ["Anna"]
    assert _names(session.get(listing, params={"externalId": "ext-Bruno"}).text) == ["Bruno"]


def _names(page: str) -> list[str]:
    """The first names in a customer table, in order (the column after id and externalId)."""
    rows = re.findall(r"<tr data-id=.*?</tr>", page, re.S)
    return [re.findall(r"<td>(.*?)</td>", row, re.S)[2] for row in rows]


def test_the_customer_page_shows_items_sessions_tags_and_its_events(
    console_hub: ConsoleHub,
) -> None:
    mario = console_hub.customer(
        base={"firstName": "Mario", "likes": [{"id": "l1", "name": "pizza", "category": "food"}]},
        tags={"manual": ["vip"], "auto": []},
    )
    console_hub.api("POST", f"/customers/{mario['id']}/sessions", json={"value": "sess-42"})
    for page in ("/home", "/cart"):
        event = {
            "customerId": mario["id"],
            "type": "viewedPage",
            "context": "WEB",
            "properties": {"url": f"https://shop.example{page}"},
        }
        assert console_hub.api("POST", "/events", json=event).status_code == 202
    page = console_hub.signed_in().get(
        f"{console_hub.url}/console/w/{console_hub.ws}/customers/{mario['id']}"
    )
    assert page.status_code == 200
    assert '<span class="tag">vip</span>' in page.text
    assert "sess-42" in page.text
    assert "pizza" in page.text
    assert page.text.count('<li class="event" data-type="viewedPage">') == 2
    assert "https://shop.example/cart" in page.text


def test_editing_a_customer_checks_it_as_a_put_would(console_hub: ConsoleHub) -> None:
    mario = console_hub.customer(base={"firstName": "Mario"})
    session = console_hub.signed_in()
    edit = f"{console_hub.url}/console/w/{console_hub.ws}/customers/{mario['id']}/edit"
    bad = session.post(
        edit,
        data={"document": '{{"nodeId": "{}", "base": {{"gender": 7}}}}'.format(mario["nodeId"])},
    )
    assert bad.status_code == 400
    assert "<code>/base/gender</code>" in bad.text
    broken = session.post(edit, data={"document": '{"base": '})
    assert broken.status_code == 400
    assert "not valid JSON" in broken.text
    good = session.post(
        edit,
        data={
            "document": '{{"nodeId": "{}", "base": {{"firstName": "Maria"}}}}'.format(
                mario["nodeId"]
            )
        },
    )
    assert good.status_code == 200
    assert "Saved." in good.text
    stored = console_hub.api("GET", f"/customers/{mario['id']}").json()
    assert stored["base"]["firstName"] == "Maria"


def test_deleting_a_customer_removes_it_from_the_api(console_hub: ConsoleHub) -> None:
    mario = console_hub.customer(base={"firstName": "Mario"})
    session = console_hub.signed_in()
    page = session.post(
        f"{console_hub.url}/console/w/{console_hub.ws}/customers/{mario['id']}/delete"
    )
    assert page.status_code == 200
    assert f"Deleted customer {mario['id']}" in page.text
    assert console_hub.api("GET", f"/customers/{mario['id']}").status_code == 404


def test_unknown_workspaces_and_customers_are_404_pages(console_hub: ConsoleHub) -> None:
    session = console_hub.signed_in()
    assert session.get(f"{console_hub.url}/console/w/nope/customers").status_code == 404
    missing = session.get(f"{console_hub.url}/console/w/{console_hub.ws}/customers/nope")
    assert missing.status_code == 404
    assert "There is no customer nope" in missing.text


def test_bad_parameters_get_a_clear_page_never_a_500(console_hub: ConsoleHub) -> None:
    session = console_hub.signed_in()
    base = f"{console_hub.url}/console/w/{console_hub.ws}"
    answers = {
        "page": session.get(f"{base}/customers", params={"page": "x", "sort": "nope"}),
        "date": session.get(f"{base}/events", params={"from": "yesterday"}),
        "json": session.get(f"{base}/query", params={"json": "{", "run": "1"}),
        "grammar": session.get(f"{base}/query", params={"json": '{"query": 1}', "run": "1"}),
        "operator": session.get(
            f"{base}/query",
            params={"g0.conj": "and", "g0.r0.attr": "base.x", "g0.r0.op": "LIKE", "run": "1"},
        ),
        "path": session.get(
            f"{base}/query",
            params={"g0.conj": "and", "g0.r0.attr": "nope.x", "g0.r0.op": "EQUALS", "run": "1"},
        ),
    }
    assert answers["page"].status_code == 200
    assert {name: r.status_code for name, r in answers.items() if name != "page"} == {
        "date": 400,
        "json": 400,
        "grammar": 400,
        "operator": 400,
        "path": 400,
    }
    assert "not valid JSON" in answers["json"].text
    assert "unknown operator" in answers["operator"].text
    assert "group 1, row 1" in answers["operator"].text
    assert 'role="alert"' in answers["path"].text


def test_events_are_filtered_by_owner_type_and_dates(console_hub: ConsoleHub) -> None:
    mario = console_hub.customer(base={"firstName": "Mario"})
    owned = {
        "customerId": mario["id"],
        "type": "viewedPage",
        "context": "WEB",
        "date": "2026-03-01T10:00:00Z",
        "properties": {},
    }
    anonymous = {
        "bringBackProperties": {
            "type": "SESSION_ID",
            "value": "s-1",
            "nodeId": console_hub.credentials.node_id,
        },
        "type": "addedProduct",
        "context": "ECOMMERCE",
        "date": "2026-05-01T10:00:00Z",
        "properties": {},
    }
    for event in (owned, anonymous):
        assert console_hub.api("POST", "/events", json=event).status_code == 202, event
    session = console_hub.signed_in()
    events = f"{console_hub.url}/console/w/{console_hub.ws}/events"

    def types(**params: str) -> list[str]:
        return re.findall(r'<tr data-type="(\w+)">', session.get(events, params=params).text)

    assert types() == ["addedProduct", "viewedPage"]
    assert types(owner="anonymous") == ["addedProduct"]
    assert types(owner="owned") == ["viewedPage"]
    assert types(mode="PASSIVE") == []
    assert types(type="viewedPage") == ["viewedPage"]
    assert types(to="2026-04-01") == ["viewedPage"]
    assert types(customer=mario["id"]) == ["viewedPage"]
