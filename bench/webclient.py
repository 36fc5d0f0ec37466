"""A small HTTP client for loopback benchmarks: cookies, a session sign-in and an API token.

It opens one connection per request, as a browser would against gunicorn's sync
workers, which close the connection after every response. Only loopback
addresses are accepted, so the benchmark cannot be aimed at another host.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import logging
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

logger = logging.getLogger(__name__)


class SignInFailed(RuntimeError):
    """The server did not accept the benchmark user's credentials."""


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> dict:
        return json.loads(self.body)


def check_loopback(host: str) -> None:
    """Raise ValueError unless ``host`` is a loopback address."""
    if host == "localhost":
        return
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"refusing to send requests to {host}: the benchmark serves and measures on loopback only")


class Client:
    """One user agent: its cookies and optional token header, against one host and port."""

    def __init__(self, host: str, port: int, timeout: float = 120.0) -> None:
        check_loopback(host)
        self.host = host
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.token: str | None = None

    def request(self, method: str, path: str, *, params: list[tuple[str, str]] | None = None,
                body: bytes | None = None, headers: dict[str, str] | None = None) -> Response:
        target = f"{path}?{urlencode(params)}" if params else path
        sent_headers = {"Host": f"{self.host}:{self.port}", "Accept-Language": "fa"}
        if self.cookies:
            sent_headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if self.token:
            sent_headers["Authorization"] = f"Token {self.token}"
        sent_headers.update(headers or {})
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, target, body=body, headers=sent_headers)
            response = connection.getresponse()
            payload = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, payload)
        finally:
            connection.close()

    def get(self, path: str, params: list[tuple[str, str]] | None = None,
            headers: dict[str, str] | None = None) -> Response:
        return self.request("GET", path, params=params, headers=headers)

    def post_form(self, path: str, data: dict[str, str]) -> Response:
        return self.request("POST", path, body=urlencode(data).encode(),
                            headers={"Content-Type": "application/x-www-form-urlencoded",
                                     "Referer": f"http://{self.host}:{self.port}{path}"})

    def post_json(self, path: str, data: dict) -> Response:
        return self.request("POST", path, body=json.dumps(data).encode(),
                            headers={"Content-Type": "application/json"})


def sign_in(client: Client, username: str, password: str, login_path: str = "/accounts/login/") -> None:
    """Sign in with the login form, as a browser does: GET for the CSRF cookie, then POST the form."""
    page = client.get(login_path)
    if page.status != 200 or "csrftoken" not in client.cookies:
        raise SignInFailed(f"GET {login_path} returned {page.status} without a csrftoken cookie")
    answer = client.post_form(login_path, {"username": username, "password": password,
                                           "csrfmiddlewaretoken": client.cookies["csrftoken"]})
    if answer.status != 302 or "sessionid" not in client.cookies:
        raise SignInFailed(f"POST {login_path} as {username} returned {answer.status}, expected 302 with a session "
                           f"cookie: {answer.text[:300]}")
    logger.info("Signed in as %s with a session", username)


def fetch_token(client: Client, username: str, password: str, token_path: str = "/api/v1/auth/token/") -> str:
    """Exchange the username and password for an API token and set it on ``client``."""
    answer = client.post_json(token_path, {"username": username, "password": password})
    if answer.status != 200:
        raise SignInFailed(f"POST {token_path} as {username} returned {answer.status}: {answer.text[:300]}")
    client.token = answer.json()["token"]
    logger.info("Got an API token for %s", username)
    return client.token
