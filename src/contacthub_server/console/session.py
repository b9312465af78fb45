"""Who may use the console: whoever typed the admin key once, remembered by a cookie.

The cookie holds an HMAC of a fixed label keyed by the admin key, not the key itself: it proves
the key was typed, works in every hub process sharing the database (no session table), and
stops working when the key changes. It is HttpOnly and SameSite=Strict, so other sites can
neither read it nor make the browser send it with a forged form.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "contacthub_console"
_LABEL = b"contacthub console session v1"


class ConsoleSession:
    """Checks the admin key typed at login and the session cookie of later requests."""

    def __init__(self, admin_key: Callable[[], str]) -> None:
        self._admin_key = admin_key

    def _token(self) -> str:
        return hmac.new(self._admin_key().encode(), _LABEL, hashlib.sha256).hexdigest()

    def key_matches(self, typed: str) -> bool:
        """Whether ``typed`` is the admin key (compared in constant time)."""
        return hmac.compare_digest(typed.strip().encode(), self._admin_key().encode())

    def signed_in(self, request: Request) -> bool:
        """Whether the request carries a valid session cookie."""
        cookie = request.cookies.get(COOKIE, "")
        return bool(cookie) and hmac.compare_digest(cookie.encode(), self._token().encode())

    def sign_in(self, response: Response, *, secure: bool) -> None:
        """Give the browser its session cookie."""
        response.set_cookie(
            COOKIE, self._token(), httponly=True, samesite="strict", secure=secure, path="/"
        )

    @staticmethod
    def sign_out(response: Response) -> None:
        """Take the session cookie back."""
        response.delete_cookie(COOKIE, path="/")
